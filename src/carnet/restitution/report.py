"""What a restitution did: counts, files, and the incoherent rows it left out.

Every problem goes to ``problems.csv`` in the output folder (table, row,
reason, sorted); the report keeps the first :data:`KEPT` and the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from carnet.model.values import Problem

KEPT = 200
PROBLEMS = "problems.csv"

#: resource counts: (resource type, SQL count over the pipeline's steps)
_COUNTS = {
    "claim_lines": "SELECT count(*) FROM ER_PRS_F",
    "lines": "SELECT count(*) FROM items",
    "members": "SELECT count(DISTINCT member_id) FROM members",
    "Patient": "SELECT count(*) FROM members",
    "Coverage": "SELECT count(*) + count(CONTRACT_ID) FROM members",
    "Condition": "SELECT count(*) FROM conditions",
    "ExplanationOfBenefit": "SELECT count(*) FROM items WHERE _row = claim_row",
    "MedicationDispense": "SELECT count(*) FROM items WHERE cip13 IS NOT NULL",
    "Procedure": "SELECT count(*) FROM items WHERE ccam IS NOT NULL",
    "Immunization": "SELECT count(*) FROM items WHERE vaccine",
}


def counts_sql() -> str:
    """One row of counts, one column per key of :data:`_COUNTS`."""
    return "SELECT " + ", ".join(f"({sql}) AS {name}" for name, sql in _COUNTS.items())


@dataclass(frozen=True)
class Problems:
    total: int
    first: tuple[Problem, ...]


def problems_of(found: pa.Table, extra: Sequence[tuple[str, int, str]], out: Path) -> Problems:
    """Sort the problems (and ``extra`` ones), write them to ``problems.csv``, keep the first ones."""
    more = pa.table(
        {n: list(c) for n, c in zip(("tbl", "_row", "reason"), zip(*extra, strict=True), strict=True)}
        if extra
        else {"tbl": [], "_row": [], "reason": []},
        schema=pa.schema([("tbl", pa.string()), ("_row", pa.int64()), ("reason", pa.string())]),
    )
    both = pa.concat_tables([found.cast(more.schema), more])
    table = both.rename_columns(["table", "row", "reason"]).sort_by(
        [("table", "ascending"), ("row", "ascending"), ("reason", "ascending")]
    )
    pacsv.write_csv(table, out / PROBLEMS)
    first = table.slice(0, KEPT).to_pylist()
    return Problems(table.num_rows, tuple(Problem(p["table"], f"row {p['row']}", p["reason"]) for p in first))


@dataclass(frozen=True)
class RestitutionReport:
    """The outcome of :func:`carnet.restitution.pipeline.restitute`."""

    out_dir: Path
    engine: str
    members: int
    claim_lines: int  #: prestation rows read (ER_PRS_F)
    lines: int  #: claim lines restituted (in the packages)
    resources: Mapping[str, int]  #: FHIR resources written, by type
    shards: int
    output_bytes: int
    problem_count: int  #: incoherent rows reported (one per broken rule), adapter notes included
    problems: tuple[Problem, ...]  #: the first :data:`KEPT` of them
    seconds: Mapping[str, float]  #: wall time of each step

    @classmethod
    def build(
        cls,
        out: Path,
        engine: str,
        counts: Mapping[str, Any],
        shards: int,
        found: Problems,
        seconds: Mapping[str, float],
    ) -> RestitutionReport:
        types = (
            "Patient",
            "Coverage",
            "Condition",
            "ExplanationOfBenefit",
            "MedicationDispense",
            "Procedure",
            "Immunization",
        )
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        return cls(out, engine, int(counts["members"]), int(counts["claim_lines"]), int(counts["lines"]),
                   {t: int(counts[t]) for t in types}, shards, size, found.total, found.first,
                   dict(seconds))  # fmt: skip

    def summary(self) -> str:
        """A few lines for the CLI."""
        lines = [
            f"{self.members} members, {self.lines} of {self.claim_lines} claim lines restituted "
            f"({self.engine}, {sum(self.seconds.values()):.1f} s)",
            "resources: " + ", ".join(f"{t} {n}" for t, n in self.resources.items()),
            f"{self.shards} shards, {self.output_bytes / 1e6:.1f} MB in {self.out_dir}",
        ]
        if self.problem_count:
            lines.append(f"{self.problem_count} incoherent rows reported and skipped ({PROBLEMS}):")
            lines += [f"  {p}" for p in self.problems[:10]]
        return "\n".join(lines)
