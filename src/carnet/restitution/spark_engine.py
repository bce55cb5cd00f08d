"""The pipeline on Apache Spark, for when one machine is not enough.

The same steps run as Spark SQL temporary views (checkpointed when kept). A
stream is range-partitioned by shard (a shard never spans two partitions),
sorted within partitions, and handed to the very shard writer the DuckDB
engine uses, inside the executors (``mapInArrow``): each task writes its
shards' files and returns the index entries, which the driver gathers. Same
rows in the same order through the same writer: the same bytes.

``local[2]`` by default; pass ``master`` (or a ready ``session``) for a cluster,
whose executors must see the output folder.
"""

# ruff: noqa: S608  (SQL is built from this package's constants; values go through sql.lit)

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from carnet.restitution.inputs import InputTable, column_casts, empty_sql
from carnet.restitution.shards import ENTRY, ShardWriter, StreamSpec
from carnet.restitution.sql import FUNCTIONS

if TYPE_CHECKING:
    from carnet.restitution.pipeline import Step, Stream

ENTRY_DDL = ", ".join(f"`{f.name}` {'STRING' if f.type == pa.string() else 'INT' if f.type == pa.int32() else 'BIGINT'}"
                      for f in ENTRY)  # fmt: skip


def session(master: str = "local[2]", small: bool = False) -> Any:
    """The active Spark session, or a new one for ``master``.

    ``small``: tuned for tiny inputs (tests): no code generation nor adaptive
    planning, whose fixed costs dominate when tables have a few rows.
    """
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName("carnet-restitute")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "3g")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.autoBroadcastJoinThreshold", str(64 * 1024 * 1024))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if small:
        builder = (
            builder.config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


Batches = Iterator[pa.RecordBatch]


def _writer(out: str, spec: StreamSpec, block_size: int) -> Callable[[Batches], Batches]:
    """The task of one partition: write its shards, return their index entries."""

    def run(batches: Batches) -> Batches:
        writer = ShardWriter(Path(out), spec, block_size)
        for batch in batches:
            writer.write(batch)
        yield from writer.finish().to_batches()

    return run


class SparkEngine:
    """Runs steps as Spark SQL views; writes streams from the executors."""

    name = "spark"

    def __init__(self, workdir: Path, master: str = "local[2]", spark: Any = None) -> None:
        self.spark = spark or session(master)
        self._cached: list[Any] = []
        self._views: list[str] = []
        for _duckdb_sql, spark_sql in FUNCTIONS.values():
            self.spark.sql(spark_sql.replace("CREATE TEMPORARY", "CREATE OR REPLACE TEMPORARY"))

    def _view(self, name: str, frame: Any) -> None:
        frame.createOrReplaceTempView(name)
        self._views.append(name)

    def load(self, tables: dict[str, InputTable]) -> None:
        for name, table in tables.items():
            if not table.files:
                self._view(name, self.spark.sql(empty_sql(table.schema)))
                continue
            frame = None
            for path, before in table.files:
                part = self.spark.read.parquet(str(path)).selectExpr(
                    *column_casts(table.schema), f"_metadata.row_index + {before + 1} AS _row"
                )
                frame = part if frame is None else frame.unionByName(part)
            self._view(name, frame)

    def add(self, name: str, table: pa.Table) -> None:
        """An Arrow table (the code labels) as view ``name``."""
        self._view(name, self.spark.createDataFrame(table))

    def run(self, step: Step) -> None:
        frame = self.spark.sql(step.sql)
        if step.keep:  # computed now, its plan cut short: later steps stay cheap to plan
            frame = frame.localCheckpoint(eager=True)
            self._cached.append(frame)
        self._view(step.name, frame)

    def write(self, streams: Sequence[Stream], out: Path, block_size: int) -> dict[str, pa.Table]:
        shards = int(self.spark.sql("SELECT coalesce(max(shard), 0) + 1 FROM members").first()[0])
        parallelism = max(1, self.spark.sparkContext.defaultParallelism)
        entries: dict[str, pa.Table] = {}
        for stream in streams:
            keys = ", ".join(k for k in stream.order if k != "shard")
            where = f" WHERE {stream.where}" if stream.where else ""
            frame = self.spark.sql(
                f"SELECT shard, member_id, {stream.text} AS text, {keys} FROM {stream.source}{where}"
            )
            frame = (
                frame.repartitionByRange(min(shards, 2 * parallelism), "shard")
                .sortWithinPartitions(*stream.order)
                .select("shard", "member_id", "text")
            )
            result = frame.mapInArrow(_writer(str(out), stream.spec, block_size), ENTRY_DDL).toArrow()
            entries[stream.spec.name] = result.cast(ENTRY)
        return entries

    def fetch(self, sql: str) -> pa.Table:
        table: pa.Table = self.spark.sql(sql).toArrow()
        return table

    def close(self) -> None:
        """Free the cached steps and views; the session stays for the next run (tests reuse it)."""
        for frame in self._cached:
            frame.unpersist()
        for name in self._views:
            self.spark.catalog.dropTempView(name)
