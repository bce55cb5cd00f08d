"""Shared fixtures: sample data, cheap-KDF vaults, PostgreSQL databases, the browser.

A test that needs something absent (``../shared/data``, a PostgreSQL server,
Debian Chromium, Java) is skipped with the reason on a newcomer's machine. In CI
(``CARNET_REQUIRE_ALL=1``) a skipped test fails the run instead.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carnet.store import Vault, create_vault
from carnet.store.keys import KdfParams

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CARNET_SHARED_DATA", REPO.parent / "shared" / "data"))
PG_ADMIN_URL = os.environ.get("CARNET_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
CHROMIUM = Path(os.environ.get("CARNET_CHROMIUM", "/usr/bin/chromium"))
#: Tests only: a cheap Argon2id so that each test vault opens in milliseconds.
FAST_KDF = KdfParams(memory_kib=8 * 1024, time_cost=1, parallelism=1)
PASSPHRASE = "correct horse battery staple"

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(f"{report.nodeid}: {report.longrepr}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CARNET_REQUIRE_ALL") and _skipped:
        print("\nCARNET_REQUIRE_ALL is set and these tests were skipped:")
        for line in _skipped:
            print(f"  {line}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder ``../shared/data``; skipped (with the reason) where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"third-party sample data not found at {SHARED_DATA} (set CARNET_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    """A fresh encrypted vault file (cheap KDF)."""
    v = create_vault(str(tmp_path / "test.carnet"), PASSPHRASE, kdf=FAST_KDF)
    yield v
    v.close()


def _pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:
        return f"no PostgreSQL server at {PG_ADMIN_URL} ({type(exc).__name__})"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped afterwards."""
    reason = _pg_available()
    if reason:
        pytest.skip(reason)
    import psycopg

    name = "carnet_test_" + secrets.token_hex(6)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian Chromium for Playwright; skipped where it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Any]:
    """Debian Chromium driven by Playwright (it cannot download its own browsers here)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[dev])")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(chromium_path))
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def java_available() -> None:
    if shutil.which("java") is None:
        pytest.skip("Java not found; pyspark needs a JRE (apt-get install default-jre-headless)")
