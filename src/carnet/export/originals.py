"""The original files, byte for byte, as they were imported (the archive, decompressed and checked).

Each archived file is written once, under the name it was first imported with
(its last path part); two different files with the same name are told apart by
the start of their SHA-256. ``originals.csv`` lists every file with its
SHA-256, size and every name it was imported under. Each file is checked
against its SHA-256 as it is written: a damaged archive is an error, never a
silently different file.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path, PurePosixPath

from sqlalchemy import select

from carnet.export.csvsafe import safe_cell
from carnet.export.destination import Destination, destination, text
from carnet.store import archive
from carnet.store import schema as s
from carnet.store.vault import Vault

MANIFEST = "originals.csv"
#: characters kept in a file name; anything else becomes "_"
_UNSAFE = re.compile(r"[^\w.\-]+")


def file_name(imported_as: str, sha256: str) -> str:
    """A plain, safe file name for an original imported as ``imported_as``."""
    last = PurePosixPath(imported_as.replace("\\", "/")).name
    name = _UNSAFE.sub("_", last).lstrip(".")
    return name or sha256[:12]


def _unique(name: str, sha256: str, taken: set[str]) -> str:
    if name in taken or name == MANIFEST:
        path = PurePosixPath(name)
        name = f"{path.stem}-{sha256[:12]}{path.suffix}"
    taken.add(name)
    return name


def export_originals(vault: Vault, out: Path | Destination) -> dict[str, int]:
    """Write every archived original and ``originals.csv`` into ``out``; return the counts."""
    target = destination(out)
    i, a = s.imports.c, s.archive.c
    files = bytes_out = 0
    with vault.reading() as conn:
        names: dict[str, list[tuple[str, str]]] = {}
        for sha256, name, at in conn.execute(select(i.file_sha256, i.file_name, i.imported_at).order_by(i.id)):
            names.setdefault(str(sha256), []).append((str(name), str(at)))
        sizes = {str(sha): int(size) for sha, size in conn.execute(select(a.sha256, a.size))}
        taken: set[str] = set()
        rows: list[tuple[str, str, int, str, str]] = []
        for sha256, imported in names.items():
            if sha256 not in sizes:
                continue
            name = _unique(file_name(imported[0][0], sha256), sha256, taken)
            with target.binary(name) as fh:
                for piece in archive.iter_original(conn, sha256):
                    fh.write(piece)
            files += 1
            bytes_out += sizes[sha256]
            seen = list(dict.fromkeys(n for n, _ in imported))
            rows.append((name, sha256, sizes[sha256], " | ".join(seen), imported[0][1]))
    with text(target, MANIFEST) as fh:
        w = csv.writer(fh)
        w.writerow(("file", "sha256", "size", "imported_as", "first_imported_at"))
        w.writerows([safe_cell(v) for v in row] for row in rows)
    return {"originals": files, "bytes": bytes_out}
