"""Constants and small helpers of the synth tests."""

from __future__ import annotations

import duckdb

MEMBERS = 20_000
SEED = 2024
YEARS = (2023, 2026)


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    """The single value of a query."""
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()
