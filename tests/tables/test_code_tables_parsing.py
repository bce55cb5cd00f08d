"""Decimal commas, spaced rates, dates and encodings, on tiny inline fixtures."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from code_tables import parsing
from code_tables.bdpm import build_drugs
from code_tables.reading import Column, Origin, Reading, Source, detect_encoding, read_source
from code_tables_fixtures import cip13, presentation, write_bdpm

ORIGIN = Origin("test", "written by the test", "today", "none")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("24,34", "24.34"),
        ("1,466,29", "1466.29"),  # BDPM: commas for thousands and for cents
        ("1 466,29", "1466.29"),
        ("1\u00a0466,29", "1466.29"),
        ("1.466,29", "1466.29"),
        ("248, 15", "248.15"),  # CCAM ADGA724
        ("51.84", "51.84"),
        ("18.000000", "18.000000"),
        ("1,466", "1.466"),  # one separator: always the decimal mark
        ("80", "80"),
        ("", ""),
    ],
)
def test_decimal(raw: str, expected: str) -> None:
    assert parsing.decimal(raw) == expected


@pytest.mark.parametrize("raw", ["12,3,4", "1,46,29", ",5", "abc", "24,34 €", "-3"])
def test_decimal_refuses(raw: str) -> None:
    with pytest.raises(ValueError, match="not a decimal number"):
        parsing.decimal(raw)


@pytest.mark.parametrize(("raw", "expected"), [("65%", "65"), ("65 %", "65"), (" 100 % ", "100"), ("", "")])
def test_rate(raw: str, expected: str) -> None:
    assert parsing.rate(raw) == expected


@pytest.mark.parametrize("raw", ["65", "150%", "soixante %"])
def test_rate_refuses(raw: str) -> None:
    with pytest.raises(ValueError, match="rate in percent"):
        parsing.rate(raw)


def test_dates_and_codes() -> None:
    assert parsing.date_fr("16/03/2011") == "2011-03-16"
    assert parsing.date_sas("04SEP2014:00:00:00") == "2014-09-04"
    assert parsing.date_sas("") == ""
    with pytest.raises(ValueError):
        parsing.date_sas("31FEB2014:00:00:00")
    with pytest.raises(ValueError):
        parsing.date_fr("2011-03-16")
    assert parsing.cip13("3400949497294") == "3400949497294"
    with pytest.raises(ValueError, match="check digit"):
        parsing.cip13("3400949497295")
    assert parsing.unquoted('"Doigt ""à ressort"""') == 'Doigt "à ressort"'
    assert parsing.flag("RC")("RC") == "1" and parsing.flag("RC")(" ") == "0"
    assert parsing.text("  Tarif\n Secteur 1 ") == "Tarif Secteur 1"


def test_encoding_detection() -> None:
    assert detect_encoding("comprimé".encode("cp1252"), "cp1252") == "cp1252"
    assert detect_encoding("comprimé".encode(), "cp1252") == "utf-8"
    assert detect_encoding("comprimé".encode("cp1252"), "utf-8") == "cp1252"
    assert detect_encoding(b"plain ascii", "cp1252") == "utf-8"


def test_cp1252_tab_file_with_declared_columns(tmp_path: Path) -> None:
    content = '61266250\tA 313, pommade\t"A" 24,34\r\n62869109\tcomprimé pelliculé\t1,466,29\r\n'
    (tmp_path / "products.txt").write_bytes(content.encode("cp1252"))
    source = Source(
        path="products.txt",
        origin=ORIGIN,
        encoding="cp1252",
        delimiter="\t",
        quoting=csv.QUOTE_NONE,
        header=False,
        fields=3,
        columns=(
            Column("cis", index=0, parse=parsing.matching(r"\d{8}", "a CIS")),
            Column("name", index=1),
            Column("note", index=2),
        ),
    )
    reading = Reading(source)
    records = list(read_source(tmp_path, source, reading))
    assert reading.encoding == "cp1252" and reading.problems == []
    assert [r.line for r in records] == [1, 2]
    assert records[1].values == {"cis": "62869109", "name": "comprimé pelliculé", "note": "1,466,29"}
    assert records[0].values["note"] == '"A" 24,34'  # quotes are text in an unquoted format


def test_drugs_from_an_inline_bdpm(tmp_path: Path) -> None:
    first, second = cip13("340093000001"), cip13("340093000002")
    write_bdpm(tmp_path, [presentation(first, "65 %", "1,466,29"), presentation(second, "", "")])
    drugs, groups = build_drugs(tmp_path)
    rows = {row["cip13"]: row for row in drugs.rows}
    assert rows[first]["name"] == "DOLIPRANE 1000 mg, comprimé sécable"
    assert (rows[first]["price"], rows[first]["rate"], rows[first]["dispensing_fee"]) == (
        "1466.29", "65", "1.02",
    )  # fmt: skip
    assert rows[first]["generic_groups"] == "7" and rows[first]["generic_types"] == "0"
    assert rows[first]["commercialised_on"] == "2011-03-16" and rows[first]["marketed"] == "1"
    assert (rows[second]["price"], rows[second]["rate"]) == ("", "")
    assert groups.rows == [{"group": "7", "label": "PARACÉTAMOL 1000 mg - DOLIPRANE"}]
    assert [reading.encoding for reading in drugs.readings] == ["cp1252", "cp1252", "utf-8"]
    assert drugs.all_problems() == []
