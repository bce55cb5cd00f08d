"""The ``carnet`` command line (Typer + Rich). Errors are one clear line."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from carnet.config import Settings
from carnet.errors import CarnetError
from carnet.store import Vault, create_vault, open_vault
from carnet.store.engine import is_postgres

app = typer.Typer(
    help="Carnet — vos données de santé, chez vous. Your health data, back with you.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True, soft_wrap=True)  # an error stays one line, however long

VaultOpt = Annotated[str | None, typer.Option("--vault", help="Vault file or postgresql:// URL (env CARNET_VAULT).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _passphrase(target: str, confirm: bool = False) -> str | None:
    if is_postgres(target) or os.environ.get("CARNET_PASSPHRASE"):
        return os.environ.get("CARNET_PASSPHRASE")
    value: str = typer.prompt("Phrase de passe / passphrase", hide_input=True, confirmation_prompt=confirm)
    return value


def _open(vault: str | None) -> Vault:
    settings = Settings.from_env(vault)
    return open_vault(settings.vault, _passphrase(settings.vault))


def _print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode() + "\n")


@app.command()
def init(vault: VaultOpt = None) -> None:
    """Create a new encrypted vault."""
    settings = Settings.from_env(vault)
    create_vault(settings.vault, _passphrase(settings.vault, confirm=True)).close()
    out.print(f"Coffre créé / vault created: {settings.vault}")


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files, zips or bulk-export folders.")],
    vault: VaultOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import files into the vault; each file lands whole or not at all."""
    from carnet.ingest import import_paths

    with _open(vault) as v:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        # No refresh thread: the import forks an extraction worker, which a threaded process must not do.
        with Progress(*columns, console=err, transient=True, disable=as_json or not err.is_terminal,
                      auto_refresh=False) as bar:
            task = bar.add_task("import", total=None)

            def progress(name: str, done: int, total: int | None) -> None:
                bar.update(task, total=total, completed=done, description=Path(name).name[:40] or "done")
                bar.refresh()

            report = import_paths(v, paths, progress=progress)
    if as_json:
        _print_json(
            [
                {
                    "file": f.name,
                    "outcome": f.outcome.value,
                    "importer": f.importer,
                    "counts": {k: val for k, val in dataclasses.asdict(f.counts).items() if k != "problems"},
                    "problems": [dataclasses.asdict(p) for p in f.problems],
                }
                for f in report.files
            ]
        )
    else:
        table = Table("file", "outcome", "read", "added", "duplicates", "rejected", "warnings")
        for f in report.files:
            c = f.counts
            table.add_row(
                Path(f.name).name,
                f.outcome.value,
                str(c.read),
                str(c.added),
                str(c.duplicates),
                str(c.rejected),
                str(c.warnings),
            )
        out.print(table)
        for f in report.files:
            for p in f.problems[:20]:
                err.print(f"[yellow]{p.severity.value}[/] {p}", markup=True, highlight=False)
            if len(f.problems) > 20:
                err.print(f"… {len(f.problems) - 20} more problems in {f.name}")
    if report.rejected_anything:
        raise typer.Exit(2)


@app.command()
def people(vault: VaultOpt = None, as_json: JsonOpt = False) -> None:
    """The people of the household."""
    from carnet.store import reader

    with _open(vault) as v, v.reading() as conn:
        rows = reader.persons(conn)
        counts = reader.counts_by_person(conn)
    if as_json:
        _print_json([dataclasses.asdict(p) | {"records": counts.get(p.id, 0)} for p in rows])
        return
    table = Table("id", "name", "birth date", "sex", "relationship", "records")
    for p in rows:
        table.add_row(
            str(p.id), p.display_name, p.birth_date or "", p.sex or "", p.relationship or "", str(counts.get(p.id, 0))
        )
    out.print(table)


@app.command()
def relate(
    person_id: Annotated[int, typer.Argument(help="Person id (see carnet people).")],
    relationship: Annotated[str, typer.Argument(help="self, spouse, child, parent, sibling, other…")],
    vault: VaultOpt = None,
) -> None:
    """Say how someone is related to you."""
    from carnet.store.household import set_relationship

    with _open(vault) as v:
        set_relationship(v, person_id, relationship)
    out.print(f"{person_id}: {relationship}")


