"""The member index and manifest of a restitution, and one member's package read from them.

``index.parquet`` has one row per member, sorted by ``member_id`` in row
groups of :data:`ROW_GROUP` members; for each stream ``S`` the columns
``S_block`` (byte offset of the member's zstd frame in its shard file),
``S_block_length``, ``S_block_size`` (compressed and plain sizes of the
frame), ``S_offset`` and ``S_length`` (the member's bytes in the plain frame);
all null when the member has nothing in that stream. ``manifest.json`` lists
the streams, their files and headers, and each shard's first and last member.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from carnet.errors import CarnetError
from carnet.restitution.shards import CODEC, ENTRY, StreamSpec

FORMAT = "carnet-restitution/1"
INDEX = "index.parquet"
MANIFEST = "manifest.json"
ROW_GROUP = 4096
_FIELDS = [f.name for f in ENTRY if f.name not in ("member_id", "shard")]


class UnknownMember(CarnetError, LookupError):
    """The member is not in this restitution's index."""


@dataclass(frozen=True)
class MemberPackage:
    """One member's package: NDJSON per FHIR resource type, and the CSV statement."""

    member_id: str
    resources: Mapping[str, bytes]
    statement: bytes

    def ndjson(self) -> bytes:
        """Every resource, one per line, by resource type in the package order."""
        return b"".join(self.resources.values())

    def write(self, folder: Path) -> list[Path]:
        """Write ``<Type>.ndjson`` files (non-empty ones) and ``releve.csv`` into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for name, data in [*((f"{t}.ndjson", d) for t, d in self.resources.items()), ("releve.csv", self.statement)]:
            if data:
                (folder / name).write_bytes(data)
                written.append(folder / name)
        return written


def write_index(out: Path, streams: Sequence[StreamSpec], entries: Mapping[str, pa.Table]) -> pa.Table:
    """Join the streams' entries by member into ``index.parquet``; return the shard table."""
    first = entries[streams[0].name]
    index = first.select(["member_id", "shard"])
    for spec in streams:
        part = entries[spec.name].select(["member_id", *_FIELDS])
        part = part.rename_columns(["member_id", *(f"{spec.name}_{f}" for f in _FIELDS)])
        index = index.join(part, "member_id", join_type="left outer")
    index = index.sort_by("member_id")
    pq.write_table(index, out / INDEX, row_group_size=ROW_GROUP, compression="zstd")
    shards = index.group_by("shard").aggregate([("member_id", "min"), ("member_id", "max"), ("member_id", "count")])
    return shards.sort_by("shard")


def write_manifest(out: Path, streams: Sequence[StreamSpec], shards: pa.Table, block_size: int) -> None:
    files = {s.name: sorted(p.relative_to(out).as_posix() for p in (out / s.name).glob("*.zst")) for s in streams}
    manifest = {
        "format": FORMAT,
        "codec": CODEC,
        "block_size": block_size,
        "index": INDEX,
        "members": sum(shards["member_id_count"].to_pylist()),
        "shards": [
            {"shard": s, "first_member": lo, "last_member": hi, "members": n}
            for s, lo, hi, n in zip(*(shards[c].to_pylist() for c in shards.column_names), strict=True)
        ],
        "streams": [
            {"name": s.name, "suffix": s.suffix, "header": s.header.decode(), "files": files[s.name]} for s in streams
        ],
    }
    text = json.dumps(manifest, indent=1, sort_keys=True)
    (out / MANIFEST).write_text(text + "\n", encoding="utf-8")


def read_manifest(out: Path) -> dict[str, Any]:
    path = Path(out) / MANIFEST
    if not path.is_file():
        raise CarnetError(f"{out}: no {MANIFEST}; run `carnet restitute` into this folder first")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise CarnetError(f"{path}: format {manifest.get('format')!r}, expected {FORMAT!r}")
    return manifest


def _read_range(path: Path, offset: int, length: int) -> bytes:
    """The ``length`` bytes at ``offset`` of ``path`` (the only read of package data)."""
    with path.open("rb") as f:
        f.seek(offset)
        return f.read(length)


def _index_row(out: Path, member_id: str) -> dict[str, Any]:
    """The member's index row, reading only the row group whose range holds it."""
    index = pq.ParquetFile(out / INDEX)
    meta = index.metadata
    for group in range(meta.num_row_groups):
        stats = meta.row_group(group).column(0).statistics
        if stats is None or not stats.has_min_max or stats.min <= member_id <= stats.max:
            table = index.read_row_group(group)
            found = table.filter(pc.equal(table["member_id"], member_id))
            if found.num_rows:
                return found.to_pylist()[0]  # type: ignore[no-any-return]
    raise UnknownMember(f"member {member_id!r} is not in {out / INDEX}")


def extract_member(out_dir: Path | str, member_id: str) -> MemberPackage:
    """Read one member's package from a restitution folder, touching only its slices."""
    out = Path(out_dir)
    manifest = read_manifest(out)
    row = _index_row(out, member_id)
    codec = pa.Codec(manifest.get("codec", CODEC))
    parts: dict[str, bytes] = {}
    for stream in manifest["streams"]:
        name = stream["name"]
        data = b""
        if row[f"{name}_block"] is not None:
            spec = StreamSpec(name, stream["suffix"])
            frame = _read_range(spec.path(out, row["shard"]), row[f"{name}_block"], row[f"{name}_block_length"])
            plain = codec.decompress(frame, decompressed_size=row[f"{name}_block_size"], asbytes=True)
            data = plain[row[f"{name}_offset"] : row[f"{name}_offset"] + row[f"{name}_length"]]
        parts[name] = stream["header"].encode() + data
    statement = parts.pop("statement", b"")
    return MemberPackage(member_id, parts, statement)
