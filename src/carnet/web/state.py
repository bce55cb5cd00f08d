"""What the routes share: the vault and the settings the app was built with."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from carnet.store import Vault
from carnet.web.ratelimit import ClientLimiter


@dataclass(frozen=True)
class WebState:
    """Built once by ``create_app``; read by every route through ``web_state``."""

    vault: Vault
    public_base_url: str | None
    max_upload_bytes: int
    shl_limiter: ClientLimiter = field(default_factory=ClientLimiter)

    @property
    def secure_cookies(self) -> bool:
        """Cookies are ``Secure`` when the app is served over HTTPS."""
        return bool(self.public_base_url and self.public_base_url.startswith("https://"))


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.carnet
    return state
