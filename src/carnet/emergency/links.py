"""Shared links in the vault: create, list, revoke, and answer the SMART Health Links requests.

A link row keeps the encrypted file (JWE), never the key; the passcode only
as an Argon2id hash. A link is active while it is not revoked, not expired
and has fewer than ``max_failures`` wrong passcodes. The failure count is
raised by one conditional ``UPDATE … WHERE failures < max_failures``: the
database serialises it, so parallel guesses can never push it past the limit,
and the guess that reaches the limit disables the link for good.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Connection, and_, or_, select, update

from carnet.emergency import shl
from carnet.emergency.access import clean_label, log_access, stamp
from carnet.errors import CarnetError
from carnet.store import Vault
from carnet.store import schema as s

MAX_FAILURES = 10
HANDLE_CHARS = 10
MAX_LIFETIME = dt.timedelta(days=5 * 366)
#: OWASP minimum for server-side passwords (19 MiB, t=2, p=1): bounded cost per guess
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class Outcome(StrEnum):
    ALLOWED = "allowed"
    WRONG_PASSCODE = "wrong-passcode"
    NO_PASSCODE = "no-passcode"
    DISABLED = "disabled"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Link:
    """A shared link as the person sees it (no key: Carnet does not have it)."""

    id: str
    person_id: int
    label: str | None
    purpose: str
    flags: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    failures: int
    max_failures: int
    has_passcode: bool

    @property
    def handle(self) -> str:
        """A short public name for the link (the first characters of its id)."""
        return self.id[:HANDLE_CHARS]

    def state(self, now: dt.datetime) -> Outcome:
        if self.revoked_at:
            return Outcome.REVOKED
        if self.failures >= self.max_failures:
            return Outcome.DISABLED
        if self.expires_at and self.expires_at <= stamp(now):
            return Outcome.EXPIRED
        return Outcome.ALLOWED


@dataclass(frozen=True)
class Created:
    link: Link
    payload: shl.Payload

    @property
    def shlink(self) -> str:
        return self.payload.link


def _active(now: dt.datetime) -> list[ColumnElement[bool]]:
    c = s.shared_links.c
    return [
        c.revoked_at.is_(None),
        c.failures < c.max_failures,
        or_(c.expires_at.is_(None), c.expires_at > stamp(now)),
    ]


_COLUMNS = (
    s.shared_links.c.id,
    s.shared_links.c.person_id,
    s.shared_links.c.label,
    s.shared_links.c.purpose,
    s.shared_links.c.flags,
    s.shared_links.c.created_at,
    s.shared_links.c.expires_at,
    s.shared_links.c.revoked_at,
    s.shared_links.c.failures,
    s.shared_links.c.max_failures,
    s.shared_links.c.passcode_hash.is_not(None).label("has_passcode"),
)


def create_link(
    conn: Connection,
    person_id: int,
    content: bytes,
    *,
    base_url: str,
    now: dt.datetime,
    label: str | None,
    expires_at: dt.datetime,
    passcode: str | None = None,
    flags: str = "",
    purpose: str = "emergency",
    max_failures: int = MAX_FAILURES,
) -> Created:
    """Encrypt ``content`` (FHIR JSON) with a new key and store the link; the key is only in the result."""
    flag = shl.normalise_flags(flags + ("P" if passcode else ""))
    if "P" in flag and not passcode:
        raise CarnetError("the P flag needs a passcode")
    if passcode is not None and len(passcode) < 4:
        raise CarnetError("a passcode has at least 4 characters")
    if not now < expires_at <= now + MAX_LIFETIME:
        raise CarnetError("a link expires in the future, within 5 years")
    label = clean_label(label or "", shl.MAX_LABEL_CHARS) or None
    key, link_id = shl.new_key(), shl.new_link_id()
    url = shl.manifest_url(base_url, link_id)
    row = {
        "id": link_id,
        "person_id": person_id,
        "label": label,
        "purpose": purpose,
        "flags": flag,
        "created_at": stamp(now),
        "expires_at": stamp(expires_at),
        "revoked_at": None,
        "passcode_hash": HASHER.hash(passcode) if passcode else None,
        "failures": 0,
        "max_failures": max_failures,
        "content_type": shl.FHIR_JSON,
        "payload": shl.encrypt(content, key).encode("ascii"),
    }
    conn.execute(s.shared_links.insert().values(**row))
    payload = shl.Payload(url, shl.b64url(key), int(expires_at.timestamp()), flag, label)
    return Created(get_link(conn, link_id), payload)


def get_link(conn: Connection, link_id: str) -> Link:
    row = conn.execute(select(*_COLUMNS).where(s.shared_links.c.id == link_id)).first()
    if row is None:
        raise CarnetError("no such link")
    return Link(**row._asdict())


def list_links(conn: Connection, person_id: int | None = None) -> list[Link]:
    q = select(*_COLUMNS).order_by(s.shared_links.c.created_at.desc(), s.shared_links.c.id)
    if person_id is not None:
        q = q.where(s.shared_links.c.person_id == person_id)
    return [Link(**row._asdict()) for row in conn.execute(q)]


def find_link(conn: Connection, handle: str, person_id: int | None = None) -> Link:
    """The one link whose id starts with ``handle`` (at least 6 characters)."""
    if len(handle) < 6:
        raise CarnetError("give at least 6 characters of the link id (see: carnet share list)")
    found = [link for link in list_links(conn, person_id) if link.id.startswith(handle)]
    if len(found) != 1:
        raise CarnetError(f"no link {handle!r}" if not found else f"several links start with {handle!r}")
    return found[0]


def revoke(conn: Connection, handle: str, now: dt.datetime, person_id: int | None = None) -> Link:
    """Revoke at once: the next request on the link gets a 404."""
    link = find_link(conn, handle, person_id)
    c = s.shared_links.c
    conn.execute(update(s.shared_links).where(c.id == link.id, c.revoked_at.is_(None)).values(revoked_at=stamp(now)))
    return get_link(conn, link.id)


@dataclass(frozen=True)
class Answer:
    """What the server answers a request on a link: the outcome, and the file when allowed."""

    outcome: Outcome
    link: Link | None = None
    jwe: str | None = None
    remaining: int | None = None


def _check_passcode(stored: str, given: str | None) -> bool:
    if given is None:
        return False
    try:
        return HASHER.verify(stored, given)
    except (VerificationError, InvalidHashError):
        return False


def answer(
    vault: Vault, link_id: str, recipient: str, now: dt.datetime, *, passcode: str | None, action: str
) -> Answer:
    """Resolve a manifest, direct-file or location request; every outcome on a known link is logged."""
    c = s.shared_links.c
    with vault.reading() as conn:
        found = conn.execute(select(*_COLUMNS, c.passcode_hash).where(c.id == link_id)).first()
    if found is None:
        return Answer(Outcome.UNKNOWN)
    fields = found._asdict()
    stored_hash = fields.pop("passcode_hash")
    link = Link(**fields)
    if action == "shl-direct" and "U" not in link.flags:
        return Answer(Outcome.UNKNOWN)  # only a U link is a file at its own url
    actor = clean_label(recipient) or "?"
    detail: dict[str, object] = {"link": link.handle, "label": link.label}
    state = link.state(now)
    if state is not Outcome.ALLOWED:
        with vault.writing() as conn:
            log_access(conn, now, person_id=link.person_id, actor=actor, action=action, outcome=state, detail=detail)
        return Answer(state, link)
    if stored_hash is not None and action != "shl-file":
        if passcode is None:
            with vault.writing() as conn:
                log_access(
                    conn,
                    now,
                    person_id=link.person_id,
                    actor=actor,
                    action=action,
                    outcome=Outcome.NO_PASSCODE,
                    detail=detail,
                    notify=False,
                )
            return Answer(Outcome.NO_PASSCODE, link, remaining=link.max_failures - link.failures)
        if not _check_passcode(stored_hash, passcode):
            return _wrong_passcode(vault, link, now, actor, action, detail)
    with vault.writing() as conn:
        row = conn.execute(select(c.payload).where(c.id == link.id, and_(*_active(now)))).first()
        outcome = Outcome.ALLOWED if row is not None else get_link(conn, link.id).state(now)
        log_access(
            conn,
            now,
            person_id=link.person_id,
            actor=actor,
            action=action,
            outcome=outcome,
            detail=detail,
            notify=action != "shl-file",
        )
    if row is None:
        return Answer(outcome, link)
    return Answer(Outcome.ALLOWED, link, jwe=bytes(row[0]).decode("ascii"))


def _wrong_passcode(
    vault: Vault, link: Link, now: dt.datetime, actor: str, action: str, detail: dict[str, object]
) -> Answer:
    c = s.shared_links.c
    with vault.writing() as conn:
        counted = conn.execute(
            update(s.shared_links).where(c.id == link.id, *_active(now)).values(failures=c.failures + 1)
        ).rowcount
        current = get_link(conn, link.id)
        remaining = current.max_failures - current.failures
        outcome = Outcome.WRONG_PASSCODE if counted else current.state(now)
        log_access(
            conn,
            now,
            person_id=link.person_id,
            actor=actor,
            action=action,
            outcome=outcome,
            detail=detail | {"remainingAttempts": remaining},
        )
    if not counted:
        return Answer(outcome, current)
    return Answer(Outcome.WRONG_PASSCODE, current, remaining=remaining)
