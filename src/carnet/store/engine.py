"""Connections: SQLCipher files by path, PostgreSQL by URL.

Every SQLite connection is keyed, then set to WAL, ``synchronous=FULL``,
foreign keys on, a busy timeout and in-memory temp storage (no clear-text
temp files); every PostgreSQL session gets ``synchronous_commit=on`` and
checks ``fsync`` and ``full_page_writes``. The settings are asserted, not
hoped for.

New vault files use 32 KiB encrypted pages (:data:`PAGE_SIZE`) rather than
SQLCipher's 4 KiB: each page carries its own IV and HMAC, so larger pages
mean less cipher work per byte and eight times fewer WAL frames. Importing
all of ``synthea_r4`` costs SQLite 0.20–0.23 s of inserts and commit instead
of 0.33 s (``bench/README.md``). SQLCipher keeps the page size nowhere in clear, so
a file is opened with each size of :data:`PAGE_SIZES` in turn: vaults made
before keep their 4 KiB pages and open as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from carnet.errors import CarnetError, WrongPassphrase

SQLITE_PRAGMAS = (
    ("journal_mode", "WAL", "wal"),
    ("synchronous", "FULL", 2),
    ("foreign_keys", "ON", 1),
    ("busy_timeout", "10000", 10000),
    ("temp_store", "MEMORY", 2),
)


#: Server settings without which a committed transaction may not survive a crash.
POSTGRES_DURABLE = ("fsync", "full_page_writes", "synchronous_commit")


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))


def postgres_engine(url: str) -> Engine:
    """An engine whose sessions commit durably, whatever the database or role defaults say."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_pre_ping=True, connect_args={"options": "-c synchronous_commit=on"})

    @event.listens_for(engine, "connect")
    def _durable(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            for name in POSTGRES_DURABLE:
                cur.execute(f"SHOW {name}")
                got = cur.fetchone()[0]
                if got != "on":
                    raise CarnetError(f"PostgreSQL runs with {name}={got}: commits could be lost in a crash")
        dbapi_conn.rollback()

    return engine


#: Encrypted page size of new vault files (bytes).
PAGE_SIZE = 32768
#: Page sizes a vault file may have, tried in this order: the current one, then SQLCipher 4's default.
PAGE_SIZES = (PAGE_SIZE, 4096)


def keyed_connection(path: Path, key_pragma: str, page_size: int | None = None, **options: Any) -> Any:
    """A SQLCipher connection to ``path`` that the key opens, with the file's page size.

    ``page_size`` None: a new (absent or empty) file gets :data:`PAGE_SIZE`; an
    existing one is tried with each of :data:`PAGE_SIZES`. A key that opens it
    with none of them is a wrong passphrase (or not a vault): one clear error.
    """
    fresh = not path.exists() or path.stat().st_size == 0
    sizes = (page_size,) if page_size else (PAGE_SIZE,) if fresh else PAGE_SIZES
    for size in sizes:
        conn = sqlcipher3.connect(str(path), isolation_level=None, **options)
        conn.execute("PRAGMA cipher_log_level = NONE")  # no "hmac check failed" noise
        conn.execute(f"PRAGMA key = {key_pragma}")
        conn.execute(f"PRAGMA cipher_page_size = {size}")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            conn.close()
            continue
        return conn
    raise WrongPassphrase(f"{path}: wrong passphrase (or not a Carnet vault)")


def page_size_of(conn: Any) -> int:
    """The encrypted page size of an open SQLCipher connection."""
    return int(conn.execute("PRAGMA cipher_page_size").fetchone()[0])


def _sqlcipher_connector(path: Path, key_pragma: str) -> Callable[[], Any]:
    found: list[int] = []  # the file's page size, once a connection has found it

    def connect() -> Any:
        conn = keyed_connection(path, key_pragma, found[0] if found else None, check_same_thread=False)
        if not found:
            found.append(page_size_of(conn))
        for name, value, expected in SQLITE_PRAGMAS:
            conn.execute(f"PRAGMA {name} = {value}")
            got = conn.execute(f"PRAGMA {name}").fetchone()[0]
            if got != expected:
                conn.close()
                raise RuntimeError(f"PRAGMA {name} is {got!r}, expected {expected!r}")
        return conn

    return connect


def sqlcipher_engine(path: Path, key_pragma: str) -> Engine:
    """An engine over one SQLCipher file; the key never leaves this closure."""
    engine = create_engine(
        "sqlite://",
        creator=_sqlcipher_connector(path, key_pragma),
        module=sqlcipher3.dbapi2,
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # The driver's implicit transactions are off (isolation_level=None):
        # SQLAlchemy decides. Writers take the write lock at once (IMMEDIATE)
        # so two writers queue instead of failing on upgrade; readers never block.
        write = conn.get_execution_options().get("carnet_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
