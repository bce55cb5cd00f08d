"""Zip archives and bulk-export folders → :class:`InputFile` objects, safely (goal G9).

A zip is checked before anything is decompressed: the entry count (read from
the end-of-central-directory record, before :mod:`zipfile` builds its list), the
declared sizes, the compression ratio, the names (no ``..``, no absolute path),
symlink, encrypted and nested-archive entries. Then each entry is decompressed
in chunks with a running byte counter, because declared sizes can lie. Nothing
is ever written to disk: the vault keeps no plaintext outside its encrypted file.
"""

from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from carnet.errors import RejectedFile
from carnet.sources.base import MAX_FILE_BYTES, InputFile

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh", b"\xfd7zXZ")
_ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".jar")
#: entries that archivers add and that are never data
_JUNK = ("__MACOSX/", ".DS_Store")
FOLDER_SUFFIXES = (".ndjson", ".json")
CHUNK = 1 << 20


@dataclass(frozen=True)
class ZipLimits:
    """What one archive may hold. Defaults follow ASVS 5.2.3 and goal G9."""

    max_entries: int = 10_000
    max_total: int = 1 << 30  # bytes once decompressed, all entries together
    max_entry: int = MAX_FILE_BYTES
    max_ratio: int = 200  # uncompressed / compressed, for entries above ratio_floor
    ratio_floor: int = 1 << 20


DEFAULT_LIMITS = ZipLimits()


def is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", _EOCD)


def _declared_entries(data: bytes, name: str) -> int:
    """Number of entries the central directory announces, read without zipfile."""
    at = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if at < 0 or len(data) < at + 22:
        raise RejectedFile(name, "", "not a readable zip archive (no end of central directory)")
    count: int = struct.unpack_from("<H", data, at + 10)[0]
    locator = at - 20
    if locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR:
        offset: int = struct.unpack_from("<Q", data, locator + 8)[0]
        if offset + 40 <= len(data) and data[offset : offset + 4] == _ZIP64_EOCD:
            count = max(count, struct.unpack_from("<Q", data, offset + 32)[0])
    return count


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _check_name(entry: str, name: str) -> None:
    where = f"entry {entry!r}"
    if "\x00" in entry:
        raise RejectedFile(name, where, "entry name contains a NUL byte")
    unified = entry.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise RejectedFile(name, where, "absolute path in archive (zip slip)")
    if ".." in PurePosixPath(unified).parts:
        raise RejectedFile(name, where, "'..' in archive path (zip slip)")


def _check_entry(info: zipfile.ZipInfo, name: str, limits: ZipLimits) -> None:
    where = f"entry {info.filename!r}"
    _check_name(info.filename, name)
    if _is_symlink(info):
        raise RejectedFile(name, where, "symbolic link in archive")
    if info.flag_bits & 0x1:
        raise RejectedFile(name, where, "encrypted entry; Carnet reads unencrypted archives only")
    if info.filename.lower().endswith(_ARCHIVE_SUFFIXES):
        raise RejectedFile(name, where, "archive inside an archive; unpack it first")
    if info.file_size > limits.max_entry:
        raise RejectedFile(name, where, f"entry too large ({info.file_size} bytes; limit {limits.max_entry})")
    if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise RejectedFile(
            name, where,
            f"compression ratio too high ({info.file_size} bytes from {info.compress_size}; zip bomb?)",
        )


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: int, limits: ZipLimits) -> bytes:
    """Decompress one entry in chunks, stopping as soon as a limit is passed."""
    where = f"entry {info.filename!r}"
    cap = min(limits.max_entry, budget)
    parts: list[bytes] = []
    size = 0
    with zf.open(info) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > cap:
                what = "entry" if cap == limits.max_entry else "archive"
                raise RejectedFile(name, where, f"{what} larger than its limit once decompressed (zip bomb?)")
            parts.append(chunk)
    data = b"".join(parts)
    if data.startswith(_ARCHIVE_MAGIC):
        raise RejectedFile(name, where, "archive inside an archive; unpack it first")
    return data


def _ordered(files: list[InputFile]) -> list[InputFile]:
    """Patient files first (bulk exports), then by name."""

    def key(f: InputFile) -> tuple[int, str]:
        base = f.name.rsplit("!", 1)[-1].replace("\\", "/").rsplit("/", 1)[-1]
        return (0 if base.startswith("Patient") else 1, f.name)

    return sorted(files, key=key)


def expand_zip(name: str, data: bytes, limits: ZipLimits = DEFAULT_LIMITS) -> list[InputFile]:
    """The files of a zip archive, named ``archive.zip!inner/path``; group = the archive."""
    declared = _declared_entries(data, name)
    if declared > limits.max_entries:
        raise RejectedFile(name, "", f"too many entries in archive ({declared}; limit {limits.max_entries})")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_entries:
                raise RejectedFile(name, "", f"too many entries in archive ({len(infos)}; limit {limits.max_entries})")
            wanted = [i for i in infos if not i.is_dir() and not any(j in i.filename for j in _JUNK)]
            seen: set[str] = set()
            for info in wanted:
                _check_entry(info, name, limits)
                if info.filename in seen:
                    raise RejectedFile(name, f"entry {info.filename!r}", "two entries have the same name")
                seen.add(info.filename)
            declared_total = sum(i.file_size for i in wanted)
            if declared_total > limits.max_total:
                raise RejectedFile(name, "", f"archive too large once decompressed ({declared_total} bytes declared)")
            files: list[InputFile] = []
            budget = limits.max_total
            for info in wanted:
                content = _read_entry(zf, info, name, budget, limits)
                budget -= len(content)
                files.append(InputFile(f"{name}!{info.filename}", content, group=name))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, zlib.error, EOFError, ValueError) as err:
        raise RejectedFile(name, "", f"unreadable zip archive: {err}") from None
    return _ordered(files)


def expand(name: str, data: bytes, limits: ZipLimits = DEFAULT_LIMITS) -> list[InputFile]:
    """One file as given: a zip becomes its entries, anything else stays one file."""
    if is_zip(data):
        return expand_zip(name, data, limits)
    return [InputFile(name, data)]


def folder_files(path: Path) -> list[Path]:
    """The ``*.ndjson`` and ``*.json`` files of a bulk-export folder, Patient files first."""
    children = [c for c in path.iterdir() if c.is_file() and c.suffix.lower() in FOLDER_SUFFIXES]
    return sorted(children, key=lambda c: (0 if c.name.startswith("Patient") else 1, str(c)))


def iter_folder(path: Path) -> Iterator[InputFile | RejectedFile]:
    """The files of a bulk-export folder, read one at a time (group = the folder)."""
    for child in folder_files(path):
        size = child.stat().st_size
        if size > MAX_FILE_BYTES:
            yield RejectedFile(str(child), "", f"file too large ({size} bytes; limit {MAX_FILE_BYTES})")
            continue
        yield InputFile(str(child), child.read_bytes(), group=str(path))


def expand_folder(path: Path) -> list[InputFile]:
    """All the files of a bulk-export folder at once; refuses the folder if one file is too large."""
    files: list[InputFile] = []
    for item in iter_folder(path):
        if isinstance(item, RejectedFile):
            raise item
        files.append(item)
    return files


def expand_path(path: Path, limits: ZipLimits = DEFAULT_LIMITS) -> list[InputFile]:
    """A folder, a zip or a plain file → the files to import."""
    if path.is_dir():
        return expand_folder(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise RejectedFile(str(path), "", f"file too large ({size} bytes; limit {MAX_FILE_BYTES})")
    return expand(str(path), path.read_bytes(), limits)
