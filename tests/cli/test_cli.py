"""§7: every ``carnet`` command end to end; errors are one line, never a traceback.

Happy paths run in-process (``CliRunner``); error paths run the installed
``carnet`` script so that what reaches the terminal is checked as a person sees it.
The CLI derives keys with the real Argon2id cost (~150 ms per command).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from carnet.cli import app
from carnet.store import open_vault
from carnet.store import schema as s
from store.checks import PASSPHRASE, tree_digests
from store.fhirgen import bundle, household, observation, patient, words, write_json, write_ndjson

CARNET = Path(sys.executable).with_name("carnet")
ENV = {"CARNET_PASSPHRASE": PASSPHRASE, "CARNET_VAULT": "", "CARNET_DEBUG": ""}


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=ENV | (env or {}), input=input)


def carnet(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed script, as a person runs it (``main()`` turns errors into one line)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("CARNET_")} | {"CARNET_PASSPHRASE": PASSPHRASE}
    return subprocess.run([str(CARNET), *args], env=full | (env or {}), cwd=cwd, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def assert_one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode not in (0, 70), (done.returncode, done.stderr)  # 70: an unexpected exception
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("carnet: ")
    assert "Traceback" not in done.stderr + done.stdout
    for word in words:
        assert word in lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A vault made with ``carnet init`` holding two households (bundle and NDJSON)."""
    folder = tmp_path_factory.mktemp("cli")
    texts = words(5)
    write_json(folder / "in" / "family.json", bundle(household("me", texts) + household("kid", texts)))
    write_ndjson(folder / "in" / "bulk.ndjson", household("gran", texts, n_obs=6))
    vault = folder / "v.carnet"
    result = run("init", "--vault", str(vault))
    assert result.exit_code == 0, result.output
    result = run("import", "--vault", str(vault), *(str(folder / "in" / n) for n in ("family.json", "bulk.ndjson")))
    assert result.exit_code == 0, result.output
    yield folder


def test_init_asks_for_the_passphrase_twice_without_the_env(tmp_path: Path) -> None:
    vault = tmp_path / "v.carnet"
    result = run("init", "--vault", str(vault), input="s3cret phrase\ns3cret phrase\n", env={"CARNET_PASSPHRASE": ""})
    assert result.exit_code == 0, result.output
    with open_vault(str(vault), "s3cret phrase"):
        pass
    assert run("people", "--vault", str(vault), input="wrong\n", env={"CARNET_PASSPHRASE": ""}).exit_code != 0


def test_init_then_import_json_report(tmp_path: Path) -> None:
    vault = tmp_path / "v.carnet"
    assert run("init", "--vault", str(vault)).exit_code == 0
    source = write_json(tmp_path / "a.json", bundle(household("a", words(1))))
    result = run("import", "--vault", str(vault), "--json", str(source))
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)
    assert entry["outcome"] == "imported" and entry["importer"] == "fhir"
    c = entry["counts"]
    assert c["read"] == c["added"] == 16 and c["duplicates"] == c["rejected"] == 0
    again = json.loads(run("import", "--vault", str(vault), "--json", str(source)).stdout)
    assert again[0]["outcome"] == "already imported"


def test_people_and_timeline_json(home: Path) -> None:
    vault = str(home / "v.carnet")
    result = run("people", "--vault", vault, "--json")
    assert result.exit_code == 0, result.output
    people = json.loads(result.stdout)
    assert sorted(p["natural_key"] for p in people) == ["Patient/gran", "Patient/kid", "Patient/me"]
    assert all(p["records"] > 0 for p in people)
    gran = next(p for p in people if p["natural_key"] == "Patient/gran")
    result = run("timeline", str(gran["id"]), "--vault", vault, "--json", "--limit", "100")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert len(items) == gran["records"]
    assert sum(1 for i in items if i["kind"] == "observation") == 6
    dates = [i["date"] for i in items if i["date"]]
    assert dates == sorted(dates, reverse=True)  # newest first
    only = json.loads(run("timeline", str(gran["id"]), "--vault", vault, "--json", "--kind", "observation").stdout)
    assert {i["kind"] for i in only} == {"observation"} and len(only) == 6
    table = run("timeline", str(gran["id"]), "--vault", vault)
    assert table.exit_code == 0 and "bulk.ndjson" in table.stdout


