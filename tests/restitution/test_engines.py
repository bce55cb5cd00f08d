"""DuckDB and Spark write the same bytes: one pipeline definition, one writer."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carnet.restitution.pipeline import restitute

from .conftest import SMALL

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark(java_available: None) -> Iterator[Any]:
    pytest.importorskip("pyspark")
    from carnet.restitution.spark_engine import session

    spark = session("local[2]", small=True)
    yield spark
    spark.stop()


def _digests(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}  # fmt: skip


def test_duckdb_and_spark_write_identical_files(spark: Any, population_input: Path, tmp_path: Path) -> None:
    duck = restitute(population_input, tmp_path / "duckdb", **SMALL)  # type: ignore[arg-type]
    sparked = restitute(population_input, tmp_path / "spark", engine="spark", **SMALL)  # type: ignore[arg-type]
    digests = _digests(tmp_path / "duckdb")
    assert len(digests) > 30 and digests == _digests(tmp_path / "spark")
    assert (duck.members, duck.lines, duck.resources, duck.problem_count) == (
        sparked.members, sparked.lines, sparked.resources, sparked.problem_count)  # fmt: skip
