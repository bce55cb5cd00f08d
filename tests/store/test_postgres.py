"""PostgreSQL (hosted mode): the same import gives the same counts and a byte-identical FHIR export."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import psycopg
import pytest
from sqlalchemy import func, select

from carnet.ingest import ImportReport, import_paths
from carnet.store import Vault, create_vault, reader
from carnet.store import schema as s
from store.checks import export_digests
from store.fhirgen import bundle, household, observation, patient, person_files, words, write_json, write_ndjson

CARNET = Path(sys.executable).with_name("carnet")
pytestmark = pytest.mark.postgres


def _inputs(folder: Path) -> list[Path]:
    """Households of 14 resource types, plain files, and ids that sort differently by locale."""
    texts = words(3)
    paths = [write_json(folder / f"house{i}.json", bundle(household(f"h{i}", texts))) for i in range(3)]
    paths += person_files(folder / "plain", 4, 25, seed=3)
    pat = patient("Zoe.2", "Zoé", "Lefèvre")
    ids = ["a-2", "a1", "B", "b", "a.3", "A-1", "z", "Z0", "e-9", "E10"]
    mixed = [observation(i, pat, 70, day=n) for n, i in enumerate(ids)]
    paths.append(write_ndjson(folder / "mixed.ndjson", [pat, *mixed]))
    return paths


def _summary(vault: Vault, report: ImportReport) -> dict[str, object]:
    with vault.reading() as conn:
        count = func.count()
        tables = {t.name: conn.execute(select(count).select_from(t)).scalar_one() for t in s.metadata.sorted_tables}
        kinds = reader.counts_by_kind(conn)
        people = [(p.natural_key, p.given, p.family, p.birth_date, p.relationship) for p in reader.persons(conn)]
    files = [(Path(f.name).name, f.outcome.value, f.counts.read, f.counts.added, f.counts.duplicates,
              f.counts.rejected, f.counts.warnings) for f in report.files]
    return {"tables": tables, "kinds": kinds, "people": people, "files": files}


def _load(vault: Vault, paths: list[Path], out: Path) -> tuple[dict[str, object], dict[str, str]]:
    report = import_paths(vault, paths)
    assert not report.rejected_anything
    return _summary(vault, report), export_digests(vault, out)


def test_postgres_and_sqlcipher_agree(pg_url: str, vault: Vault, tmp_path: Path) -> None:
    paths = _inputs(tmp_path / "in")
    on_sqlite = _load(vault, paths, tmp_path / "sqlite")
    with create_vault(pg_url) as pg:
        on_pg = _load(pg, paths, tmp_path / "pg")
    assert on_pg[0] == on_sqlite[0]
    assert on_pg[1] == on_sqlite[1]
    assert len(on_sqlite[1]) == 14


@pytest.fixture
def pg_french_url(pg_url: str) -> Iterator[str]:
    """A database whose default collation is French (ICU), as a hosting provider in France would create."""
    base, name = pg_url.rsplit("/", 1)
    french = f"{name}_fr"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{french}" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE \'fr-FR\' '
                     "LOCALE 'C.UTF-8'")
    yield f"{base}/{french}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{french}" WITH (FORCE)')


def test_export_order_does_not_depend_on_the_database_locale(pg_french_url: str, vault: Vault, tmp_path: Path) -> None:
    paths = _inputs(tmp_path / "in")
    with psycopg.connect(pg_french_url) as conn:  # the locale really orders differently from bytes
        assert conn.execute("SELECT 'Observation/B' < 'Observation/a'").fetchone() == (False,)
    on_sqlite = _load(vault, paths, tmp_path / "sqlite")
    with create_vault(pg_french_url) as pg:
        on_pg = _load(pg, paths, tmp_path / "pg")
    assert on_pg[1] == on_sqlite[1]


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CARNET), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_cli_on_a_postgresql_url_needs_no_passphrase(pg_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("CARNET_PASSPHRASE", "CARNET_VAULT")}
    paths = _inputs(tmp_path / "in")
    assert _cli("people", "--vault", pg_url, env=env, cwd=tmp_path).returncode != 0  # no vault there yet
    done = _cli("init", "--vault", pg_url, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = _cli("import", "--vault", pg_url, "--json", *map(str, paths), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {f["outcome"] for f in orjson.loads(done.stdout)} == {"imported"}
    done = _cli("people", "--vault", pg_url, "--json", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(orjson.loads(done.stdout)) == 3 + 4 + 1
    done = _cli("export", "--vault", pg_url, "--out", str(tmp_path / "out"), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "out").glob("*.ndjson"))) == 14
    done = _cli("backup", "--vault", pg_url, "--out", str(tmp_path / "b.carnet"), env=env, cwd=tmp_path)
    assert done.returncode == 1 and len(done.stderr.splitlines()) == 1 and "pg_dump" in done.stderr
