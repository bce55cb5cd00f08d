"""Build the compact French code tables from the third-party reference data.

Usage (from the repository root)::

    .venv/bin/python scripts/build_code_tables.py --shared-data ../shared/data

Reads BDPM, CCAM/NGAP (``fr_reference``) and SNDS nomenclatures
(``snds/nomenclatures``), writes ``<table>.csv.gz`` and ``SOURCES.md`` to
``src/carnet/rules/fr/tables`` (or ``--out``), and lists on stderr every row
it could not use as ``file:line: reason``. Exit status: 0 when written, 1 with
``--strict`` and problems, 2 when a source file is unusable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from code_tables import build_tables
from code_tables.reading import SourceError
from code_tables.report import problem_lines, render_sources
from code_tables.writing import write_table

REPO = Path(__file__).resolve().parents[1]
TABLES = REPO / "src" / "carnet" / "rules" / "fr" / "tables"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared-data",
        type=Path,
        default=Path("../shared/data"),
        help="folder holding fr_reference/ and snds/ (default: ../shared/data)",
    )
    parser.add_argument("--out", type=Path, default=TABLES, help=f"output folder (default: {TABLES})")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when any row is not usable")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        tables = build_tables(arguments.shared_data)
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    arguments.out.mkdir(parents=True, exist_ok=True)
    for table in tables:
        write_table(table, arguments.out)
    (arguments.out / "SOURCES.md").write_text(render_sources(tables), encoding="utf-8")
    lines = problem_lines(tables)
    print("\n".join(lines), file=sys.stderr)
    problems = sum(len(table.all_problems()) for table in tables)
    return 1 if arguments.strict and problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
