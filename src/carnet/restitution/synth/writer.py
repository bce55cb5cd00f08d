"""Parquet output with the exact schemas of :mod:`carnet.restitution.tables`.

Each table is a folder of part files, one per chunk (``ER_PRS_F/part-00003.parquet``).
Files carry no Arrow schema, no timestamps and fixed row-group sizes, so the
same rows always give the same bytes; repeated text columns are written as
Parquet dictionaries and read back as plain strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from carnet.restitution import tables
from carnet.restitution.synth.arrays import BoolArray, IntArray

ROW_GROUP_SIZE = 131_072
_COMPRESSION = "zstd"


def money(cents: IntArray) -> pa.Array:
    """``decimal128(10, 2)`` euros from integer cents (exact, no float)."""
    values = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty(2 * values.size, dtype=np.int64)
    words[0::2] = values
    words[1::2] = values >> 63
    return pa.Array.from_buffers(tables.MONEY, values.size, [None, pa.py_buffer(words)])


def dates(days: IntArray, missing: BoolArray | None = None) -> pa.Array:
    """``date32`` from day numbers; ``missing`` rows are null."""
    values = pa.array(np.asarray(days, dtype=np.int32), type=pa.int32(), mask=missing)
    return values.cast(pa.date32())


def ints(values: IntArray, kind: pa.DataType) -> pa.Array:
    return pa.array(np.asarray(values), type=kind)


def coded(index: IntArray, dictionary: Sequence[str] | Sequence[bytes]) -> pa.Array:
    """A text column from indices into ``dictionary`` (written as a Parquet dictionary).

    The dictionary written holds the values used, once each, sorted: its bytes
    depend only on the column's values.
    """
    index = np.asarray(index, dtype=np.int64)
    used = np.flatnonzero(np.bincount(index, minlength=len(dictionary)))
    values = np.empty(used.size, dtype=object)
    values[:] = [dictionary[i] for i in used.tolist()]
    distinct, back = np.unique(values, return_inverse=True) if used.size else (values, used)
    lookup = np.zeros(len(dictionary), dtype=np.int32)
    lookup[used] = np.asarray(back, dtype=np.int32).ravel()
    indices = pa.array(lookup[index], type=pa.int32())
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(distinct), type=pa.string()))


def texts(values: Sequence[str | None]) -> pa.Array:
    return pa.array(list(values), type=pa.string())


def flags(values: BoolArray) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.bool_), type=pa.bool_())


def table(name: str, columns: Mapping[str, pa.Array]) -> pa.Table:
    """The table ``name`` of :data:`tables.TABLES` from its columns, checked against the schema."""
    schema = tables.TABLES[name]
    if list(columns) != schema.names:
        raise ValueError(f"{name}: columns {list(columns)} != schema {schema.names}")
    fields = []
    for field in schema:
        column = columns[field.name]
        kind = column.type
        plain = kind.value_type if pa.types.is_dictionary(kind) else kind
        if plain != field.type:
            raise ValueError(f"{name}.{field.name}: {kind} where {field.type} is expected")
        fields.append(pa.field(field.name, kind))
    return pa.Table.from_arrays(list(columns.values()), schema=pa.schema(fields))


def write_part(out: Path, name: str, part: int, data: pa.Table) -> Path:
    """Write one part file of table ``name``; returns its path."""
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{part:05d}.parquet"
    pq.write_table(data, path, row_group_size=ROW_GROUP_SIZE, compression=_COMPRESSION,
                   store_schema=False, dictionary_pagesize_limit=1 << 28,
                   write_statistics=True)
    return path
