"""Archived originals compressed with Zstandard: ``archive.codec``, existing files converted.

Each archived file becomes one Zstandard frame (level 1) cut in 1 MiB chunks;
its key stays the SHA-256 of the original bytes, checked before the old chunks
are replaced. Self-contained on purpose: later changes to
``carnet.store.archive`` must not change what this revision does.

Revision ID: 0004
Revises: 0003
"""

import hashlib

import sqlalchemy as sa
import zstandard
from alembic import op

from carnet.errors import CarnetError

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CHUNK = 1 << 20

archive = sa.table(
    "archive", sa.column("sha256", sa.String), sa.column("size", sa.BigInteger), sa.column("codec", sa.String)
)
chunks = sa.table(
    "archive_chunks", sa.column("sha256", sa.String), sa.column("seq", sa.Integer), sa.column("data", sa.LargeBinary)
)


def _recode(conn: sa.Connection, sha256: str, size: int, compress: bool) -> None:
    """Re-write one file's chunks, compressed or not, after checking its bytes against the key."""
    rows = conn.execute(sa.select(chunks.c.data).where(chunks.c.sha256 == sha256).order_by(chunks.c.seq))
    check = hashlib.sha256()
    out = bytearray()
    if compress:
        stream = zstandard.ZstdCompressor(level=1).compressobj(size=size)
        for (data,) in rows:
            check.update(data)
            out += stream.compress(bytes(data))
        out += stream.flush()
    else:
        reader = zstandard.ZstdDecompressor().decompressobj()
        for (data,) in rows:
            piece = reader.decompress(bytes(data))
            check.update(piece)
            out += piece
    if check.hexdigest() != sha256:
        raise CarnetError(
            f"schema 0004: the archived original {sha256} does not match its SHA-256, so the vault was left "
            "as it was (not upgraded); restore it from a backup"
        )
    conn.execute(chunks.delete().where(chunks.c.sha256 == sha256))
    new = [
        {"sha256": sha256, "seq": i, "data": bytes(out[off : off + CHUNK])}
        for i, off in enumerate(range(0, len(out), CHUNK))
    ]
    if new:
        conn.execute(chunks.insert(), new)
    conn.execute(archive.update().where(archive.c.sha256 == sha256).values(codec="zstd" if compress else "identity"))


def _convert(source: str, compress: bool) -> None:
    conn = op.get_bind()
    todo = conn.execute(sa.select(archive.c.sha256, archive.c.size).where(archive.c.codec == source)).all()
    for sha256, size in todo:
        _recode(conn, sha256, int(size), compress)


def upgrade() -> None:
    op.add_column("archive", sa.Column("codec", sa.String(length=16), server_default="identity", nullable=False))
    _convert("identity", compress=True)


def downgrade() -> None:
    _convert("zstd", compress=False)
    op.drop_column("archive", "codec")  # SQLite >= 3.35 drops a column in place
