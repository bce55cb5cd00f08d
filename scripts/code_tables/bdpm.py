"""Drugs from the BDPM: one row per presentation (CIP13) with price, rate and generic group.

Three BDPM files of the same extract are joined on the CIS code:
``CIS_bdpm.txt`` (product names, cp1252), ``CIS_CIP_bdpm.txt`` (presentations,
UTF-8) and ``CIS_GENER_bdpm.txt`` (generic groups, cp1252). All are TAB
separated, headerless and unquoted (names hold literal ``"``).

No staged file links a CIS or a CIP13 to an ATC class (the SNDS ``IR_PHA_R``
referential that would is missing), so ``atc`` stays empty: "where known".
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from code_tables.origins import BDPM_2026
from code_tables.parsing import cip13, date_fr, decimal, matching, rate
from code_tables.reading import Column, Problem, Reading, Source, read_source
from code_tables.writing import Table, deduplicate

_FOLDER = "fr_reference/bdpm_2026-07-24"
_CIS = matching(r"\d{8}", "a CIS code (8 digits)")
_MARKETED = "Déclaration de commercialisation"

PRODUCTS = Source(
    path=f"{_FOLDER}/CIS_bdpm.txt",
    origin=BDPM_2026,
    encoding="cp1252",
    delimiter="\t",
    quoting=csv.QUOTE_NONE,
    header=False,
    fields=12,
    columns=(Column("cis", index=0, parse=_CIS), Column("name", index=1)),
)

PRESENTATIONS = Source(
    path=f"{_FOLDER}/CIS_CIP_bdpm.txt",
    origin=BDPM_2026,
    encoding="utf-8",
    delimiter="\t",
    quoting=csv.QUOTE_NONE,
    header=False,
    fields=13,
    columns=(
        Column("cis", index=0, parse=_CIS),
        Column("cip7", index=1, parse=matching(r"\d{7}", "a CIP7 code (7 digits)")),
        Column("presentation", index=2),
        Column("commercialisation", index=4),
        Column("commercialised_on", index=5, parse=date_fr),
        Column("cip13", index=6, parse=cip13),
        Column("rate", index=8, parse=rate),
        Column("price", index=9, parse=decimal),
        Column("price_with_fee", index=10, parse=decimal),
        Column("dispensing_fee", index=11, parse=decimal),
    ),
)

GENERICS = Source(
    path=f"{_FOLDER}/CIS_GENER_bdpm.txt",
    origin=BDPM_2026,
    encoding="cp1252",
    delimiter="\t",
    quoting=csv.QUOTE_NONE,
    header=False,
    fields=5,
    columns=(
        Column("group", index=0, parse=matching(r"\d+", "a generic group number")),
        Column("label", index=1),
        Column("cis", index=2, parse=_CIS),
        Column("type", index=3, parse=matching(r"[0-9]", "a generic type digit")),
    ),
)

DRUG_COLUMNS = (
    "cip13", "cis", "cip7", "name", "presentation", "price", "dispensing_fee",
    "price_with_fee", "rate", "atc", "generic_groups", "generic_types", "marketed",
    "commercialised_on",
)  # fmt: skip


def build_drugs(root: Path) -> tuple[Table, Table]:
    """The ``drugs`` table (keyed by CIP13) and the ``generic_groups`` table (id → label)."""
    names_reading = Reading(PRODUCTS)
    generic_reading = Reading(GENERICS)
    cip_reading = Reading(PRESENTATIONS)
    names = {r.values["cis"]: r.values["name"] for r in read_source(root, PRODUCTS, names_reading)}
    groups = Table(
        name="generic_groups",
        description="BDPM generic groups: group id → label (molecule, dose, form, princeps)",
        columns=("group", "label"),
        key=("group",),
        readings=[generic_reading],
    )
    groups_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
    labelled: list[tuple[int, dict[str, str]]] = []
    for record in read_source(root, GENERICS, generic_reading):
        group, cis = record.values["group"], record.values["cis"]
        groups_of[cis].add((group, record.values["type"]))
        labelled.append((record.line, {"group": group, "label": record.values["label"]}))
    _add_groups(groups, labelled)
    drugs = Table(
        name="drugs",
        description="BDPM presentations: CIP13 → product, price, rate, generic group",
        columns=DRUG_COLUMNS,
        key=("cip13",),
        readings=[names_reading, generic_reading, cip_reading],
        notes=(
            "`atc` is empty: no staged file links a CIS or CIP13 to an ATC class "
            "(SNDS `IR_PHA_R` is missing from the snapshot).",
            "`generic_groups` / `generic_types` are `|`-joined when a product sits in several "
            "groups (types: 0 princeps, 1 generic, 2 by complementarity, 4 substitutable).",
        ),
    )
    rows: list[tuple[int, dict[str, str]]] = []
    for record in read_source(root, PRESENTATIONS, cip_reading):
        values = record.values
        name = names.get(values["cis"])
        if name is None:
            reason = f"CIS {values['cis']} is not in {PRODUCTS.path} (row kept, name empty)"
            drugs.problems.append(Problem(PRESENTATIONS.path, record.line, reason))
        pairs = sorted(groups_of.get(values["cis"], ()), key=lambda pair: int(pair[0]))
        rows.append((record.line, {
            "cip13": values["cip13"], "cis": values["cis"], "cip7": values["cip7"],
            "name": name or "", "presentation": values["presentation"],
            "price": values["price"], "dispensing_fee": values["dispensing_fee"],
            "price_with_fee": values["price_with_fee"], "rate": values["rate"], "atc": "",
            "generic_groups": "|".join(group for group, _ in pairs),
            "generic_types": "|".join(sorted({kind for _, kind in pairs})),
            "marketed": "1" if values["commercialisation"] == _MARKETED else "0",
            "commercialised_on": values["commercialised_on"],
        }))  # fmt: skip
    deduplicate(drugs, PRESENTATIONS.path, rows)
    return drugs, groups


def _add_groups(groups: Table, labelled: list[tuple[int, dict[str, str]]]) -> None:
    """One row per group; a group whose label differs between its rows is reported."""
    first: dict[str, str] = {}
    for line, row in labelled:
        known = first.setdefault(row["group"], row["label"])
        if known != row["label"]:
            reason = f"generic group {row['group']} has another label here (first one kept)"
            groups.problems.append(Problem(GENERICS.path, line, reason))
    groups.rows.extend({"group": group, "label": label} for group, label in first.items())
