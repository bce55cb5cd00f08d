"""CCAM acts with tariffs (CNAM export v81) and NGAP key letters.

``ccam.csv`` is a page layout turned into CSV, not a table: a title line, a
header whose cells span several lines, then chapter rows (``01.01.01``), note
rows (code empty), act rows (``AHQB027``) and, below an act, more rows for its
other activities and phases (code empty or a modifier list like ``[A, J, K]``)
— "anesthésie" is activity 4. Each (act, activity, phase) becomes one row.
A tariff reads "Non pris en charge" when the act is not reimbursed; we write
it empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from code_tables.origins import CCAM_V81, NGAP_INSTAMED
from code_tables.parsing import decimal, flag, matching
from code_tables.reading import Column, Problem, Reading, Record, Source, read_source
from code_tables.writing import Table, deduplicate

_ACT = re.compile(r"[A-Z]{4}\d{3}")
_CHAPTER = re.compile(r"\d{2}(?:\.\d{2})*")
_DIGIT = matching(r"\d", "a single digit")
_NOT_COVERED = "non pris en charge"
_RC, _AP = flag("RC"), flag("AP")

CCAM = Source(
    path="fr_reference/ccam_ngap_instamed/ccam.csv",
    origin=CCAM_V81,
    encoding="utf-8",
    delimiter=",",
    skip_records=1,
    fields=11,
    columns=(
        Column("code", header="Code"),
        Column("text", header="Texte"),
        Column("activity", header="Activité"),
        Column("phase", header="Phase"),
        Column("sector1", header="Tarif Secteur 1 / adhérent OPTAM/OPTAM-ACO (en euro)"),
        Column("other", header="Tarif Hors secteur 1 / hors adhérent OPTAM/OPTAM-ACO (en euro)"),
        Column("rc", header="Rembt. ss Cdtions"),
        Column("ap", header="Accord Préalable"),
        Column("exo", header="Exo. TM"),
        Column("grouping", header="Regroupement"),
    ),
)

NGAP = Source(
    path="fr_reference/ccam_ngap_instamed/ngap.csv",
    origin=NGAP_INSTAMED,
    encoding="utf-8",
    delimiter=",",
    columns=(
        Column("letter", header="code", parse=matching(r"[A-Z0-9]+", "a key letter code")),
        Column("label", header="description"),
    ),
)

CCAM_COLUMNS = (
    "code", "activity", "phase", "label", "tariff_sector1_optam", "tariff_other",
    "reimbursed_on_conditions", "prior_approval", "exo_tm", "grouping",
)  # fmt: skip


@dataclass
class _Act:
    code: str
    label: str
    line: int
    lines: int = 0


def _tariff(raw: str) -> str:
    if raw.strip().lower() == _NOT_COVERED:
        return ""
    if not raw.strip():
        raise ValueError("tariff is empty (expected a number or 'Non pris en charge')")
    return decimal(raw)


def _tariff_row(act: _Act, record: Record) -> dict[str, str]:
    """The row for one activity/phase of ``act``; ``ValueError`` names the bad cell."""
    values = record.values
    parsed: dict[str, str] = {"code": act.code, "label": act.label}
    for name, column, parse in (
        ("activity", "activity", _DIGIT), ("phase", "phase", _DIGIT),
        ("tariff_sector1_optam", "sector1", _tariff), ("tariff_other", "other", _tariff),
        ("reimbursed_on_conditions", "rc", _RC), ("prior_approval", "ap", _AP),
    ):  # fmt: skip
        try:
            parsed[name] = parse(values[column])
        except ValueError as error:
            raise ValueError(f"{act.code} column {column}: {error}") from None
    parsed["exo_tm"], parsed["grouping"] = values["exo"], values["grouping"]
    return parsed


def build_ccam(root: Path) -> Table:
    """The ``ccam`` table: one row per act, activity and phase, with both tariffs."""
    reading = Reading(CCAM)
    table = Table(
        name="ccam",
        description="CCAM acts: code, activity, phase → label, tariffs (euro) and flags",
        columns=CCAM_COLUMNS,
        key=("code", "activity", "phase"),
        readings=[reading],
        notes=(
            "An empty tariff means 'Non pris en charge' (not reimbursed).",
            "Activity 4 is anaesthesia; `exo_tm` and `grouping` are copied as written.",
        ),
    )
    rows: list[tuple[int, dict[str, str]]] = []
    act: _Act | None = None
    for record in read_source(root, CCAM, reading):
        code, values = record.values["code"], record.values
        if _ACT.fullmatch(code):
            _check_closed(table, act)
            act = _Act(code, values["text"], record.line)
        elif _CHAPTER.fullmatch(code):
            _check_closed(table, act)
            act = None
            continue
        if not values["activity"]:
            continue  # a note, a chapter title or an act whose activities follow
        if act is None:
            table.problems.append(Problem(CCAM.path, record.line, "activity row outside an act"))
            continue
        try:
            rows.append((record.line, _tariff_row(act, record)))
        except ValueError as error:
            table.problems.append(Problem(CCAM.path, record.line, str(error)))
        act.lines += 1
    _check_closed(table, act)
    deduplicate(table, CCAM.path, rows)
    return table


def _check_closed(table: Table, act: _Act | None) -> None:
    if act is not None and act.lines == 0:
        reason = f"act {act.code} has no activity row (no tariff)"
        table.problems.append(Problem(CCAM.path, act.line, reason))


def build_ngap(root: Path) -> Table:
    """The ``ngap`` table: key letter → label (the file has no tariffs)."""
    reading = Reading(NGAP)
    table = Table(
        name="ngap",
        description="NGAP and prestation key letters → label (no tariffs in the source)",
        columns=("letter", "label"),
        key=("letter",),
        readings=[reading],
        notes=("Letter values (e.g. G) are not in any source: they are reimbursement rules.",),
    )
    records = read_source(root, NGAP, reading)
    deduplicate(table, NGAP.path, ((record.line, record.values) for record in records))
    return table
