"""The household page (``/``) and the language switcher (``/lang/{code}``)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from carnet.store import reader
from carnet.web.i18n import COOKIE, LANGUAGES
from carnet.web.rendering import render_page
from carnet.web.state import web_state

router = APIRouter()

LAST_IMPORTS = 10
LANG_COOKIE_SECONDS = 365 * 24 * 3600


@router.get("/", response_class=HTMLResponse)
def household(request: Request) -> HTMLResponse:
    """The people of the vault, what it holds per kind, and the last imports."""
    with web_state(request).vault.reading() as conn:
        people = reader.persons(conn)
        per_person = reader.counts_by_person(conn)
        per_kind = reader.counts_by_kind(conn)
        imports = reader.last_imports(conn, limit=LAST_IMPORTS)
    context = {
        "people": people,
        "per_person": per_person,
        "per_kind": per_kind,
        "total": sum(per_kind.values()),
        "imports": imports,
    }
    return render_page(request, "household.html", context, section="household")


def local_path(target: str | None) -> str:
    """``target`` if it is a path of this site, else ``/`` (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(ch) < 0x20 for ch in target):
        return "/"
    return target


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str | None = None) -> RedirectResponse:
    """Remember the chosen language in the ``lang`` cookie and go back."""
    response = RedirectResponse(local_path(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(
            COOKIE,
            code,
            max_age=LANG_COOKIE_SECONDS,
            samesite="lax",
            httponly=True,
            secure=web_state(request).secure_cookies,
        )
    return response
