"""The person's emergency pages (TestClient): profile, overrides, contacts and wishes, downloads."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle

from carnet.store import Vault
from carnet.web import create_app
from live_server import LOCAL_CLIENT

from .emergency_helpers import household_records, seed

BASE = "http://127.0.0.1"


@pytest.fixture
def client(vault: Vault) -> Iterator[TestClient]:
    seed(vault, household_records())
    with TestClient(create_app(vault), base_url=BASE, client=LOCAL_CLIENT) as c:
        yield c


def token(client: TestClient, path: str = "/people/1/emergency") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return match.group(1)


def test_profile_page_in_french_and_english(client: TestClient) -> None:
    fr = client.get("/people/1/emergency")
    assert fr.status_code == 200 and "Profil d'urgence de Élise Lefèvre" in fr.text
    assert "Allergie à la pénicilline" in fr.text and "Risque élevé" in fr.text and "Source : Test holder" in fr.text
    assert "Metformine 1000 mg" in fr.text and "Ramipril" not in fr.text
    assert fr.text.index("Allergies et intolérances") < fr.text.index("Traitements en cours")
    en = client.get("/people/1/emergency", headers={"accept-language": "en"})
    assert "Emergency profile of Élise Lefèvre" in en.text and "Long-term condition (ALD)" in en.text
    index = client.get("/emergency")
    assert index.status_code == 200 and 'href="/people/1/emergency"' in index.text
    assert 'aria-current="page">Urgence<' in index.text
    assert client.get("/people/99/emergency").status_code == 404


def test_hide_correct_confirm_and_reset_an_item(client: TestClient) -> None:
    page = client.get("/people/1/emergency").text
    record = re.search(r'id="record-(\d+)">\s*<div class="what">\s*<span class="title">Arachide', page)
    assert record
    rid = record.group(1)
    csrf = token(client)
    hidden = client.post(f"/records/{rid}/emergency", data={"csrf_token": csrf, "action": "hide"})
    assert hidden.status_code == 200 and "Éléments masqués" in hidden.text  # followed the redirect
    assert client.get("/people/1/emergency/ips.json").text.count("Arachide") == 0
    fixed = client.post(
        f"/records/{rid}/emergency",
        data={"csrf_token": csrf, "action": "correct", "label": "Arachide et noix de cajou", "detail": "urticaire"},
    )
    assert (
        "Arachide et noix de cajou" in fixed.text and "Corrigé" in fixed.text and "Éléments masqués" not in fixed.text
    )
    reset = client.post(f"/records/{rid}/emergency", data={"csrf_token": csrf, "action": "reset"})
    assert "Arachide et noix de cajou" not in reset.text
    assert client.post(f"/records/{rid}/emergency", data={"action": "hide"}).status_code == 403
    assert client.post(f"/records/{rid}/emergency", data={"csrf_token": csrf, "action": "burn"}).status_code == 400
    assert client.post("/records/9999/emergency", data={"csrf_token": csrf, "action": "hide"}).status_code == 400


def test_contacts_and_wishes_are_saved_and_shown(client: TestClient) -> None:
    csrf = token(client, "/people/1/emergency/edit")
    form = {
        "csrf_token": csrf,
        "contact0_name": "Paul Lefèvre",
        "contact0_phone": "06 12 34 56 78",
        "contact0_relation": "époux",
        "trusted_name": "Anne Roux",
        "doctor_name": "Dr Martin",
        "doctor_phone": "04 78 00 00 00",
        "directives": "Pas d'acharnement",
        "directives_location": "Chez le notaire",
        "organ_donation": "no",
        "notes": "Porte des lentilles",
    }
    saved = client.post("/people/1/emergency/edit", data=form)
    assert saved.status_code == 200
    for text in (
        "Paul Lefèvre",
        "06 12 34 56 78",
        "Anne Roux",
        "Dr Martin",
        "Chez le notaire",
        "Refuse le don d'organes",
    ):
        assert text in html.unescape(saved.text), text
    edit = client.get("/people/1/emergency/edit").text
    assert 'value="Paul Lefèvre"' in edit and 'value="no" checked' in edit
    cleared = client.post("/people/1/emergency/edit", data={"csrf_token": csrf, "organ_donation": "unspecified"})
    assert "Paul Lefèvre" not in cleared.text


def test_ips_and_card_downloads(client: TestClient) -> None:
    ips = client.get("/people/1/emergency/ips.json?lang=en")
    assert ips.status_code == 200 and ips.headers["content-type"] == "application/fhir+json"
    assert "attachment" in ips.headers["content-disposition"]
    bundle = orjson.loads(ips.content)
    Bundle.model_validate(bundle)
    assert bundle["entry"][0]["resource"]["language"] == "en"
    csrf = token(client)
    for fmt in ("wallet", "a4"):
        card = client.post("/people/1/emergency/card", data={"csrf_token": csrf, "lang": "fr", "format": fmt})
        assert card.status_code == 200 and card.headers["content-type"] == "application/pdf"
        assert card.content.startswith(b"%PDF-")
    assert client.post("/people/1/emergency/card", data={"csrf_token": csrf, "format": "poster"}).status_code == 400


def test_share_page_creates_a_link_shown_once_and_revokes_it(client: TestClient) -> None:
    csrf = token(client, "/people/1/share")
    created = client.post(
        "/people/1/share", data={"csrf_token": csrf, "label": "Carte", "expires": "1y", "passcode": "", "flag_L": "on"}
    )
    assert created.status_code == 200 and "<svg" in created.text and "shlink:/" in created.text
    handle = re.search(r'<dd class="code">([A-Za-z0-9_-]{10})</dd>', created.text)
    assert handle
    listed = client.get("/people/1/share").text
    assert "Carte" in listed and "Actif" in listed and handle.group(1) in listed
    assert "shlink:/" not in listed  # never shown again: Carnet has no key
    revoked = client.post(f"/people/1/share/{handle.group(1)}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 200 and "Révoqué" in revoked.text
    bad = client.post("/people/1/share", data={"csrf_token": csrf, "expires": "1y", "passcode": "12", "label": "x"})
    assert bad.status_code == 400 and "at least 4 characters" in bad.text


def test_the_viewer_page_has_no_inline_script_and_loads_our_own_files(client: TestClient) -> None:
    page = client.get("/shl/view")
    assert page.status_code == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts == [(' src="/static/shl-viewer.js" defer', "")]
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'self' applies
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    js = client.get("/static/shl-viewer.js")
    assert js.status_code == 200 and "crypto.subtle.decrypt" in js.text and "innerHTML" not in js.text
    code = re.sub(r"/\*.*?\*/", "", js.text, flags=re.S)
    assert set(re.findall(r"https?://[^\s\"'`]*", code)) == {"http://loinc.org"}  # a code system, never fetched
