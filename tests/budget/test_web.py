"""The budget pages on the ASGI test client: household, person, line, compare, quote, CSV, settings."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from carnet.model import Code, Extracted
from carnet.services.reimbursement.beneficiary import add_months
from carnet.sources.base import InputFile
from carnet.store import Vault
from carnet.store.writer import write_extracted
from carnet.web import create_app
from live_server import LOCAL_CLIENT

from .household import PEOPLE, claim, line

BASE_URL = "http://127.0.0.1"


@pytest.fixture
def client(household: Vault) -> Iterator[TestClient]:
    with TestClient(create_app(household), base_url=BASE_URL, client=LOCAL_CLIENT) as c:
        yield c


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_household_page_in_french_with_charts_and_both_currencies(client: TestClient, today: date) -> None:
    page = client.get("/budget")
    assert page.status_code == 200 and "no-store" in page.headers["cache-control"]
    text = page.text
    assert "<h1>Notre budget santé</h1>" in text and 'aria-current="page">Budget</a>' in text
    assert f"Dépenses {today.year}" in text or "Dépenses" in text
    assert text.count('<svg class="chart"') >= 3 and '<rect class="amo"' in text and "<title>" in text
    assert "style=" not in text and "<script>" not in text  # the CSP allows neither
    assert '<script src="/static/budget.js" defer></script>' in text
    assert "Les douze prochains mois" in text and "Remboursements en attente" in text
    assert "Consultation pédiatre" in text  # an unpaid line, 40 days old
    assert 'href="/budget/people/1' in text and 'href="/budget/lines/' in text


def test_a_year_and_a_person(client: TestClient, today: date) -> None:
    year = str(today.year - 1)
    page = client.get(f"/budget/people/2?year={year}")
    assert page.status_code == 200 and "Budget santé de Julien Martin" in page.text
    assert f"Dépenses {year} (EUR)" in page.text
    assert client.get("/budget/people/99").status_code == 404
    assert client.get("/budget?year=20x5").status_code == 400


def test_usd_lines_are_shown_apart(client: TestClient, today: date) -> None:
    day = today - timedelta(days=200)
    page = client.get(f"/budget/people/2?year={day.year}").text
    assert "(USD)" in page and "$150.00" not in page and "150,00\u00a0USD" in page


def test_line_page_explains_the_amount(client: TestClient) -> None:
    page = client.get("/budget/lines/1")
    assert page.status_code == 200
    assert "Pourquoi ai-je payé 2,00\u00a0€ ici ?" in page.text
    assert "Explication fournie par l&#39;assureur avec la ligne" in page.text
    assert "niveau-1-essentiel · gp" in page.text
    english = client.get("/budget/lines/1", headers={"accept-language": "en"}).text
    assert "Why did I pay €2.00 here?" in english and "Price charged: €30.00." in english
    assert client.get("/budget/lines/123456").status_code == 404


def test_compare_page_ranks_and_reads_my_contract(client: TestClient) -> None:
    page = client.get("/budget/compare")
    assert page.status_code == 200 and "Quel contrat nous aurait coûté le moins ?" in page.text
    assert page.text.count('<tr class="best">') == 1
    token = csrf(page.text)
    bad = client.post("/budget/compare", data={"csrf_token": token, "contract": "id: x\nname: [unclosed"})
    assert bad.status_code == 200 and "Votre contrat n’a pas pu être lu" in bad.text and "not valid YAML" in bad.text
    assert client.post("/budget/compare", data={"csrf_token": "wrong", "contract": ""}).status_code == 403


def test_quote_page(client: TestClient) -> None:
    page = client.get("/budget/quote", params={"kind": "hearing", "fee": "3000", "ears": "2", "person": "1"})
    assert page.status_code == 200 and "Ce que vous devriez payer" in page.text
    assert "480,00\u00a0€" in page.text  # 60 % × 400 € × 2 ears
    bad = client.get("/budget/quote", params={"kind": "glasses", "fee": "abc"})
    assert "Ce devis n'a pas pu être vérifié (fee)." in bad.text


def test_csv_export_is_safe_against_formula_injection(household: Vault, client: TestClient, today: date) -> None:
    evil = line(today - timedelta(days=3), "gp", Code(None, None, '=HYPERLINK("http://evil","x")'), "30.00",
                "30.00", "19.00", "9.00", "2.00", "0.00", "2.00", rate=70, provider="+33 1 23")
    with household.writing() as conn:
        write_extracted(conn, InputFile("evil.json", b"evil"), "test",
                        Extracted([PEOPLE[0]], [claim(9000, "Patient/camille", evil)]))
    export = client.get(f"/budget/export.csv?year={today.year}&person=1")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "date", "person", "category"]
    bad = next(r for r in rows if "HYPERLINK" in r[4])
    assert bad[4].startswith("'=") and bad[5] == "'+33 1 23"
    assert Decimal(bad[-1]) == Decimal("2.00")
    assert client.get("/budget/export.csv?person=x").status_code == 400


def test_settings_set_a_ceiling_and_the_contract(client: TestClient) -> None:
    page = client.get("/budget")
    token = csrf(page.text)
    done = client.post("/budget/settings", data={"csrf_token": token, "ceiling": "5", "contract": "niveau-2-confort"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/budget#settings"
    after = client.get("/budget").text
    assert 'role="alert"' in after and "plafond de 5,00\u00a0€" in after
    assert '<option value="niveau-2-confort" selected>' in after
    person = client.post("/budget/settings", data={"csrf_token": token, "person": "3", "ceiling": ""},
                         follow_redirects=False)
    assert person.headers["location"] == "/budget/people/3#settings"
    assert client.post("/budget/settings", data={"ceiling": "5"}).status_code == 403
    assert client.post("/budget/settings", data={"csrf_token": token, "ceiling": "lots"}).status_code == 400


def test_english_page(client: TestClient) -> None:
    page = client.get("/budget", headers={"accept-language": "en-GB"}).text
    assert "<h1>Our health budget</h1>" in page and "The next twelve months" in page
    assert "Out-of-pocket" in page and "General practitioner" in page


def test_planned_care_entered_on_a_person_page(client: TestClient, today: date) -> None:
    page = client.get("/budget/people/3")
    token = csrf(page.text)
    month = add_months(today, 2).isoformat()[:7]  # within the forecast's twelve months
    done = client.post("/budget/settings", data={
        "csrf_token": token, "person": "3", "upcoming_month": month, "upcoming_category": "dental",
        "upcoming_oop": "250", "upcoming_label": "Orthodontie"}, follow_redirects=False)
    assert done.status_code == 303
    after = client.get("/budget/people/3").text
    assert "Orthodontie prévu en" in after and "250,00\u00a0€" in after
    assert client.post("/budget/settings", data={"csrf_token": token, "person": "3", "upcoming_month": "2026-13",
                                                 "upcoming_oop": "1"}).status_code == 400
    client.post("/budget/settings", data={"csrf_token": token, "person": "3", "upcoming_clear": "1"})
    assert "Orthodontie" not in client.get("/budget/people/3").text
