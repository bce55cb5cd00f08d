"""Where the input tables are: ``<TABLE>.parquet`` or ``<TABLE>/*.parquet`` per table.

The columns are those of :mod:`carnet.restitution.tables` (extra columns are
ignored, missing ones refused); each engine reads them cast to the contract
types, with ``_row``: the row's 1-based number in the table, counted across
the table's files in name order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from carnet.errors import CarnetError
from carnet.restitution.tables import TABLES

REQUIRED = ("IR_BEN_R", "ER_PRS_F")


class RestitutionError(CarnetError):
    """The restitution cannot run: input or output folder unusable."""


@dataclass(frozen=True, slots=True)
class InputTable:
    """A table's Parquet files, each with the number of rows before it."""

    name: str
    schema: pa.Schema
    files: tuple[tuple[Path, int], ...]


def sql_type(dtype: pa.DataType) -> str:
    """The SQL name of a contract type, the same in DuckDB and Spark SQL."""
    if pa.types.is_decimal(dtype):
        return f"DECIMAL({dtype.precision},{dtype.scale})"
    names = {pa.string(): "STRING", pa.int32(): "INT", pa.int64(): "BIGINT", pa.date32(): "DATE", pa.bool_(): "BOOLEAN"}
    return names[dtype]


def column_casts(schema: pa.Schema) -> list[str]:
    """``CAST(col AS type) AS col`` for every contract column."""
    return [f"CAST({f.name} AS {sql_type(f.type)}) AS {f.name}" for f in schema]


def columns_sql(schema: pa.Schema) -> str:
    return ", ".join(column_casts(schema))


def empty_sql(schema: pa.Schema) -> str:
    """A query with the table's columns (and ``_row``) and no rows."""
    cols = ", ".join(f"CAST(NULL AS {sql_type(f.type)}) AS {f.name}" for f in schema)
    return f"SELECT {cols}, CAST(NULL AS BIGINT) AS _row WHERE 1 = 0"


def _files(folder: Path, name: str) -> list[Path]:
    single = folder / f"{name}.parquet"
    if single.is_file():
        return [single]
    if (folder / name).is_dir():
        return sorted((folder / name).rglob("*.parquet"))
    return []


def locate(folder: Path) -> dict[str, InputTable]:
    """Every contract table found in ``folder`` (absent optional tables have no files)."""
    if not folder.is_dir():
        raise RestitutionError(f"{folder}: no such input folder")
    found: dict[str, InputTable] = {}
    for name, schema in TABLES.items():
        files: list[tuple[Path, int]] = []
        before = 0
        for path in _files(folder, name):
            meta = pq.ParquetFile(path)
            missing = [f.name for f in schema if f.name not in meta.schema_arrow.names]
            if missing:
                names = ", ".join(missing)
                raise RestitutionError(f"{path}: column(s) {names} missing (see carnet/restitution/tables.py)")
            files.append((path, before))
            before += meta.metadata.num_rows
        found[name] = InputTable(name, schema, tuple(files))
    absent = [name for name in REQUIRED if not found[name].files]
    if absent:
        raise RestitutionError(f"{folder}: no {' or '.join(absent)} table (<TABLE>.parquet or <TABLE>/*.parquet)")
    return found
