"""The pipeline on DuckDB, embedded: the default engine.

Inputs are read in place with ``read_parquet`` (row numbers from
``file_row_number``). Steps are views, or tables when kept. A stream source
(a step with an ``order``: ``members``, ``items``, ``conditions``) is stored
once, sorted in stream order, a few shards at a time (:data:`SORT_SHARDS`:
sorting everything at once costs more than the sum of the parts). Streams are
then written slice by slice: a slice is a run of members of one shard holding
about :data:`SLICE_LINES` claim lines, read from the sorted tables by range
(their zone maps skip the rest). Two connections build slices at once
(:data:`PRODUCERS`: a slice is about one row group, which one DuckDB thread
scans), each stream's text of a slice in one query; a third thread compresses
and writes the slices in order. DuckDB hands back runs of a slice in no
guaranteed order: the runs are put back in order without copying the text,
the order is checked, and Arrow sorts the rows should it not hold. Memory
holds a few slices.
"""

# ruff: noqa: S608  (SQL is built from this package's constants; values go through sql.lit)

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from queue import Queue
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carnet.restitution.inputs import InputTable, RestitutionError, columns_sql, empty_sql
from carnet.restitution.shards import ShardWriter
from carnet.restitution.sql import FUNCTIONS

if TYPE_CHECKING:
    from carnet.restitution.pipeline import Step, Stream

#: shards sorted at once when a stream source is stored
SORT_SHARDS = 2
#: claim lines in one slice (a slice never spans two shards)
SLICE_LINES = 131_072
#: slices of text waiting for the writing thread
QUEUED = 2
#: slices built at once, each on its own connection (a slice is about one row group: one DuckDB thread)
PRODUCERS = 2


def _write(slices: list[tuple[ShardWriter, pa.Table]]) -> None:
    """Hand a slice of each stream to its writer."""
    for writer, rows in slices:
        for batch in rows.to_batches():
            writer.write(batch)


