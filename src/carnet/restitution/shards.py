"""Member-sorted shards of block-compressed text, an index, and one member's extraction.

A stream (``ExplanationOfBenefit``, ``statement``…) arrives as rows
``(shard, member_id, text)`` sorted by shard then member; the texts of a
member, joined, are its part of the stream. Each shard of each stream is one
file ``<stream>/shard-NNNNN.<suffix>.zst``: a run of independent zstd frames
(so ``zstd -dc`` reads it whole). A frame (block) holds whole members and is
cut at the first member starting past each ``block_size`` boundary of the
shard's text, so a member always lies in one block. The index row of a member
gives, per stream, where its block starts in the file, the block's compressed
and plain sizes, and the member's offset and length in the plain block:
extracting a member reads its index row group and one block per stream.

The cut rule depends only on the bytes and the member boundaries, never on how
the rows were batched, so both engines write the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BLOCK_SIZE = 128 * 1024
CODEC = "zstd"
LEVEL = 1
ENTRY = pa.schema([
    ("member_id", pa.string()), ("shard", pa.int32()), ("block", pa.int64()),
    ("block_length", pa.int64()), ("block_size", pa.int64()), ("offset", pa.int64()),
    ("length", pa.int64()),
])  # fmt: skip
IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """A stream's files: ``<name>/shard-NNNNN.<suffix>.zst``, each starting with ``header``."""

    name: str
    suffix: str
    header: bytes = b""

    def path(self, out: Path, shard: int) -> Path:
        return out / self.name / f"shard-{shard:05d}.{self.suffix}.zst"


def _offsets(texts: pa.Array) -> IntArray:
    """Byte offsets of a string array's values in its data buffer (length + 1)."""
    width = np.int64 if pa.types.is_large_string(texts.type) else np.int32
    raw = np.frombuffer(texts.buffers()[1], dtype=width)
    return raw[texts.offset : texts.offset + len(texts) + 1].astype(np.int64)


