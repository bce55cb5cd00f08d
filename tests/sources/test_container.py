"""Archives and folders (goal G9): each attack is rejected with the entry and a reason, in < 1 s."""

from __future__ import annotations

import builtins
import io
import stat
import struct
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carnet.errors import RejectedFile
from carnet.sources.container import ZipLimits, expand, expand_folder, expand_path


def make_zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def no_disk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Expanding must not open any file: the vault keeps no plaintext on disk."""
    monkeypatch.chdir(tmp_path)

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a file was opened: {args[:1]}")

    monkeypatch.setattr(builtins, "open", forbidden)
    monkeypatch.setattr(io, "open", forbidden)
    start = time.perf_counter()
    yield tmp_path
    assert time.perf_counter() - start < 1.0
    assert list(tmp_path.iterdir()) == []


def refused(data: bytes, limits: ZipLimits | None = None) -> RejectedFile:
    with pytest.raises(RejectedFile) as err:
        expand("export.zip", data, limits) if limits else expand("export.zip", data)
    assert err.value.file == "export.zip"
    return err.value


def test_zip_entries_become_files_patient_first(no_disk: Path) -> None:
    data = make_zip([("Observation.000.ndjson", b'{"resourceType":"Observation"}\n'),
                     ("sub/", b""), ("Patient.000.ndjson", b'{"resourceType":"Patient"}\n'),
                     ("__MACOSX/._Patient.000.ndjson", b"junk")])
    files = expand("export.zip", data)
    assert [f.name for f in files] == ["export.zip!Patient.000.ndjson", "export.zip!Observation.000.ndjson"]
    assert {f.group for f in files} == {"export.zip"}
    assert files[0].data == b'{"resourceType":"Patient"}\n'


def test_plain_file_stays_one_file(no_disk: Path) -> None:
    (file,) = expand("a.json", b"{}")
    assert (file.name, file.data, file.group) == ("a.json", b"{}", None)


def test_zip_bomb_by_ratio_is_refused_before_decompressing(no_disk: Path) -> None:
    data = make_zip([("big.json", b"\0" * (20 << 20))])
    assert len(data) < 100_000
    err = refused(data)
    assert err.position == "entry 'big.json'"
    assert "compression ratio too high" in err.reason


def test_declared_total_over_the_limit_is_refused(no_disk: Path) -> None:
    data = make_zip([(f"f{i}.json", b"x" * 4000) for i in range(3)], zipfile.ZIP_STORED)
    err = refused(data, ZipLimits(max_total=10_000))
    assert "archive too large once decompressed" in err.reason


def test_entry_over_its_limit_is_refused(no_disk: Path) -> None:
    err = refused(make_zip([("a.json", b"y" * 5000)]), ZipLimits(max_entry=1000))
    assert err.position == "entry 'a.json'" and "entry too large" in err.reason


def test_lying_header_sizes_are_caught(no_disk: Path) -> None:
    honest = make_zip([("data.json", b"z" * 50_000)])
    # claim 100 bytes in the local header and the central directory
    lying = bytearray(honest)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = lying.find(signature)
        struct.pack_into("<I", lying, at + offset, 100)
    err = refused(bytes(lying))
    assert "unreadable zip archive" in err.reason


def test_more_than_10000_entries_is_refused(no_disk: Path) -> None:
    data = make_zip([(f"e{i}.json", b"") for i in range(10_001)], zipfile.ZIP_STORED)
    err = refused(data)
    assert err.reason == "too many entries in archive (10001; limit 10000)"


def test_a_forged_entry_count_is_refused_before_zipfile_reads_the_directory(no_disk: Path) -> None:
    data = bytearray(make_zip([("a.json", b"{}")]))
    eocd = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, eocd + 8, 65535, 65535)
    assert "too many entries in archive (65535" in refused(bytes(data)).reason


@pytest.mark.parametrize(("name", "reason"), [
    ("../evil.json", "'..' in archive path (zip slip)"),
    ("data/../../evil.json", "'..' in archive path (zip slip)"),
    ("/etc/cron.d/evil", "absolute path in archive (zip slip)"),
    ("C:\\Windows\\evil.json", "absolute path in archive (zip slip)"),
    ("inner.zip", "archive inside an archive; unpack it first"),
    ("inner.tar.gz", "archive inside an archive; unpack it first"),
])
def test_bad_entry_names_are_refused(no_disk: Path, name: str, reason: str) -> None:
    info = zipfile.ZipInfo("placeholder")
    info.filename = name  # bypass zipfile's own clean-up, as a hostile tool would
    err = refused(make_zip([(info, b"{}")]))
    assert (err.position, err.reason) == (f"entry {name!r}", reason)


def test_nested_archive_detected_by_content(no_disk: Path) -> None:
    inner = make_zip([("x.json", b"{}")])
    err = refused(make_zip([("looks-like.json", inner)]))
    assert err.reason == "archive inside an archive; unpack it first"


def test_symlink_entry_is_refused(no_disk: Path) -> None:
    info = zipfile.ZipInfo("link.json")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    err = refused(make_zip([(info, b"/etc/passwd")]))
    assert (err.position, err.reason) == ("entry 'link.json'", "symbolic link in archive")


def test_encrypted_entry_is_refused(no_disk: Path) -> None:
    data = bytearray(make_zip([("secret.json", b"{}")]))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # general purpose flag, bit 0
        data[data.find(signature) + offset] |= 0x1
    err = refused(bytes(data))
    assert err.position == "entry 'secret.json'"
    assert err.reason == "encrypted entry; Carnet reads unencrypted archives only"


def test_duplicate_names_are_refused(no_disk: Path) -> None:
    with pytest.warns(UserWarning):
        data = make_zip([("a.json", b"1"), ("a.json", b"2")])
    assert refused(data).reason == "two entries have the same name"


def test_garbage_that_starts_like_a_zip(no_disk: Path) -> None:
    assert "not a readable zip archive" in refused(b"PK\x03\x04" + b"\x00" * 100).reason


def test_folder_expansion(tmp_path: Path) -> None:
    for name in ("Observation.000.ndjson", "Patient.000.ndjson", "log.ndjson", "README.md", "notes.txt"):
        (tmp_path / name).write_bytes(b"{}\n")
    (tmp_path / "nested").mkdir()
    files = expand_folder(tmp_path)
    assert [Path(f.name).name for f in files] == ["Patient.000.ndjson", "Observation.000.ndjson", "log.ndjson"]
    assert {f.group for f in files} == {str(tmp_path)}
    assert [Path(f.name).name for f in expand_path(tmp_path)] == [Path(f.name).name for f in files]