def _ascending(columns: list[pa.ChunkedArray]) -> bool:
    """Whether rows are in ascending order of ``columns``, compared in turn (no NULL keys)."""
    if not columns or len(columns[0]) < 2:
        return True
    n = len(columns[0])
    tied = np.ones(n - 1, dtype=np.bool_)
    for column in columns:
        if column.null_count:
            return False
        values = column.combine_chunks()
        after, before = values.slice(1), values.slice(0, n - 1)
        if (tied & pc.less(after, before).to_numpy(zero_copy_only=False)).any():
            return False
        tied &= pc.equal(after, before).to_numpy(zero_copy_only=False)
    return True


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class DuckDBEngine:
    """Runs steps as DuckDB views and tables; streams Arrow batches to the writer."""

    name = "duckdb"

    def __init__(self, workdir: Path, threads: int | None = None, memory_limit: str | None = None) -> None:
        config: dict[str, str | bool | int | float | list[str]] = {
            "preserve_insertion_order": True,
            "temp_directory": str(workdir / "duckdb.tmp"),
        }
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        try:
            self.con = duckdb.connect(config=config)
        except duckdb.Error as exc:  # e.g. a memory limit DuckDB cannot read
            raise RestitutionError(f"DuckDB refused its settings: {exc}") from None
        self._shards: int | None = None
        self.con.execute("SET enable_progress_bar = false")
        # keep freed memory for the next step: first touches of fresh pages cost more than the work
        self.con.execute("SET allocator_flush_threshold = '2GB'")
        for duckdb_sql, _spark_sql in FUNCTIONS.values():
            self.con.execute(duckdb_sql)

    def load(self, tables: dict[str, InputTable]) -> None:
        for name, table in tables.items():
            if not table.files:
                self.con.execute(f"CREATE VIEW {name} AS {empty_sql(table.schema)}")
                continue
            parts = [
                f"SELECT {columns_sql(table.schema)}, file_row_number + {before + 1} AS _row "
                f"FROM read_parquet({_quote(path)}, file_row_number = true)"
                for path, before in table.files
            ]
            self.con.execute(f"CREATE VIEW {name} AS " + " UNION ALL ".join(parts))

    def add(self, name: str, table: pa.Table) -> None:
        """Store an Arrow table (the code labels) as table ``name``."""
        self.con.register(f"{name}_arrow", table)
        self.con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
        self.con.unregister(f"{name}_arrow")

    def run(self, step: Step) -> None:
        if step.order:
            self._sort(step)
        else:
            kind = "TABLE" if step.keep else "VIEW"
            self.con.execute(f"CREATE {kind} {step.name} AS {step.sql}")
        for name in step.frees:
            self.con.execute(f"DROP TABLE {name}")

    def _sort(self, step: Step) -> None:
        """Store a stream source once, in stream order, :data:`SORT_SHARDS` shards at a time.

        The first one (``members``, in one go) tells how many shards there are.
        """
        order = ", ".join(step.order)
        if self._shards is None:
            self.con.execute(f"CREATE TABLE {step.name} AS SELECT * FROM ({step.sql}) ORDER BY {order}")
            self._shards = self.con.execute(f"SELECT coalesce(max(shard), 0) + 1 FROM {step.name}").fetchall()[0][0]
            return
        for first in range(0, self._shards, SORT_SHARDS):
            shards = f"shard BETWEEN {first} AND {first + SORT_SHARDS - 1}"
            rows = f"SELECT * FROM ({step.sql}) WHERE {shards} ORDER BY {order}"
            self.con.execute(f"INSERT INTO {step.name} {rows}" if first else f"CREATE TABLE {step.name} AS {rows}")

    def write(self, streams: Sequence[Stream], out: Path, block_size: int) -> dict[str, pa.Table]:
        writers = {s.spec.name: ShardWriter(out, s.spec, block_size) for s in streams}
        sources: dict[str, list[Stream]] = {}
        for stream in streams:
            sources.setdefault(stream.source, []).append(stream)
        cursors: Queue[duckdb.DuckDBPyConnection] = Queue()
        for _ in range(PRODUCERS):
            cursors.put(self.con.cursor())

        def produce(where: str) -> list[tuple[ShardWriter, pa.Table]]:
            cursor = cursors.get()
            try:
                return [(writers[s.spec.name], rows) for group in sources.values()
                        for s, rows in self._sorted(cursor, group, where)]  # fmt: skip
            finally:
                cursors.put(cursor)

        wheres = deque(f"shard = {s} AND member_no BETWEEN {a} AND {b}" for s, a, b in self._slices())
        with ThreadPoolExecutor(PRODUCERS) as producers, ThreadPoolExecutor(1) as writing:
            made: deque[Future[list[tuple[ShardWriter, pa.Table]]]] = deque()
            written: deque[Future[None]] = deque()
            while wheres and len(made) < PRODUCERS:
                made.append(producers.submit(produce, wheres.popleft()))
            while made:
                rows = made.popleft().result()
                if wheres:
                    made.append(producers.submit(produce, wheres.popleft()))
                while len(written) >= QUEUED:
                    written.popleft().result()
                written.append(writing.submit(_write, rows))
            for future in written:
                future.result()
        while not cursors.empty():
            cursors.get().close()
        return {name: writer.finish() for name, writer in writers.items()}

    def _slices(self) -> list[tuple[int, int, int]]:
        """``(shard, first member_no, last member_no)`` runs of about :data:`SLICE_LINES` lines."""
        counts = self.con.execute(
            "SELECT m.shard, m.member_no, coalesce(l.n, 0) + 1 FROM (SELECT DISTINCT shard, member_no FROM members) m "
            "LEFT JOIN (SELECT member_no, count(*) AS n FROM items GROUP BY member_no) l "
            "ON m.member_no = l.member_no ORDER BY m.member_no"
        ).fetchall()
        slices: list[tuple[int, int, int]] = []
        size = 0
        for shard, member, lines in counts:
            if slices and slices[-1][0] == shard and size + lines <= SLICE_LINES:
                slices[-1] = (shard, slices[-1][1], member)
                size += lines
            else:
                slices.append((shard, member, member))
                size = lines
        return slices

    @staticmethod
    def _sorted(cursor: duckdb.DuckDBPyConnection, streams: list[Stream], where: str) -> list[tuple[Stream, pa.Table]]:
        """The rows of the slice ``where`` selects of streams of one source, in their order.

        One query builds every stream's text (a stream with a condition: NULL where
        it does not hold). The source is stored sorted, and DuckDB's parallel scan
        hands back runs of it in any order: the runs are put back in order without
        copying; should that not give sorted keys, Arrow sorts the rows (a copy).
        """
        keys = [k for k in streams[0].order if k != "shard"]
        texts = [f"CASE WHEN {s.where} THEN {s.text} END" if s.where else s.text for s in streams]
        columns = ", ".join(f"{text} AS text{i}" for i, text in enumerate(texts))
        table = cursor.sql(
            f"SELECT shard, member_id, {columns}, {', '.join(keys)} FROM {streams[0].source} WHERE {where}"
        ).to_arrow_table()
        runs = sorted((b for b in table.to_batches() if b.num_rows), key=lambda b: [b[k][0].as_py() for k in keys])
        table = pa.Table.from_batches(runs, table.schema)
        if not _ascending([table[k] for k in keys]):
            table = table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]))
        out: list[tuple[Stream, pa.Table]] = []
        for i, stream in enumerate(streams):
            rows = table.select(["shard", "member_id", f"text{i}"]).rename_columns(["shard", "member_id", "text"])
            out.append((stream, rows.filter(pc.is_valid(rows["text"])) if stream.where else rows))
        return out

    def fetch(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        self.con.close()
