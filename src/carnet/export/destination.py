"""Where an export's files go: a folder (the CLI) or a zip built in memory (the web app).

An export names its files and writes bytes or text into them; a
:class:`Destination` decides where they land. The web app's zip never
touches the disk: nothing of the vault is written in clear on the server.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Protocol


class Destination(Protocol):
    def binary(self, name: str) -> AbstractContextManager[IO[bytes]]:
        """A new file ``name`` (a plain name, no folders), open for writing bytes."""
        ...


class Folder:
    """Files in a folder of the disk, created if need be."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def binary(self, name: str) -> Iterator[IO[bytes]]:
        with (self.path / name).open("wb") as fh:
            yield fh


class ZipInMemory:
    """Files in a zip archive held in memory (:meth:`data` once the export is done)."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)

    @contextmanager
    def binary(self, name: str) -> Iterator[IO[bytes]]:
        with self._zip.open(name, "w") as fh:
            yield fh

    def data(self) -> bytes:
        self._zip.close()
        return self._buffer.getvalue()


def destination(out: Path | Destination) -> Destination:
    """A folder for a path, else the destination itself."""
    return Folder(out) if isinstance(out, Path) else out


@contextmanager
def text(target: Destination, name: str) -> Iterator[IO[str]]:
    """A new UTF-8 text file ``name`` (newlines as written: the csv module writes its own)."""
    with target.binary(name) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh:
        yield fh