class ShardWriter:
    """Writes one stream's shard files from sorted batches; :meth:`finish` gives the entries."""

    def __init__(self, out: Path, spec: StreamSpec, block_size: int = BLOCK_SIZE) -> None:
        self._out, self._spec, self._block_size = out, spec, block_size
        self._codec = pa.Codec(CODEC, compression_level=LEVEL)
        self._tail: pa.RecordBatch | None = None
        self._file: BinaryIO | None = None
        self._shard = -1
        self._written = 0  # compressed bytes in the open file
        self._pos = 0  # plain bytes of members in the open shard
        self._pending: list[pa.Buffer] = []
        self._block_start = 0
        self._window = -1
        self._blocks: list[tuple[int, int, int]] = []  # (file offset, compressed, plain)
        self._entries: list[tuple[pa.Array, int, IntArray, IntArray, IntArray]] = []
        self._last: tuple[int, str] | None = None  # the last (shard, member) written

    def write(self, batch: pa.RecordBatch) -> None:
        """Take rows ``(shard, member_id, text)``; the last member waits for the next batch."""
        if batch.num_rows == 0:
            return
        starts = self._run_starts(batch)
        if self._tail is not None:
            tail, self._tail = self._tail, None
            same = (tail["shard"][0].as_py(), tail["member_id"][0].as_py()) == (
                batch["shard"][0].as_py(), batch["member_id"][0].as_py())  # fmt: skip
            cut = (int(starts[1]) if len(starts) > 1 else batch.num_rows) if same else 0
            head = pa.Table.from_batches([tail, batch.slice(0, cut)]).combine_chunks().to_batches()[0]
            if cut == batch.num_rows:
                self._tail = head
                return
            self._process(head)
            batch, starts = batch.slice(cut), starts[(1 if same else 0) :] - cut
        last = int(starts[-1])
        self._tail = batch.slice(last)
        if last:
            self._process(batch.slice(0, last))

    def finish(self) -> pa.Table:
        """Flush, close the last file and return one entry per member (schema :data:`ENTRY`)."""
        if self._tail is not None:
            self._process(self._tail)
            self._tail = None
        self._close_shard()
        if not self._entries:
            return ENTRY.empty_table()
        blocks = np.array(self._blocks, dtype=np.int64).reshape(-1, 3)
        ids = np.concatenate([e[2] for e in self._entries])
        return pa.table({
            "member_id": pa.concat_arrays([e[0] for e in self._entries]),
            "shard": pa.array(np.concatenate([np.full(len(e[2]), e[1], np.int32) for e in self._entries])),
            "block": blocks[ids, 0], "block_length": blocks[ids, 1], "block_size": blocks[ids, 2],
            "offset": np.concatenate([e[3] for e in self._entries]),
            "length": np.concatenate([e[4] for e in self._entries]),
        }, schema=ENTRY)  # fmt: skip

    @staticmethod
    def _run_starts(batch: pa.RecordBatch) -> IntArray:
        """Rows where a new (shard, member) run begins."""
        n = batch.num_rows
        new = np.ones(n, dtype=np.bool_)
        if n > 1:
            shard = batch.column("shard").to_numpy(zero_copy_only=False)
            members = batch.column("member_id")
            changed = pc.not_equal(members.slice(1), members.slice(0, n - 1))
            new[1:] = changed.to_numpy(zero_copy_only=False) | (shard[1:] != shard[:-1])
        return np.flatnonzero(new).astype(np.int64)

    def _process(self, batch: pa.RecordBatch) -> None:
        """Write a batch of whole members (its last member is complete)."""
        texts = batch.column("text")
        offsets = _offsets(texts)
        data = texts.buffers()[2] or pa.py_buffer(b"")
        starts = self._run_starts(batch)
        begin = offsets[starts]
        end = np.append(offsets[starts[1:]], offsets[-1])
        shards = batch.column("shard").to_numpy(zero_copy_only=False)[starts]
        cuts = [0, *(np.flatnonzero(np.diff(shards)) + 1).tolist(), len(starts)]
        members = batch.column("member_id").take(pa.array(starts))
        self._check_order(shards, members)
        for a, b in pairwise(cuts):
            if int(shards[a]) != self._shard:
                self._close_shard()
                self._open_shard(int(shards[a]))
            self._segment(members.slice(a, b - a), begin[a:b], end[a:b], data)

    def _check_order(self, shards: IntArray, members: pa.Array) -> None:
        """Members must come in (shard, member_id) order, each once: a guard against an engine bug."""
        n = len(members)
        up = pc.greater(members.slice(1), members.slice(0, n - 1)).to_numpy(zero_copy_only=False)
        ordered = (shards[1:] > shards[:-1]) | ((shards[1:] == shards[:-1]) & up)
        first = (int(shards[0]), str(members[0].as_py()))
        if not ordered.all() or (self._last is not None and first <= self._last):
            raise RuntimeError(f"{self._spec.name}: rows are not in (shard, member) order near {first}")
        self._last = (int(shards[-1]), str(members[n - 1].as_py()))

    def _segment(self, members: pa.Array, begin: IntArray, end: IntArray, data: pa.Buffer) -> None:
        lengths = end - begin
        plain = self._pos + np.cumsum(lengths) - lengths
        self._pos += int(lengths.sum())
        window = plain // self._block_size
        new = np.empty(len(plain), dtype=np.bool_)
        new[0] = window[0] != self._window
        new[1:] = window[1:] != window[:-1]
        pending = self._window != -1
        ids = len(self._blocks) + (1 if new[0] and pending else 0) + np.cumsum(new) - (1 if new[0] else 0)
        block_start = np.where(new, plain, -1)
        if not new[0]:
            block_start[0] = self._block_start
        block_start = np.maximum.accumulate(block_start)
        self._entries.append((members, self._shard, ids, plain - block_start, lengths))
        cursor = int(begin[0])
        for run in np.flatnonzero(new).tolist():
            if self._window != -1:  # the pending block ends where this member starts
                self._pending.append(data.slice(cursor, int(begin[run]) - cursor))
                self._flush_block()
            cursor = int(begin[run])
            self._block_start, self._window = int(plain[run]), int(window[run])
        self._pending.append(data.slice(cursor, int(end[-1]) - cursor))

    def _flush_block(self) -> None:
        plain = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending = []
        frame = self._codec.compress(plain, asbytes=True)
        assert self._file is not None
        self._file.write(frame)
        self._blocks.append((self._written, len(frame), plain.size if isinstance(plain, pa.Buffer) else len(plain)))
        self._written += len(frame)

    def _open_shard(self, shard: int) -> None:
        path = self._spec.path(self._out, shard)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("wb")
        self._shard, self._written, self._pos, self._window = shard, 0, 0, -1
        if self._spec.header:
            frame = self._codec.compress(self._spec.header, asbytes=True)
            self._file.write(frame)
            self._written = len(frame)

    def _close_shard(self) -> None:
        if self._file is None:
            return
        if self._window != -1:
            self._flush_block()
        self._window = -1
        self._file.close()
        self._file = None
