"""Tables from the SNDS nomenclatures: NABM, LPP, CIM-10, ALD, ATC, natures de prestation.

The nomenclature files are ``;``-separated with a header naming SNDS columns;
some quote their cells, a few CIM-10 labels were quoted twice upstream.
Dates are SAS datetimes (``04SEP2014:00:00:00``), numbers use a decimal point.
"""

from __future__ import annotations

from pathlib import Path

from code_tables.origins import SNDS_NOMENCLATURES
from code_tables.parsing import date_sas, decimal, matching, unquoted
from code_tables.reading import Column, Problem, Reading, Source, read_source
from code_tables.writing import Table, deduplicate

_ROOT = "snds/nomenclatures"
_NUMBER = matching(r"\d+", "a numeric code")


def _source(path: str, *columns: Column) -> Source:
    return Source(
        path=f"{_ROOT}/{path}",
        origin=SNDS_NOMENCLATURES,
        encoding="utf-8",
        delimiter=";",
        columns=columns,
    )


NABM = _source(
    "ORAREF/IR_BIO_R.csv",
    Column("code", header="BIO_PRS_IDE", parse=_NUMBER),
    Column("label", header="BIO_INF_LIB"),
    Column("letter", header="BIO_TAR_NAT", parse=matching(r"[A-Z]*", "a key letter")),
    Column("coefficient", header="BIO_TAR_COF", parse=decimal),
    Column("created", header="BIO_CRE_DAT", parse=date_sas),
    Column("removed", header="BIO_SUP_DAT", parse=date_sas),
)
LPP = _source(
    "ORAREF/NT_LPP.csv",
    Column("code", header="LPP_PRS_IDE", parse=matching(r"\d{7}", "an LPP code (7 digits)")),
    Column("label", header="LPP_RED_LIB"),
    Column("type", header="LPP_PRS_TYP"),
    Column("end", header="LPP_VAL_DTF", parse=date_sas),
)
CIM10 = _source(
    "ORAVAL/IR_CIM_V.csv",
    Column("code", header="CIM_COD", parse=matching(r"[A-Z0-9+]+", "a CIM-10 code")),
    Column("label", header="CIM_LIB", parse=unquoted),
    Column("category", header="CAT_CIM_COD"),
    Column("ald", header="ALD_030_COD"),
)
ALD = _source(
    "ORAVAL/IR_ALD_V.csv",
    Column("code", header="ALD_030_COD", parse=_NUMBER),
    Column("label", header="ALD_030_LIB"),
    Column("decree", header="ALD_DEC_DAT"),
)
NATURES = _source(
    "ORAVAL/IR_NAT_V.csv",
    Column("code", header="PRS_NAT", parse=_NUMBER),
    Column("letter", header="PRS_NAT_CB2"),
    Column("label", header="PRS_NAT_LIB"),
)
ATC_LEVELS = {1: 1, 3: 2, 4: 3, 5: 4, 7: 5}  # code length → ATC level
ATC = tuple(
    _source(
        f"OPENMEDIC/openmedic_ATC{level}.csv",
        Column("code", header=f"ATC{level}", parse=matching(r"[A-Z0-9]+", "an ATC code")),
        Column("label", header=f"Libellé ATC{level}"),
    )
    for level in range(1, 6)
)


def _simple(root: Path, source: Source, table: Table) -> Table:
    """Fill ``table`` with the declared columns of ``source``, one row per key."""
    reading = Reading(source)
    table.readings.append(reading)
    rows = ((record.line, record.values) for record in read_source(root, source, reading))
    deduplicate(table, source.path, rows)
    return table


def build_nabm(root: Path) -> Table:
    notes = ("Price = coefficient × value of the key letter (B), a reimbursement rule.",)
    columns = ("code", "label", "letter", "coefficient", "created", "removed")
    return _simple(
        root,
        NABM,
        Table(
            "nabm",
            "NABM biology acts → key letter and coefficient",
            columns,
            ("code",),
            notes=notes,
        ),
    )


def build_lpp(root: Path) -> Table:
    notes = ("No tariff column in the source; `end` is the end of validity when set.",)
    columns = ("code", "label", "type", "end")
    return _simple(
        root,
        LPP,
        Table("lpp", "LPP codes (devices, services) → label", columns, ("code",), notes=notes),
    )


def build_cim10(root: Path) -> Table:
    notes = ("`ald` is the ALD (list of 30) number the code belongs to; 99 is none.",)
    columns = ("code", "label", "category", "ald")
    return _simple(
        root,
        CIM10,
        Table("cim10", "CIM-10 (ICD-10) codes → label, ALD", columns, ("code",), notes=notes),
    )


def build_ald(root: Path) -> Table:
    columns = ("code", "label", "decree")
    return _simple(root, ALD, Table("ald", "ALD (long-term conditions) list → label", columns, ("code",)))


def build_natures(root: Path) -> Table:
    columns = ("code", "letter", "label")
    table = Table(
        "prestation_natures",
        "SNDS natures de prestation (PRS_NAT) → letter, label",
        columns,
        ("code",),
    )
    return _simple(root, NATURES, table)


def build_atc(root: Path) -> Table:
    """ATC classes of all five levels, each labelled from the file of its own level.

    OpenMedic files also list coarser codes among finer ones (``A02X`` in the
    level-5 file, with a slightly different label): those rows are reported
    and skipped; a code found in no file of its level is reported too.
    """
    table = Table("atc", "ATC classes → level and label", ("code", "level", "label"), ("code",))
    misplaced: list[tuple[str, int, str, int]] = []
    for expected, source in enumerate(ATC, start=1):
        reading = Reading(source)
        table.readings.append(reading)
        rows: list[tuple[int, dict[str, str]]] = []
        for record in read_source(root, source, reading):
            code, label = record.values["code"], record.values["label"]
            if ATC_LEVELS.get(len(code)) != expected:
                misplaced.append((source.path, record.line, code, expected))
                continue
            rows.append((record.line, {"code": code, "level": str(expected), "label": label}))
        deduplicate(table, source.path, rows)
    known = {row["code"] for row in table.rows}
    for path, line, code, expected in misplaced:
        level = ATC_LEVELS.get(len(code))
        if code in known:
            reason = f"ATC code {code} (level {level}) listed among level {expected}; label of its own level kept"
        else:
            reason = f"ATC code {code} is not a level-{expected} code and is in no file of its level (skipped)"
        table.problems.append(Problem(path, line, reason))
    return table
