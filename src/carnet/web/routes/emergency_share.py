"""A person's SMART Health Links, as the person manages them (not the public endpoints: see ``shl.py``).

- ``GET /people/{id}/share`` — the links (label, flags, expiry, state, wrong
  passcodes), a form to create one, the notifications and the access log;
- ``POST /people/{id}/share`` — create a link to the person's IPS and show it
  once, as a QR code (Carnet keeps no key, so it cannot show it again);
- ``POST /people/{id}/share/{handle}/revoke`` — revoke at once;
- ``POST /people/{id}/notifications/read`` — mark the notifications read.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from carnet.emergency import qr
from carnet.emergency.access import access_log, mark_read, notifications
from carnet.emergency.links import Created, Outcome, list_links, revoke
from carnet.emergency.sharing import share_summary
from carnet.emergency.shl import viewer_url
from carnet.errors import CarnetError
from carnet.store import reader
from carnet.web.i18n import N_, language_of
from carnet.web.routes.emergency import checked_form, page, text_field
from carnet.web.state import web_state

router = APIRouter()

#: choices of the form: (value, label, lifetime)
EXPIRIES: list[tuple[str, str, dt.timedelta]] = [
    ("1d", N_("1 day"), dt.timedelta(days=1)),
    ("30d", N_("30 days"), dt.timedelta(days=30)),
    ("1y", N_("1 year"), dt.timedelta(days=365)),
    ("3y", N_("3 years"), dt.timedelta(days=3 * 365)),
]
OUTCOMES: dict[str, str] = {
    Outcome.ALLOWED: N_("Opened"),
    Outcome.WRONG_PASSCODE: N_("Wrong passcode"),
    Outcome.NO_PASSCODE: N_("No passcode given"),
    Outcome.DISABLED: N_("Refused: link disabled"),
    Outcome.EXPIRED: N_("Refused: link expired"),
    Outcome.REVOKED: N_("Refused: link revoked"),
}
ACTIONS: dict[str, str] = {
    "shl-manifest": N_("Summary requested"),
    "shl-direct": N_("Summary file requested"),
    "shl-file": N_("Summary file downloaded"),
}


def base_url(request: Request) -> str:
    """The address links point to: ``public_base_url``, else the one this page was reached at."""
    return web_state(request).public_base_url or str(request.base_url).rstrip("/")


def share_page(request: Request, person_id: int, *, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    now = dt.datetime.now(dt.UTC)
    with web_state(request).vault.reading() as conn:
        person = reader.person(conn, person_id)
        if person is None:
            raise HTTPException(404, "no such person")
        links = list_links(conn, person_id)
        news = notifications(conn, person_id)
        log = access_log(conn, person_id, limit=100)
    context = {
        "person": person,
        "links": [(link, link.state(now).value) for link in links],
        "notifications": news,
        "unread": sum(1 for n in news if n.read_at is None),
        "log": log,
        "expiries": EXPIRIES,
        "outcomes": OUTCOMES,
        "actions": ACTIONS,
        "error": error,
        "base_url": base_url(request),
    }
    return page(request, "emergency_share.html", context, status_code=status_code)


@router.get("/people/{person_id:int}/share", response_class=HTMLResponse)
def share_index(request: Request, person_id: int) -> HTMLResponse:
    return share_page(request, person_id)


@router.post("/people/{person_id:int}/share", response_class=HTMLResponse)
async def share_create(request: Request, person_id: int) -> HTMLResponse:
    form = await checked_form(request)
    now = dt.datetime.now(dt.UTC)
    lifetime = {value: delta for value, _, delta in EXPIRIES}.get(text_field(form, "expires"))
    if lifetime is None:
        raise HTTPException(400, "unknown expiry")
    flags = "".join(f for f in ("L", "U") if form.get(f"flag_{f}") == "on")
    passcode = text_field(form, "passcode", 64) or None
    state = web_state(request)

    def create() -> Created:
        return share_summary(
            state.vault,
            person_id,
            now=now,
            base_url=base_url(request),
            label=text_field(form, "label", 80) or None,
            expires_at=now + lifetime,
            passcode=passcode,
            flags=flags,
            lang=language_of(request),
        )

    try:
        created = await run_in_threadpool(create)
    except CarnetError as err:
        if "no person" in str(err):
            raise HTTPException(404, "no such person") from None
        return share_page(request, person_id, error=str(err), status_code=400)
    viewer = viewer_url(base_url(request), created.shlink)
    context = {
        "person_id": person_id,
        "link": created.link,
        "viewer": viewer,
        "shlink": created.shlink,
        "qr_svg": qr.svg(viewer, title=created.link.label or "SMART Health Link"),
    }
    return page(request, "emergency_link.html", context)


@router.post("/people/{person_id:int}/share/{handle}/revoke")
async def share_revoke(request: Request, person_id: int, handle: str) -> Response:
    await checked_form(request)

    def run() -> None:
        with web_state(request).vault.writing() as conn:
            revoke(conn, handle, dt.datetime.now(dt.UTC), person_id)

    try:
        await run_in_threadpool(run)
    except CarnetError:
        raise HTTPException(404, "no such link") from None
    return RedirectResponse(f"/people/{person_id}/share", status_code=303)


@router.post("/people/{person_id:int}/notifications/read")
async def notifications_read(request: Request, person_id: int) -> Response:
    await checked_form(request)

    def run() -> None:
        with web_state(request).vault.writing() as conn:
            mark_read(conn, person_id, dt.datetime.now(dt.UTC))

    await run_in_threadpool(run)
    return RedirectResponse(f"/people/{person_id}/share", status_code=303)
