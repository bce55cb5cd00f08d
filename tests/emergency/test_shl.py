"""SMART Health Links served by Carnet: manifest, passcodes, expiry, revocation, U flag, access log."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from carnet.emergency import shl
from carnet.emergency.access import access_log, notifications
from carnet.emergency.links import MAX_FAILURES, create_link, get_link, revoke
from carnet.emergency.sharing import parse_expiry, share_summary
from carnet.errors import CarnetError
from carnet.store import Vault
from carnet.store import schema as s
from carnet.web import create_app
from live_server import LOCAL_CLIENT

from .emergency_helpers import PASSCODE, household_records, seed

BASE = "http://127.0.0.1"
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def client(vault: Vault) -> Iterator[TestClient]:
    seed(vault, household_records())
    with TestClient(create_app(vault), base_url=BASE, client=LOCAL_CLIENT) as c:
        yield c


def create(vault: Vault, **kw: object) -> shl.Payload:
    args: dict[str, object] = {
        "now": NOW,
        "base_url": BASE,
        "label": "Urgence Élise",
        "expires_at": NOW + dt.timedelta(days=30),
    }
    return share_summary(vault, 1, **(args | kw)).payload  # type: ignore[arg-type]


def path(payload: shl.Payload) -> str:
    return payload.url.removeprefix(BASE)


def link_id(payload: shl.Payload) -> str:
    return payload.url.rsplit("/", 1)[1]


def test_manifest_embeds_the_encrypted_summary(client: TestClient, vault: Vault) -> None:
    payload = create(vault)
    r = client.post(path(payload), json={"recipient": "SAMU 69"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.headers["access-control-allow-origin"] == "*" and r.headers["cache-control"] == "no-store"
    (file,) = r.json()["files"]
    assert file["contentType"] == "application/fhir+json" and file["fhirVersion"] == "4.0.1"
    header = json.loads(base64.urlsafe_b64decode(file["embedded"].split(".")[0] + "=="))
    assert header == {"alg": "dir", "enc": "A256GCM", "cty": "application/fhir+json"}
    bundle = orjson.loads(shl.decrypt(file["embedded"], shl.unb64url(payload.key)))
    assert bundle["type"] == "document" and "Allergie à la pénicilline" in json.dumps(bundle, ensure_ascii=False)


def test_every_encryption_draws_a_new_nonce(vault: Vault) -> None:
    key = shl.new_key()
    first, second = shl.encrypt(b"{}", key), shl.encrypt(b"{}", key)
    assert first.split(".")[2] != second.split(".")[2]


def test_passcode_missing_wrong_then_right(client: TestClient, vault: Vault) -> None:
    payload = create(vault, passcode=PASSCODE)
    assert payload.flag == "P"
    missing = client.post(path(payload), json={"recipient": "Urgences"})
    assert missing.status_code == 401 and missing.json() == {"remainingAttempts": MAX_FAILURES}
    wrong = client.post(path(payload), json={"recipient": "Urgences", "passcode": "0000"})
    assert wrong.status_code == 401 and wrong.json() == {"remainingAttempts": MAX_FAILURES - 1}
    assert wrong.headers["access-control-allow-origin"] == "*"
    right = client.post(path(payload), json={"recipient": "Urgences", "passcode": PASSCODE})
    assert right.status_code == 200 and right.json()["files"][0]["embedded"].count(".") == 4
    with vault.reading() as conn:
        assert get_link(conn, link_id(payload)).failures == 1  # counted over the link's whole life


def test_the_tenth_wrong_passcode_disables_the_link_for_good(client: TestClient, vault: Vault) -> None:
    payload = create(vault, passcode=PASSCODE)
    remaining = [
        client.post(path(payload), json={"recipient": "x", "passcode": f"bad{i}"}).json()["remainingAttempts"]
        for i in range(MAX_FAILURES)
    ]
    assert remaining == list(range(MAX_FAILURES - 1, -1, -1))
    assert client.post(path(payload), json={"recipient": "x", "passcode": PASSCODE}).status_code == 404
    assert client.post(path(payload), json={"recipient": "x", "passcode": "bad"}).status_code == 404
    with vault.reading() as conn:
        assert get_link(conn, link_id(payload)).failures == MAX_FAILURES


def test_expired_and_revoked_links_answer_404_at_once(client: TestClient, vault: Vault) -> None:
    expired, revoked = create(vault), create(vault)
    with vault.writing() as conn:
        conn.execute(
            update(s.shared_links)
            .where(s.shared_links.c.id == link_id(expired))
            .values(expires_at="2020-01-01T00:00:00Z")
        )
    assert client.post(path(revoked), json={"recipient": "a"}).status_code == 200
    with vault.writing() as conn:
        revoke(conn, link_id(revoked)[:10], dt.datetime.now(dt.UTC))
    for payload in (expired, revoked):
        r = client.post(path(payload), json={"recipient": "a"})
        assert r.status_code == 404 and r.headers["access-control-allow-origin"] == "*" and "files" not in r.json()
    with vault.reading() as conn:
        outcomes = [row.outcome for row in access_log(conn, 1)]
    assert outcomes[:2] == ["revoked", "expired"]
    unknown = "A" * 43
    assert client.post(f"/shl/{unknown}", json={"recipient": "a"}).status_code == 404
    assert client.post("/shl/short", json={"recipient": "a"}).status_code == 404


def test_u_flag_serves_the_file_directly_and_only_for_u_links(client: TestClient, vault: Vault) -> None:
    direct, manifest_only = create(vault, flags="U"), create(vault)
    r = client.get(path(direct), params={"recipient": "Hôpital Édouard-Herriot"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/jose"
    assert r.headers["access-control-allow-origin"] == "*"
    assert orjson.loads(shl.decrypt(r.text, shl.unb64url(direct.key)))["resourceType"] == "Bundle"
    assert client.get(path(direct)).status_code == 400  # recipient is required
    assert client.get(path(manifest_only), params={"recipient": "x"}).status_code == 404
    with vault.reading() as conn:
        rows = access_log(conn, 1)
    assert [(r.actor, r.action, r.outcome) for r in rows] == [("Hôpital Édouard-Herriot", "shl-direct", "allowed")]
    with pytest.raises(CarnetError, match="cannot be combined"):
        create(vault, flags="U", passcode=PASSCODE)


def test_a_small_embedded_length_gets_a_short_lived_location(client: TestClient, vault: Vault) -> None:
    payload = create(vault, passcode=PASSCODE)
    r = client.post(path(payload), json={"recipient": "Dr B", "passcode": PASSCODE, "embeddedLengthMax": 10})
    (file,) = r.json()["files"]
    assert "embedded" not in file and file["location"].startswith(f"{BASE}/shl/{link_id(payload)}/file/")
    got = client.get(file["location"].removeprefix(BASE))
    assert got.status_code == 200 and got.headers["content-type"] == "application/jose"
    assert shl.decrypt(got.text, shl.unb64url(payload.key)).startswith(b'{"resourceType":"Bundle"')
    tampered = file["location"][:-3] + ("AAA" if not file["location"].endswith("AAA") else "BBB")
    assert client.get(tampered.removeprefix(BASE)).status_code == 404
    with vault.writing() as conn:
        revoke(conn, link_id(payload), dt.datetime.now(dt.UTC))
    assert client.get(file["location"].removeprefix(BASE)).status_code == 404


def test_every_access_is_logged_and_notified_with_the_recipient(client: TestClient, vault: Vault) -> None:
    payload = create(vault, passcode=PASSCODE)
    client.post(path(payload), json={"recipient": "SAMU 69\nforged line\x1b[31m", "passcode": "nope"})
    client.post(path(payload), json={"recipient": "SAMU 69", "passcode": PASSCODE})
    with vault.reading() as conn:
        log = access_log(conn, 1)
        news = notifications(conn, 1)
    assert [(r.actor, r.action, r.outcome) for r in log] == [
        ("SAMU 69", "shl-manifest", "allowed"),
        ("SAMU 69 forged line [31m", "shl-manifest", "wrong-passcode"),
    ]
    assert log[0].detail == {"link": link_id(payload)[:10], "label": "Urgence Élise", "purposeOfEvent": "BTG"}
    assert log[1].detail["remainingAttempts"] == MAX_FAILURES - 1
    assert [(n.kind, n.message["outcome"], n.read_at) for n in news] == [
        ("shared-link", "allowed", None),
        ("shared-link", "wrong-passcode", None),
    ]
    page = client.get("/people/1/share")
    assert "SAMU 69" in page.text and "Urgence Élise" in page.text


def test_bad_requests_get_json_errors_and_cors_preflight_is_answered(client: TestClient, vault: Vault) -> None:
    payload = create(vault)
    for body in (
        b"not json",
        b"[]",
        b'{"passcode": "x"}',
        b'{"recipient": ""}',
        b'{"recipient": "a", "embeddedLengthMax": -1}',
    ):
        r = client.post(path(payload), content=body, headers={"content-type": "application/json"})
        assert r.status_code == 400 and "error" in r.json(), body
    too_big = client.post(
        path(payload), content=b"{" + b" " * 5000 + b"}", headers={"content-type": "application/json"}
    )
    assert too_big.status_code == 400
    pre = client.options(
        path(payload), headers={"origin": "https://viewer.example", "access-control-request-method": "POST"}
    )
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "*"
    assert (
        "POST" in pre.headers["access-control-allow-methods"]
        and "content-type" in pre.headers["access-control-allow-headers"]
    )
    # the person's own pages still refuse a form posted without the CSRF token
    assert client.post("/people/1/share", data={"label": "x", "expires": "30d"}).status_code == 403


def test_link_format_follows_the_specification(client: TestClient, vault: Vault) -> None:
    payload = create(vault, passcode=PASSCODE, flags="L", label="x" * 200)
    decoded = json.loads(base64.urlsafe_b64decode(payload.link.removeprefix("shlink:/") + "=="))
    assert list(decoded) == ["url", "key", "exp", "flag", "label"]
    assert decoded["flag"] == "LP" and len(decoded["label"]) <= 80 and len(decoded["url"]) <= 128
    assert len(decoded["key"]) == 43 and len(base64.urlsafe_b64decode(decoded["key"] + "=")) == 32
    assert abs(decoded["exp"] - (NOW + dt.timedelta(days=30)).timestamp()) < 1
    assert shl.parse_link(shl.viewer_url("https://carnet.example", payload.link)) == payload
    with pytest.raises(CarnetError):
        shl.normalise_flags("X")
    with pytest.raises(CarnetError):
        shl.manifest_url("https://" + "a" * 100 + ".example", "x" * 43)


def test_link_ids_carry_256_random_bits_and_never_collide() -> None:
    ids = {shl.new_link_id() for _ in range(100_000)}
    assert len(ids) == 100_000
    assert all(len(i) == 43 and len(shl.unb64url(i)) == 32 for i in list(ids)[:1000])


def test_expiry_parsing_and_bounds(vault: Vault) -> None:
    assert parse_expiry("12h", NOW) == NOW + dt.timedelta(hours=12)
    assert parse_expiry("2030-01-31", NOW) == dt.datetime(2030, 1, 31, 23, 59, 59, tzinfo=dt.UTC)
    with pytest.raises(CarnetError):
        parse_expiry("soon", NOW)
    for expires in (NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=6 * 366)):
        with pytest.raises(CarnetError, match="within 5 years"), vault.writing() as conn:
            create_link(conn, 1, b"{}", base_url=BASE, now=NOW, label=None, expires_at=expires)


def test_the_vault_keeps_the_encrypted_file_and_never_the_key(client: TestClient, vault: Vault) -> None:
    payloads = [create(vault), create(vault, passcode=PASSCODE), create(vault, flags="U")]
    for payload in payloads:
        client.post(path(payload), json={"recipient": "a", "passcode": PASSCODE})
    keys = [p.key for p in payloads] + [shl.unb64url(p.key).hex() for p in payloads]
    with vault.reading() as conn:
        dump = ""
        for table in s.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                dump += repr(tuple(row))
        stored = conn.execute(select(s.shared_links.c.payload, s.shared_links.c.passcode_hash)).all()
    assert all(key not in dump for key in keys)
    assert all(bytes(p).count(b".") == 4 for p, _ in stored)
    assert sum(1 for _, h in stored if h and h.startswith("$argon2id$") and PASSCODE not in h) == 1
    raw = vault.path.read_bytes() if vault.path else b""
    assert all(key.encode() not in raw for key in keys)
