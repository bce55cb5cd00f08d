"""Fixtures for the code tables: the build scripts on the path, one build per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts"
SHIPPED = REPO / "src" / "carnet" / "rules" / "fr" / "tables"

if str(SCRIPTS) not in sys.path:
    sys.path.append(str(SCRIPTS))


@pytest.fixture(scope="session")
def rebuilt(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tables rebuilt from ``../shared/data`` by the script, in a temporary folder."""
    from build_code_tables import main

    out = tmp_path_factory.mktemp("tables")
    assert main(["--shared-data", str(shared_data), "--out", str(out)]) == 0
    return out
