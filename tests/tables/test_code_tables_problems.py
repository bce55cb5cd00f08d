"""Rows that cannot be used are reported with file:line and reason, never dropped silently."""

from __future__ import annotations

from pathlib import Path

from code_tables.bdpm import PRESENTATIONS, build_drugs
from code_tables.ccam import build_ccam
from code_tables.reading import Problem
from code_tables.report import SHOWN_PROBLEMS, problem_lines, render_sources
from code_tables.writing import Table
from code_tables_fixtures import cip13, presentation, write_bdpm, write_ccam

CIP = PRESENTATIONS.path


def test_bad_bdpm_rows_are_reported_with_their_line(tmp_path: Path) -> None:
    good, other = cip13("340093000001"), cip13("340093000002")
    bad_check = good[:12] + str((int(good[12]) + 1) % 10)
    lines = [
        presentation(good, "65%", "2,18"),  # line 1: fine
        presentation(other, "65%", "12,3,4"),  # line 2: not a number
        presentation(other, "soixante %", "2,18"),  # line 3: not a rate
        presentation(bad_check, "65%", "2,18"),  # line 4: wrong CIP13 check digit
        "60000001\ttoo few fields\n",  # line 5
        presentation(good, "30%", "3,00"),  # line 6: same CIP13 again
        presentation(other, "15 %", "1,00", cis="69999999"),  # line 7: unknown CIS, kept
    ]
    write_bdpm(tmp_path, lines)
    drugs, _ = build_drugs(tmp_path)
    problems = {(p.path, p.line): p.reason for p in drugs.all_problems()}
    assert problems == {
        (CIP, 2): "column price: '12,3,4' is not a decimal number",
        (CIP, 3): "column rate: 'soixante %' is not a rate in percent",
        (CIP, 4): f"column cip13: '{bad_check}' has a wrong check digit",
        (CIP, 5): "expected 13 fields, found 2",
        (CIP, 6): f"duplicate key {good} (first occurrence kept)",
        (CIP, 7): "CIS 69999999 is not in fr_reference/bdpm_2026-07-24/CIS_bdpm.txt (row kept, name empty)",
    }
    rows = {row["cip13"]: row for row in drugs.rows}
    assert sorted(rows) == [good, other]
    assert rows[good]["rate"] == "65" and rows[other]["name"] == ""


def test_ccam_layout_rows_and_bad_rows(tmp_path: Path) -> None:
    body = (
        "01.01,,ACTES DIAGNOSTIQUES,,,,,,,,\n"  # line 8
        ',,"Note over\ntwo lines",,,,,,,,\n'  # lines 9-10
        'AAQP001,,Acte simple,1,0,51.84,"1 000,50",RC,,2,ATM\n'  # line 11
        '"[A, J]",,anesthésie,4,0,Non pris en charge,Non pris en charge,,,1,ADA\n'  # line 12
        "BBLA001,,Acte en deux phases,,,,,,,,\n"  # line 13
        ",,Phase 1 : pose,1,1,12.50,12.50,,AP,1,ADC\n"  # line 14
        ',,Phase 2 : ablation,1,2,"12,3,4",1.00,,,1,ADC\n'  # line 15: bad tariff
        ",,Phase 2 encore,1,1,3.00,3.00,,,1,ADC\n"  # line 16: same activity/phase again
        "CCLA001,,Acte sans activité,,,,,,,,\n"  # line 17: no activity row follows
        "02.01,,AUTRE CHAPITRE,,,,,,,,\n"  # line 18
        ",,orpheline,1,0,5.00,5.00,,,1,ADC\n"  # line 19: outside any act
    )
    write_ccam(tmp_path, body)
    table = build_ccam(tmp_path)
    path = "fr_reference/ccam_ngap_instamed/ccam.csv"
    assert [str(p) for p in table.all_problems()] == [
        f"{path}:15: BBLA001 column sector1: '12,3,4' is not a decimal number",
        f"{path}:17: act CCLA001 has no activity row (no tariff)",
        f"{path}:19: activity row outside an act",
        f"{path}:16: duplicate key BBLA001/1/1 (first occurrence kept)",
    ]
    rows = {(r["code"], r["activity"], r["phase"]): r for r in table.rows}
    assert sorted(rows) == [("AAQP001", "1", "0"), ("AAQP001", "4", "0"), ("BBLA001", "1", "1")]
    main = rows[("AAQP001", "1", "0")]
    assert (main["tariff_sector1_optam"], main["tariff_other"]) == ("51.84", "1000.50")
    assert main["reimbursed_on_conditions"] == "1" and main["label"] == "Acte simple"
    assert rows[("AAQP001", "4", "0")]["tariff_sector1_optam"] == ""  # not reimbursed
    assert rows[("BBLA001", "1", "1")]["prior_approval"] == "1"


def test_problems_are_printed_and_listed_in_sources_md() -> None:
    table = Table("demo", "a demo table", ("code",), ("code",), rows=[{"code": "1"}])
    table.problems = [Problem("x.csv", n, "bad") for n in range(1, SHOWN_PROBLEMS + 3)]
    assert problem_lines([table])[0] == "x.csv:1: bad"
    assert problem_lines([table])[-1] == f"demo.csv.gz: 1 rows, {SHOWN_PROBLEMS + 2} problem(s)"
    text = render_sources([table])
    assert "- Rows not used or incomplete: 22." in text
    assert "`x.csv:20: bad`" in text and "`x.csv:21: bad`" not in text
    assert "… and 2 more (run the script to see)" in text
