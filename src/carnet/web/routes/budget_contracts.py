"""Contract pages of the budget: compare contracts on our real care (``/budget/compare``) and
check a quote (``/budget/quote``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from carnet.rules import ContractFileError, parse_contract, validate_contract
from carnet.rules.tables import load_ccam
from carnet.services.budget import Member, Quote, QuoteError, QuoteKind, check_quote, compare
from carnet.services.budget.compare import comparable, default_contract
from carnet.services.budget.quote import act_code
from carnet.services.reimbursement import Basket, Category, CodeSystem, Contract, Sector
from carnet.store import budget as store
from carnet.web.i18n import N_, language_of
from carnet.web.rendering import render_page
from carnet.web.routes import budget_charts as charts
from carnet.web.security import CSRF_FIELD, check_csrf, check_origin, csrf_token, set_csrf_cookie
from carnet.web.state import web_state

router = APIRouter()

MAX_YAML = 64 * 1024
QUOTE_KINDS: dict[str, str] = {
    "glasses": N_("Glasses"), "crown": N_("Dental crown"), "hearing": N_("Hearing aids"),
    "act": N_("Consultation or act"),
}
DEFAULT_CROWN = "HBLD634"


def _day(text: str | None, default: dt.date) -> dt.date:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HTTPException(400, "dates are written YYYY-MM-DD") from None


def _compare_page(request: Request, yaml_text: str = "") -> HTMLResponse:
    params = request.query_params
    today = dt.date.today()
    end = _day(params.get("to"), today)
    start = _day(params.get("from"), end.replace(year=end.year - 1) if not (end.month == 2 and end.day == 29)
                 else end - dt.timedelta(days=365))
    if start >= end:
        raise HTTPException(400, "the period starts after it ends")
    shipped = list(charts.shipped_contracts())
    error, breaches, mine = None, [], None
    if yaml_text.strip():
        try:
            mine = parse_contract(yaml_text, "contract.yaml")
            if mine.id in {c.id for c in shipped}:
                raise ContractFileError("contract.yaml", "id", f"{mine.id!r} is a shipped contract's id")
            if mine.responsible:
                breaches = list(validate_contract(mine, charts.rules(), end - dt.timedelta(days=1)))
        except ContractFileError as exc:
            error, mine = str(exc), None
    with web_state(request).vault.reading() as conn:
        members = store.members(conn)
        lines = store.owned_lines(conn)
        chosen_id = store.contract_id(conn, [c.id for c in shipped])
    current = chosen_id or default_contract(shipped).id
    chosen: list[Contract] = comparable(shipped, current)
    if mine is not None:
        chosen.append(mine)
    result = compare(lines, members, chosen, charts.rules(), start, end, current)
    lang = language_of(request)
    posts = sorted({p for r in result.results for p in r.by_category} | set(result.actual_by_category),
                   key=lambda p: list(charts.CATEGORY_LABELS).index(p) if p in charts.CATEGORY_LABELS else 99)
    token = csrf_token(request)
    context: dict[str, Any] = {
        "result": result, "fmt": charts.Money(lang), "labels": charts, "posts": posts, "start": start, "end": end,
        "yaml_text": yaml_text, "error": error, "breaches": breaches, "lang": lang,
        "assumed": None if chosen_id else next(c.name for c in shipped if c.id == current),
        "differences": {r.contract_id: result.difference(r.contract_id) for r in result.results},
        "csrf_field": CSRF_FIELD, "csrf_token": token,
    }
    response = render_page(request, "budget_compare.html", context, section="budget")
    set_csrf_cookie(response, token, secure=web_state(request).secure_cookies)
    return response


@router.get("/budget/compare", response_class=HTMLResponse)
def compare_contracts(request: Request) -> HTMLResponse:
    """Our real care of a period replayed under each contract, cheapest net cost first."""
    return _compare_page(request)


@router.post("/budget/compare", response_class=HTMLResponse)
async def compare_with_mine(request: Request) -> HTMLResponse:
    """The same, with a contract the person wrote (YAML, docs/contracts.md)."""
    check_origin(request, web_state(request).public_base_url)
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD) or ""))
    text = str(form.get("contract") or "")
    if len(text) > MAX_YAML:
        raise HTTPException(413, "contract too long")
    return _compare_page(request, text)


def _amount(params: QueryParams, name: str) -> Decimal | None:
    text = (params.get(name) or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise QuoteError(name) from None
    if not value.is_finite() or value < 0 or value > 1_000_000:
        raise QuoteError(name)
    return value


def _quote(params: QueryParams, member: Member) -> Quote:
    kind = QuoteKind(params.get("kind", "glasses"))
    fee = _amount(params, "fee")
    if fee is None:
        raise QuoteError("fee")
    category = Category(params.get("category", "specialist"))
    code = (params.get("code") or "").strip()[:16] or (DEFAULT_CROWN if kind is QuoteKind.CROWN else None)
    code, system = act_code(category, code) if kind in (QuoteKind.CROWN, QuoteKind.ACT) else (None, CodeSystem.NONE)
    base = _amount(params, "base")
    if kind is QuoteKind.CROWN and base is None and code:
        act = load_ccam().get(code)
        base = act.tariffs[0].tariff_sector1_optam if act and act.tariffs else None
    lenses = params.get("lenses", "simple")
    if lenses not in ("simple", "complex", "very_complex"):
        raise QuoteError("lenses")
    return Quote(
        kind=kind, fee=fee, day=dt.date.today(), sector=Sector(params.get("sector", "1")),
        optam=params.get("optam") == "on", basket=Basket(params["basket"]) if params.get("basket") else None,
        frame=_amount(params, "frame"), lenses=f"lens_{lenses}", ears=2 if params.get("ears") == "2" else 1,
        category=category, code=code, code_system=system, base=base)


@router.get("/budget/quote", response_class=HTMLResponse)
def quote_check(request: Request) -> HTMLResponse:
    """A quote's expected AMO, mutuelle and out-of-pocket under the household's contract."""
    params = request.query_params
    with web_state(request).vault.reading() as conn:
        members = store.members(conn)
        shipped = {c.id: c for c in charts.shipped_contracts()}
        chosen_id = store.contract_id(conn, list(shipped))
    current = chosen_id or default_contract(list(shipped.values())).id
    person = params.get("person", "")
    member = next((m for m in members if str(m.id) == person), members[0] if members else Member(0, "—"))
    result, error = None, None
    if params.get("fee"):
        try:
            result = check_quote(_quote(params, member), member, charts.rules(), shipped[current])
        except (QuoteError, ValueError) as exc:
            error = str(exc) or "quote"
    context: dict[str, Any] = {
        "params": params, "members": members, "member": member, "current": shipped[current].name, "result": result,
        "assumed": chosen_id is None,
        "error": error, "kinds": QUOTE_KINDS, "fmt": charts.Money(language_of(request)), "labels": charts,
        "categories": [c.value for c in Category if c.value in charts.CATEGORY_LABELS],
    }
    return render_page(request, "budget_quote.html", context, section="budget")
