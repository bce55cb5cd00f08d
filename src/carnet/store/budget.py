"""Store-side glue of the budget: claim lines, members and budget settings.

Reads the current claim lines of a household (or of some people) as budget
entries straight from their rows (``entries``: fast, for pages over ten years
of care) or as model claim lines (``owned_lines``: for explaining and
replaying), the members with what the budget needs (birth date, ALD), and the
budget settings (area ``budget``): the household's contract, yearly ceilings,
upcoming care. Also reads the delays file (``rules/fr/reimbursement_delays.yaml``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Any

import orjson
from sqlalchemy import Connection, Select, func, select

from carnet.collector import collector_paused
from carnet.model import ClaimLine, Code, Money
from carnet.rules import yamltext
from carnet.services.budget import Ceiling, Delays, Entry, Member, OwnedLine, Upcoming, budget_category, parse_delays
from carnet.services.budget.lines import carnet_facts, payment_dates
from carnet.store import reader
from carnet.store import schema as s
from carnet.store.settings import HOUSEHOLD, delete_setting, get_setting, person_scope, set_setting

AREA = "budget"
ALD_EXTENSION = "ald-exoneration"  # .../StructureDefinition/ald-exoneration of Carnet packages
_COLUMNS = ("id", "person_id", "date", "category", "provider", "act_system", "act_code", "act_display", "currency",
            "charged", "base", "paid_primary", "paid_complementary", "fixed_charges", "overbilling", "patient_share")


def _lines_query(*columns: Any, person_ids: Iterable[int] | None = None) -> Select[Any]:
    c, r = s.claim_lines.c, s.records.c
    # Lines of current claims: both lookups are index-only (ix_records_kind_current_id, then
    # ix_claim_lines_budget), so the table pages and their large explanations are not decrypted.
    current = select(r.id).where(r.kind == "claim", r.current.is_(True))
    q = select(*columns).where(c.record_id.in_(current))
    if person_ids is not None:
        q = q.where(c.person_id.in_(list(person_ids)))
    return q.where(c.person_id.is_not(None)).order_by(c.date, c.id)


def members(conn: Connection) -> list[Member]:
    """Everyone of the vault, with the ALD flag from their conditions and their budget settings."""
    r = s.records.c
    ald = {int(pid) for (pid,) in conn.execute(
        select(r.person_id).where(r.kind == "condition", r.current.is_(True),
                                  r.resource.like(f"%{ALD_EXTENSION}%")).distinct()) if pid is not None}
    found = []
    for p in reader.persons(conn):
        birth = None
        if p.birth_date and len(p.birth_date) >= 10:
            try:
                birth = date.fromisoformat(p.birth_date[:10])
            except ValueError:
                birth = None
        traitant = get_setting(conn, person_scope(p.id), AREA, "medecin_traitant", True)
        c2s = get_setting(conn, person_scope(p.id), AREA, "c2s", False)
        found.append(Member(p.id, p.display_name, birth, p.id in ald, bool(traitant), bool(c2s)))
    return found


def entries(conn: Connection, person_ids: Iterable[int] | None = None,
            tracked_since: date | None = None) -> list[Entry]:
    """Budget entries of the current claim lines, in date order.

    Payment dates (for « pending ») are read from the lines' explanations only
    for lines on or after ``tracked_since`` (none when it is None): parsing
    every explanation of ten years would cost more than the rest of the page.
    """
    c = s.claim_lines.c
    cols = [getattr(c, name) for name in _COLUMNS]
    since = tracked_since.isoformat() if tracked_since else None
    # Explanations are large (engine steps): read them only for the recent lines that need
    # their payment dates, in a second query, so that ten years of lines stay cheap to read.
    recent: dict[int, str] = {}
    if since is not None:
        q = _lines_query(c.id, c.explanation, person_ids=person_ids).where(c.date >= since)
        recent = {int(lid): str(text) for lid, text in conn.execute(q) if text}
    with collector_paused():  # tens of thousands of acyclic entries: no collector passes meanwhile
        return _entries(conn.execute(_lines_query(*cols, person_ids=person_ids)), recent)


def _entries(rows: Iterable[Any], recent: dict[int, str]) -> list[Entry]:
    found: list[Entry] = []
    for (lid, pid, day, category, provider, system, code, display, cur, charged, base, amo, amc, fixed, over,
         patient) in rows:
        tracked, amo_on, amc_on = False, None, None
        explanation = recent.get(lid)
        if explanation:
            tracked, amo_on, amc_on = payment_dates(carnet_facts(orjson.loads(explanation)))
        charged, amo, amc = charged or 0, amo or 0, amc or 0
        found.append(Entry(
            lid, pid, day[:10] if day else None, budget_category(category, system), category, provider,
            display or code, cur, charged, base, amo, amc, fixed or 0, over or 0,
            patient if patient is not None else max(0, charged - amo - amc), tracked, amo_on, amc_on))
    return found


#: (vault, tracked_since) → (fingerprint, entries); a few households' entries kept in memory
_CACHE: dict[tuple[Any, date | None], tuple[tuple[Any, ...], list[Entry]]] = {}
CACHE_SIZE = 4


def fingerprint(conn: Connection) -> tuple[Any, ...]:
    """What changes whenever claim lines are added, replaced or erased (cheap: indexes only),
    with the vault's creation time, so that two vaults never share one."""
    c, r, m = s.claim_lines.c, s.records.c, s.meta.c
    lines = conn.execute(select(func.count(c.id), func.max(c.id))).one()
    versions = conn.execute(select(func.count(r.id), func.max(r.id))).one()
    created = conn.execute(select(m.value).where(m.key == "created_at")).scalar()
    return (created, *lines, *versions)


