"""`carnet restitute`: the claims tables in, one package per member out.

The pipeline is defined once, as relational steps (SQL) and streams (SQL
building each NDJSON or CSV line), and run as is by an engine: DuckDB (the
default) or Apache Spark. Engines only produce rows ``(shard, member_id,
text)`` in member order; one writer (:mod:`carnet.restitution.shards`) turns
them into files, so both engines write the same bytes.

    load       the input tables (Parquet; the SNDS sample's CSV via its adapter)
    validate   for each table, its incoherent rows (``bad_*``) and the rest (``ok_*``)
    shape      members, claim lines with their claim (``items``), conditions
    write      one member-sorted stream per resource type, and the statement
    index      ``index.parquet``, ``manifest.json``, ``problems.csv``
"""

# ruff: noqa: S608  (SQL is built from this package's constants; values go through sql.lit)

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from carnet.restitution import fhir_package as fhir
from carnet.restitution import relations as r
from carnet.restitution import statement
from carnet.restitution import validate as v
from carnet.restitution.index import MANIFEST, MemberPackage, extract_member, write_index, write_manifest
from carnet.restitution.inputs import InputTable, RestitutionError, locate
from carnet.restitution.report import RestitutionReport, counts_sql, problems_of
from carnet.restitution.shards import BLOCK_SIZE, StreamSpec

#: members per shard: a shard file per stream holds this many members' packages
MEMBERS_PER_SHARD = 5_000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Step:
    """A named relation; ``keep``: materialised (read more than once).

    A step with an ``order`` is a stream source: engines read it shard by
    shard (``shard`` is its first order column), sorted. ``frees``: kept
    steps that no later step reads, which engines may drop once this one ran.
    ``labels``: reads the code labels (the ``labels`` table is added before the
    first such step, so that it is built while the engine runs the others).
    """

    name: str
    sql: str
    order: tuple[str, ...] = ()
    keep: bool = False
    frees: tuple[str, ...] = ()
    labels: bool = False


@dataclass(frozen=True, slots=True)
class Stream:
    """The lines of one file family, built from ``source`` (``where`` it holds), in ``order``."""

    spec: StreamSpec
    source: str
    text: str
    order: tuple[str, ...]
    where: str | None = None


def steps(has_mutuelle: bool, per_shard: int = MEMBERS_PER_SHARD) -> tuple[Step, ...]:
    """The relational steps, in the order they run."""
    adherents = v.clean("MUT_ADH_R", "bad_adh") if has_mutuelle else r.ADHERENTS_FROM_BENEFICIARIES
    return (
        Step("bad_ben", v.beneficiary_rules(), keep=True),
        Step("ok_ben", v.clean("IR_BEN_R", "bad_ben")),
        Step("bad_adh", v.adherent_rules(), keep=True),
        Step("ok_adh", adherents),
        Step("members", r.members(per_shard), order=r.MEMBER_ORDER, keep=True),
        Step("prs_keys", v.prestation_keys(), keep=True),
        Step("prestations", r.prestations()),
        Step("bad_prs", v.prestation_rules(), keep=True),
        Step("ok_prs", v.clean("ER_PRS_F", "bad_prs", "prestations")),
        Step("details_keyed", v.detail_source(), keep=True),
        Step("bad_det", v.detail_rules(), keep=True, labels=True),
        Step("ok_det", v.clean_details()),
        Step("mut_keyed", v.mutuelle_source(), keep=True),
        Step("bad_mut", v.mutuelle_rules(), keep=True, frees=("prs_keys",)),
        Step("ok_mut", v.clean("MUT_PRS_F", "bad_mut", "mut_keyed")),
        Step("bad_imb", v.ald_rules(), keep=True, labels=True),
        Step("ok_imb", v.clean("IR_IMB_R", "bad_imb")),
        Step("problems", v.union([f"SELECT tbl, _row, reason FROM {b}" for b in v.BAD]), keep=True),
        Step("lines", r.lines(), keep=True, frees=("details_keyed", "mut_keyed"), labels=True),
        Step("claims", r.claims(), keep=True),
        Step("items", r.items(), order=r.ITEM_ORDER, frees=("lines", "claims")),
        Step("conditions", r.conditions(), order=r.CONDITION_ORDER, labels=True),
    )


def streams() -> tuple[Stream, ...]:
    """The package's file families, in package order (Patient first: it lists every member)."""
    ndjson = "ndjson"
    return (
        Stream(StreamSpec("Patient", ndjson), "members", fhir.patient(), r.MEMBER_ORDER),
        Stream(StreamSpec("Coverage", ndjson), "members", fhir.coverage(), r.MEMBER_ORDER),
        Stream(StreamSpec("Condition", ndjson), "conditions", fhir.condition(), r.CONDITION_ORDER),
        Stream(StreamSpec("ExplanationOfBenefit", ndjson), "items", fhir.explanation_of_benefit(), r.ITEM_ORDER),
        Stream(StreamSpec("MedicationDispense", ndjson), "items", fhir.medication_dispense(), r.ITEM_ORDER,
               "cip13 IS NOT NULL"),
        Stream(StreamSpec("Procedure", ndjson), "items", fhir.procedure(), r.ITEM_ORDER, "ccam IS NOT NULL"),
        Stream(StreamSpec("Immunization", ndjson), "items", fhir.immunization(), r.ITEM_ORDER, "vaccine"),
        Stream(StreamSpec("statement", "csv", statement.header()), "items", statement.statement_line(),
               r.ITEM_ORDER),
    )  # fmt: skip


