"""The budget pages: a household's (``/budget``) and a person's (``/budget/people/{id}``) health
spending, a line's explanation (``/budget/lines/{id}``), the CSV export and the budget settings.

Compare and quote pages are in :mod:`carnet.web.routes.budget_contracts`, included here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from fastapi import APIRouter
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from carnet.export.csvsafe import safe_cell
from carnet.rules import contract_ids
from carnet.services.budget import CATEGORIES, Upcoming, explain
from carnet.services.budget.compare import default_contract
from carnet.services.budget.money import json_amount
from carnet.services.budget.report import Report, build
from carnet.services.budget.track import monthly, months_of
from carnet.store import budget as store
from carnet.web.i18n import language_of, translations
from carnet.web.rendering import render_page
from carnet.web.routes import budget_charts as charts
from carnet.web.routes import budget_contracts
from carnet.web.security import CSRF_FIELD, check_csrf, check_origin, csrf_token, set_csrf_cookie
from carnet.web.state import web_state

router = APIRouter()
router.include_router(budget_contracts.router)

#: lines listed on a page (the CSV export has them all)
LINES_SHOWN = 500
YEAR = re.compile(r"^\d{4}$")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _year(request: Request) -> str | None:
    value = request.query_params.get("year")
    if value is None or value == "":
        return None
    if not YEAR.match(value):
        raise HTTPException(400, "a year is four digits")
    return value


def load_report(request: Request, person_id: int | None, year: str | None) -> tuple[Report, str | None]:
    """The report of the household or of a person, and the household's contract id."""
    today = dt.date.today()
    vault = web_state(request).vault
    with vault.reading() as conn:
        members = store.members(conn)
        if person_id is not None and all(m.id != person_id for m in members):
            raise HTTPException(404, "no such person")
        ids = [m.id for m in members]
        delays = store.load_delays()
        since = today - dt.timedelta(days=delays.lookback.days)
        entries = store.cached_entries(conn, (vault.target, id(vault.engine)), since)
        plans, ceilings = store.upcoming(conn, ids), store.ceilings(conn, ids)
        current = store.contract_id(conn, contract_ids())
    report = build(members, entries, today, person_id=person_id, year=year, rules=charts.rules(), delays=delays,
                   upcoming=plans, ceilings=ceilings)
    return report, current


def _context(request: Request, report: Report, current: str | None) -> dict[str, Any]:
    lang = language_of(request)
    fmt = charts.Money(lang)
    gettext = translations(lang).gettext
    year = report.year
    per_currency = []
    for currency in report.currencies:
        months = months_of(year) if year else []
        per_currency.append({
            "currency": currency,
            "totals": report.by_month.total(currency),
            "monthly": charts.monthly_chart(months, monthly(report.entries, year, currency), fmt, gettext, currency)
            if year else None,
            "categories": charts.category_chart(report.by_category.rows, fmt, gettext, currency),
            "months": [(r.key, r.totals) for r in report.by_month.rows if r.totals.currency == currency],
        })
    fit = report.forecast
    main = report.currencies[0] if report.currencies else "EUR"
    band = fit.band(main, report.person.id if report.person else None)
    lines = sorted(report.year_entries, key=lambda e: (e.day or "", e.id), reverse=True)
    return {
        "report": report, "fmt": fmt, "labels": charts, "current": current, "currencies": per_currency,
        "band": band, "main": main, "forecast_chart": charts.forecast_chart(fit.months, band.months, fmt, main),
        "cells": [(c, fit.band(c.currency, c.person_id, c.category)) for c in fit.cells
                  if report.person is None or c.person_id == report.person.id],
        "lines": lines[:LINES_SHOWN], "more_lines": max(0, len(lines) - LINES_SHOWN),
        "names": {m.id: m.name for m in report.members},
        "posts": {key: gettext(label) for key, label in charts.CATEGORY_LABELS.items()},
        "contracts": [(c.id, c.name) for c in charts.shipped_contracts()],
        "csrf_field": CSRF_FIELD, "csrf_token": csrf_token(request),
        "export": f"/budget/export.csv?year={year or ''}"
                  + (f"&person={report.person.id}" if report.person else ""),
    }


def _page(request: Request, person_id: int | None) -> HTMLResponse:
    report, current = load_report(request, person_id, _year(request))
    context = _context(request, report, current)
    response = render_page(request, "budget.html", context, section="budget")
    set_csrf_cookie(response, context["csrf_token"], secure=web_state(request).secure_cookies)
    return response


