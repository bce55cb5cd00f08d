"""The pipeline on DuckDB, embedded: the default engine.

Inputs are read in place with ``read_parquet`` (row numbers from
``file_row_number``). Steps are views, or tables when kept. Streams are
written shard by shard: each source is sliced to the shard and sorted into a
temporary table (sorting a shard is far cheaper than sorting everything);
every stream of that source is then a plain scan of the slice — which keeps
insertion order (``preserve_insertion_order``, documented for a single-table
``FROM``) — its text built by DuckDB and handed over in Arrow batches to the
shard writers, on a second thread. The text itself is never sorted.
"""

# ruff: noqa: S608  (SQL is built from this package's constants; values go through sql.lit)

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from carnet.restitution.inputs import InputTable, columns_sql, empty_sql
from carnet.restitution.shards import ShardWriter
from carnet.restitution.sql import FUNCTIONS

if TYPE_CHECKING:
    from carnet.restitution.pipeline import Step, Stream

BATCH_ROWS = 8192
#: batches of text waiting for the writing thread
QUEUED = 16


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
        self.con.execute("SET allocator_flush_threshold = '16GB'")
        for duckdb_sql, _spark_sql in FUNCTIONS.values():
            self.con.execute(duckdb_sql)
        self._orders: dict[str, tuple[str, ...]] = {}

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
        if step.order:
            self._orders[step.name] = step.order

    def write(self, streams: Sequence[Stream], out: Path, block_size: int) -> dict[str, pa.Table]:
        for stream in streams:
            if self._orders.get(stream.source) != stream.order:
                raise ValueError(f"stream {stream.spec.name}: not in the order of {stream.source}")
        writers = {s.spec.name: ShardWriter(out, s.spec, block_size) for s in streams}
        sources = sorted({s.source for s in streams})
        shards = [row[0] for row in self.con.execute("SELECT DISTINCT shard FROM members ORDER BY shard").fetchall()]
        # DuckDB builds the next batch of text while a thread compresses and writes the last one
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending: list[Future[None]] = []
            for shard in shards:
                for source in sources:
                    self.con.execute(
                        f"CREATE OR REPLACE TEMP TABLE slice_{source} AS SELECT * FROM {source} "
                        f"WHERE shard = {int(shard)} ORDER BY {', '.join(self._orders[source])}"
                    )
                for stream in streams:
                    where = f" WHERE {stream.where}" if stream.where else ""
                    sql = f"SELECT shard, member_id, {stream.text} AS text FROM slice_{stream.source}{where}"
                    for batch in self.con.sql(sql).to_arrow_reader(BATCH_ROWS):
                        while len(pending) >= QUEUED:
                            pending.pop(0).result()
                        pending.append(pool.submit(writers[stream.spec.name].write, batch))
            for future in pending:
                future.result()
        for source in sources:
            self.con.execute(f"DROP TABLE IF EXISTS slice_{source}")
        return {name: writer.finish() for name, writer in writers.items()}

    def fetch(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        self.con.close()
