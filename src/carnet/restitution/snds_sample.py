"""The SNDS synthetic sample (Health Data Hub, ``synthetic-snds``) as restitution input.

The sample is a folder of CSV files with the real table names
(``DCIR/ER_PRS_F.csv``, ``BENEFICIAIRE/IR_BEN_R.csv``…) and random values.
The adapter reads the columns of the contract (:mod:`.tables`), one typed
Parquet file per table, keeping every row in its CSV order (row ``n`` of the
report is data row ``n`` of the CSV, line ``n + 1``). A value that does not fit
its type (an amount with more than two decimals, a date that is not one) is
read as empty and noted; the pipeline's rules then decide about the row. The
sample has no mutuelle tables: every beneficiary is a member without a
mutuelle.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from carnet.restitution.tables import TABLES

SAMPLE_TABLES = ("IR_BEN_R", "IR_IMB_R", "ER_PRS_F", "ER_PHA_F", "ER_BIO_F", "ER_CAM_F", "ER_TIP_F")
Note = tuple[str, int, str]


def _csv(folder: Path, name: str) -> Path | None:
    for candidate in (folder / f"{name}.csv", *sorted(folder.glob(f"*/{name}.csv"))):
        if candidate.is_file():
            return candidate
    return None


def is_sample(folder: Path) -> bool:
    """True when ``folder`` holds the sample's CSV tables (``ER_PRS_F.csv`` at most one level down)."""
    return folder.is_dir() and _csv(folder, "ER_PRS_F") is not None


def _integer(raw: str, bits: int) -> int:
    number = Decimal(raw)
    if number != number.to_integral_value():
        raise ValueError("not a whole number")
    value = int(number)
    if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise ValueError(f"out of range for a {bits}-bit integer")
    return value


def _money(raw: str, dtype: pa.Decimal128Type) -> Decimal:
    number = Decimal(raw)
    exact = number.quantize(Decimal(1).scaleb(-dtype.scale))
    if exact != number:
        raise ValueError(f"more than {dtype.scale} decimals")
    if abs(exact) >= Decimal(10) ** (dtype.precision - dtype.scale):
        raise ValueError(f"too large for {dtype.precision - dtype.scale} digits")
    return exact


def _parse(raw: str, dtype: pa.DataType) -> object:
    """``raw`` as a value of ``dtype``; ValueError (or InvalidOperation) when it does not fit."""
    if pa.types.is_string(dtype):
        return raw
    if pa.types.is_decimal(dtype):
        assert isinstance(dtype, pa.Decimal128Type)
        return _money(raw, dtype)
    if pa.types.is_date(dtype):
        return date.fromisoformat(raw)
    if pa.types.is_boolean(dtype):
        if raw.lower() not in ("0", "1", "true", "false"):
            raise ValueError("not a boolean")
        return raw.lower() in ("1", "true")
    return _integer(raw, dtype.bit_width)


def _table(name: str, path: Path, notes: list[Note]) -> pa.Table:
    schema = TABLES[name]
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        rows = list(reader)
    notes += [(name, 0, f"column {c} not in {path.name}; read as empty") for c in schema.names if c not in header]
    columns: dict[str, list[object]] = {c: [] for c in schema.names}
    for number, row in enumerate(rows, start=1):
        for field in schema:
            raw = (row.get(field.name) or "").strip()
            value: object = None
            if raw:
                try:
                    value = _parse(raw, field.type)
                except (ValueError, InvalidOperation) as exc:
                    notes.append((name, number, f"{field.name} {raw!r}: {exc or 'not readable'}; read as empty"))
            columns[field.name].append(value)
    return pa.table(columns, schema=schema)


def adapt(folder: Path, dest: Path) -> list[Note]:
    """Write the sample's tables as contract Parquet files into ``dest``; the notes on values."""
    dest.mkdir(parents=True, exist_ok=True)
    notes: list[Note] = []
    for name in SAMPLE_TABLES:
        path = _csv(folder, name)
        if path is not None:
            pq.write_table(_table(name, path, notes), dest / f"{name}.parquet")
    return notes