@router.get("/budget", response_class=HTMLResponse)
def household_budget(request: Request) -> HTMLResponse:
    """The household's spending: totals, charts, forecast, pending payments, lines."""
    return _page(request, None)


@router.get("/budget/people/{person_id:int}", response_class=HTMLResponse)
def person_budget(request: Request, person_id: int) -> HTMLResponse:
    """One person's spending."""
    return _page(request, person_id)


@router.get("/budget/lines/{line_id:int}", response_class=HTMLResponse)
def line_explanation(request: Request, line_id: int) -> HTMLResponse:
    """Why this line cost what it cost."""
    with web_state(request).vault.reading() as conn:
        owned = store.owned_line(conn, line_id)
        if owned is None:
            raise HTTPException(404, "no such line")
        member = next(m for m in store.members(conn) if m.id == owned.person_id)
        current = store.contract_id(conn, contract_ids())
    contracts = {c.id: c for c in charts.shipped_contracts()}
    chosen = contracts[current] if current else default_contract(list(contracts.values()))
    x = explain(owned, member, charts.rules(), chosen, contracts)
    lang = language_of(request)
    context = {"x": x, "member": member, "fmt": charts.Money(lang), "labels": charts, "lang": lang}
    return render_page(request, "budget_line.html", context, section="budget")


EXPORT_COLUMNS = ("id", "date", "person", "category", "act", "provider", "currency", "charged", "base", "amo",
                  "mutuelle", "fixed_charges", "overbilling", "out_of_pocket")


@router.get("/budget/export.csv")
def export_csv(request: Request) -> Response:
    """The lines of the page (a year, or every year without one) as CSV, safe against formula injection."""
    person = request.query_params.get("person")
    if person is not None and not person.isdigit():
        raise HTTPException(400, "person is an id")
    report, _ = load_report(request, int(person) if person else None, None)
    year = _year(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    names = {m.id: m.name for m in report.members}
    for e in report.entries:
        if year and not (e.day or "").startswith(year):
            continue
        writer.writerow([safe_cell(v) for v in (
            e.id, e.day, names.get(e.person_id, e.person_id), e.category, e.act, e.provider, e.currency,
            json_amount(e.charged), json_amount(e.base), json_amount(e.amo), json_amount(e.amc),
            json_amount(e.fixed), json_amount(e.overbilling), json_amount(e.oop))])
    name = f"budget-{year or 'all'}{'-' + person if person else ''}.csv"
    return Response(buffer.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _cents(text: str) -> int | None:
    text = text.strip().replace(",", ".").replace(" ", "").replace("\u202f", "")
    if not text:
        return None
    if not re.fullmatch(r"\d{1,7}(\.\d{1,2})?", text):
        raise HTTPException(400, "an amount in euros")
    whole, _, part = text.partition(".")
    return int(whole) * 100 + int((part + "00")[:2])


def _upcoming(person_id: int, month: str, form: Any) -> Upcoming:
    """Planned care from the settings form (checked: month, post, amount)."""
    category = str(form.get("upcoming_category") or "other")
    if not MONTH.match(month) or category not in CATEGORIES:
        raise HTTPException(400, "a month (YYYY-MM) and a kind of care")
    cents = _cents(str(form.get("upcoming_oop") or ""))
    if cents is None:
        raise HTTPException(400, "an amount in euros")
    return Upcoming(person_id, month, category, cents, str(form.get("upcoming_label") or "")[:200])


@router.post("/budget/settings")
async def save_settings(request: Request) -> RedirectResponse:
    """Save a ceiling (household or person), the household's contract or a person's planned care; go back."""
    state = web_state(request)
    check_origin(request, state.public_base_url)
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD) or ""))
    person = str(form.get("person") or "")
    back = f"/budget/people/{person}" if person.isdigit() else "/budget"
    with state.vault.writing() as conn:
        if person and not (person.isdigit() and any(m.id == int(person) for m in store.members(conn))):
            raise HTTPException(400, "no such person")
        if "ceiling" in form:  # an empty ceiling removes it
            store.set_ceiling(conn, int(person) if person else None, _cents(str(form.get("ceiling"))))
        month = str(form.get("upcoming_month") or "")
        if month and person.isdigit():
            store.add_upcoming(conn, _upcoming(int(person), month, form))
        if form.get("upcoming_clear") and person.isdigit():
            store.clear_upcoming(conn, int(person))
        chosen = str(form.get("contract") or "")
        if chosen:
            if chosen not in contract_ids():
                raise HTTPException(400, "unknown contract")
            store.set_contract(conn, chosen)
    return RedirectResponse(back + "#settings", status_code=303)
