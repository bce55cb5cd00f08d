"""Pages, headers, errors and languages, through the ASGI test client."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from carnet.model import Kind
from carnet.store import Vault
from carnet.web import create_app
from carnet.web.security import CSP
from live_server import LOCAL_CLIENT

from .conftest import BASE_URL, observation, seed

PAGES = ["/", "/import", "/export", "/people/1", "/records/1", "/people/1?kind=observation&from=2023-01-01&page=1"]


@pytest.fixture
def seeded(vault: Vault) -> Vault:
    records = [
        observation(
            i, date=f"2023-{1 + i % 12:02d}-15T10:00:00+01:00", kind=(Kind.OBSERVATION, Kind.IMMUNIZATION)[i % 2]
        )
        for i in range(1, 61)
    ]
    seed(vault, records)
    return vault


def assert_secured(response: object, *, cache: str = "no-store") -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["content-security-policy"] == CSP
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == cache
    assert "server" not in headers


@pytest.mark.parametrize("path", [*PAGES, "/people/999", "/records/999", "/nowhere", "/people/abc"])
def test_every_page_has_the_security_headers(seeded: Vault, client: TestClient, path: str) -> None:
    response = client.get(path)
    assert_secured(response)
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_static_files_have_the_headers_but_may_be_cached(client: TestClient) -> None:
    response = client.get("/static/carnet.css")
    assert response.status_code == 200
    assert_secured(response, cache="no-cache")


def test_pages_have_no_inline_script_or_style(seeded: Vault, client: TestClient) -> None:
    for path in PAGES:
        html = client.get(path).text
        assert "<script" not in html and "<style" not in html and " style=" not in html, path


def test_household_lists_the_person_kinds_and_imports(seeded: Vault, client: TestClient) -> None:
    html = client.get("/").text
    assert '<a href="/people/1">Marie Curie</a>' in html
    assert "7 nov. 1967" in html  # birth date, French format
    assert "Titulaire du coffre" in html
    assert "Vaccination" in html and "Observation" in html
    assert "seed.json" in html and "Test holder" in html


def test_empty_vault_invites_to_import(client: TestClient) -> None:
    html = client.get("/").text
    assert 'href="/import"' in html and "Votre coffre est vide" in html


def test_unknown_ids_are_404_with_a_generic_page(seeded: Vault, client: TestClient) -> None:
    for path in ("/people/999", "/records/999", "/people/abc", "/nowhere"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Introuvable" in response.text and "Traceback" not in response.text


def test_timeline_filters_by_kind_and_period_and_pages(seeded: Vault, client: TestClient) -> None:
    html = client.get("/people/1").text
    assert html.count('<li class="item">') == 50
    assert 'rel="next"' in html and 'rel="prev"' not in html
    html = client.get("/people/1?page=2").text
    assert html.count('<li class="item">') == 10 and 'rel="prev"' in html
    html = client.get("/people/1?kind=immunization").text
    assert html.count('<li class="item">') == 30
    assert "kind-observation" not in html
    html = client.get("/people/1?from=2023-03-01&to=2023-03-31").text
    assert html.count('<li class="item">') == 5
    assert "LOINC 29463-7" in html and "72,5 kg" in html
    assert "Test holder" in html and "seed.json" in html and "/entry/" in html


def test_timeline_is_newest_first(seeded: Vault, client: TestClient) -> None:
    html = client.get("/people/1").text
    dates = [part.split('"', 1)[0] for part in html.split('<time datetime="')[1:]]
    assert dates == sorted(dates, reverse=True)


def test_timeline_refuses_a_malformed_date_and_explains_a_reversed_period(seeded: Vault, client: TestClient) -> None:
    assert client.get("/people/1?from=yesterday").status_code == 400
    html = client.get("/people/1?from=2024-01-01&to=2023-01-01").text
    assert "Le début de la période est après sa fin." in html


def test_record_page_shows_fields_and_raw_json(seeded: Vault, client: TestClient) -> None:
    html = client.get("/records/1").text
    assert "Champs normalisés" in html and "LOINC 29463-7" in html
    assert "&#34;resourceType&#34;: &#34;Observation&#34;" in html or "&quot;resourceType&quot;" in html


def test_language_switch_sets_a_cookie_and_comes_back(seeded: Vault, client: TestClient) -> None:
    assert "Foyer" in client.get("/people/1").text
    response = client.get("/lang/en", params={"next": "/people/1?kind=observation"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/people/1?kind=observation"
    assert "lang=en" in response.headers["set-cookie"]
    html = client.get("/people/1").text
    assert '<html lang="en">' in html and ">Household<" in html and "Clear the filters" in html
    assert "Nov 7, 1967" in html


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil", "javascript:x"])
def test_language_switch_never_redirects_elsewhere(client: TestClient, target: str) -> None:
    response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_accept_language_then_french(client: TestClient) -> None:
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert '<html lang="fr">' in client.get("/", headers={"Accept-Language": "de, en;q=0.5, fr;q=0.8"}).text
    assert '<html lang="fr">' in client.get("/", headers={"Accept-Language": "de"}).text


def test_unknown_host_is_refused(client: TestClient) -> None:
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert_secured(response)


def test_public_base_url_serves_only_the_public_paths_with_hsts(vault: Vault) -> None:
    app = create_app(vault, public_base_url="https://carnet.example/")
    with TestClient(app, base_url="https://carnet.example", client=LOCAL_CLIENT) as c:
        viewer = c.get("/shl/view")
        assert viewer.status_code == 200
        assert viewer.headers["strict-transport-security"] == "max-age=31536000"
        assert c.get("/static/carnet.css").status_code == 200
        for private in ("/", "/budget", "/emergency", "/import", "/people/1", "/budget/export.csv",
                        "/export", "/export/originals.zip", "/imports/1/original"):
            response = c.get(private)
            assert response.status_code == 404, private
            assert "strict-transport-security" in response.headers
    with TestClient(app, base_url=BASE_URL, client=LOCAL_CLIENT) as c:  # the household, on this machine
        home = c.get("/")
        assert home.status_code == 200
        assert "strict-transport-security" in home.headers


@pytest.mark.parametrize("client_host", ["203.0.113.7", "192.168.1.20", "::ffff:203.0.113.7"])
def test_a_remote_client_naming_the_loopback_reaches_only_public_paths(vault: Vault, client_host: str) -> None:
    """The Host header is the client's to choose: the client address decides too."""
    app = create_app(vault, public_base_url="https://carnet.example/")
    with TestClient(app, base_url=BASE_URL, client=(client_host, 40000)) as c:
        assert c.get("/").status_code == 404
        assert c.post("/import").status_code == 404
        assert c.get("/export/fhir.zip").status_code == 404
        assert c.get("/shl/view").status_code == 200
    with TestClient(app, base_url=BASE_URL, client=("127.0.0.1", 40000)) as c:
        assert c.get("/").status_code == 200


