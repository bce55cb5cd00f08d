"""The web app in a real browser: Debian Chromium driven by Playwright.

The app runs with uvicorn in a background thread on 127.0.0.1 and a free port,
on the temporary vault of tests/conftest.py. Without Chromium the tests skip
with the reason (CI sets CARNET_REQUIRE_ALL, which turns a skip into a failure).
Every page is watched: a console error (a CSP violation is one), an uncaught
exception, a dialog or a request to another origin fails the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from carnet.store import Vault
from carnet.web import create_app
from live_server import served

from .conftest import observation, seed
from .test_narrative import XSS

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CARNET_SHOTS", "/tmp/shots"))


@pytest.fixture
def server(vault: Vault) -> Iterator[str]:
    with served(create_app(vault)) as base:
        yield base


@dataclass
class Watched:
    """A page and everything that went wrong on it."""

    page: Any
    base: str
    errors: list[str] = field(default_factory=list)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)


@pytest.fixture
def watched(browser: Any, server: str) -> Iterator[Watched]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    w = Watched(page, server)
    page.on("console", lambda m: w.errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: w.errors.append(f"page error: {e}"))

    def on_dialog(dialog: Any) -> None:
        w.errors.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda r: None if r.url.startswith(server) else w.errors.append(f"outside: {r.url}"))
    yield w
    context.close()


def smallest(folder: Path) -> Path:
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_size)
    if not files:
        pytest.skip(f"no FHIR bundle in {folder}")
    return files[0]


def test_upload_see_filter_and_switch_language(watched: Watched, shared_data: Path) -> None:
    page = watched.page
    bundle = smallest(shared_data / "synthea_r4")
    watched.go("/")
    assert page.locator("h1").inner_text() == "Foyer"
    page.get_by_role("link", name="Importer", exact=True).click()
    page.get_by_label("Fichiers à importer").set_input_files(str(bundle))
    page.get_by_role("button", name="Importer", exact=True).click()
    page.wait_for_url("**/import")
    assert page.locator("h1").inner_text() == "Résultat de l'import"
    assert page.locator(".file-result .badge").first.inner_text() == "Importé"

    page.get_by_role("link", name="Voir le foyer").click()
    person = page.locator(".person h3 a").first
    name = person.inner_text()
    assert name and page.locator(".person").count() >= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "household.png"), full_page=True)

    person.click()
    assert page.locator("h1").inner_text() == name
    assert page.locator(".timeline .item").count() > 0
    page.get_by_role("checkbox", name="Observation").check()
    page.get_by_role("button", name="Filtrer", exact=True).click()
    page.wait_for_url("**kind=observation**")
    kinds = page.locator(".timeline .kind").all_inner_texts()
    assert kinds and set(kinds) == {"Observation"}
    page.screenshot(path=str(SHOTS / "timeline.png"), full_page=False)

    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert "kind=observation" in page.url
    assert page.locator("legend").first.inner_text() == "Kinds"
    menu = page.get_by_role("navigation", name="Main menu")
    assert menu.get_by_role("link").all_inner_texts() == ["Household", "Budget", "Emergency", "Import"]
    assert page.get_by_role("button", name="Filter").is_visible()

    page.locator(".timeline .title").first.click()
    assert page.get_by_role("heading", name="Normalised fields").is_visible()
    page.screenshot(path=str(SHOTS / "record.png"), full_page=False)
    assert watched.errors == []


def test_hostile_narrative_runs_nothing_and_loads_nothing(watched: Watched, vault: Vault) -> None:
    div = '<div xmlns="http://www.w3.org/1999/xhtml"><p>Weight</p>' + "".join(XSS) + "</div>"
    resource = {"resourceType": "Observation", "id": "o1", "text": {"status": "generated", "div": div}}
    seed(vault, [observation(1, date="2023-01-01", resource=resource)])
    watched.go("/records/1")
    watched.page.wait_for_load_state("networkidle")
    watched.page.locator(".narrative a").first.hover()
    assert watched.page.locator(".narrative").inner_text().startswith("Weight")
    assert watched.errors == []


def test_pages_render_without_errors_on_a_small_screen(browser: Any, server: str, vault: Vault) -> None:
    seed(vault, [observation(i, date=f"2023-01-{i:02d}") for i in range(1, 8)])
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for path in ("/", "/people/1", "/records/1", "/import"):
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} scrolls sideways ({width}px)"
    page.goto(server + "/people/1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "timeline-mobile.png"), full_page=True)
    context.close()
    assert errors == []
