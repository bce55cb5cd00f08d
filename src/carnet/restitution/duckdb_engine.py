"""The pipeline on DuckDB, embedded: the default engine.

Inputs are read in place with ``read_parquet`` (row numbers from
``file_row_number``). Steps are views, or tables when kept. Streams are
written slice by slice: a slice is a run of members of one shard holding
about :data:`SLICE_LINES` claim lines (counted in the ``lines`` step), copied
once, sorted, into a temporary table per stream source. DuckDB builds each
stream's text from it in parallel, and so hands back runs of rows in no
guaranteed order (even from a plain scan of a sorted table): the runs are put
back in order without copying the text, the order is checked, and Arrow sorts
the rows should it not hold. A second thread compresses and writes a slice
while DuckDB builds the next. Memory holds about one slice.
"""

# ruff: noqa: S608  (SQL is built from this package's constants; values go through sql.lit)

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carnet.restitution.inputs import InputTable, columns_sql, empty_sql
from carnet.restitution.shards import ShardWriter
from carnet.restitution.sql import FUNCTIONS

if TYPE_CHECKING:
    from carnet.restitution.pipeline import Step, Stream

#: claim lines in one slice (a slice never spans two shards)
SLICE_LINES = 131_072
#: slices of text waiting for the writing thread
QUEUED = 2


def _write(writer: ShardWriter, rows: pa.Table) -> None:
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
        self.con = duckdb.connect(config=config)
        self.con.execute("SET enable_progress_bar = false")
        # keep freed memory for the next step: first touches of fresh pages cost more than the work
        self.con.execute("SET allocator_flush_threshold = '2GB'")
        for duckdb_sql, _spark_sql in FUNCTIONS.values():
            self.con.execute(duckdb_sql)

    def load(self, tables: dict[str, InputTable], labels: pa.Table) -> None:
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
        self.con.register("labels_arrow", labels)
        self.con.execute("CREATE TABLE labels AS SELECT * FROM labels_arrow")
        self.con.unregister("labels_arrow")

    def run(self, step: Step) -> None:
        kind = "TABLE" if step.keep else "VIEW"
        self.con.execute(f"CREATE {kind} {step.name} AS {step.sql}")
        for name in step.frees:
            self.con.execute(f"DROP TABLE {name}")

    def write(self, streams: Sequence[Stream], out: Path, block_size: int) -> dict[str, pa.Table]:
        writers = {s.spec.name: ShardWriter(out, s.spec, block_size) for s in streams}
        orders = {s.source: s.order for s in streams}
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending: list[Future[None]] = []
            for shard, first, last in self._slices():
                for source, order in orders.items():
                    self.con.execute(
                        f"CREATE OR REPLACE TEMP TABLE slice_{source} AS SELECT * FROM {source} "
                        f"WHERE shard = {shard} AND member_no BETWEEN {first} AND {last} ORDER BY {', '.join(order)}"
                    )
                for stream in streams:
                    rows = self._sorted(stream)
                    while len(pending) >= QUEUED:
                        pending.pop(0).result()
                    pending.append(pool.submit(_write, writers[stream.spec.name], rows))
            for future in pending:
                future.result()
        for source in orders:
            self.con.execute(f"DROP TABLE IF EXISTS slice_{source}")
        return {name: writer.finish() for name, writer in writers.items()}

    def _slices(self) -> list[tuple[int, int, int]]:
        """``(shard, first member_no, last member_no)`` runs of about :data:`SLICE_LINES` lines."""
        counts = self.con.execute(
            "SELECT m.shard, m.member_no, coalesce(l.n, 0) + 1 FROM (SELECT DISTINCT shard, member_no FROM members) m "
            "LEFT JOIN (SELECT member_no, count(*) AS n FROM lines GROUP BY member_no) l "
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

    def _sorted(self, stream: Stream) -> pa.Table:
        """The stream's rows of the current slice, in the stream's order.

        The slice is stored sorted, and DuckDB's parallel scan hands back runs of
        it in any order: the runs are put back in order without copying; should
        that not give sorted keys, Arrow sorts the rows (a copy of the text).
        """
        where = f" WHERE {stream.where}" if stream.where else ""
        keys = [k for k in stream.order if k != "shard"]
        table = self.con.sql(
            f"SELECT shard, member_id, {stream.text} AS text, {', '.join(keys)} FROM slice_{stream.source}{where}"
        ).to_arrow_table()
        runs = sorted((b for b in table.to_batches() if b.num_rows), key=lambda b: [b[k][0].as_py() for k in keys])
        table = pa.Table.from_batches(runs, table.schema)
        if not _ascending([table[k] for k in keys]):
            table = table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]))
        return table.select(["shard", "member_id", "text"])

    def fetch(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        self.con.close()
