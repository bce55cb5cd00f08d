"""The import page (``/import``): upload files, see what each one added.

The upload is read into memory (see ``carnet.web.upload``), zips are expanded
by ``carnet.sources.container``, and every file goes through the import
pipeline in its own transaction: a bad file adds nothing and says why.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from carnet.errors import RejectedFile
from carnet.ingest import ImportReport, import_inputs
from carnet.sources.base import InputFile
from carnet.sources.container import expand
from carnet.web.rendering import render_page
from carnet.web.security import CSRF_FIELD, check_csrf, check_origin, csrf_token, set_csrf_cookie
from carnet.web.state import web_state
from carnet.web.upload import UploadedFile, read_upload

router = APIRouter()

ACCEPT = ".json,.ndjson,.jsonl,.zip,application/json,application/fhir+json,application/zip"


def import_form(request: Request, *, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    """The upload form, with this browser's CSRF token in a hidden field and a cookie."""
    state = web_state(request)
    token = csrf_token(request)
    context = {
        "csrf_field": CSRF_FIELD,
        "csrf_token": token,
        "accept": ACCEPT,
        "max_bytes": state.max_upload_bytes,
        "error": error,
    }
    response = render_page(request, "import.html", context, status_code=status_code, section="import")
    set_csrf_cookie(response, token, secure=state.secure_cookies)
    return response


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request) -> HTMLResponse:
    return import_form(request)


def to_inputs(files: list[UploadedFile]) -> list[InputFile | RejectedFile]:
    """Uploaded files → files to import; a zip gives its members, a bad zip a refusal."""
    inputs: list[InputFile | RejectedFile] = []
    for file in files:
        try:
            inputs.extend(expand(file.name, file.data))
        except RejectedFile as err:
            inputs.append(err)
    return inputs


@router.post("/import", response_class=HTMLResponse)
async def import_upload(request: Request) -> HTMLResponse:
    state = web_state(request)
    check_origin(request, state.public_base_url)
    upload = await read_upload(request, state.max_upload_bytes)
    check_csrf(request, upload.fields.get(CSRF_FIELD))
    if not upload.files:
        return import_form(request, error="no-files", status_code=400)
    report: ImportReport = await run_in_threadpool(import_inputs, state.vault, to_inputs(upload.files))
    return render_page(request, "import_result.html", {"report": report}, section="import")