def test_export_fhir_and_csv(home: Path, tmp_path: Path) -> None:
    vault = str(home / "v.carnet")
    result = run("export", "--vault", vault, "--out", str(tmp_path / "fhir"), "--json")
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert counts["Observation"] == 3 + 3 + 6 and counts["Patient"] == 3 and len(counts) == 14
    assert {p.name for p in (tmp_path / "fhir").iterdir()} == {f"{t}.ndjson" for t in counts}
    result = run("export", "--vault", vault, "--out", str(tmp_path / "csv"), "--format", "csv")
    assert result.exit_code == 0, result.output
    with (tmp_path / "csv" / "records.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == sum(counts.values())
    assert {r["person"] for r in rows if r["kind"] == "observation"} == {"Patient/me", "Patient/kid", "Patient/gran"}


def test_export_originals_gives_back_every_file_byte_for_byte(home: Path, tmp_path: Path) -> None:
    vault = str(home / "v.carnet")
    out = tmp_path / "originals"
    result = run("export", "--vault", vault, "--out", str(out), "--format", "originals", "--json")
    assert result.exit_code == 0, result.output
    imported = {name: (home / "in" / name).read_bytes() for name in ("family.json", "bulk.ndjson")}
    assert json.loads(result.stdout) == {"originals": 2, "bytes": sum(map(len, imported.values()))}
    assert {p.name for p in out.iterdir()} == {*imported, "originals.csv"}
    for name, data in imported.items():
        assert (out / name).read_bytes() == data
    with (out / "originals.csv").open(newline="", encoding="utf-8") as fh:
        manifest = {row["file"]: row for row in csv.DictReader(fh)}
    for name, data in imported.items():
        assert manifest[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert int(manifest[name]["size"]) == len(data)
        assert manifest[name]["imported_as"].endswith(name)
    assert run("export", "--vault", vault, "--out", str(out), "--format", "pdf").exit_code != 0


def test_backup_and_restore(home: Path, tmp_path: Path) -> None:
    vault = str(home / "v.carnet")
    out = tmp_path / "b.carnet"
    result = run("backup", "--vault", vault, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.stdout
    before = hashlib.sha256(out.read_bytes()).hexdigest()
    restored = tmp_path / "restored.carnet"
    result = run("restore", str(out), "--to", str(restored))
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before  # restoring leaves the backup as it was
    for source, name in ((vault, "e1"), (str(restored), "e2")):
        assert run("export", "--vault", source, "--out", str(tmp_path / name)).exit_code == 0
    assert tree_digests(tmp_path / "e1") == tree_digests(tmp_path / "e2")
    refused = carnet("restore", str(out), "--to", str(restored), cwd=tmp_path)
    assert_one_line_error(refused, "already exists")
    refused = carnet("backup", "--vault", vault, "--out", str(out), cwd=tmp_path)
    assert_one_line_error(refused, "already exists")


def test_relate(home: Path, tmp_path: Path) -> None:
    vault = str(home / "v.carnet")
    people = {p["natural_key"]: p for p in json.loads(run("people", "--vault", vault, "--json").stdout)}
    assert run("relate", str(people["Patient/kid"]["id"]), "child", "--vault", vault).exit_code == 0
    after = {p["natural_key"]: p["relationship"] for p in json.loads(run("people", "--vault", vault, "--json").stdout)}
    assert after["Patient/kid"] == "child"
    assert_one_line_error(carnet("relate", "999", "child", "--vault", vault, cwd=tmp_path), "999")
    assert_one_line_error(carnet("relate", str(people["Patient/kid"]["id"]), "cousin", "--vault", vault,
                                 cwd=tmp_path), "cousin")


def test_malformed_file_among_good_ones(tmp_path: Path) -> None:
    vault = tmp_path / "v.carnet"
    assert run("init", "--vault", str(vault)).exit_code == 0
    good = [write_json(tmp_path / "in" / f"good{i}.json", bundle(household(f"g{i}", words(i)))) for i in range(2)]
    pat = patient("bad")
    lines = [json.dumps(r) for r in (pat, observation("b1", pat, 70), observation("b2", pat, 71))]
    lines[2] = lines[2][:-7]  # line 3 is cut short
    bad = tmp_path / "in" / "bad.ndjson"
    bad.write_text("\n".join(lines) + "\n")
    bad_sha = hashlib.sha256(bad.read_bytes()).hexdigest()
    done = carnet("import", "--vault", str(vault), str(good[0]), str(bad), str(good[1]), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    problem = [line for line in done.stderr.splitlines() if "bad.ndjson" in line]
    assert len(problem) == 1 and "line 3" in problem[0] and "invalid JSON" in problem[0], done.stderr
    result = run("import", "--vault", str(vault), "--json", str(bad))
    assert result.exit_code == 2
    (entry,) = json.loads(result.stdout)
    assert entry["outcome"] == "rejected"
    (p,) = entry["problems"]
    assert p["file"] == str(bad) and p["position"].startswith("line 3") and p["reason"].startswith("invalid JSON")
    with open_vault(str(vault), PASSPHRASE) as v, v.reading() as conn:
        files = conn.execute(select(s.imports.c.file_name)).scalars().all()
        archived = conn.execute(select(s.archive.c.sha256)).scalars().all()
        keys = set(conn.execute(select(s.records.c.natural_key)).scalars())
        problems = conn.execute(select(s.problems.c.file)).scalars().all()
    assert sorted(files) == sorted(map(str, good))
    assert bad_sha not in archived and len(archived) == 2
    assert not {"Patient/bad", "Observation/b1"} & keys and {"Patient/g0", "Patient/g1"} <= keys
    assert problems == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["people", "--vault", "{tmp}/missing.carnet"], ["missing.carnet", "carnet init"]),
        (["import", "--vault", "{tmp}/missing.carnet", "{tmp}"], ["missing.carnet"]),
        (["export", "--vault", "{vault}", "--out", "{tmp}/x", "--format", "xlsx"], ["xlsx"]),
        (["init", "--vault", "{vault}"], ["already there"]),
        (["timeline", "42", "--vault", "{vault}"], ["42", "carnet people"]),
        (["restore", "{tmp}/no-backup.carnet", "--to", "{tmp}/r.carnet"], ["no-backup.carnet"]),
    ],
    ids=["missing-vault", "import-missing-vault", "bad-format", "init-over-vault", "no-such-person", "no-backup"],
)
def test_errors_are_one_line(tmp_path: Path, args: list[str], words: list[str]) -> None:
    vault = tmp_path / "v.carnet"
    assert run("init", "--vault", str(vault)).exit_code == 0
    done = carnet(*(a.format(tmp=tmp_path, vault=vault) for a in args), cwd=tmp_path)
    assert_one_line_error(done, *words)
    assert done.stdout == ""
    assert not (tmp_path / "x").exists() and not (tmp_path / "r.carnet").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["timeline", "not-a-number"], ["Invalid value"]),
        (["frobnicate"], ["No such command"]),
        (["export"], ["--out"]),
        (["people", "--bogus"], ["--bogus"]),
    ],
)
def test_usage_errors_are_one_line(tmp_path: Path, args: list[str], words: list[str]) -> None:
    done = carnet(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert_one_line_error(done, *words)


def test_no_arguments_shows_the_help(tmp_path: Path) -> None:
    done = carnet(cwd=tmp_path)
    assert "Usage" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert done.stderr == ""
