"""Who opened what: the person's access log and the notifications shown in the app.

Every request on a shared link writes one ``access_log`` row (time, who the
requester said they were — the SHL ``recipient`` —, the action, the outcome)
and one notification. Labels written by requesters are cleaned (no control
characters, one line, bounded) so that they cannot forge log lines.
``detail`` and ``message`` are JSON: the views word them in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, select, update

from carnet.store import schema as s

MAX_LABEL = 100
#: FHIR v3-ActReason: emergency treatment ("break the glass"), as IHE BALP suggests for emergency access
PURPOSE_OF_EVENT = "BTG"


def stamp(moment: dt.datetime) -> str:
    """A UTC timestamp as the vault writes them (``2026-11-28T10:00:00Z``)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_label(text: str, limit: int = MAX_LABEL) -> str:
    """One printable line of at most ``limit`` characters."""
    kept = "".join(" " if unicodedata.category(ch)[0] in ("C", "Z") else ch for ch in text)
    line = " ".join(kept.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def log_access(
    conn: Connection,
    now: dt.datetime,
    *,
    person_id: int,
    actor: str,
    action: str,
    outcome: str,
    detail: dict[str, Any],
    notify: bool = True,
) -> None:
    """One access-log row, and a notification for the person (call inside ``vault.writing()``)."""
    at = stamp(now)
    detail = detail | {"purposeOfEvent": PURPOSE_OF_EVENT}
    conn.execute(
        s.access_log.insert().values(
            at=at,
            actor=actor,
            action=action,
            person_id=person_id,
            outcome=outcome,
            detail=orjson.dumps(detail).decode(),
        )
    )
    if notify:
        message = {"actor": actor, "action": action, "outcome": outcome} | detail
        conn.execute(
            s.notifications.insert().values(
                at=at, person_id=person_id, kind="shared-link", message=orjson.dumps(message).decode()
            )
        )


@dataclass(frozen=True)
class AccessRow:
    id: int
    at: str
    actor: str
    action: str
    person_id: int | None
    outcome: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class Notification:
    id: int
    at: str
    person_id: int | None
    kind: str
    message: dict[str, Any]
    read_at: str | None


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = orjson.loads(text) if text else {}
    except orjson.JSONDecodeError:
        return {"text": text}
    return value if isinstance(value, dict) else {"text": text}


def access_log(conn: Connection, person_id: int | None = None, limit: int | None = 200) -> list[AccessRow]:
    """The newest accesses first."""
    a = s.access_log.c
    q = select(a.id, a.at, a.actor, a.action, a.person_id, a.outcome, a.detail).order_by(a.id.desc())
    if person_id is not None:
        q = q.where(a.person_id == person_id)
    if limit is not None:
        q = q.limit(limit)
    return [
        AccessRow(int(i), at, actor, action, pid, outcome, _json(detail))
        for i, at, actor, action, pid, outcome, detail in conn.execute(q)
    ]


def notifications(conn: Connection, person_id: int | None = None, *, unread: bool = False) -> list[Notification]:
    n = s.notifications.c
    q = select(n.id, n.at, n.person_id, n.kind, n.message, n.read_at).order_by(n.id.desc()).limit(100)
    if person_id is not None:
        q = q.where(n.person_id == person_id)
    if unread:
        q = q.where(n.read_at.is_(None))
    return [Notification(int(i), at, pid, kind, _json(msg), read) for i, at, pid, kind, msg, read in conn.execute(q)]


def mark_read(conn: Connection, person_id: int, now: dt.datetime) -> int:
    n = s.notifications.c
    done = conn.execute(
        update(s.notifications).where(n.person_id == person_id, n.read_at.is_(None)).values(read_at=stamp(now))
    )
    return int(done.rowcount)
