"""The import page: upload in memory, CSRF, size cap, results and problems."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient

from carnet.store import Vault, reader
from carnet.web import create_app
from live_server import LOCAL_CLIENT

from .conftest import BASE_URL, fhir_bundle, upload


def nothing_stored(vault: Vault) -> bool:
    with vault.reading() as conn:
        return not reader.persons(conn) and not reader.last_imports(conn) and not reader.counts_by_kind(conn)


def test_import_form_sets_a_strict_csrf_cookie(client: TestClient) -> None:
    response = client.get("/import")
    cookie = response.headers["set-cookie"]
    assert "carnet_csrf=" in cookie and "samesite=strict" in cookie.lower() and "httponly" in cookie.lower()
    assert 'enctype="multipart/form-data"' in response.text
    assert '<label for="files">' in response.text


def test_upload_of_a_bundle_shows_the_person(vault: Vault, client: TestClient) -> None:
    response = upload(client, [("marie.json", fhir_bundle())])
    assert response.status_code == 200, response.text
    html = response.text
    assert "marie.json" in html and "Importé" in html
    household = client.get("/").text
    assert "Marie Curie" in household and "marie.json" in household
    with vault.reading() as conn:
        (person,) = reader.persons(conn)
        items = reader.timeline(conn, person.id)
    assert [i.code for i in items if i.kind == "observation"] == ["29463-7"]
    timeline = client.get(f"/people/{person.id}").text
    assert "Body weight" in timeline and "72,5 kg" in timeline and "LOINC 29463-7" in timeline


def test_the_same_file_twice_adds_nothing(client: TestClient) -> None:
    upload(client, [("a.json", fhir_bundle())])
    html = upload(client, [("a.json", fhir_bundle())]).text
    assert "Déjà importé" in html


def test_several_files_at_once_each_get_their_result(client: TestClient) -> None:
    html = upload(client, [("a.json", fhir_bundle()), ("b.json", fhir_bundle(value=80.0)), ("bad.json", b"{")]).text
    assert "3 fichiers lus." in html
    assert html.count('class="panel file-result') == 3


def test_a_malformed_upload_shows_a_clear_problem_and_adds_nothing(vault: Vault, client: TestClient) -> None:
    broken = b'{"resourceType": "Bundle", "type": "collection", "entry": [ {"resource": '
    response = upload(client, [("broken.json", broken)])
    assert response.status_code == 200
    html = response.text
    assert "broken.json" in html and "outcome-rejected" in html and "Non importé" in html
    assert "1 fichier n'a pas pu être importé." in html
    assert "Problèmes" in html and "Rien de ce fichier" in html
    assert "invalid JSON" in html and "line 1, column" in html  # the reason and the position
    assert nothing_stored(vault)


def test_a_zip_is_expanded(vault: Vault, client: TestClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("export/marie.json", fhir_bundle())
    html = upload(client, [("export.zip", buffer.getvalue())]).text
    assert "export.zip" in html
    assert "Marie Curie" in client.get("/").text


def test_no_file_chosen_is_a_clear_message(client: TestClient) -> None:
    response = client.post(
        "/import",
        data={"csrf_token": client.get("/import").cookies.get("carnet_csrf") or ""},
        files=[("files", ("", b"", "application/octet-stream"))],
    )
    assert response.status_code == 400
    assert "Choisissez au moins un fichier." in response.text


@pytest.mark.parametrize("token", [None, "", "forged-token-forged-token-forged-token-xx"])
def test_post_without_the_csrf_token_is_403(vault: Vault, client: TestClient, token: str | None) -> None:
    client.get("/import")
    response = upload(client, [("a.json", fhir_bundle())], token=token)
    assert response.status_code == 403
    assert "Requête refusée" in response.text
    assert nothing_stored(vault)


def test_post_without_the_csrf_cookie_is_403(vault: Vault, client: TestClient) -> None:
    token = client.get("/import").cookies["carnet_csrf"]
    client.cookies.clear()
    assert upload(client, [("a.json", fhir_bundle())], token=token).status_code == 403
    assert nothing_stored(vault)


def test_post_from_another_origin_is_403(vault: Vault, client: TestClient) -> None:
    token = client.get("/import").cookies["carnet_csrf"]
    response = client.post(
        "/import",
        data={"csrf_token": token},
        files=[("files", ("a.json", fhir_bundle(), "application/json"))],
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert nothing_stored(vault)


def test_post_from_our_page_with_a_null_origin_is_accepted(client: TestClient) -> None:
    """With ``Referrer-Policy: no-referrer`` Chromium posts ``Origin: null``; Sec-Fetch-Site vouches."""
    token = client.get("/import").cookies["carnet_csrf"]
    response = client.post(
        "/import",
        data={"csrf_token": token},
        files=[("files", ("a.json", fhir_bundle(), "application/json"))],
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 200


def test_an_upload_over_the_cap_is_413(vault: Vault) -> None:
    with TestClient(create_app(vault, max_upload_bytes=64 * 1024), base_url=BASE_URL, client=LOCAL_CLIENT) as c:
        response = upload(c, [("big.json", b" " * (65 * 1024) + fhir_bundle())])
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.text
    assert nothing_stored(vault)


def test_big_uploads_never_touch_the_disk(vault: Vault, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Starlette spools parts over 1 MiB to temporary files; our reader must not."""

    def no_disk(*args: object, **kwargs: object) -> None:
        raise AssertionError("an upload was written to a temporary file")

    for target in (
        "tempfile.SpooledTemporaryFile",
        "tempfile.NamedTemporaryFile",
        "tempfile.TemporaryFile",
        "tempfile.mkstemp",
        "starlette.formparsers.SpooledTemporaryFile",
    ):
        monkeypatch.setattr(target, no_disk)
    bundle = json.loads(fhir_bundle())
    bundle["entry"][0]["resource"]["text"] = {"status": "generated", "div": "<div>" + "x" * (3 << 20) + "</div>"}
    response = upload(client, [("big.json", json.dumps(bundle).encode())])
    assert response.status_code == 200, response.text
    assert "Marie Curie" in client.get("/").text
