"""What every response and every form gets: headers, host check, CSRF, last-resort errors.

- Security headers on every response (pages, static files, errors); pages and
  JSON are never cached (``no-store``) since they hold health data.
- Only the loopback names and the host of ``public_base_url`` are served, so a
  hostile web page cannot reach the vault through DNS rebinding.
- The household's own pages answer only on the loopback: a request from
  another machine, or one addressed to the public host (through a reverse
  proxy), reaches only what is public — the SMART Health Links endpoints and
  their viewer (``/shl/``) and the static files. Anything else is a 404.
- Forms that change the vault carry a CSRF token (double-submit: a hidden field
  equal to a ``SameSite=Strict``, ``HttpOnly`` cookie) and must come from our origin.
- An unexpected exception becomes a generic 500 page; the traceback goes to the log.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("carnet.web")

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})
LOOPBACK_CLIENTS = frozenset({"127.0.0.1", "::1"})
STATIC_PREFIX = "/static/"
PUBLIC_PREFIXES = (STATIC_PREFIX, "/shl/")

CSRF_COOKIE = "carnet_csrf"
CSRF_FIELD = "csrf_token"
TOKEN_BYTES = 32

ErrorPage = Callable[[Request, int], Response]


def is_private_request(scope: Scope, host: str) -> bool:
    """Whether the household's pages may answer: a loopback client addressing a loopback name.

    The client address is checked as well as the ``Host`` header, which a
    remote client chooses freely; a reverse proxy on this machine must pass
    the public ``Host`` on (``proxy_set_header Host $host``) so that what it
    forwards stays public.
    """
    client = scope.get("client")
    return client is not None and str(client[0]) in LOOPBACK_CLIENTS and host in LOOPBACK


def is_public_path(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


def hostname(host: str) -> str:
    """``Host`` header without its port; IPv6 literals keep their brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.split(":", 1)[0]


class Guard:
    """ASGI middleware: host check, security headers, last-resort error page."""

    def __init__(self, app: ASGIApp, *, hosts: frozenset[str], hsts: bool, error_page: ErrorPage) -> None:
        self.app = app
        self.hosts = hosts
        self.hsts = hsts
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope["path"]).startswith(STATIC_PREFIX)
        started = False

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if self.hsts:
                    headers["Strict-Transport-Security"] = HSTS
                headers["Cache-Control"] = "no-cache" if static else "no-store"
                if "server" in headers:
                    del headers["server"]
            await send(message)

        request = Request(scope)
        host = hostname(request.headers.get("host", ""))
        if host not in self.hosts:
            await PlainTextResponse("Unknown host.", status_code=400)(scope, receive, send_secured)
            return
        if not is_public_path(str(scope["path"])) and not is_private_request(scope, host):
            await self.error_page(request, 404)(scope, receive, send_secured)
            return
        try:
            await self.app(scope, receive, send_secured)
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await self.error_page(request, 500)(scope, receive, send_secured)


def allowed_hosts(public_base_url: str | None) -> frozenset[str]:
    if not public_base_url:
        return LOOPBACK
    return LOOPBACK | {hostname(urlsplit(public_base_url).netloc)}


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def csrf_token(request: Request) -> str:
    """The token of this browser (from its cookie), or a new one."""
    token = request.cookies.get(CSRF_COOKIE, "")
    return token if len(token) >= TOKEN_BYTES else new_token()


def set_csrf_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/")


def check_origin(request: Request, public_base_url: str | None) -> None:
    """Refuse a state-changing request sent by another site (403)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise HTTPException(403, "cross-site request")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return  # with Referrer-Policy: no-referrer, browsers send "null"; Sec-Fetch-Site tells
    own = {f"{request.url.scheme}://{request.headers.get('host', '')}"}
    if public_base_url:
        parts = urlsplit(public_base_url)
        own.add(f"{parts.scheme}://{parts.netloc}")
    if origin not in own:
        raise HTTPException(403, "cross-origin request")


def check_csrf(request: Request, submitted: str | None) -> None:
    """The submitted token must equal the cookie's (403 otherwise)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not submitted or not hmac.compare_digest(cookie.encode(), submitted.encode()):
        raise HTTPException(403, "missing or wrong CSRF token")
