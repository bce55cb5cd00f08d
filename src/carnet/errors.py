"""Errors meant for the person: one clear line, never a traceback."""

from __future__ import annotations


class CarnetError(Exception):
    """A failure the person can act on; the CLI prints ``str(err)`` and exits 1."""

    exit_code = 1


class WrongPassphrase(CarnetError):
    """The passphrase does not open this vault."""


class VaultNotFound(CarnetError):
    """No vault at the given path or URL."""


class RejectedFile(CarnetError):
    """A whole file was refused: ``file``, ``position`` and ``reason`` say why."""

    def __init__(self, file: str, position: str, reason: str) -> None:
        self.file = file
        self.position = position
        self.reason = reason
        where = f"{file}:{position}" if position else file
        super().__init__(f"{where}: {reason}")
