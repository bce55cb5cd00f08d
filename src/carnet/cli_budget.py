"""``carnet budget …`` and ``carnet quote``: scenario 1, our health budget, on the command line.

    carnet budget [PERSON] [--year Y] [--by month|category|provider|person|year] [--json]
    carnet budget explain LINE_ID | pending [PERSON] | forecast [PERSON] | compare [--contract FILE …]
    carnet budget ceiling set AMOUNT [--person P] | ceiling clear [--person P]
    carnet budget contract set ID | upcoming add PERSON --month … | upcoming clear PERSON
    carnet quote --kind glasses|crown|hearing|act --fee … [--sector 1|2] [--optam] [--json]
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from carnet.cli import JsonOpt, VaultOpt, _open, _print_json, out
from carnet.errors import CarnetError
from carnet.services.budget import By, Member, QuoteError, serialize
from carnet.services.budget.money import amount_fr, from_decimal


class _DefaultShow(TyperGroup):
    """``carnet budget 2 --year 2025`` runs ``carnet budget show 2 --year 2025``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # ctx: the click Context Typer uses
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["show", *args]
        return super().parse_args(ctx, args)


budget = typer.Typer(cls=_DefaultShow, help="Our health budget: track, explain, forecast, compare contracts.")
ceiling = typer.Typer(help="Yearly out-of-pocket ceilings (alerts).", no_args_is_help=True)
contract = typer.Typer(help="The household's complementary contract (mutuelle).", no_args_is_help=True)
upcoming = typer.Typer(help="Care you know is coming (used by the forecast).", no_args_is_help=True)
budget.add_typer(ceiling, name="ceiling")
budget.add_typer(contract, name="contract")
budget.add_typer(upcoming, name="upcoming")

PersonArg = Annotated[str | None, typer.Argument(help="Person id or name (default: the household).")]
TodayOpt = Annotated[str | None, typer.Option("--today", hidden=True, help="Pretend today is this day (tests).")]
LangOpt = Annotated[str, typer.Option("--lang", help="fr or en.")]


def _today(text: str | None) -> dt.date:
    return _date(text, "--today") if text else dt.date.today()


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CarnetError(f"{option}: write the date as YYYY-MM-DD, not {text!r}") from None


def _euros(text: str, option: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise CarnetError(f"{option}: {text!r} is not an amount in euros") from None
    if not value.is_finite() or value < 0:
        raise CarnetError(f"{option}: the amount must be a positive number of euros")
    return value


def person_of(members: list[Member], text: str | None) -> Member | None:
    """The member named by id or by (part of) name; None for the household."""
    if text is None:
        return None
    if text.isdigit():
        found = next((m for m in members if m.id == int(text)), None)
        if found is None:
            raise CarnetError(f"no person with id {text} (see: carnet people)")
        return found
    matches = [m for m in members if text.casefold() in m.name.casefold()]
    if len(matches) != 1:
        what = "nobody" if not matches else f"{len(matches)} people"
        raise CarnetError(f"{what} named {text!r} (use the id: carnet people)")
    return matches[0]


def _report(vault: str | None, person: str | None, today: dt.date, year: str | None = None) -> Any:
    from carnet.rules import contract_ids, load_rules
    from carnet.services.budget.report import build
    from carnet.store import budget as store

    with _open(vault) as v, v.reading() as conn:
        members = store.members(conn)
        who = person_of(members, person)
        ids = [m.id for m in members]
        delays = store.load_delays()
        entries = store.entries(conn, tracked_since=today - dt.timedelta(days=delays.lookback.days))
        plans, ceilings = store.upcoming(conn, ids), store.ceilings(conn, ids)
        current = store.contract_id(conn, contract_ids())
    report = build(members, entries, today, person_id=None if who is None else who.id, year=year,
                   rules=load_rules(), delays=delays, upcoming=plans, ceilings=ceilings)
    return report, current


def _table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*row)
    out.print(table)


@budget.command("show")
def show(person: PersonArg = None, year: Annotated[str | None, typer.Option(help="Year (YYYY).")] = None,
         by: Annotated[str, typer.Option(help="month, category, provider, person or year.")] = "month",
         today: TodayOpt = None, vault: VaultOpt = None, as_json: JsonOpt = False) -> None:
    """What care cost and who paid it (totals per currency, never mixed)."""
    from carnet.services.budget import summarize

    try:
        group = By(by)
    except ValueError:
        raise CarnetError(f"--by: use month, category, provider, person or year, not {by!r}") from None
    report, _ = _report(vault, person, _today(today), year)
    chosen = summarize(report.entries, group, None if group is By.YEAR else report.year)
    alerts = [serialize.alert(a) for a in report.alerts]
    if as_json:
        _print_json(serialize.summary(chosen) | {"person_id": report.person and report.person.id,
                                                 "years": list(report.years), "alerts": alerts})
        return
    names = {m.id: m.name for m in report.members}
    rows = [[names.get(int(r.key), r.key) if group is By.PERSON else r.key, r.totals.currency, str(r.totals.lines),
             *(amount_fr(getattr(r.totals, a), r.totals.currency) for a in ("charged", "amo", "amc", "fixed",
                                                                          "overbilling", "oop"))]
            for r in chosen.rows]
    rows += [["TOTAL", t.currency, str(t.lines), *(amount_fr(getattr(t, a), t.currency)
             for a in ("charged", "amo", "amc", "fixed", "overbilling", "oop"))] for t in chosen.totals]
    who = report.person.name if report.person else "household"
    _table(f"Budget — {who} — {chosen.year or 'all years'}",
           [group.value, "cur.", "lines", "charged", "AMO", "mutuelle", "PF+franchises", "over base", "out-of-pocket"],
           rows)
    for a in report.alerts:
        if a.flagged:
            out.print(f"[bold red]alert[/]: {a.status} — ceiling {amount_fr(a.ceiling.amount)}, "
                      f"expected {amount_fr(a.expected)} for {a.year}")


