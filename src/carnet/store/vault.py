"""Open or create a vault: one SQLCipher file, or a PostgreSQL database."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, inspect, select

from carnet.errors import CarnetError, VaultNotFound, WrongPassphrase
from carnet.store import keys
from carnet.store.engine import is_postgres, postgres_engine, sqlcipher_engine
from carnet.store.schema import meta

MIGRATIONS = Path(__file__).parent / "migrations"


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Vault:
    """A handle on one vault; ``target`` is the file path or the database URL."""

    engine: Engine
    target: str
    path: Path | None  # None for PostgreSQL
    key_pragma: str | None = field(default=None, repr=False)  # SQLCipher raw key; never logged

    @property
    def is_postgres(self) -> bool:
        return self.path is None

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One transaction that commits entirely or not at all."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(carnet_write=True)
            with conn.begin():
                yield conn

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _migrate(vault: Vault) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with vault.writing() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        if conn.execute(select(meta.c.value).where(meta.c.key == "created_at")).first() is None:
            conn.execute(meta.insert(), [{"key": "created_at", "value": utcnow()}])


def _passphrase(passphrase: str | None) -> str:
    value = passphrase if passphrase is not None else os.environ.get("CARNET_PASSPHRASE")
    if not value:
        raise CarnetError("a passphrase is needed (prompt or CARNET_PASSPHRASE)")
    return value


def create_vault(target: str, passphrase: str | None = None, kdf: keys.KdfParams = keys.DEFAULT_KDF) -> Vault:
    """Create a new vault (file or PostgreSQL database) and migrate it to the head schema."""
    if is_postgres(target):
        vault = Vault(postgres_engine(target), target, None)
    else:
        path = Path(target)
        if path.exists():
            raise CarnetError(f"{path}: a file is already there; not overwriting it")
        path.parent.mkdir(parents=True, exist_ok=True)
        salt = keys.new_salt()
        key = keys.derive_key(_passphrase(passphrase), salt, kdf)
        pragma = keys.raw_key_pragma(key, salt)
        vault = Vault(sqlcipher_engine(path, pragma), target, path, pragma)
    _migrate(vault)
    return vault


def open_vault(
    target: str, passphrase: str | None = None, kdf: keys.KdfParams = keys.DEFAULT_KDF, *, migrate: bool = True
) -> Vault:
    """Open an existing vault; a wrong passphrase is one clear error."""
    if is_postgres(target):
        vault = Vault(postgres_engine(target), target, None)
        with vault.reading() as conn:
            if not inspect(conn).has_table("meta"):
                raise VaultNotFound(f"{target}: no Carnet vault in this database (run carnet init)")
        _migrate(vault)
        return vault
    path = Path(target)
    if not path.is_file():
        raise VaultNotFound(f"{path}: no vault here (create one with: carnet init)")
    try:
        salt = keys.read_salt(path)
    except ValueError:
        raise WrongPassphrase(f"{path}: not a Carnet vault") from None
    key = keys.derive_key(_passphrase(passphrase), salt, kdf)
    pragma = keys.raw_key_pragma(key, salt)
    vault = Vault(sqlcipher_engine(path, pragma), target, path, pragma)
    with vault.engine.connect():
        pass  # fail now, with a clear line, if the passphrase is wrong
    if migrate:
        _migrate(vault)
    return vault
