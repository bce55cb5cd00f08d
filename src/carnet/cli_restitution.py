"""``carnet restitute``: the holder side, from claims tables to one package per member."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from carnet.errors import CarnetError

err = Console(stderr=True, soft_wrap=True)


def restitute(
    input_dir: Annotated[
        Path | None, typer.Option("--input", help="Claims tables (Parquet from carnet synth, or the SNDS CSV sample).")
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder of the packages (member-sorted shards + index).")
    ] = Path("packages"),
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark.")] = "duckdb",
    member: Annotated[
        str | None, typer.Option(help="Only extract this member's package from an existing --out.")
    ] = None,
    into: Annotated[Path | None, typer.Option("--to", help="With --member: write the package files here.")] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option("--memory-limit", help="DuckDB's memory cap, e.g. 8GB (beyond it, work spills to disk)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Write every member's package (FHIR R4 NDJSON + CSV statement), or extract one with --member."""
    from carnet.restitution.index import extract_member
    from carnet.restitution.pipeline import restitute as run

    if member is not None:
        package = extract_member(out_dir, member)
        if into is None:
            raise CarnetError("--member needs --to FOLDER to write the package into")
        written = package.write(into)
        if as_json:
            typer.echo(orjson.dumps([str(p) for p in written]).decode())
        else:
            for path in written:
                typer.echo(str(path))
        return
    if engine not in ("duckdb", "spark"):
        raise CarnetError(f"unknown engine {engine!r}: use duckdb or spark")
    if input_dir is None:
        raise CarnetError("--input FOLDER is needed (the claims tables)")
    if not input_dir.is_dir():
        raise CarnetError(f"{input_dir}: no such folder")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    # a bar only on a terminal: piped or logged, stderr holds only what went wrong
    with Progress(*columns, console=err, transient=True, disable=as_json or not err.is_terminal) as bar:
        task = bar.add_task("restitution", total=None)

        def progress(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total)

        report = run(input_dir, out_dir, engine, progress, memory_limit=memory_limit)
    if as_json:
        typer.echo(
            orjson.dumps(
                {
                    "members": report.members,
                    "claim_lines": report.claim_lines,
                    "lines": report.lines,
                    "resources": dict(report.resources),
                    "shards": report.shards,
                    "output_bytes": report.output_bytes,
                    "problems": report.problem_count,
                    "seconds": dict(report.seconds),
                }
            ).decode()
        )
    else:
        typer.echo(report.summary())


def register(app: typer.Typer) -> None:
    app.command("restitute")(restitute)
