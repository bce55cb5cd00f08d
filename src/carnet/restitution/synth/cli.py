"""``carnet synth``: a Typer command the main CLI registers.

Wire it with ``app.command("synth")(carnet.restitution.synth.cli.synth)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from carnet.restitution.synth.synthesis import synthesize


def synth(
    members: Annotated[int, typer.Option("--members", min=1, help="Number of members (people).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (one folder per table).")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same bytes.")] = 1,
    first_year: Annotated[int, typer.Option("--from", help="First year of care.")] = 2023,
    last_year: Annotated[int, typer.Option("--to", help="Last year of care.")] = 2026,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: CPUs).")] = None,
) -> None:
    """Synthesise a mutuelle's members and their claims (SNDS-shaped Parquet tables)."""
    console = Console(stderr=True)
    columns = (TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("chunks", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = synthesize(members, seed, out, (first_year, last_year), progress, workers)
    console.print(
        f"{report.members} members, {report.households} households, {report.lines} claim lines "
        f"({report.lines / report.members:.1f} per member) → {report.out} "
        f"in {report.seconds:.1f} s")
