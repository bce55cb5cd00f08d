"""``carnet emergency``, ``carnet share`` and ``carnet access-log`` end to end (CliRunner).

The CLI derives the vault key with the real Argon2id cost (~150 ms a command).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from carnet.cli import app
from carnet.emergency.shl import parse_link
from carnet.store import create_vault
from store.checks import PASSPHRASE

from .emergency_helpers import household_records, seed

ENV = {"CARNET_PASSPHRASE": PASSPHRASE, "CARNET_PUBLIC_BASE_URL": "https://carnet.example", "CARNET_DEBUG": ""}


@pytest.fixture(scope="module")
def vault_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("cli-emergency") / "v.carnet"
    with create_vault(str(path), PASSPHRASE) as v:
        seed(v, household_records())
    yield str(path)


def run(vault: str, *args: str) -> Result:
    result = CliRunner().invoke(app, [*args, "--vault", vault], env=ENV)
    return result


def test_show_set_and_the_overrides(vault_path: str) -> None:
    shown = run(vault_path, "emergency", "show", "1", "--json")
    assert shown.exit_code == 0, shown.output
    profile = json.loads(shown.stdout)
    allergy = next(i for i in profile["items"] if i["label"] == "Arachide")
    assert allergy["source"] == "Test holder" and allergy["section"] == "allergies"
    done = run(vault_path, "emergency", "set", "1", "--contact", "Paul Lefèvre;06 12 34 56 78;époux",
               "--trusted-person", "Anne Roux;06 00 00 00 01", "--directives", "Pas d'acharnement",
               "--directives-location", "Chez le notaire", "--organ-donation", "yes", "--doctor", "Dr Martin;04 78",
               "--note", "Porte des lentilles")  # fmt: skip
    assert done.exit_code == 0, done.output
    record = str(allergy["record_ids"][0])
    assert run(vault_path, "emergency", "hide", record).exit_code == 0
    after = json.loads(run(vault_path, "emergency", "show", "1", "--json").stdout)
    assert [i["label"] for i in after["hidden"]] == ["Arachide"]
    assert after["entered"]["contacts"] == [{"name": "Paul Lefèvre", "phone": "06 12 34 56 78", "relation": "époux"}]
    assert after["entered"]["organ_donation"] == "yes" and after["entered"]["doctor"]["name"] == "Dr Martin"
    fixed = run(vault_path, "emergency", "correct", record, "--label", "Arachide et noix", "--detail", "urticaire")
    assert fixed.exit_code == 0, fixed.output
    corrected = json.loads(run(vault_path, "emergency", "show", "1", "--json").stdout)
    item = next(i for i in corrected["items"] if i["label"] == "Arachide et noix")
    assert item["state"] == "corrected" and item["detail"] == "urticaire"
    table = run(vault_path, "emergency", "show", "1")
    assert table.exit_code == 0 and "Arachide et" in table.stdout and "Test holder" in table.stdout
    assert run(vault_path, "emergency", "confirm", record).exit_code == 0
    assert run(vault_path, "emergency", "reset", record).exit_code == 0
    assert "Arachide et noix" not in run(vault_path, "emergency", "show", "1").stdout
    bad = run(vault_path, "emergency", "set", "1", "--organ-donation", "maybe")
    assert bad.exit_code != 0


def test_ips_and_card_files(vault_path: str, tmp_path: Path) -> None:
    ips = tmp_path / "ips.json"
    assert run(vault_path, "emergency", "ips", "1", "--out", str(ips), "--lang", "en").exit_code == 0
    bundle = json.loads(ips.read_text(encoding="utf-8"))
    assert bundle["type"] == "document" and bundle["entry"][0]["resource"]["language"] == "en"
    for fmt in ("wallet", "a4"):
        card = tmp_path / f"card-{fmt}.pdf"
        result = run(vault_path, "emergency", "card", "1", "--lang", "fr", "--format", fmt, "--out", str(card))
        assert result.exit_code == 0, result.output
        assert card.read_bytes().startswith(b"%PDF-")
    assert run(vault_path, "emergency", "card", "1", "--format", "poster", "--out", str(tmp_path / "x")).exit_code


def test_share_create_list_revoke_and_the_access_log(vault_path: str) -> None:
    created = run(vault_path, "share", "create", "1", "--label", "Urgence", "--expires", "7d", "--passcode", "2468",
                  "--flags", "L")  # fmt: skip
    assert created.exit_code == 0, created.output
    viewer = next(line for line in created.stdout.splitlines() if "#shlink:/" in line)
    assert viewer.startswith("https://carnet.example/shl/view#shlink:/")
    payload = parse_link(viewer)
    assert payload.flag == "LP" and payload.url.startswith("https://carnet.example/shl/") and len(payload.key) == 43
    assert "█" in created.stdout or "▀" in created.stdout  # the terminal QR code
    listed = json.loads(run(vault_path, "share", "list", "--json").stdout)
    mine = next(k for k in listed if payload.url.endswith(k["id"]))
    assert mine["state"] == "allowed" and mine["has_passcode"] and mine["flags"] == "LP"
    assert payload.key not in json.dumps(listed)
    revoked = run(vault_path, "share", "revoke", mine["handle"])
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    again = json.loads(run(vault_path, "share", "list", "--json").stdout)
    assert next(k for k in again if k["id"] == mine["id"])["state"] == "revoked"
    log = run(vault_path, "access-log", "--json")
    assert log.exit_code == 0 and json.loads(log.stdout) == []
    wrong = run(vault_path, "share", "create", "1", "--label", "x", "--flags", "UP", "--passcode", "1234")
    assert wrong.exit_code != 0
