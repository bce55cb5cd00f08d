"""Build the demo vault: create (or reopen) it and import the generated household."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson

from carnet.demo.household import household_bundles
from carnet.ingest import import_inputs
from carnet.sources.base import InputFile
from carnet.store import Vault, create_vault, open_vault


def demo_inputs() -> list[InputFile]:
    return [InputFile(f"demo/{name}", orjson.dumps(bundle)) for name, bundle in household_bundles()]


def build_demo(path: Path, passphrase: str, progress: Callable[[str], None] | None = None) -> Vault:
    """Idempotent: running it twice gives the same vault (files already imported are skipped)."""
    say = progress or (lambda _msg: None)
    vault = open_vault(str(path), passphrase) if path.exists() else create_vault(str(path), passphrase)
    report = import_inputs(vault, demo_inputs())
    say(f"demo: {report.total('added')} records added, {report.total('duplicates')} already there")
    return vault
