"""Passphrase → 256-bit SQLCipher key, with Argon2id.

The Argon2 salt is SQLCipher's own file salt: the first 16 bytes of the vault
file, stored in clear by SQLCipher. A new vault gets a random salt that we hand
to SQLCipher together with the raw key (``x'<key><salt>'``), so the vault stays
one file and no side file can be lost.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw

SALT_BYTES = 16
KEY_BYTES = 32


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost; RFC 9106 "second recommended option" by default."""

    memory_kib: int = 64 * 1024
    time_cost: int = 3
    parallelism: int = 4


DEFAULT_KDF = KdfParams()


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def read_salt(path: Path) -> bytes:
    """The salt SQLCipher wrote at the start of an existing vault file."""
    with path.open("rb") as fh:
        salt = fh.read(SALT_BYTES)
    if len(salt) != SALT_BYTES:
        raise ValueError("file too short to be a vault")
    return salt


def derive_key(passphrase: str, salt: bytes, params: KdfParams = DEFAULT_KDF) -> bytes:
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def raw_key_pragma(key: bytes, salt: bytes) -> str:
    """The ``PRAGMA key`` literal for a raw key with an explicit salt."""
    return f"\"x'{key.hex()}{salt.hex()}'\""
