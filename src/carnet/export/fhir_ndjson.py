"""FHIR R4 NDJSON export: one file per resource type, canonical lines, stable order.

Importing an export into an empty vault and exporting again gives byte-identical
files: each line is the stored canonical JSON (sorted keys), files and lines are
sorted by resource type and natural key.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from carnet.store.reader import current_resources
from carnet.store.vault import Vault


def export_fhir(vault: Vault, out: Path) -> dict[str, int]:
    """Write ``<ResourceType>.ndjson`` files into ``out``; return lines per type."""
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    current: str | None = None
    fh: IO[bytes] | None = None
    try:
        with vault.reading() as conn:
            for rtype, _key, resource in current_resources(conn):
                if rtype != current:
                    if fh:
                        fh.close()
                    current = rtype
                    fh = (out / f"{rtype}.ndjson").open("wb")
                assert fh is not None
                fh.write(resource.encode("utf-8") + b"\n")
                counts[rtype] = counts.get(rtype, 0) + 1
    finally:
        if fh:
            fh.close()
    return counts
