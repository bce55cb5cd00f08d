"""The budget pages in Debian Chromium (Playwright): charts, sorting, filtering, explaining, languages.

Every page is watched: a console error (a CSP violation is one), an uncaught
exception, a dialog or a request to another origin fails the test.
Screenshots go to ``/tmp/shots`` (``CARNET_SHOTS`` to change it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carnet.store import Vault
from carnet.web import create_app
from live_server import served

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CARNET_SHOTS", "/tmp/shots"))


@pytest.fixture
def server(household: Vault) -> Iterator[str]:
    with served(create_app(household)) as base:
        yield base


def watch(page: Any, base: str, errors: list[str]) -> None:
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith(base) else errors.append(f"outside: {r.url}"))


def oop_of(row: Any) -> int:
    return int(row.locator("td").last.get_attribute("data-sort"))


def test_budget_page_charts_sort_filter_explain_and_english(browser: Any, server: str) -> None:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    watch(page, server, errors)
    page.goto(server + "/")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Budget").click()
    page.wait_for_url("**/budget")
    assert page.locator("h1").inner_text() == "Notre budget santé"
    assert page.locator("svg.chart").first.is_visible() and page.locator("svg.chart rect.oop").count() > 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "budget.png"), full_page=False)

    year = page.locator(".budget-nav a", has_text=str(int(page.locator(".budget-nav .current").nth(1)
                                                               .inner_text()) - 1))
    year.first.click()
    page.wait_for_url("**year=**")
    table = page.locator("#lines-table")
    rows = table.locator("tbody tr")
    assert rows.count() > 10
    table.get_by_role("button", name="Reste à charge").click()  # ascending, then descending
    table.get_by_role("button", name="Reste à charge").click()
    assert table.locator("th[aria-sort=descending]").count() == 1
    values = [oop_of(rows.nth(i)) for i in range(rows.count())]
    assert values == sorted(values, reverse=True)

    page.get_by_label("Type de soins", exact=True).select_option("pharmacy")
    visible = table.locator("tbody tr:not([hidden])")
    assert visible.count() > 0 and set(visible.locator("td:nth-child(3)").all_inner_texts()) == {"Pharmacie"}
    assert "lignes affichées sur" in page.locator("[data-count-for=lines-table]").inner_text()
    page.get_by_label("Rechercher").fill("metformine")
    assert table.locator("tbody tr:not([hidden])").count() == visible.count()
    page.get_by_label("Rechercher").fill("zzz-nothing")
    assert table.locator("tbody tr:not([hidden])").count() == 0
    page.screenshot(path=str(SHOTS / "budget-lines.png"), full_page=False)

    page.get_by_label("Rechercher").fill("")
    page.get_by_label("Type de soins", exact=True).select_option("")
    table.locator("tbody tr td.act a").first.click()
    assert page.locator("h1").inner_text().startswith("Pourquoi ai-je payé")
    assert page.locator("ol.steps li").count() >= 2
    page.screenshot(path=str(SHOTS / "budget-line.png"), full_page=False)
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Why did I pay")
    page.goto(server + "/budget/compare")
    assert page.locator("h1").inner_text() == "Which contract would have cost us least?"
    assert page.locator("tr.best").count() == 1
    page.screenshot(path=str(SHOTS / "budget-compare.png"), full_page=False)
    page.goto(server + "/budget/quote")
    page.get_by_label("What").select_option("glasses")
    page.get_by_label("Price quoted (€)").fill("450")
    page.get_by_role("button", name="Check").click()
    page.wait_for_url("**fee=450**")
    assert page.get_by_role("heading", name="What you should pay").is_visible()
    page.screenshot(path=str(SHOTS / "budget-quote.png"), full_page=False)
    context.close()
    assert errors == []


def test_budget_pages_fit_a_small_screen(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    watch(page, server, errors)
    for path in ("/budget", "/budget/people/2", "/budget/lines/1", "/budget/compare", "/budget/quote"):
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} scrolls sideways ({width}px)"
    page.goto(server + "/budget")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "budget-mobile.png"), full_page=False)
    context.close()
    assert errors == []
