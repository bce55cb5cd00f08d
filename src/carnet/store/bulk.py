"""Statements straight to the driver, for the import's hot path.

SQLAlchemy compiles an ``insert()``, then processes every value of every row
through its types: on tens of thousands of rows that costs as much as SQLite's
own work. Here the statement is written once per (dialect, table, columns),
with the driver's positional placeholders (``?`` for SQLite/SQLCipher, ``%s``
for psycopg), and the rows go as plain tuples to the DBAPI ``executemany``,
still inside the caller's transaction and savepoint.

Values must already be what the driver takes: ``str``, ``int``, ``float``,
``bool``, ``bytes`` or ``None`` (no type processing happens).

The few statements the import runs for every file (is it known, its import
row, the keys already in the vault…) go the same way (:func:`rows`): an
SQL expression costs about 0.1 ms to execute, a driver statement 0.02 ms.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table

#: The DBAPI paramstyles of the drivers Carnet runs on → their positional placeholder.
PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _mark(dialect: Dialect) -> str:
    mark = PLACEHOLDERS.get(dialect.paramstyle)
    if mark is None:
        raise NotImplementedError(f"paramstyle {dialect.paramstyle!r}")
    return mark


def rows(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """The rows of one query written with ``?`` placeholders (and no other ``?`` nor ``%``), run by the driver."""
    mark = _mark(conn.dialect)
    return list(conn.exec_driver_sql(sql if mark == "?" else sql.replace("?", mark), tuple(params)))


def _names(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[str, str, list[str]]:
    """(placeholder, quoted table name, quoted column names); an unknown column is a KeyError now,
    not an SQL error later."""
    for name in columns:
        table.c[name]
    quote = dialect.identifier_preparer.quote
    return _mark(dialect), quote(table.name), [quote(name) for name in columns]


@cache
def _insert_sql(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> str:
    mark, name, names = _names(dialect, table, columns)
    marks = ", ".join(mark for _ in columns)
    return f"INSERT INTO {name} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608 — names from the schema


def insert_many(conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table`` with one ``executemany``."""
    if rows:
        conn.exec_driver_sql(_insert_sql(conn.dialect, table, columns), list(rows))


def insert_one(conn: Connection, table: Table, columns: tuple[str, ...], row: tuple[Any, ...]) -> int:
    """Insert one row and return its ``id``."""
    sql = _insert_sql(conn.dialect, table, columns) + " RETURNING id"
    return int(conn.exec_driver_sql(sql, row).scalar_one())


@cache
def _update_sql(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> str:
    mark, name, names = _names(dialect, table, columns)
    sets = ", ".join(f"{column} = {mark}" for column in names)
    return f"UPDATE {name} SET {sets} WHERE id = {mark}"  # noqa: S608 — names from the schema


def update_one(conn: Connection, table: Table, columns: tuple[str, ...], values: tuple[Any, ...], row_id: int) -> None:
    """Set ``columns`` of the row ``row_id`` of ``table``."""
    conn.exec_driver_sql(_update_sql(conn.dialect, table, columns), (*values, row_id))
