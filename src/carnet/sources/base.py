"""The importer contract and the file it reads.

An importer never writes to the store: ``identify`` says whether it claims a
file, ``extract`` turns it into persons, records and problems. A file that cannot
be read at all is refused with :class:`carnet.errors.RejectedFile`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol, runtime_checkable

from carnet.model import Extracted

#: Largest single file accepted (bytes). Larger inputs are refused before reading.
MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class InputFile:
    """One file to import, held in memory (never written to disk in clear).

    ``name`` is what the person knows it as (a path, or ``archive.zip!inner.json``
    for a zip entry); ``group`` ties together the files of one bulk export so that
    references across them resolve.
    """

    name: str
    data: bytes
    group: str | None = None

    @cached_property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes, computed once when first asked for (an import's workers
        read every file but hash only those they extract)."""
        return hashlib.sha256(self.data).hexdigest()

    def head(self, size: int = 4096) -> bytes:
        """The first bytes, for cheap identification."""
        return self.data[:size]

    @property
    def suffix(self) -> str:
        base = self.name.rsplit("!", 1)[-1]
        dot = base.rfind(".")
        return base[dot:].lower() if dot >= 0 else ""


@runtime_checkable
class Importer(Protocol):
    """Two read-only methods, as in beangulp: ``identify`` and ``extract``."""

    #: unique name, e.g. ``fhir``; it is also the entry-point name
    name: str

    def identify(self, file: InputFile) -> bool:
        """True when this importer claims the file. Must be cheap and never raise."""
        ...

    def extract(self, file: InputFile) -> Extracted:
        """Persons, records and problems; raise ``RejectedFile`` if unreadable.

        ``records`` may be a lazy iterator (see :class:`carnet.model.Extracted`):
        the ``RejectedFile`` may then come from iterating it, and still refuses
        the whole file.
        """
        ...