def cached_entries(conn: Connection, vault_key: Any, tracked_since: date | None = None) -> list[Entry]:
    """:func:`entries` of the whole vault, kept while its claim lines do not change.

    The web app reads a household's ten years of lines (tens of MB to decrypt
    when the package explanations are stored) for every budget page; they are
    read again only when an import, a new version or an erasure changed them.
    ``vault_key`` tells vaults apart (``(vault.target, id(vault.engine))``).
    """
    key = (vault_key, tracked_since)
    mark = fingerprint(conn)
    found = _CACHE.get(key)
    if found is not None and found[0] == mark:
        return found[1]
    fresh = entries(conn, tracked_since=tracked_since)
    if len(_CACHE) >= CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (mark, fresh)
    return fresh


def _money(cents: int | None, currency: str) -> Money | None:
    return None if cents is None else Money(Decimal(cents).scaleb(-2), currency)


def owned_lines(conn: Connection, person_ids: Iterable[int] | None = None,
                line_ids: Sequence[int] | None = None) -> list[OwnedLine]:
    """Current claim lines as model objects (with their explanation), in date order."""
    c = s.claim_lines.c
    q = _lines_query(s.claim_lines, person_ids=person_ids)
    if line_ids is not None:
        q = q.where(c.id.in_(list(line_ids)))
    found = []
    for row in conn.execute(q).mappings():
        cur = row["currency"]
        act = None
        if row["act_code"] is not None or row["act_display"] is not None:
            act = Code(row["act_system"], row["act_code"], row["act_display"])
        line = ClaimLine(
            line_no=row["line_no"], date=row["date"], category=row["category"], provider=row["provider"], act=act,
            quantity=None if row["quantity"] is None else Decimal(row["quantity"]), currency=cur,
            charged=_money(row["charged"], cur), base=_money(row["base"], cur),
            paid_primary=_money(row["paid_primary"], cur), paid_complementary=_money(row["paid_complementary"], cur),
            fixed_charges=_money(row["fixed_charges"], cur), overbilling=_money(row["overbilling"], cur),
            patient_share=_money(row["patient_share"], cur), primary_payer=row["primary_payer"],
            complementary_payer=row["complementary_payer"],
            explanation=None if row["explanation"] is None else orjson.loads(row["explanation"]))
        found.append(OwnedLine(int(row["id"]), int(row["person_id"]), line))
    return found


def owned_line(conn: Connection, line_id: int) -> OwnedLine | None:
    found = owned_lines(conn, line_ids=[line_id])
    return found[0] if found else None


# ------------------------------------------------------------------ settings


def coverage_contract(conn: Connection, known: Iterable[str]) -> str | None:
    """The contract a holder's Coverage names (class ``plan``), when it is a known contract id."""
    wanted = set(known)
    r = s.records.c
    rows = conn.execute(select(r.resource).where(r.resource_type == "Coverage", r.current.is_(True)).limit(50))
    for (text,) in rows:
        resource = orjson.loads(text) if text else {}
        for cls in resource.get("class") or ():
            value = cls.get("value") if isinstance(cls, dict) else None
            if value in wanted:
                return str(value)
    return None


def contract_id(conn: Connection, known: Sequence[str]) -> str | None:
    """The household's contract: the setting, else the holder's Coverage, else None."""
    chosen = get_setting(conn, HOUSEHOLD, AREA, "contract")
    if isinstance(chosen, str) and chosen in known:
        return chosen
    return coverage_contract(conn, known)


def set_contract(conn: Connection, contract: str) -> None:
    set_setting(conn, HOUSEHOLD, AREA, "contract", contract)


def _scope(person_id: int | None) -> str:
    return HOUSEHOLD if person_id is None else person_scope(person_id)


def ceilings(conn: Connection, person_ids: Iterable[int]) -> list[Ceiling]:
    """The household's ceiling and each person's (cents of out-of-pocket a year)."""
    found = []
    for pid in (None, *person_ids):
        cents = get_setting(conn, _scope(pid), AREA, "ceiling")
        if isinstance(cents, int) and cents > 0:
            found.append(Ceiling(cents, pid))
    return found


def set_ceiling(conn: Connection, person_id: int | None, cents: int | None) -> None:
    """Set (or clear, with None) a yearly out-of-pocket ceiling."""
    if cents is None:
        delete_setting(conn, _scope(person_id), AREA, "ceiling")
    else:
        set_setting(conn, _scope(person_id), AREA, "ceiling", cents)


def upcoming(conn: Connection, person_ids: Iterable[int]) -> list[Upcoming]:
    """Care people said is coming, from their settings."""
    found = []
    for pid in person_ids:
        for item in get_setting(conn, person_scope(pid), AREA, "upcoming", []) or []:
            if isinstance(item, dict):
                found.append(Upcoming(pid, str(item.get("month", "")), str(item.get("category", "other")),
                                      int(item.get("oop", 0)), str(item.get("label", "")),
                                      str(item.get("currency", "EUR"))))
    return found


def add_upcoming(conn: Connection, item: Upcoming) -> None:
    scope = person_scope(item.person_id)
    items = list(get_setting(conn, scope, AREA, "upcoming", []) or [])
    items.append({"month": item.month, "category": item.category, "oop": item.oop, "label": item.label,
                  "currency": item.currency})
    set_setting(conn, scope, AREA, "upcoming", items)


def clear_upcoming(conn: Connection, person_id: int) -> None:
    delete_setting(conn, person_scope(person_id), AREA, "upcoming")


@cache
def load_delays() -> Delays:
    """The usual reimbursement delays (``rules/fr/reimbursement_delays.yaml``)."""
    name = "reimbursement_delays.yaml"
    text = files("carnet.rules").joinpath("fr", name).read_text(encoding="utf-8")
    return parse_delays(yamltext.parse(text), f"fr/{name}")