class Engine(Protocol):
    """What the pipeline needs of an engine."""

    name: str

    def load(self, tables: dict[str, InputTable]) -> None: ...
    def add(self, name: str, table: pa.Table) -> None: ...
    def run(self, step: Step) -> None: ...
    def write(self, streams: Sequence[Stream], out: Path, block_size: int) -> dict[str, pa.Table]: ...
    def fetch(self, sql: str) -> pa.Table: ...
    def close(self) -> None: ...


@contextmanager
def open_engine(name: str, workdir: Path, memory_limit: str | None = None) -> Iterator[Engine]:
    """The engine called ``name`` (``duckdb`` or ``spark``), closed on exit.

    ``memory_limit`` (DuckDB only, e.g. ``"8GB"``): beyond it DuckDB spills to ``workdir``.
    """
    engine: Engine
    if name == "duckdb":
        from carnet.restitution.duckdb_engine import DuckDBEngine

        engine = DuckDBEngine(workdir, memory_limit=memory_limit)
    elif name == "spark":
        from carnet.restitution.spark_engine import SparkEngine

        if memory_limit is not None:
            raise RestitutionError("--memory-limit is DuckDB's; Spark's memory is set in its own configuration")
        engine = SparkEngine(workdir)
    else:
        raise RestitutionError(f"unknown engine {name!r} (duckdb or spark)")
    try:
        yield engine
    finally:
        engine.close()


def _prepare(out: Path) -> None:
    """An empty output folder, or one holding an earlier restitution (replaced)."""
    if out.exists() and any(out.iterdir()):
        if not (out / MANIFEST).is_file():
            raise RestitutionError(f"{out}: not empty and not an earlier restitution; choose another --out")
        for spec in (s.spec for s in streams()):
            shutil.rmtree(out / spec.name, ignore_errors=True)
        for name in (MANIFEST, "index.parquet", "problems.csv"):
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


@dataclass
class _Clock:
    progress: Progress | None
    total: int
    seconds: dict[str, float] = field(default_factory=dict)
    done: int = 0

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        if self.progress:
            self.progress(label, self.done, self.total)
        start = time.perf_counter()
        yield
        self.seconds[label] = round(time.perf_counter() - start, 3)
        self.done += 1


def restitute(
    input_dir: Path | str,
    out_dir: Path | str,
    engine: str = "duckdb",
    progress: Progress | None = None,
    *,
    members_per_shard: int = MEMBERS_PER_SHARD,
    block_size: int = BLOCK_SIZE,
    memory_limit: str | None = None,
) -> RestitutionReport:
    """Write every member's package from the tables in ``input_dir`` into ``out_dir``.

    ``input_dir`` holds the tables of :mod:`carnet.restitution.tables` as
    Parquet, or is the SNDS synthetic sample (CSV, read through its adapter).
    ``progress(label, done, total)`` is called before each step.
    ``memory_limit`` bounds DuckDB's memory (``"8GB"``, ``"500MB"``): beyond
    it, sorts and joins spill to a temporary folder; the packages are the same.
    """
    from carnet.restitution.codes import label_table
    from carnet.restitution.snds_sample import adapt, is_sample

    source, out = Path(input_dir), Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="carnet-restitute-") as tmp:
        work = Path(tmp)
        adapted: list[tuple[str, int, str]] = []
        if is_sample(source):
            adapted, source = adapt(source, work / "input"), work / "input"
        tables = locate(source)
        _prepare(out)
        plan, files = steps(bool(tables["MUT_ADH_R"].files), members_per_shard), streams()
        clock = _Clock(progress, 3 + len(plan))
        with open_engine(engine, work, memory_limit) as eng, ThreadPoolExecutor(1) as pool:
            labels: Future[pa.Table] | None = pool.submit(label_table)  # Python, while the engine works
            with clock.step("load"):
                eng.load(tables)
            for step in plan:
                with clock.step(step.name):
                    if step.labels and labels is not None:
                        eng.add("labels", labels.result())
                        labels = None
                    eng.run(step)
            with clock.step("write"):
                entries = eng.write(files, out, block_size)
            with clock.step("index"):
                shards = write_index(out, [s.spec for s in files], entries)
                write_manifest(out, [s.spec for s in files], shards, block_size)
                counts = eng.fetch(counts_sql()).to_pylist()[0]
                problems = problems_of(eng.fetch("SELECT tbl, _row, reason FROM problems"), adapted, out)
        return RestitutionReport.build(out, engine, counts, shards.num_rows, problems, clock.seconds)


__all__ = ["MemberPackage", "RestitutionError", "RestitutionReport", "extract_member", "restitute"]