@budget.command("explain")
def explain(line_id: Annotated[int, typer.Argument(help="Claim line id (see carnet budget … --json).")],
            lang: LangOpt = "fr", vault: VaultOpt = None, as_json: JsonOpt = False) -> None:
    """Why this line cost what it cost: its breakdown and the rules that applied."""
    from carnet.rules import contract_ids, load_contracts, load_rules
    from carnet.services.budget import explain as run
    from carnet.services.budget.compare import default_contract
    from carnet.store import budget as store

    with _open(vault) as v, v.reading() as conn:
        owned = store.owned_line(conn, line_id)
        if owned is None:
            raise CarnetError(f"no claim line with id {line_id}")
        member = next(m for m in store.members(conn) if m.id == owned.person_id)
        current = store.contract_id(conn, contract_ids())
    contracts = {c.id: c for c in load_contracts()}
    chosen = contracts[current] if current else default_contract(list(contracts.values()))
    x = run(owned, member, load_rules(), chosen, contracts)
    if as_json:
        _print_json(serialize.explanation(x))
        return
    e = x.entry
    out.print(f"Line {e.id} — {e.day} — {e.act or e.category} — out-of-pocket {amount_fr(e.oop, e.currency)} "
              f"({x.source})")
    for step in x.steps:
        out.print(f"  • {step.fr if lang == 'fr' else step.en}", highlight=False)
    for text in x.note_texts(lang):
        out.print(f"  [dim]{text}[/]")


@budget.command("pending")
def pending(person: PersonArg = None, today: TodayOpt = None, vault: VaultOpt = None,
            as_json: JsonOpt = False) -> None:
    """Payments the AMO or the mutuelle still owes after the usual delay."""
    report, _ = _report(vault, person, _today(today))
    if as_json:
        _print_json([serialize.pending_item(p) for p in report.pending])
        return
    _table("Pending", ["line", "date", "act", "payer", "expected", "due", "late"],
           [[str(p.entry.id), p.entry.day or "", p.entry.act or p.entry.category, p.payer.upper(),
             amount_fr(p.expected, p.entry.currency), p.due.isoformat(), "LATE" if p.late else f"+{p.days_late} d"]
            for p in report.pending])


@budget.command("forecast")
def forecast(person: PersonArg = None, today: TodayOpt = None, vault: VaultOpt = None,
             as_json: JsonOpt = False) -> None:
    """Out-of-pocket expected over the next twelve months, with an 80 % interval."""
    report, _ = _report(vault, person, _today(today))
    names = {m.id: m.name for m in report.members}
    fit = report.forecast
    if as_json:
        _print_json(serialize.forecast(fit, names) | {"alerts": [serialize.alert(a, names) for a in report.alerts]})
        return
    rows = []
    for c in fit.cells:
        b = fit.band(c.currency, c.person_id, c.category)
        rows.append([names.get(c.person_id, str(c.person_id)), c.category, amount_fr(b.total, c.currency),
                     f"{amount_fr(b.low, c.currency)} – {amount_fr(b.high, c.currency)}"])
    for cur in fit.currencies():
        b = fit.band(cur)
        rows.append(["TOTAL", "", amount_fr(b.total, cur), f"{amount_fr(b.low, cur)} – {amount_fr(b.high, cur)}"])
    _table(f"Forecast {fit.months[0]} → {fit.months[-1]}", ["person", "post", "expected", "80 % interval"], rows)
    for a in report.alerts:
        if a.flagged:
            out.print(f"[bold red]alert[/]: {names.get(a.ceiling.person_id or 0, 'household')} — {a.status}: "
                      f"{amount_fr(a.expected)} expected in {a.year} for a ceiling of {amount_fr(a.ceiling.amount)}")


