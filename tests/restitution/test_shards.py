"""Member-sorted shards, their index, and one member's extraction reading only its slice."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from carnet.errors import CarnetError
from carnet.restitution import index as idx
from carnet.restitution.index import UnknownMember, extract_member, read_manifest
from carnet.restitution.shards import ShardWriter, StreamSpec

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _rows(members: int, seed: int = 1) -> pa.Table:
    rnd = random.Random(seed)
    shard, member, text = [], [], []
    for m in range(members):
        for line in range(rnd.randrange(1, 6)):
            shard.append(m // 7)
            member.append(f"M{m:04d}")
            text.append(f'{{"m":{m},"l":{line},"pad":"{"x" * rnd.randrange(0, 300)}"}}\n')
    return pa.table({"shard": pa.array(shard, pa.int32()), "member_id": member, "text": text})


def _write(tmp: Path, rows: pa.Table, sizes: list[int]) -> tuple[pa.Table, dict[str, bytes]]:
    writer = ShardWriter(tmp, StreamSpec("S", "ndjson", b"HEAD\n"), block_size=700)
    start = 0
    for size in sizes:
        for batch in rows.slice(start, size).to_batches():
            writer.write(batch)
        start += size
    entries = writer.finish()
    return entries, {p.name: p.read_bytes() for p in sorted((tmp / "S").iterdir())}


def test_the_bytes_do_not_depend_on_batching(tmp_path: Path) -> None:
    rows = _rows(60)
    one = _write(tmp_path / "a", rows, [rows.num_rows])
    rnd = random.Random(3)
    cuts = sorted(rnd.sample(range(1, rows.num_rows), 25))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, rows.num_rows], strict=True)]
    many = _write(tmp_path / "b", rows, sizes)
    ones = _write(tmp_path / "c", rows, [1] * rows.num_rows)
    assert one[1] == many[1] == ones[1]
    assert one[0].equals(many[0]) and one[0].equals(ones[0])


def test_entries_point_at_each_members_text(tmp_path: Path) -> None:
    rows = _rows(40)
    entries, files = _write(tmp_path, rows, [rows.num_rows])
    codec = pa.Codec("zstd")
    expected: dict[str, str] = {}
    for m, t in zip(rows["member_id"].to_pylist(), rows["text"].to_pylist(), strict=True):
        expected[m] = expected.get(m, "") + t
    for e in entries.to_pylist():
        raw = files[f"shard-{e['shard']:05d}.ndjson.zst"]
        frame = raw[e["block"] : e["block"] + e["block_length"]]
        assert frame.startswith(ZSTD_MAGIC)
        plain = codec.decompress(frame, decompressed_size=e["block_size"], asbytes=True)
        assert plain[e["offset"] : e["offset"] + e["length"]].decode() == expected[e["member_id"]]
    assert sorted(entries["member_id"].to_pylist()) == sorted(expected)


def test_a_shard_file_is_its_members_in_order(population_run: Path) -> None:
    """Decompressed whole (zstd reads concatenated frames), a shard file is its header then its
    members' slices in member order: the index points at every member, in and only in its shard."""
    manifest = read_manifest(population_run)
    members = pq.read_table(population_run / "index.parquet", columns=["member_id", "shard"]).to_pylist()
    assert len(manifest["shards"]) > 3 and members == sorted(members, key=lambda r: r["member_id"])
    packages = {m["member_id"]: extract_member(population_run, m["member_id"]) for m in members}
    codec = pa.Codec("zstd")
    for stream in manifest["streams"]:
        name, head = stream["name"], stream["header"].encode()
        for path in stream["files"]:
            shard = int(path.split("-")[1].split(".")[0])
            parts = [packages[m["member_id"]] for m in members if m["shard"] == shard]
            joined = b"".join(p.statement[len(head):] if name == "statement" else p.resources[name]
                              for p in parts)  # fmt: skip
            data = (population_run / path).read_bytes()
            plain = codec.decompress(data, decompressed_size=len(head) + len(joined), asbytes=True)
            assert plain == head + joined


def test_extraction_reads_only_the_members_slice(population_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[tuple[Path, int, int]] = []
    real = idx._read_range

    def spy(path: Path, offset: int, length: int) -> bytes:
        reads.append((path, offset, length))
        return real(path, offset, length)

    monkeypatch.setattr(idx, "_read_range", spy)
    opened: list[str] = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self.name) or real_open(self, *a, **k))
    row = pq.read_table(population_run / "index.parquet").to_pylist()[17]
    package = extract_member(population_run, row["member_id"])
    assert package.resources["Patient"]
    shard = f"shard-{row['shard']:05d}"
    names = [s["name"] for s in read_manifest(population_run)["streams"]]
    assert all(p.name.startswith(shard) for p, _, _ in reads)
    assert sorted((p.parent.name, o, n) for p, o, n in reads) == sorted(
        (s, row[f"{s}_block"], row[f"{s}_block_length"]) for s in names if row[f"{s}_block"] is not None
    )
    total = sum(p.stat().st_size for p in population_run.rglob("*.zst"))
    assert sum(n for _, _, n in reads) < total / 10
    assert set(opened) <= {"manifest.json", *(f"{shard}.ndjson.zst", f"{shard}.csv.zst")}


def test_an_unknown_member_is_a_clear_error(population_run: Path, tmp_path: Path) -> None:
    with pytest.raises(UnknownMember, match="M99999"):
        extract_member(population_run, "M99999")
    with pytest.raises(CarnetError, match=r"manifest\.json"):
        extract_member(tmp_path, "M00001")


def test_package_files(population_run: Path, tmp_path: Path) -> None:
    package = extract_member(population_run, "M00003")
    written = package.write(tmp_path / "M00003")
    assert {p.name for p in written} >= {"Patient.ndjson", "Coverage.ndjson", "releve.csv"}
    assert package.ndjson().count(b"\n") == sum(d.count(b"\n") for d in package.resources.values())


def test_rows_out_of_member_order_are_refused(tmp_path: Path) -> None:
    """The writer trusts engines to sort; a member seen twice would break the index, so it stops."""
    rows = pa.table(
        {"shard": pa.array([0, 0, 0], pa.int32()), "member_id": ["A", "B", "A"], "text": ["a\n", "b\n", "a\n"]}
    )
    writer = ShardWriter(tmp_path, StreamSpec("S", "ndjson"))
    with pytest.raises(RuntimeError, match="not in"):
        writer.write(rows.to_batches()[0])
        writer.finish()
