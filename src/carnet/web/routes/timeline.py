"""A person's timeline (``/people/{id}``) and one record in full (``/records/{id}``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from carnet.store import reader
from carnet.web.labels import KINDS
from carnet.web.narrative import narrative_of
from carnet.web.queries import record_detail
from carnet.web.rendering import render_page
from carnet.web.state import web_state

router = APIRouter()

PAGE_SIZE = 50
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Filters:
    """What the timeline form asks for; ``query`` rebuilds it for paging links."""

    kinds: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None
    page: int = 1

    @property
    def reversed_period(self) -> bool:
        return bool(self.since and self.until and self.since > self.until)

    def query(self, page: int) -> str:
        params: list[tuple[str, str]] = [("kind", k) for k in self.kinds]
        params += [("from", self.since or ""), ("to", self.until or ""), ("page", str(page))]
        return urlencode([(k, v) for k, v in params if v])


def _date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise HTTPException(400, "dates are written YYYY-MM-DD") from None


def parse_filters(params: QueryParams) -> Filters:
    page_text = params.get("page", "1")
    page = int(page_text) if page_text.isdigit() else 1
    return Filters(
        kinds=[k for k in params.getlist("kind") if k in KINDS],
        since=_date(params.get("from")),
        until=_date(params.get("to")),
        page=min(max(page, 1), MAX_PAGE),
    )


@router.get("/people/{person_id:int}", response_class=HTMLResponse)
def person_timeline(request: Request, person_id: int) -> HTMLResponse:
    """Records of one person, newest first, filtered by kind and period, by pages."""
    filters = parse_filters(request.query_params)
    with web_state(request).vault.reading() as conn:
        person = reader.person(conn, person_id)
        if person is None:
            raise HTTPException(404, "no such person")
        per_kind = reader.counts_by_kind(conn, person_id)
        items = (
            []
            if filters.reversed_period
            else reader.timeline(
                conn,
                person_id,
                kinds=filters.kinds or None,
                since=filters.since,
                until=filters.until,
                limit=PAGE_SIZE + 1,
                offset=(filters.page - 1) * PAGE_SIZE,
            )
        )
    context = {
        "person": person,
        "per_kind": per_kind,
        "filters": filters,
        "items": items[:PAGE_SIZE],
        "has_next": len(items) > PAGE_SIZE,
        "first": (filters.page - 1) * PAGE_SIZE + 1,
    }
    return render_page(request, "timeline.html", context, section="household")


@router.get("/records/{record_id:int}", response_class=HTMLResponse)
def record(request: Request, record_id: int) -> HTMLResponse:
    """One record: its normalised fields, its narrative (sanitised) and its raw JSON."""
    with web_state(request).vault.reading() as conn:
        detail = record_detail(conn, record_id)
        if detail is None:
            raise HTTPException(404, "no such record")
        person = reader.person(conn, detail.person_id) if detail.person_id is not None else None
        resource = reader.record_resource(conn, record_id)
    raw = orjson.dumps(resource, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() if resource else None
    context = {
        "record": detail,
        "person": person,
        "narrative": narrative_of(resource),
        "raw": raw,
    }
    return render_page(request, "record.html", context, section="household")
