"""The pipeline on DuckDB, embedded: the default engine.

Inputs are read in place with ``read_parquet`` (row numbers from
``file_row_number``). A step with an ``order`` is materialised sorted;
DuckDB keeps insertion order (``preserve_insertion_order``), so a stream is a
plain scan of its source, its text built by DuckDB and handed over as Arrow
batches to the shard writer without any sort of the text itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from carnet.restitution.inputs import InputTable, columns_sql, empty_sql
from carnet.restitution.shards import ShardWriter

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
        self._sorted: dict[str, tuple[str, ...]] = {}

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
        if step.order:
            order = ", ".join(step.order)
            self.con.execute(f"CREATE TABLE {step.name} AS SELECT * FROM ({step.sql}) s ORDER BY {order}")
            self._sorted[step.name] = step.order
        elif step.keep:
            self.con.execute(f"CREATE TABLE {step.name} AS {step.sql}")
        else:
            self.con.execute(f"CREATE VIEW {step.name} AS {step.sql}")

    def write(self, stream: Stream, out: Path, block_size: int) -> pa.Table:
        if self._sorted.get(stream.source) != stream.order:
            raise ValueError(f"stream {stream.spec.name}: {stream.source} is not kept in the stream's order")
        where = f" WHERE {stream.where}" if stream.where else ""
        sql = f"SELECT shard, member_id, {stream.text} AS text FROM {stream.source}{where}"
        writer = ShardWriter(out, stream.spec, block_size)
        for batch in self.con.sql(sql).to_arrow_reader(BATCH_ROWS):
            writer.write(batch)
        return writer.finish()

    def fetch(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        self.con.close()
