"""SMART Health Links against a real server (uvicorn on 127.0.0.1), as a receiving app sees them.

- an independent receiver: it parses the link, asks the manifest and decrypts
  with joserfc following the specification, using none of Carnet's code;
- 50 wrong passcodes in parallel never push the failure count past the limit;
- the server's logs, at DEBUG, never hold a link's key.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from joserfc import jwe
from joserfc.jwk import OctKey

from carnet.emergency.links import MAX_FAILURES, get_link
from carnet.emergency.sharing import share_summary
from carnet.store import Vault
from carnet.web import create_app
from carnet.web.ratelimit import ClientLimiter

from .emergency_helpers import PASSCODE, household_records, seed, served

LOGGERS = ("", "uvicorn", "uvicorn.access", "uvicorn.error", "carnet", "carnet.web", "httpx", "sqlalchemy")


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def server(vault: Vault) -> Iterator[tuple[str, Collect]]:
    seed(vault, household_records())
    collect = Collect()
    levels = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.addHandler(collect)
        logger.setLevel(logging.DEBUG)
    try:
        # many "attackers" share this machine's address here: the per-address limit
        # (tests/web/test_ratelimit.py) must not hide the per-link passcode lock under test
        with served(create_app(vault, shl_limiter=ClientLimiter(per_minute=6000, burst=1000))) as base:
            yield base, collect
    finally:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(collect)
            logging.getLogger(name).setLevel(levels[name])


def share(vault: Vault, base: str, **kw: Any) -> str:
    now = dt.datetime.now(dt.UTC)
    created = share_summary(
        vault, 1, now=now, base_url=base, label="Urgence", expires_at=now + dt.timedelta(days=1), **kw
    )
    return created.shlink


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def receive(link: str, recipient: str, passcode: str | None = None, embedded_max: int | None = None) -> dict[str, Any]:
    """What any SHL receiver does, written from the specification alone."""
    payload = json.loads(b64url_decode(link.split("shlink:/", 1)[1]))
    key = OctKey.import_key(b64url_decode(payload["key"]))
    with httpx.Client(timeout=30) as http:
        if "U" in payload.get("flag", ""):
            response = http.get(payload["url"], params={"recipient": recipient})
            response.raise_for_status()
            tokens = [response.text]
        else:
            body: dict[str, Any] = {"recipient": recipient}
            if "P" in payload.get("flag", ""):
                body["passcode"] = passcode
            if embedded_max is not None:
                body["embeddedLengthMax"] = embedded_max
            manifest = http.post(payload["url"], json=body)
            manifest.raise_for_status()
            tokens = []
            for file in manifest.json()["files"]:
                assert file["contentType"] == "application/fhir+json"
                if "embedded" in file:
                    tokens.append(file["embedded"])
                else:
                    fetched = http.get(file["location"])
                    assert fetched.headers["content-type"] == "application/jose"
                    tokens.append(fetched.text)
    (token,) = tokens
    result = jwe.decrypt_compact(token, key, algorithms=["dir", "A256GCM"])
    assert result.protected == {"alg": "dir", "enc": "A256GCM", "cty": "application/fhir+json"}
    decoded: dict[str, Any] = json.loads(result.plaintext or b"")
    return decoded


def allergies(bundle: dict[str, Any]) -> list[str]:
    return [
        e["resource"]["code"]["text"] for e in bundle["entry"] if e["resource"]["resourceType"] == "AllergyIntolerance"
    ]


@pytest.mark.parametrize(
    ("options", "embedded_max"),
    [({}, None), ({"passcode": PASSCODE}, None), ({"passcode": PASSCODE}, 1), ({"flags": "U"}, None)],
    ids=["plain", "passcode", "location", "direct-file"],
)
def test_an_independent_receiver_decrypts_the_summary(
    server: tuple[str, Collect], vault: Vault, options: dict[str, Any], embedded_max: int | None
) -> None:
    base, _ = server
    link = share(vault, base, **options)
    bundle = receive(link, "Independent receiver", PASSCODE, embedded_max)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "document"
    assert allergies(bundle) == ["Allergie à la pénicilline", "Arachide"]


def test_fifty_parallel_wrong_passcodes_never_pass_the_limit(server: tuple[str, Collect], vault: Vault) -> None:
    base, _ = server
    link = share(vault, base, passcode=PASSCODE)
    payload = json.loads(b64url_decode(link.split("shlink:/", 1)[1]))
    start = threading.Barrier(50)

    def guess(i: int) -> tuple[int, Any]:
        with httpx.Client(timeout=60) as http:
            start.wait()
            r = http.post(payload["url"], json={"recipient": f"attacker {i}", "passcode": f"{i:04d}x"})
            return r.status_code, r.json()

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(guess, range(50)))
    refused = sorted(body["remainingAttempts"] for status, body in answers if status == 401)
    assert refused == list(range(MAX_FAILURES))  # each count given once: 9, 8, …, 0
    assert sum(1 for status, _ in answers if status == 404) == 50 - MAX_FAILURES
    with vault.reading() as conn:
        assert get_link(conn, payload["url"].rsplit("/", 1)[1]).failures == MAX_FAILURES
    with httpx.Client() as http:
        late = http.post(payload["url"], json={"recipient": "owner", "passcode": PASSCODE})
    assert late.status_code == 404  # disabled for good, even with the right passcode


def test_the_server_logs_never_hold_the_key(server: tuple[str, Collect], vault: Vault, capfd: Any) -> None:
    base, collect = server
    links = [share(vault, base), share(vault, base, passcode=PASSCODE), share(vault, base, flags="U")]
    for link in links:
        receive(link, "Log check", PASSCODE, 1)
        with httpx.Client() as http:
            http.get(f"{base}/shl/view")  # the viewer: the link stays after '#', never sent
    out, err = capfd.readouterr()
    logs = "\n".join(collect.lines) + out + err
    assert "/shl/" in logs, "the server logged nothing: the check would be vacuous"
    for link in links:
        payload = json.loads(b64url_decode(link.split("shlink:/", 1)[1]))
        for secret in (payload["key"], b64url_decode(payload["key"]).hex(), link.split("shlink:/", 1)[1][:40]):
            assert secret not in logs
