"""Restituted outputs shared by the restitution tests (each built once per session)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carnet.restitution.pipeline import RestitutionReport, restitute

from .fixtures import household, population, write_tables


@pytest.fixture(scope="session")
def household_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RestitutionReport]:
    """The hand-made household, restituted with DuckDB: (output folder, report)."""
    root = tmp_path_factory.mktemp("household")
    source = write_tables(root / "input", household())
    return root / "out", restitute(source, root / "out")


@pytest.fixture(scope="session")
def population_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded population of 40 members, as contract Parquet files."""
    return write_tables(tmp_path_factory.mktemp("population") / "input", population(40))


#: many shards and blocks, so that shard and block boundaries are exercised
SMALL = {"members_per_shard": 6, "block_size": 2048}


@pytest.fixture(scope="session")
def population_run(population_input: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("population") / "out"
    restitute(population_input, out, **SMALL)  # type: ignore[arg-type]
    return out


def resources(ndjson: bytes) -> list[dict[str, object]]:
    """The resources of NDJSON text, one per line."""
    return [json.loads(line) for line in ndjson.splitlines()]
