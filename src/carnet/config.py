"""Settings, built once at the edge from options and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_VAULT = Path.home() / ".local" / "share" / "carnet" / "vault.carnet"


@dataclass(frozen=True)
class Settings:
    vault: str
    passphrase: str | None
    public_base_url: str | None = None

    @classmethod
    def from_env(cls, vault: str | None = None) -> Settings:
        return cls(
            vault=vault or os.environ.get("CARNET_VAULT") or str(DEFAULT_VAULT),
            passphrase=os.environ.get("CARNET_PASSPHRASE"),
            public_base_url=os.environ.get("CARNET_PUBLIC_BASE_URL"),
        )