@budget.command("compare")
def compare(contract_files: Annotated[list[Path] | None, typer.Option("--contract", help="A contract YAML.")] = None,
            since: Annotated[str | None, typer.Option("--from", help="First day (default: a year ago).")] = None,
            until: Annotated[str | None, typer.Option("--to", help="Day after the last (default: today).")] = None,
            today: TodayOpt = None, vault: VaultOpt = None, as_json: JsonOpt = False) -> None:
    """Replay our care under other contracts: premiums + out-of-pocket, cheapest first."""
    from carnet.cli_budget_contracts import run_compare

    day = _today(today)
    end = _date(until, "--to") if until else day
    start = _date(since, "--from") if since else end.replace(year=end.year - 1)
    result, warnings = run_compare(vault, contract_files or [], start, end)
    for warning in warnings:
        out.print(f"[yellow]{warning}[/]", highlight=False)
    if as_json:
        _print_json(serialize.comparison(result) | {"warnings": warnings})
        return
    _table(f"Contracts, {result.start} → {result.end} ({result.replayed} lines replayed)",
           ["rank", "contract", "premiums", "out-of-pocket", "net cost", ""],
           [[str(i), r.contract_id, amount_fr(r.premiums), amount_fr(r.oop), amount_fr(r.net),
             "current" if r.current else ""] for i, r in enumerate(result.results, start=1)])
    out.print(f"Real out-of-pocket on these lines: {amount_fr(result.actual_oop)}")


@ceiling.command("set")
def ceiling_set(amount: Annotated[str, typer.Argument(help="Euros of out-of-pocket a year.")],
                person: Annotated[str | None, typer.Option("--person", help="Id or name; default: household.")] = None,
                vault: VaultOpt = None) -> None:
    """Set a yearly out-of-pocket ceiling for the household or a person."""
    from carnet.store import budget as store

    cents = from_decimal(_euros(amount, "AMOUNT"))
    with _open(vault) as v, v.writing() as conn:
        who = person_of(store.members(conn), person)
        store.set_ceiling(conn, None if who is None else who.id, cents)
    out.print(f"ceiling {amount_fr(cents)} — {who.name if who else 'household'}")


@ceiling.command("clear")
def ceiling_clear(person: Annotated[str | None, typer.Option("--person", help="Id or name.")] = None,
                  vault: VaultOpt = None) -> None:
    """Remove a yearly ceiling."""
    from carnet.store import budget as store

    with _open(vault) as v, v.writing() as conn:
        who = person_of(store.members(conn), person)
        store.set_ceiling(conn, None if who is None else who.id, None)
    out.print(f"ceiling cleared — {who.name if who else 'household'}")


@contract.command("set")
def contract_set(contract_id: Annotated[str, typer.Argument(help="A shipped contract id.")],
                 vault: VaultOpt = None) -> None:
    """Choose the household's contract (used to explain, quote and compare)."""
    from carnet.rules import contract_ids
    from carnet.store import budget as store

    known = contract_ids()
    if contract_id not in known:
        raise CarnetError(f"unknown contract {contract_id!r}; use one of: {', '.join(known)}")
    with _open(vault) as v, v.writing() as conn:
        store.set_contract(conn, contract_id)
    out.print(f"contract: {contract_id}")


@upcoming.command("add")
def upcoming_add(person: Annotated[str, typer.Argument(help="Person id or name.")],
                 month: Annotated[str, typer.Option(help="Month it is due (YYYY-MM).")],
                 oop: Annotated[str, typer.Option("--oop", help="Expected out-of-pocket, euros.")],
                 category: Annotated[str, typer.Option(help="Budget post (dental, optics…).")] = "other",
                 label: Annotated[str, typer.Option(help="What it is.")] = "",
                 vault: VaultOpt = None) -> None:
    """Tell the forecast about care you know is coming."""
    from carnet.services.budget import CATEGORIES, Upcoming
    from carnet.store import budget as store

    _date(month + "-01", "--month")
    if category not in CATEGORIES:
        raise CarnetError(f"--category: use one of {', '.join(CATEGORIES)}")
    cents = from_decimal(_euros(oop, "--oop"))
    with _open(vault) as v, v.writing() as conn:
        who = person_of(store.members(conn), person)
        assert who is not None
        store.add_upcoming(conn, Upcoming(who.id, month, category, cents, label[:200]))
    out.print(f"upcoming: {who.name}, {month}, {category}, {amount_fr(cents)}")


@upcoming.command("clear")
def upcoming_clear(person: Annotated[str, typer.Argument(help="Person id or name.")], vault: VaultOpt = None) -> None:
    """Forget the upcoming care entered for a person."""
    from carnet.store import budget as store

    with _open(vault) as v, v.writing() as conn:
        who = person_of(store.members(conn), person)
        assert who is not None
        store.clear_upcoming(conn, who.id)
    out.print(f"upcoming cleared: {who.name}")


def register(app: typer.Typer) -> None:
    """Add ``carnet budget …`` and ``carnet quote`` to the main CLI."""
    from carnet.cli_budget_contracts import quote

    app.add_typer(budget, name="budget")
    app.command("quote")(quote)


__all__ = ["QuoteError", "register"]
