"""A new vault is at the Alembic head, and the migrated schema is exactly ``schema.metadata``."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from carnet.errors import VaultNotFound
from carnet.store import Vault, create_vault, open_vault
from carnet.store.schema import SCHEMA_VERSION, metadata
from carnet.store.vault import MIGRATIONS
from store.checks import FAST_KDF, PASSPHRASE


def _head() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def _revision_and_diff(vault: Vault) -> tuple[str | None, list[object]]:
    with vault.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return ctx.get_current_revision(), list(compare_metadata(ctx, metadata))


def test_schema_version_names_the_head() -> None:
    assert _head() == SCHEMA_VERSION


def _check(create: Vault, reopen: Vault) -> None:
    for v in (create, reopen):  # reopening migrates again: a no-op at head
        revision, diff = _revision_and_diff(v)
        assert revision == _head()
        assert diff == []
    with reopen.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    assert tables == set(metadata.tables) | {"alembic_version"}


def test_sqlcipher_vault_at_head_matches_metadata(tmp_path: Path) -> None:
    target = str(tmp_path / "v.carnet")
    create_vault(target, PASSPHRASE, kdf=FAST_KDF).close()
    fresh = create_vault(str(tmp_path / "w.carnet"), PASSPHRASE, kdf=FAST_KDF)
    with fresh, open_vault(target, PASSPHRASE, kdf=FAST_KDF) as reopened:
        _check(fresh, reopened)


@pytest.mark.postgres
def test_postgres_vault_at_head_matches_metadata(pg_url: str) -> None:
    with create_vault(pg_url) as created, open_vault(pg_url) as reopened:
        _check(created, reopened)


@pytest.mark.postgres
def test_postgres_database_without_vault_is_refused(pg_url: str) -> None:
    with pytest.raises(VaultNotFound):
        open_vault(pg_url)