@app.command()
def timeline(
    person_id: Annotated[int, typer.Argument(help="Person id (see carnet people).")],
    kind: Annotated[list[str] | None, typer.Option(help="Only these kinds (repeat).")] = None,
    since: Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this date (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many items.")] = 50,
    vault: VaultOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A person's records, newest first, each with its source."""
    from carnet.store import reader

    with _open(vault) as v, v.reading() as conn:
        if reader.person(conn, person_id) is None:
            raise CarnetError(f"no person with id {person_id} (see: carnet people)")
        items = reader.timeline(conn, person_id, kind, since, until, limit)
    if as_json:
        _print_json([dataclasses.asdict(i) for i in items])
        return
    table = Table("date", "kind", "what", "value", "source")
    for i in items:
        value = f"{i.value_num:g} {i.value_unit or ''}".strip() if i.value_num is not None else (i.value_text or "")
        table.add_row(
            (i.date or "")[:10],
            i.kind,
            i.display or i.code or "",
            value,
            f"{i.source or ''} {Path(i.file_name).name}:{i.pointer}".strip(),
        )
    out.print(table)


@app.command()
def export(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write.")],
    fmt: Annotated[
        str, typer.Option("--format", help="fhir (NDJSON per resource type), csv, or originals (the imported files).")
    ] = "fhir",
    vault: VaultOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export everything: FHIR R4 NDJSON, CSV, or the original files as imported."""
    from carnet.export import export_csv, export_fhir, export_originals

    exports = {"fhir": export_fhir, "csv": export_csv, "originals": export_originals}
    if fmt not in exports:
        raise CarnetError(f"unknown format {fmt!r}: use fhir, csv or originals")
    with _open(vault) as v:
        counts = exports[fmt](v, out_dir)
    if as_json:
        _print_json(counts)
    else:
        for name, n in counts.items():
            out.print(f"{name}: {n}")


@app.command()
def backup(
    out_file: Annotated[Path, typer.Option("--out", help="Backup file to create.")],
    vault: VaultOpt = None,
) -> None:
    """Back up the vault while it is in use; the copy opens with the same passphrase."""
    from carnet.store.backup import backup as run_backup

    with _open(vault) as v:
        size = run_backup(v, out_file)
    out.print(f"{out_file}: {size} bytes, integrity ok")


@app.command()
def restore(
    backup_file: Annotated[Path, typer.Argument(help="A backup made by carnet backup.")],
    to: Annotated[Path, typer.Option("--to", help="New vault path.")],
) -> None:
    """Check a backup and restore it to a new vault file."""
    from carnet.store.backup import restore as run_restore

    with open_vault(str(backup_file), _passphrase(str(backup_file)), migrate=False) as b:
        assert b.key_pragma is not None
        run_restore(backup_file, to, b.key_pragma)
    out.print(f"{to}: restored, integrity ok")


@app.command()
def serve(
    vault: VaultOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8765,
) -> None:
    """Serve the web app on this machine (loopback only unless CARNET_PUBLIC_BASE_URL names the public address)."""
    settings = Settings.from_env(vault)
    v = _open(vault)
    out.print(f"Carnet: http://{host}:{port}/")
    _run_server(v, host, port, settings.public_base_url)


def _run_server(vault: Vault, host: str, port: int, public_base_url: str | None = None) -> None:
    import uvicorn

    from carnet.web.app import serving_app

    application = serving_app(vault, public_base_url=public_base_url)
    uvicorn.run(application, host=host, port=port, log_level="warning", server_header=False)


DEMO_VAULT = Path("demo") / "household.carnet"
DEMO_PASSPHRASE = "demo-carnet"  # noqa: S105  (the demo vault holds synthetic data only)


@app.command()
def demo(
    vault: Annotated[Path, typer.Option("--vault", help="Where to put the demo vault.")] = DEMO_VAULT,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8765,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the vault, don't serve it.")] = False,
) -> None:
    """Build a demo household (synthetic) in a local vault and serve it."""
    from carnet.demo.build import build_demo

    passphrase = os.environ.get("CARNET_PASSPHRASE") or DEMO_PASSPHRASE
    v = build_demo(vault, passphrase, progress=lambda msg: err.print(msg, highlight=False, markup=False))
    out.print(f"Coffre de démonstration / demo vault: {vault} (passphrase: {passphrase})")
    if no_serve:
        v.close()
        return
    out.print(f"Carnet: http://{host}:{port}/")
    _run_server(v, host, port)


from carnet.restitution.synth.cli import synth  # noqa: E402  (holder side: synthetic population)

app.command("synth")(synth)
from carnet.cli_restitution import register as register_restitution  # noqa: E402  (holder side: packages)

register_restitution(app)
from carnet.cli_emergency import register as register_emergency  # noqa: E402  (scenario 2: emergency, share, access-log)

register_emergency(app)
from carnet.cli_budget import register as register_budget  # noqa: E402  (scenario 1: budget, quote)

register_budget(app)


def main() -> None:
    """Entry point: a CarnetError is one line on stderr and exit 1; no tracebacks."""
    try:
        code = app(standalone_mode=False)  # a typer.Exit (e.g. exit 2 of import) comes back as a return value
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # a usage error: unknown command, bad or missing option
        if type(exc).__name__ != "NoArgsIsHelpError":  # that one has printed the help (as Typer checks it)
            err.print(f"carnet: {exc.format_message()}", highlight=False, markup=False)
        sys.exit(exc.exit_code)
    except CarnetError as exc:
        err.print(f"carnet: {exc}", highlight=False, markup=False)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("carnet: interrupted", highlight=False, markup=False)
        sys.exit(130)
    except Exception as exc:  # last-resort handler: no stack trace for users
        if os.environ.get("CARNET_DEBUG"):
            raise
        err.print(
            f"carnet: unexpected error ({type(exc).__name__}: {exc}); set CARNET_DEBUG=1 for details",
            highlight=False,
            markup=False,
        )
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)
