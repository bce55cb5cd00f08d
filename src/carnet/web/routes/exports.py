"""Taking everything out (``/export``): the whole vault as FHIR R4 NDJSON, as CSV, or
the original files, each a zip built in memory; and one imported file as it came
(``/imports/{id}/original``).

The zips are the same files as ``carnet export`` writes (``carnet.export``),
built in memory: nothing of the vault is written in clear on the disk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, HTTPException
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from carnet.export import export_csv, export_fhir, export_originals
from carnet.export.destination import Destination, ZipInMemory
from carnet.export.originals import file_name
from carnet.store import archive
from carnet.store import schema as s
from carnet.store.vault import Vault
from carnet.web.rendering import render_page
from carnet.web.state import web_state

router = APIRouter()

Export = Callable[[Vault, Path | Destination], dict[str, int]]
EXPORTS: dict[str, Export] = {"fhir": export_fhir, "csv": export_csv, "originals": export_originals}


def attachment(name: str) -> dict[str, str]:
    """``Content-Disposition`` for a download named ``name`` (RFC 6266, with a UTF-8 form)."""
    plain = name.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    return {"Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"}


@router.get("/export", response_class=HTMLResponse)
def export_page(request: Request) -> HTMLResponse:
    return render_page(request, "export.html", {}, section="household")


def _zip(vault: Vault, fmt: str) -> bytes:
    target = ZipInMemory()
    EXPORTS[fmt](vault, target)
    return target.data()


@router.get("/export/{fmt}.zip")
async def export_zip(request: Request, fmt: str) -> Response:
    if fmt not in EXPORTS:
        raise HTTPException(404)
    data = await run_in_threadpool(_zip, web_state(request).vault, fmt)
    name = f"carnet-{fmt}-{dt.date.today().isoformat()}.zip"
    return Response(data, media_type="application/zip", headers=attachment(name))


@router.get("/imports/{import_id}/original")
def original(request: Request, import_id: int) -> Response:
    """The file of one import, byte for byte (checked against its SHA-256)."""
    i = s.imports.c
    with web_state(request).vault.reading() as conn:
        row = conn.execute(select(i.file_name, i.file_sha256).where(i.id == import_id)).first()
        if row is None or not archive.is_archived(conn, row.file_sha256):
            raise HTTPException(404)
        data = archive.read_original(conn, row.file_sha256)
    return Response(data, media_type="application/octet-stream",
                    headers=attachment(file_name(row.file_name, row.file_sha256)))
