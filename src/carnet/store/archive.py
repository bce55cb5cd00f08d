"""Archived originals: each imported file kept byte for byte, content-addressed.

A file is stored as one Zstandard frame (level 1: JSON shrinks 10–30× at
several hundred MB/s) cut into chunks of at most :data:`CHUNK` bytes, so that
neither writing nor reading needs the whole file twice in memory. The key is
the SHA-256 of the *original* bytes, and reading a file back checks it: what
comes out is exactly what went in, or an error.

``archive.codec`` says how the chunks hold the bytes: ``zstd`` (since schema
0004) or ``identity`` (the bytes themselves; kept readable for completeness).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import zstandard
from sqlalchemy import Connection, select

from carnet.errors import CarnetError
from carnet.store import bulk
from carnet.store import schema as s

CHUNK = 1 << 20
LEVEL = 1
ZSTD = "zstd"
IDENTITY = "identity"


def compressed_chunks(data: bytes, chunk: int = CHUNK) -> Iterator[bytes]:
    """One Zstandard frame of ``data``, in pieces of ``chunk`` bytes (the last one shorter)."""
    stream = zstandard.ZstdCompressor(level=LEVEL).compressobj(size=len(data))
    view = memoryview(data)
    out = bytearray()
    for off in range(0, len(data), chunk):
        out += stream.compress(view[off : off + chunk])
        while len(out) >= chunk:
            yield bytes(out[:chunk])
            del out[:chunk]
    out += stream.flush()
    for off in range(0, len(out), chunk):
        yield bytes(out[off : off + chunk])


def compress(data: bytes) -> list[bytes]:
    """The chunks :func:`store` writes for ``data`` (done ahead, off the writing thread)."""
    return list(compressed_chunks(data))


def is_archived(conn: Connection, sha256: str) -> bool:
    return bool(bulk.rows(conn, "SELECT 1 FROM archive WHERE sha256 = ?", (sha256,)))


def store(conn: Connection, sha256: str, size: int, chunks: list[bytes], created_at: str) -> None:
    """Write a file's compressed chunks under its SHA-256, unless that hash is archived already."""
    if is_archived(conn, sha256):
        return
    bulk.insert_many(conn, s.archive, ("sha256", "size", "codec", "created_at"), [(sha256, size, ZSTD, created_at)])
    rows = [(sha256, i, data) for i, data in enumerate(chunks)]
    bulk.insert_many(conn, s.archive_chunks, ("sha256", "seq", "data"), rows)


def iter_original(conn: Connection, sha256: str) -> Iterator[bytes]:
    """The original bytes of an archived file, piece by piece, checked against their SHA-256 at the end."""
    row = conn.execute(select(s.archive.c.size, s.archive.c.codec).where(s.archive.c.sha256 == sha256)).first()
    if row is None:
        raise CarnetError(f"no archived file with SHA-256 {sha256}")
    size, codec = int(row[0]), str(row[1])
    if codec not in (ZSTD, IDENTITY):
        raise CarnetError(f"archived file {sha256}: unknown codec {codec!r}")
    q = select(s.archive_chunks.c.data).where(s.archive_chunks.c.sha256 == sha256).order_by(s.archive_chunks.c.seq)
    decompressor = zstandard.ZstdDecompressor().decompressobj() if codec == ZSTD else None
    check = hashlib.sha256()
    total = 0
    for (data,) in conn.execute(q):
        piece = decompressor.decompress(bytes(data)) if decompressor else bytes(data)
        check.update(piece)
        total += len(piece)
        yield piece
    if decompressor is not None and not decompressor.eof and size:
        raise CarnetError(f"archived file {sha256}: truncated")
    if total != size or check.hexdigest() != sha256:
        raise CarnetError(f"archived file {sha256}: content does not match its SHA-256")


def read_original(conn: Connection, sha256: str) -> bytes:
    """The original bytes of an archived file, exactly as imported."""
    return b"".join(iter_original(conn, sha256))
