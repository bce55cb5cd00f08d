"""The public SMART Health Links endpoints, and the viewer a first responder's phone opens.

Anyone holding a link may call these (no account, no CSRF token: the link id
is the capability), from any origin (``Access-Control-Allow-Origin: *``, as
receiving apps run elsewhere). Answers are JSON or JOSE, never the app's pages:

- ``POST /shl/{id}`` — the manifest: ``{recipient, passcode?, embeddedLengthMax?}``
  → ``{files: [{contentType, embedded | location}]}``; 401 ``{remainingAttempts}``
  for a wrong passcode; 404 for an unknown, expired, revoked or disabled link;
- ``GET /shl/{id}?recipient=…`` — the file itself, for a link with the ``U`` flag;
- ``GET /shl/{id}/file/{ticket}`` — a ``location`` of the manifest, valid one hour;
- ``GET /shl/view`` — the viewer: it reads the link after ``#`` (never sent
  here), asks the manifest and decrypts the file in the browser (WebCrypto).

The three link endpoints count each client's requests
(:mod:`carnet.web.ratelimit`): beyond its share, 429 with ``Retry-After``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from carnet.emergency.access import clean_label
from carnet.emergency.links import Answer, Outcome, answer
from carnet.emergency.shl import FHIR_JSON, b64url, unb64url
from carnet.web.rendering import render_page
from carnet.web.state import web_state

router = APIRouter()

LINK_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_BODY = 4096
LOCATION_SECONDS = 3600
CORS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT = CORS | {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "content-type",
    "Access-Control-Max-Age": "600",
}
#: signs ``location`` tickets; drawn per process, so a restart only makes receivers ask the manifest again
_TICKET_KEY = secrets.token_bytes(32)


def json_answer(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=CORS)


def not_found() -> JSONResponse:
    return json_answer(404, {"error": "This link is not active."})


def throttled(request: Request) -> JSONResponse | None:
    """429 with ``Retry-After`` when this client has used up its requests, else None."""
    client = request.client.host if request.client else "unknown"
    wait = web_state(request).shl_limiter.retry_after(client)
    if wait is None:
        return None
    return JSONResponse({"error": "Too many requests; try again later."}, status_code=429,
                        headers=CORS | {"Retry-After": str(wait)})


def refused(result: Answer) -> JSONResponse:
    if result.outcome in (Outcome.WRONG_PASSCODE, Outcome.NO_PASSCODE):
        return json_answer(401, {"remainingAttempts": result.remaining or 0})
    return not_found()


def ticket(link_id: str, recipient: str, expires: int) -> str:
    body = b64url(orjson.dumps({"e": expires, "r": recipient}))
    mac = hmac.new(_TICKET_KEY, f"{link_id}.{body}".encode(), hashlib.sha256).digest()
    return f"{body}.{b64url(mac)}"


def read_ticket(link_id: str, text: str, now: dt.datetime) -> str | None:
    """The recipient a ticket was made for, if it is genuine and not expired."""
    body, _, mac = text.partition(".")
    good = hmac.new(_TICKET_KEY, f"{link_id}.{body}".encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(unb64url(mac), good):
            return None
        fields = orjson.loads(unb64url(body))
    except (ValueError, orjson.JSONDecodeError):
        return None
    if not isinstance(fields, dict) or not isinstance(fields.get("e"), int) or fields["e"] < now.timestamp():
        return None
    return str(fields.get("r", "?"))


async def _request_body(request: Request) -> dict[str, Any] | None:
    size = request.headers.get("content-length")
    if size is not None and (not size.isdigit() or int(size) > MAX_BODY):
        return None
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            return None
    try:
        found = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return found if isinstance(found, dict) else None


@router.get("/shl/view", response_class=HTMLResponse)
def viewer(request: Request) -> HTMLResponse:
    return render_page(request, "shl_view.html")


@router.options("/shl/{link_id}")
@router.options("/shl/{link_id}/file/{token}")
def preflight(link_id: str, token: str = "") -> Response:
    return Response(status_code=204, headers=PREFLIGHT)


@router.post("/shl/{link_id}")
async def manifest(request: Request, link_id: str) -> Response:
    """The manifest of a link (SHL "manifest request")."""
    if (slow_down := throttled(request)) is not None:
        return slow_down
    if not LINK_ID.match(link_id):
        return not_found()
    body = await _request_body(request)
    recipient = body.get("recipient") if body else None
    passcode = body.get("passcode") if body else None
    limit = body.get("embeddedLengthMax") if body else None
    if not isinstance(recipient, str) or not recipient.strip() or not isinstance(passcode, str | None):
        return json_answer(400, {"error": "A JSON body with a recipient (and the passcode if any) is expected."})
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        return json_answer(400, {"error": "embeddedLengthMax is a non-negative integer."})
    now = dt.datetime.now(dt.UTC)
    state = web_state(request)
    result = await run_in_threadpool(
        lambda: answer(state.vault, link_id, recipient, now, passcode=passcode, action="shl-manifest")
    )
    if result.outcome is not Outcome.ALLOWED or result.jwe is None or result.link is None:
        return refused(result)
    entry: dict[str, Any] = {"contentType": FHIR_JSON, "lastUpdated": result.link.created_at, "fhirVersion": "4.0.1"}
    if limit is None or len(result.jwe) <= limit:
        entry["embedded"] = result.jwe
    else:
        base = state.public_base_url or str(request.base_url).rstrip("/")
        expires = int(now.timestamp()) + LOCATION_SECONDS
        entry["location"] = f"{base}/shl/{link_id}/file/{ticket(link_id, clean_label(recipient), expires)}"
    return json_answer(200, {"files": [entry]})


def _jose(jwe: str) -> Response:
    return Response(jwe, media_type="application/jose", headers=CORS)


@router.get("/shl/{link_id}")
async def direct_file(request: Request, link_id: str, recipient: str = "") -> Response:
    """The single encrypted file of a link with the ``U`` flag."""
    if (slow_down := throttled(request)) is not None:
        return slow_down
    if not LINK_ID.match(link_id):
        return not_found()
    if not recipient.strip():
        return json_answer(400, {"error": "The recipient query parameter is required."})
    now = dt.datetime.now(dt.UTC)
    vault = web_state(request).vault
    result = await run_in_threadpool(lambda: answer(vault, link_id, recipient, now, passcode=None, action="shl-direct"))
    if result.outcome is not Outcome.ALLOWED or result.jwe is None:
        return refused(result)
    return _jose(result.jwe)


@router.get("/shl/{link_id}/file/{token}")
async def location_file(request: Request, link_id: str, token: str) -> Response:
    """A ``location`` given by the manifest: the file, for one hour, while the link stays active."""
    if (slow_down := throttled(request)) is not None:
        return slow_down
    now = dt.datetime.now(dt.UTC)
    recipient = read_ticket(link_id, token, now) if LINK_ID.match(link_id) else None
    if recipient is None:
        return not_found()
    vault = web_state(request).vault
    result = await run_in_threadpool(lambda: answer(vault, link_id, recipient, now, passcode=None, action="shl-file"))
    if result.outcome is not Outcome.ALLOWED or result.jwe is None:
        return not_found()
    return _jose(result.jwe)
