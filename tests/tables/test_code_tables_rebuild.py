"""The shipped tables are exactly what the script builds from ``../shared/data``."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "src" / "carnet" / "rules" / "fr" / "tables"
pytestmark = pytest.mark.shared_data

TABLES = (
    "ald", "atc", "ccam", "cim10", "drugs", "generic_groups", "lpp", "nabm", "ngap",
    "prestation_natures",
)  # fmt: skip


def test_the_folder_holds_only_built_tables_and_their_sources() -> None:
    names = sorted(path.name for path in SHIPPED.iterdir())
    assert names == sorted([f"{name}.csv.gz" for name in TABLES] + ["SOURCES.md"])


def test_the_folder_is_small() -> None:
    total = sum(path.stat().st_size for path in SHIPPED.iterdir())
    assert total < 3 * 1024 * 1024, f"{total} bytes"


@pytest.mark.parametrize("name", TABLES)
def test_rebuild_gives_the_same_bytes(rebuilt: Path, name: str) -> None:
    built = (rebuilt / f"{name}.csv.gz").read_bytes()
    shipped = (SHIPPED / f"{name}.csv.gz").read_bytes()
    # Same CSV first (a readable diff when the data changed), then the same gzip bytes.
    assert gzip.decompress(built).decode() == gzip.decompress(shipped).decode()
    assert built == shipped


def test_rebuild_gives_the_same_sources_md(rebuilt: Path) -> None:
    built = (rebuilt / "SOURCES.md").read_text(encoding="utf-8")
    assert built == (SHIPPED / "SOURCES.md").read_text(encoding="utf-8")


def test_gzip_header_has_no_time_nor_file_name() -> None:
    header = (SHIPPED / "drugs.csv.gz").read_bytes()[:10]
    assert header[3] == 0  # FLG: no FNAME, no comment
    assert header[4:8] == b"\0\0\0\0"  # MTIME = 0


def test_command_line_lists_problems_and_strict_fails(shared_data: Path, tmp_path: Path) -> None:
    command = [sys.executable, str(REPO / "scripts" / "build_code_tables.py")]
    arguments = ["--shared-data", str(shared_data), "--out", str(tmp_path), "--strict"]
    done = subprocess.run(command + arguments, capture_output=True, text=True, check=False)
    assert done.returncode == 1  # the sources have a few unusable rows, reported below
    assert "ccam.csv:3028: duplicate key BELA129/1/0" in done.stderr
    assert "drugs.csv.gz: 20874 rows, 3 problem(s)" in done.stderr
    assert (tmp_path / "drugs.csv.gz").is_file()


def test_command_line_refuses_a_missing_folder(tmp_path: Path) -> None:
    command = [sys.executable, str(REPO / "scripts" / "build_code_tables.py")]
    arguments = ["--shared-data", str(tmp_path / "absent"), "--out", str(tmp_path / "out")]
    done = subprocess.run(command + arguments, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "cannot read" in done.stderr
