"""``carnet budget …`` and ``carnet quote`` end to end, with ``--json``; errors are one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from carnet.cli import app, main
from carnet.store import create_vault

from .household import write_household

PASSPHRASE = "budget cli passphrase"
TODAY = date(2026, 1, 15)
CARNET = Path(sys.executable).with_name("carnet")


@pytest.fixture(scope="module")
def vault_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = str(tmp_path_factory.mktemp("budget-cli") / "v.carnet")
    with create_vault(path, PASSPHRASE) as v:
        write_household(v, TODAY)
    yield path


def run(vault: str, *args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--vault", vault],
                                env={"CARNET_PASSPHRASE": PASSPHRASE, "CARNET_VAULT": "", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result


def as_json(vault: str, *args: str) -> Any:
    return json.loads(run(vault, *args, "--json").stdout)


def test_budget_totals_per_currency(vault_path: str) -> None:
    found = as_json(vault_path, "budget", "--year", "2025", "--by", "category", "--today", TODAY.isoformat())
    assert found["by"] == "category" and found["year"] == "2025" and found["person_id"] is None
    assert {t["currency"] for t in found["totals"]} == {"EUR", "USD"}
    usd = next(t for t in found["totals"] if t["currency"] == "USD")
    assert (usd["charged"], usd["oop"]) == ("150.00", "20.00")
    eur = next(t for t in found["totals"] if t["currency"] == "EUR")
    assert eur["oop"] != usd["oop"] and set(eur) >= {"charged", "amo", "amc", "fixed", "overbilling", "oop"}
    camille = as_json(vault_path, "budget", "Camille", "--by", "year", "--today", TODAY.isoformat())
    assert camille["person_id"] == 1 and [r["key"] for r in camille["rows"]] == ["2024", "2025"]
    table = run(vault_path, "budget", "1", "--year", "2025", "--today", TODAY.isoformat()).stdout
    assert "Budget — Camille Martin — 2025" in table


def test_explain_pending_forecast(vault_path: str) -> None:
    x = as_json(vault_path, "budget", "explain", "1")
    assert x["source"] == "stored" and x["line"]["category"] == "gp" and x["why"] == [
        {"part": "fixed", "amount": "2.00"}]
    pending = as_json(vault_path, "budget", "pending", "--today", TODAY.isoformat())
    assert {(p["payer"], p["line"]["act"]) for p in pending} >= {("amo", "Consultation pédiatre")}
    assert all(p["currency"] == "EUR" for p in pending)
    fit = as_json(vault_path, "budget", "forecast", "--today", TODAY.isoformat())
    assert fit["months"][0] == "2026-02" and len(fit["months"]) == 12
    (eur,) = [h for h in fit["household"] if h["currency"] == "EUR"]
    assert float(eur["low"]) <= float(eur["total"]) <= float(eur["high"])
    assert any(r["category"] == "optics" and r["person_id"] == 1 for r in fit["renewals"])
    assert any(s["act"] == "Metformine 1000 mg" for s in fit["recurring"])


def test_settings_then_alerts(vault_path: str) -> None:
    run(vault_path, "budget", "ceiling", "set", "10", "--person", "Julien")
    run(vault_path, "budget", "contract", "set", "niveau-2-confort")
    run(vault_path, "budget", "upcoming", "add", "Léa", "--month", "2026-04", "--oop", "120,50", "--category",
        "dental", "--label", "Orthodontie")
    fit = as_json(vault_path, "budget", "forecast", "--today", TODAY.isoformat())
    (alert,) = fit["alerts"]
    assert (alert["person_id"], alert["ceiling"], alert["flagged"]) == (2, "10.00", True)
    assert fit["upcoming"] == [{"person_id": 3, "month": "2026-04", "category": "dental", "oop": "120.50",
                                "label": "Orthodontie", "currency": "EUR"}]
    run(vault_path, "budget", "ceiling", "clear", "--person", "2")
    run(vault_path, "budget", "upcoming", "clear", "3")
    assert as_json(vault_path, "budget", "forecast", "--today", TODAY.isoformat())["alerts"] == []


def test_compare_with_a_contract_of_mine(vault_path: str, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(Path("src/carnet/rules/contracts/niveau-1-essentiel.yaml").read_text(encoding="utf-8")
                    .replace("id: niveau-1-essentiel", "id: ma-mutuelle").replace("adult: 480.00", "adult: 300.00"),
                    encoding="utf-8")
    found = as_json(vault_path, "budget", "compare", "--contract", str(mine), "--from", "2025-01-01",
                    "--to", "2026-01-01", "--today", TODAY.isoformat())
    ids = [c["id"] for c in found["contracts"]]
    assert "ma-mutuelle" in ids and "c2s" not in ids and found["warnings"] == []
    assert [c["rank"] for c in found["contracts"]] == list(range(1, len(ids) + 1))
    nets = [float(c["net"]) for c in found["contracts"]]
    assert nets == sorted(nets) and found["skipped"] == {"currency": 1}
    assert ids.index("ma-mutuelle") < ids.index("niveau-1-essentiel")  # same cover, cheaper premium


def test_quote(vault_path: str) -> None:
    found = as_json(vault_path, "quote", "--kind", "act", "--fee", "60", "--sector", "2", "--contract",
                    "niveau-3-renforce", "--date", "2025-03-04", "--person", "1")
    assert (found["amo"], found["mutuelle"], found["oop"]) == ("14.10", "29.90", "16.00")
    crown = as_json(vault_path, "quote", "--kind", "crown", "--fee", "800", "--contract", "niveau-1-essentiel",
                    "--date", "2025-03-04")
    assert (crown["amo"], crown["mutuelle"], crown["oop"]) == ("72.00", "78.00", "650.00")
    text = run(vault_path, "quote", "--kind", "glasses", "--fee", "450", "--date", "2025-03-04").stdout
    assert "Assurance Maladie" in text and "You pay" in text


def carnet(vault: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARNET_")} | {"CARNET_PASSPHRASE": PASSPHRASE}
    return subprocess.run([str(CARNET), *args, "--vault", vault], env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_an_error_reaches_the_terminal_as_one_line(vault_path: str) -> None:
    done = carnet(vault_path, "budget", "explain", "99999")
    assert (done.returncode, done.stderr) == (1, "carnet: no claim line with id 99999\n")


@pytest.mark.parametrize(("args", "words"), [
    (("budget", "compare", "--contract", "{bad}"), "bad.yaml: guarantees[a].when.category: unknown category"),
    (("budget", "Nobody"), "nobody named 'Nobody'"),
    (("budget", "--by", "week"), "--by: use month"),
    (("budget", "contract", "set", "nope"), "unknown contract 'nope'"),
    (("quote", "--kind", "glasses", "--fee", "abc"), "--fee: 'abc' is not an amount"),
    (("quote", "--kind", "glasses", "--fee", "50", "--frame", "80"), "the frame costs more than the whole quote"),
])
def test_errors_are_one_clear_line(vault_path: str, tmp_path: Path, args: tuple[str, ...], words: str,
                                   monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: X\nsource: s\nguarantees:\n  - {id: a, label: A, when: {category: dentist}, "
                   "percent_br: 100}\n", encoding="utf-8")
    monkeypatch.setenv("CARNET_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(sys, "argv", ["carnet", *(a.format(bad=bad) for a in args), "--vault", vault_path])
    with pytest.raises(SystemExit) as exit_:
        main()
    lines = capsys.readouterr().err.splitlines()
    assert exit_.value.code == 1 and len(lines) == 1 and lines[0].startswith("carnet: ") and words in lines[0]
