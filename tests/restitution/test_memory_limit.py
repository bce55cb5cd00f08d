"""``--memory-limit``: DuckDB bounded, the same packages, clear errors for what cannot work."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carnet.cli import app, main
from carnet.restitution.inputs import RestitutionError
from carnet.restitution.pipeline import restitute

from .conftest import SMALL


def _digests(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}  # fmt: skip


def test_a_memory_limit_gives_the_same_packages(population_input: Path, population_run: Path, tmp_path: Path) -> None:
    bounded = tmp_path / "bounded"
    restitute(population_input, bounded, memory_limit="64MB", **SMALL)  # type: ignore[arg-type]
    assert _digests(bounded) == _digests(population_run)


def test_an_unreadable_limit_is_one_clear_error(population_input: Path, tmp_path: Path) -> None:
    with pytest.raises(RestitutionError, match="DuckDB refused its settings"):
        restitute(population_input, tmp_path / "out", memory_limit="lots")


def test_spark_refuses_the_duckdb_limit(population_input: Path, tmp_path: Path) -> None:
    with pytest.raises(RestitutionError, match="DuckDB's"):
        restitute(population_input, tmp_path / "out", engine="spark", memory_limit="1GB")


def test_the_cli_passes_the_limit_on(population_input: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["restitute", "--input", str(population_input), "--out", str(tmp_path / "out"),
                             "--memory-limit", "128MB", "--json"])
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.stdout)
    assert report["members"] > 0 and report["claim_lines"] > 0
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_an_unreadable_limit_on_the_command_line_is_one_line(population_input: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["carnet", "restitute", "--input", str(population_input), "--out",
                                      str(tmp_path / "bad"), "--memory-limit", "lots"])
    with pytest.raises(SystemExit) as exit_:
        main()
    lines = capsys.readouterr().err.splitlines()
    assert exit_.value.code == 1 and len(lines) == 1
    assert lines[0].startswith("carnet: DuckDB refused its settings")
