"""Shared fixtures: where the third-party sample data lives, temporary vaults."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CARNET_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder ``../shared/data``; the test is skipped (with the reason) where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"third-party sample data not found at {SHARED_DATA} (set CARNET_SHARED_DATA)")
    return SHARED_DATA