def test_an_unexpected_error_shows_a_generic_page(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail /home/someone/vault")

    monkeypatch.setattr("carnet.store.reader.persons", broken)
    with TestClient(create_app(vault), base_url=BASE_URL, client=LOCAL_CLIENT) as c:
        response = c.get("/")
    assert response.status_code == 500
    assert_secured(response)
    assert "secret detail" not in response.text and "Traceback" not in response.text
    assert "Un problème est survenu" in response.text


def test_every_template_compiles_in_both_languages() -> None:
    from carnet.web.i18n import LANGUAGES
    from carnet.web.rendering import TEMPLATES, compile_templates

    assert compile_templates() == len(LANGUAGES) * len(list(TEMPLATES.rglob("*.html")))


def test_the_served_app_is_warm_and_its_start_up_objects_frozen(seeded: Vault) -> None:
    import gc

    from carnet.web.app import serving_app
    from carnet.web.i18n import LANGUAGES
    from carnet.web.rendering import environment
    from carnet.web.routes import budget_charts

    gc.unfreeze()
    budget_charts.rules.cache_clear()
    budget_charts.shipped_contracts.cache_clear()
    for lang in LANGUAGES:
        environment(lang).cache.clear()  # type: ignore[union-attr]
    try:
        app = serving_app(seeded)  # before any request
        assert gc.get_freeze_count() > 0
        assert budget_charts.rules.cache_info().currsize == 1
        assert budget_charts.shipped_contracts.cache_info().currsize == 1
        for lang in LANGUAGES:
            compiled = {name for _loader, name in environment(lang).cache}  # type: ignore[union-attr]
            assert {"budget.html", "budget_lines.html", "emergency.html", "household.html"} <= compiled
        with TestClient(app, base_url="http://127.0.0.1", client=LOCAL_CLIENT) as c:
            assert c.get("/budget").status_code == 200
    finally:
        gc.unfreeze()
