"""The contract side of ``carnet budget``: ``compare`` (replay under contracts) and ``carnet quote``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from carnet.cli import JsonOpt, VaultOpt, _open, _print_json, out
from carnet.errors import CarnetError
from carnet.services.budget import Comparison, Member, Quote, QuoteError, QuoteKind, serialize
from carnet.services.budget.compare import comparable, default_contract
from carnet.services.budget.money import amount_fr
from carnet.services.budget.quote import act_code
from carnet.services.reimbursement import Basket, Category, CodeSystem, Contract, Sector

#: the crown quoted when the quote names no code: ceramo-metal crown on a visible tooth (CCAM)
DEFAULT_CROWN = "HBLD634"


def user_contract(path: Path, shipped: set[str], day: dt.date) -> tuple[Contract, list[str]]:
    """A contract the person wrote, checked (a clear error) and validated (warnings)."""
    from carnet.rules import ContractFileError, load_rules, parse_contract, validate_contract

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CarnetError(f"{path}: cannot read it ({exc.__class__.__name__})") from None
    try:
        found = parse_contract(text, path.name)
    except ContractFileError as exc:
        raise CarnetError(str(exc)) from None
    if found.id in shipped:
        raise CarnetError(f"{path.name}: id: {found.id!r} is a shipped contract's id; give yours another")
    breaches = validate_contract(found, load_rules(), day) if found.responsible else ()
    return found, [f"{path.name}: {b.constraint}{f' ({b.guarantee})' if b.guarantee else ''}: {b.en}"
                   for b in breaches]


def run_compare(vault: str | None, files: list[Path], start: dt.date, end: dt.date) -> tuple[Comparison, list[str]]:
    """Replay the household's lines of ``[start, end)`` under the shipped contracts and ``files``."""
    from carnet.rules import load_contracts, load_rules
    from carnet.services.budget import compare
    from carnet.store import budget as store

    if start >= end:
        raise CarnetError("--from must be before --to")
    shipped = list(load_contracts())
    warnings: list[str] = []
    extra = []
    for path in files:
        found, said = user_contract(path, {c.id for c in shipped}, end - dt.timedelta(days=1))
        extra.append(found)
        warnings += said
    with _open(vault) as v, v.reading() as conn:
        members = store.members(conn)
        lines = store.owned_lines(conn)
        current = store.contract_id(conn, [c.id for c in shipped]) or default_contract(shipped).id
    chosen = [*comparable(shipped, current), *extra]
    return compare(lines, members, chosen, load_rules(), start, end, current), warnings


def _member(members: list[Member], person: str | None) -> Member:
    from carnet.cli_budget import person_of

    found = person_of(members, person)
    if found is not None:
        return found
    return members[0] if members else Member(0, "—")


def _crown_base(code: str) -> str:
    from carnet.rules.tables import load_ccam

    act = load_ccam().get(code)
    if act is None or not act.tariffs or act.tariffs[0].tariff_sector1_optam is None:
        raise CarnetError(f"--code: no CCAM tariff for {code!r}")
    return str(act.tariffs[0].tariff_sector1_optam)


def quote(
    kind: Annotated[str, typer.Option("--kind", help="glasses, crown, hearing or act.")],
    fee: Annotated[str, typer.Option("--fee", help="The price quoted, euros (all of it).")],
    person: Annotated[str | None, typer.Option("--person", help="Id or name (default: the first person).")] = None,
    sector: Annotated[str, typer.Option("--sector", help="1, 2 or non_conventionne.")] = "1",
    optam: Annotated[bool, typer.Option("--optam", help="Sector 2 with OPTAM.")] = False,
    basket: Annotated[str | None, typer.Option("--basket", help="100_sante, maitrise or libre.")] = None,
    frame: Annotated[str | None, typer.Option("--frame", help="Glasses: the frame's part of the fee.")] = None,
    lenses: Annotated[str, typer.Option("--lenses", help="Glasses: simple, complex or very_complex.")] = "simple",
    ears: Annotated[int, typer.Option("--ears", help="Hearing aids: 1 or 2.")] = 1,
    category: Annotated[str, typer.Option("--category", help="Act: gp, specialist, imaging…")] = "specialist",
    code: Annotated[str | None, typer.Option("--code", help="Act or crown code (NGAP or CCAM).")] = None,
    base: Annotated[str | None, typer.Option("--base", help="Reimbursement base, when you know it.")] = None,
    day: Annotated[str | None, typer.Option("--date", help="Care date (default: today).")] = None,
    last: Annotated[str | None, typer.Option("--last-equipment", help="Last glasses/hearing aids (date).")] = None,
    contract_id: Annotated[str | None, typer.Option("--contract", help="Another shipped contract id.")] = None,
    vault: VaultOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a quote: expected AMO, mutuelle and out-of-pocket under the household's contract."""
    from carnet.cli_budget import _date, _euros
    from carnet.rules import load_contracts, load_rules
    from carnet.services.budget import check_quote
    from carnet.store import budget as store

    try:
        what = QuoteKind(kind)
        where = Sector(sector)
        cat = Category(category)
        chosen_basket = Basket(basket) if basket else None
    except ValueError as exc:
        raise CarnetError(f"{exc}; see carnet quote --help") from None
    if lenses not in ("simple", "complex", "very_complex"):
        raise CarnetError("--lenses: simple, complex or very_complex")
    if what is QuoteKind.CROWN and code is None:
        code = DEFAULT_CROWN
    system = CodeSystem.NONE
    if what in (QuoteKind.CROWN, QuoteKind.ACT):
        code, system = act_code(cat, code)
    if what is QuoteKind.CROWN and base is None and code:
        base = _crown_base(code)
    with _open(vault) as v, v.reading() as conn:
        member = _member(store.members(conn), person)
        shipped = {c.id: c for c in load_contracts()}
        current = contract_id or store.contract_id(conn, list(shipped)) or default_contract(list(shipped.values())).id
    if current not in shipped:
        raise CarnetError(f"--contract: unknown contract {current!r}")
    request = Quote(
        kind=what, fee=_euros(fee, "--fee"), day=_date(day, "--date") if day else dt.date.today(),
        sector=where, optam=optam, basket=chosen_basket, frame=_euros(frame, "--frame") if frame else None,
        lenses=f"lens_{lenses}", ears=ears, category=cat, code=code, code_system=system,
        base=_euros(base, "--base") if base else None, last_equipment=_date(last, "--last-equipment") if last else None)
    try:
        result = check_quote(request, member, load_rules(), shipped[current])
    except QuoteError as exc:
        raise CarnetError(str(exc)) from None
    if as_json:
        _print_json(serialize.quote(result) | {"person_id": member.id or None})
        return
    out.print(f"Quote {what.value} {amount_fr(result.charged)} — contract {current} — {member.name}")
    out.print(f"  Assurance Maladie: {amount_fr(result.amo)}")
    out.print(f"  Mutuelle:          {amount_fr(result.amc)}")
    out.print(f"  [bold]You pay:           {amount_fr(result.oop)}[/]")
    for name, settlement in result.settlements:
        out.print(f"  [dim]{name}[/]")
        for step in settlement.steps:
            out.print(f"    • {step.fr}", highlight=False)
