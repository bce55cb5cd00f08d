"""The web app factory: ``create_app(vault)`` gives the FastAPI app ``carnet serve`` runs.

Pages are rendered on the server (Jinja2), in French or English; static
assets are vendored under ``static/`` so the app works offline. Every response
goes through :class:`carnet.web.security.Guard` (security headers, host check,
last-resort error page).
"""

from __future__ import annotations

import gc
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.staticfiles import StaticFiles

from carnet.store import Vault
from carnet.web.labels import error_text
from carnet.web.ratelimit import ClientLimiter
from carnet.web.rendering import compile_templates, render_page
from carnet.web.routes import (
    budget,
    budget_charts,
    emergency,
    emergency_share,
    exports,
    household,
    imports,
    shl,
    timeline,
)
from carnet.web.security import Guard, allowed_hosts, log
from carnet.web.state import WebState
from carnet.web.upload import MAX_UPLOAD_BYTES

STATIC = Path(__file__).parent / "static"


def error_page(request: Request, status_code: int) -> Response:
    """A generic page for an error: its title and what to do, no detail of the failure."""
    title, message = error_text(status_code)
    state: WebState | None = getattr(request.app.state, "carnet", None) if "app" in request.scope else None
    context = {
        "status_code": status_code,
        "title": title,
        "message": message,
        "max_bytes": state.max_upload_bytes if state and status_code == 413 else None,
    }
    try:
        return render_page(request, "error.html", context, status_code=status_code)
    except Exception:
        log.exception("cannot render the error page")
        return PlainTextResponse("Error", status_code=status_code)


async def on_http_error(request: Request, exc: Exception) -> Response:
    status_code = exc.status_code if isinstance(exc, HTTPException) else 500
    response = error_page(request, status_code)
    if isinstance(exc, HTTPException) and exc.headers:
        response.headers.update(exc.headers)
    return response


async def on_invalid_request(request: Request, exc: Exception) -> Response:
    return error_page(request, 400)


def warm_up() -> None:
    """Do once per process what the first pages would otherwise pay: templates compiled, rules and contracts read."""
    compile_templates()
    budget_charts.preload()


def create_app(
    vault: Vault,
    *,
    public_base_url: str | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    shl_limiter: ClientLimiter | None = None,
) -> FastAPI:
    """The web app on ``vault``.

    ``public_base_url`` is the address people reach the app at when it is not
    only on the loopback (e.g. ``https://carnet.example``): its host is served,
    its origin may post forms, and ``https`` turns on HSTS and ``Secure`` cookies.
    ``shl_limiter``: the requests each client may make of the SMART Health Links
    endpoints (default: :data:`carnet.web.ratelimit.SHL_PER_MINUTE` a minute).
    """
    base = public_base_url.rstrip("/") if public_base_url else None
    warm_up()
    app = FastAPI(title="Carnet", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.carnet = WebState(vault=vault, public_base_url=base, max_upload_bytes=max_upload_bytes,
                                shl_limiter=ClientLimiter() if shl_limiter is None else shl_limiter)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for area in (household, imports, exports, timeline, emergency, emergency_share, shl, budget):
        app.include_router(area.router)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_invalid_request)
    app.add_middleware(
        Guard,
        hosts=allowed_hosts(base),
        hsts=bool(base and base.startswith("https://")),
        error_page=error_page,
    )
    return app


def serving_app(vault: Vault, *, public_base_url: str | None = None) -> FastAPI:
    """The app as ``carnet serve`` runs it: built and warmed, its start-up objects frozen out of the collector.

    Frozen objects are never scanned again, so a request's garbage collection
    does not walk FastAPI, SQLAlchemy, Babel and the compiled templates.
    """
    app = create_app(vault, public_base_url=public_base_url)
    gc.collect()
    gc.freeze()
    return app
