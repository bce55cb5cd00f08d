"""The pipeline on DuckDB, embedded: the default engine.

Inputs are read in place with ``read_parquet`` (row numbers from
``file_row_number``). Steps are views, or tables when kept. Streams are
written shard by shard: DuckDB builds the text of one shard's lines, in any
order, with their narrow sort keys; Arrow sorts the keys and takes the text
in that order (one copy), and the shard writer compresses it. Nothing wide is
ever sorted, and joins may feed a stream since its order comes after.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from carnet.restitution.inputs import InputTable, columns_sql, empty_sql
from carnet.restitution.shards import ShardWriter
from carnet.restitution.sql import FUNCTIONS

if TYPE_CHECKING:
    from carnet.restitution.pipeline import Step, Stream

BATCH_ROWS = 100_000


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class DuckDBEngine:
    """Runs steps as DuckDB views and tables; streams Arrow batches to the writer."""

    name = "duckdb"

    def __init__(self, workdir: Path, threads: int | None = None, memory_limit: str | None = None) -> None:
        config: dict[str, str | bool | int] = {
            "preserve_insertion_order": True,
            "temp_directory": str(workdir / "duckdb.tmp"),
        }
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        self.con = duckdb.connect(config=config)
        self.con.execute("SET enable_progress_bar = false")
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
        writers = {s.spec.name: ShardWriter(out, s.spec, block_size) for s in streams}
        for stream in streams:
            if self._orders.get(stream.source) != stream.order:
                raise ValueError(f"stream {stream.spec.name}: not in the order of {stream.source}")
        shards = [row[0] for row in self.con.execute("SELECT DISTINCT shard FROM members ORDER BY shard").fetchall()]
        for shard in shards:
            for stream in streams:
                writers[stream.spec.name].write_table(self._slice(stream, int(shard)))
        return {name: writer.finish() for name, writer in writers.items()}

    def _slice(self, stream: Stream, shard: int) -> pa.Table:
        """The stream's rows of one shard, sorted (in Arrow: only the narrow keys are sorted)."""
        where = f" AND {stream.where}" if stream.where else ""
        keys = ", ".join(k for k in stream.order if k != "shard")
        sql = (
            f"SELECT shard, member_id, {stream.text} AS text, {keys} "
            f"FROM {stream.source} WHERE shard = {shard}{where}"
        )
        table = self.con.sql(sql).to_arrow_table()
        order = pc.sort_indices(table, sort_keys=[(k, "ascending") for k in stream.order])
        return table.select(["shard", "member_id", "text"]).take(order)

    def fetch(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        self.con.close()
