"""Build the compact French code tables shipped in ``carnet/rules/fr/tables``.

Modules: ``parsing`` (cell parsers), ``reading`` (declared sources, encoding
detection, rows with their line), one builder module per data set (``bdpm``,
``ccam``, ``snds``), ``writing`` (deterministic gzip CSV) and ``report``
(``SOURCES.md`` and the problem list). ``build_tables`` runs them all.
"""

from __future__ import annotations

from pathlib import Path

from code_tables.bdpm import build_drugs
from code_tables.ccam import build_ccam, build_ngap
from code_tables.snds import (
    build_ald,
    build_atc,
    build_cim10,
    build_lpp,
    build_nabm,
    build_natures,
)
from code_tables.writing import Table


def build_tables(root: Path) -> list[Table]:
    """Every table, built from the shared data folder ``root``, in a stable order."""
    drugs, generic_groups = build_drugs(root)
    return [
        build_ccam(root),
        drugs,
        generic_groups,
        build_ngap(root),
        build_natures(root),
        build_lpp(root),
        build_nabm(root),
        build_cim10(root),
        build_ald(root),
        build_atc(root),
    ]
