"""The CSV statement: French, Excel-ready, formula-safe; and the SQL escaping both engines use."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest

from carnet.restitution.index import extract_member
from carnet.restitution.pipeline import RestitutionReport
from carnet.restitution.sql import FUNCTIONS, json_text, lit, text
from carnet.restitution.sql import json_sql as to_sql
from carnet.restitution.statement import BOM, csv_text, header, text_cell

HEADER = (
    "Date des soins;Bénéficiaire;Acte;Code;Montant payé;Base de remboursement;Taux (%);"
    "Remboursement Assurance Maladie;Participation forfaitaire / franchise;Remboursement mutuelle;"
    "Reste à charge;N° de décompte;Réf. bénéficiaire;Réf. soin\r\n"
)
MARIE = (
    '04/03/2024;"Marie DUPONT";"Consultation Médecine Générale";"G";30,00;30,00;70;19,00;2,00;9,00;2,00;'
    '"01C731221/1001";"{patient}";"{consultation}"\r\n'
    '05/03/2024;"Marie DUPONT";"DOLIPRANE 1000 mg, comprimé";"3400935955838";2,18;2,18;65;0,92;0,50;0,76;'
    '0,50;"01C731221/1002";"{patient}";"{drugs}"\r\n'
)
TRICKY = ["=1+2", "+33 6", "-x", "@SUM(A1)", "\tTab", "\rCR", 'quote "q"; semi', "back\\slash", "é\nnewline", "plain"]


def test_statement_reads_like_a_decompte(household_run: tuple[Path, RestitutionReport]) -> None:
    package = extract_member(household_run[0], "M001")
    statement = package.statement
    assert statement.startswith(BOM) and statement == header() + statement[len(header()) :]
    text_ = statement.decode("utf-8-sig")
    patient = json.loads(package.resources["Patient"])["id"]
    consultation, drugs, _ = (json.loads(e)["id"] for e in package.resources["ExplanationOfBenefit"].splitlines())
    assert text_.startswith(HEADER + MARIE.format(patient=patient, consultation=consultation, drugs=drugs))
    assert text_.count("\r\n") == 5  # header and four acts


def test_a_name_that_looks_like_a_formula_is_defused(household_run: tuple[Path, RestitutionReport]) -> None:
    statement = extract_member(household_run[0], "M003").statement.decode("utf-8-sig")
    line = statement.splitlines()[1]
    assert line.startswith('02/05/2024;"\'@Léa ""Lili"" MARTIN;DURAND";')
    cells = next(csv.reader(io.StringIO(line), delimiter=";"))
    assert cells[1] == '\'@Léa "Lili" MARTIN;DURAND' and cells[10] == "11,00"


def test_excel_reads_every_amount_as_a_french_number(household_run: tuple[Path, RestitutionReport]) -> None:
    statement = extract_member(household_run[0], "M001").statement.decode("utf-8-sig")
    for row in list(csv.reader(io.StringIO(statement), delimiter=";"))[1:]:
        for cell in row[4:6] + row[7:11]:  # the amounts
            whole, cents = cell.split(",")
            assert whole.isdigit() and len(cents) == 2


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for duckdb_sql, _ in FUNCTIONS.values():
        con.execute(duckdb_sql)
    return con


@pytest.mark.parametrize("value", TRICKY)
def test_sql_and_python_escape_alike(con: duckdb.DuckDBPyConnection, value: str) -> None:
    """Labels are escaped once in Python, names in SQL: both must give the same bytes."""
    json_sql, cell_sql = con.execute(f"SELECT {to_sql(text(lit(value)))}, {text_cell(lit(value))}").fetchone()  # type: ignore[misc]
    assert json_sql == json_text(value)
    assert json.loads(json_sql) == value.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    assert cell_sql == csv_text(value)
    if value[0] in "=+-@\t\r":
        assert cell_sql.startswith("\"'")


@pytest.mark.parametrize(("a", "b"), [(1, 1), (1, 0), (0, 1), (0, 0)])
def test_nested_optional_members(con: duckdb.DuckDBPyConnection, a: int, b: int) -> None:
    """Optional members inside optional members: each condition gates its own bytes only."""
    from carnet.restitution.sql import When, number

    template = {"id": number("x"), "outer": When("a = 1", {"v": 1, "inner": When("b = 1", [number("x"), "y"])}),
                "also": When("b = 1", True), "last": [number("x"), When("a = 1", "z")]}  # fmt: skip
    found = con.execute(f"SELECT {to_sql(template)} FROM (SELECT 7 AS x, {a} AS a, {b} AS b)").fetchone()[0]  # type: ignore[index]
    expected: dict[str, object] = {"id": 7}
    if a:
        expected["outer"] = {"v": 1, **({"inner": [7, "y"]} if b else {})}
    if b:
        expected["also"] = True
    expected["last"] = [7, "z"] if a else [7]
    assert found == json.dumps(expected, separators=(",", ":"))
