"""G3: durable settings on every connection, SQLCipher and PostgreSQL."""

from __future__ import annotations

from contextlib import ExitStack

import psycopg
import pytest
from sqlalchemy import Connection, text

from carnet.store import Vault, create_vault, open_vault
from store.checks import FAST_KDF, PASSPHRASE

SQLITE_EXPECTED = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "temp_store": 2}
PG_SETTINGS = ("fsync", "synchronous_commit", "full_page_writes")


def _sqlite_settings(conn: Connection) -> dict[str, object]:
    names = (*SQLITE_EXPECTED, "busy_timeout")
    return {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names}


def _all_pool_connections(vault: Vault, n: int = 8) -> list[dict[str, object]]:
    """Settings seen on ``n`` connections checked out at once (so they are n distinct connections)."""
    with ExitStack() as stack:
        conns = [stack.enter_context(vault.engine.connect()) for _ in range(n)]
        assert len({id(c.connection.dbapi_connection) for c in conns}) == n
        return [_sqlite_settings(c) for c in conns]


def test_test_constants_open_the_vault_fixture(vault: Vault) -> None:
    """The helpers' PASSPHRASE and FAST_KDF are those of the ``vault`` fixture."""
    with open_vault(vault.target, PASSPHRASE, kdf=FAST_KDF) as again:
        assert again.key_pragma == vault.key_pragma


def test_every_sqlite_connection_is_durable(vault: Vault) -> None:
    vault.close()
    reopened = open_vault(vault.target, PASSPHRASE, kdf=FAST_KDF)
    try:
        for handle in (vault, reopened):
            for got in _all_pool_connections(handle):
                busy = got.pop("busy_timeout")
                assert got == SQLITE_EXPECTED
                assert isinstance(busy, int) and busy > 0
        with reopened.writing() as conn:  # the write path too, not only fresh pool connections
            got = _sqlite_settings(conn)
            assert got["journal_mode"] == "wal" and got["synchronous"] == 2
    finally:
        reopened.close()


def _pg_settings(vault: Vault, n: int = 4) -> list[dict[str, str]]:
    with ExitStack() as stack:
        conns = [stack.enter_context(vault.engine.connect()) for _ in range(n)]
        return [{name: str(c.execute(text(f"SHOW {name}")).scalar()) for name in PG_SETTINGS} for c in conns]


@pytest.mark.postgres
def test_every_postgres_connection_is_durable(pg_url: str) -> None:
    with create_vault(pg_url) as v:
        for got in _pg_settings(v):
            assert got == dict.fromkeys(PG_SETTINGS, "on")


@pytest.mark.postgres
def test_postgres_database_setting_cannot_turn_durability_off(pg_url: str) -> None:
    """A database (or role) default of ``synchronous_commit = off`` would lose acknowledged imports."""
    create_vault(pg_url).close()
    dbname = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{dbname}" SET synchronous_commit = off')
        with psycopg.connect(pg_url) as plain:  # a plain session now gets "off"…
            assert plain.execute("SHOW synchronous_commit").fetchone() == ("off",)
    with open_vault(pg_url) as v:  # …the vault's sessions still commit durably
        for got in _pg_settings(v):
            assert got == dict.fromkeys(PG_SETTINGS, "on")

