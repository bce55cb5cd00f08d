"""Scenario 2 in a real browser (Debian Chromium, Playwright): share a summary, scan it, read it.

The person creates a link in the web app; the QR code on the page is
screenshotted and decoded (zxing-cpp) as a phone camera would; the decoded
address is opened in a fresh browser, where the viewer decrypts the summary
with WebCrypto and shows the allergies. Wrong passcodes disable a link;
revocation takes effect at once.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from carnet.emergency.entered import save_entered
from carnet.services.emergency import Contact
from carnet.store import Vault
from carnet.web import create_app

from .emergency_helpers import household_records, qr_text, seed, served

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CARNET_SHOTS", "/tmp/shots"))


@pytest.fixture
def server(vault: Vault) -> Iterator[str]:
    seed(vault, household_records())
    with vault.writing() as conn:
        save_entered(
            conn, 1, contacts=[Contact("Paul Lefèvre", "06 12 34 56 78", "époux")], notes="Porte des lentilles"
        )
    with served(create_app(vault)) as base:
        yield base


def watch(page: Any, base: str) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith(base) else problems.append(f"outside: {r.url}"))
    return problems


def create_link(page: Any, base: str, *, passcode: str = "", shot: str | None = None) -> str:
    """Create a link on the share page; return what its QR code says."""
    page.goto(f"{base}/people/1/share")
    page.get_by_label("Libellé (montré à qui l'ouvre)").fill("Urgence Élise")
    if passcode:
        page.get_by_label("Code d'accès (facultatif)").fill(passcode)
    page.get_by_role("button", name="Créer le lien").click()
    page.wait_for_selector("#shl-qr svg")
    if shot:
        page.screenshot(path=str(SHOTS / shot), full_page=True)
    png = page.locator("#shl-qr svg").screenshot()
    text = qr_text(Image.open(io.BytesIO(png)))
    assert text == page.locator("#viewer-url").input_value()
    return text


def test_create_scan_and_read_the_summary_on_a_phone(browser: Any, server: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    owner = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = owner.new_page()
    problems = watch(page, server)
    page.goto(f"{server}/emergency")
    page.screenshot(path=str(SHOTS / "emergency-index.png"), full_page=True)
    page.get_by_role("link", name="Vérifier le profil").click()
    assert page.locator("h1").inner_text() == "Profil d'urgence de Élise Lefèvre"
    page.screenshot(path=str(SHOTS / "emergency-profile.png"), full_page=True)
    scanned = create_link(page, server, shot="emergency-link.png")
    assert scanned.startswith(f"{server}/shl/view#shlink:/")

    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    reader = phone.new_page()
    errors: list[str] = []
    reader.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    problems += watch(reader, server)
    reader.goto(scanned)
    assert reader.locator("#link-label").inner_text() == "Urgence Élise"
    assert "#" not in reader.url  # the key left the address bar
    reader.get_by_role("button", name="Show the summary").click()
    allergies = reader.locator(".loinc-48765-2 li")
    allergies.first.wait_for()
    assert allergies.all_inner_texts()[0].startswith("Allergie à la pénicilline")
    assert "HIGH RISK" in allergies.all_inner_texts()[0]
    assert reader.locator(".loinc-48765-2 h2").inner_text() == "Allergies and intolerances"
    assert "Paul Lefèvre" in reader.locator(".contacts").inner_text()
    assert reader.locator(".blood-group").inner_text() == "Blood group: A Rh+"
    reader.screenshot(path=str(SHOTS / "viewer-en.png"), full_page=True)
    reader.get_by_role("button", name="Français").click()
    assert reader.locator(".loinc-48765-2 h2").inner_text() == "Allergies et intolérances"
    assert reader.evaluate("document.documentElement.scrollWidth") <= 390
    reader.screenshot(path=str(SHOTS / "viewer-fr.png"), full_page=True)
    assert errors == [] and problems == []

    page.goto(f"{server}/people/1/share")
    assert "Carnet viewer" not in page.content()
    assert (
        page.locator("table.data").last.locator("tbody tr").first.inner_text().count("Opened")
        + page.locator("table.data").last.locator("tbody tr").first.inner_text().count("Ouvert")
        == 1
    )
    page.screenshot(path=str(SHOTS / "emergency-share.png"), full_page=True)
    owner.close()
    phone.close()


def test_ten_wrong_passcodes_disable_the_link(browser: Any, server: str) -> None:
    from playwright.sync_api import expect

    owner = browser.new_context(locale="fr-FR")
    scanned = create_link(owner.new_page(), server, passcode="7391")
    phone = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    reader = phone.new_page()
    reader.goto(scanned)
    status = reader.locator("#status")
    for left in range(9, -1, -1):
        reader.get_by_label("Code d'accès").fill(f"{left:04d}")
        reader.get_by_role("button", name="Afficher le résumé").click()
        expect(status).to_contain_text(f"restants : {left}.")
    reader.get_by_label("Code d'accès").fill("7391")
    reader.get_by_role("button", name="Afficher le résumé").click()
    expect(status).to_contain_text("plus actif")
    assert reader.locator(".loinc-48765-2").count() == 0
    listing = owner.new_page()
    listing.goto(f"{server}/people/1/share")
    assert "Bloqué (trop de codes erronés)" in listing.content()
    owner.close()
    phone.close()


def test_revocation_takes_effect_at_once(browser: Any, server: str) -> None:
    from playwright.sync_api import expect

    owner = browser.new_context(locale="fr-FR")
    page = owner.new_page()
    scanned = create_link(page, server)
    phone = browser.new_context(locale="fr-FR")
    reader = phone.new_page()
    reader.goto(scanned)  # the responder has the link open, not yet read
    page.goto(f"{server}/people/1/share")
    page.get_by_role("button", name="Révoquer").click()
    page.wait_for_url(f"{server}/people/1/share")
    assert "Révoqué" in page.content()
    reader.get_by_role("button", name="Afficher le résumé").click()
    expect(reader.locator("#status")).to_contain_text("plus actif")
    assert reader.locator(".loinc-48765-2").count() == 0
    owner.close()
    phone.close()


def test_the_person_pages_fit_a_small_screen(browser: Any, server: str) -> None:
    """The content of each page fits 375 px (the shared header is the household pages' business)."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for path in ("/emergency", "/people/1/emergency", "/people/1/emergency/edit", "/people/1/share"):
        page.goto(server + path)
        width = page.evaluate("document.querySelector('main').scrollWidth")
        assert width <= 375, f"{path} scrolls sideways ({width}px)"
    page.screenshot(path=str(SHOTS / "emergency-share-mobile.png"), full_page=True)
    context.close()
    assert errors == []
