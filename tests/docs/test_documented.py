"""Docs that cannot rot: every importer, rule file and setting is documented."""

from __future__ import annotations

import re
from importlib.metadata import entry_points
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "carnet"
DOCS = REPO / "docs"


def _docs_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md"))) + (
        REPO / "README.md"
    ).read_text(encoding="utf-8")


def test_every_importer_is_documented() -> None:
    text = (DOCS / "importers.md").read_text(encoding="utf-8")
    names = [ep.name for ep in entry_points(group="carnet.importers")]
    assert names, "no importer registered: is the package installed (pip install -e .)?"
    missing = [n for n in names if f"`{n}`" not in text]
    assert not missing, f"importers missing from docs/importers.md: {missing}"


@pytest.mark.parametrize("path", sorted((SRC / "rules").rglob("*.yaml")), ids=lambda p: p.name)
def test_every_rule_file_is_documented(path: Path) -> None:
    text = _docs_text()
    named = path.name in text or f"`{path.stem}`" in text
    assert named, f"{path.relative_to(SRC)} is not named in docs/ or README.md"


def test_every_setting_is_documented() -> None:
    used: set[str] = set()
    for py in SRC.rglob("*.py"):
        used.update(re.findall(r"[\"'](CARNET_[A-Z_]+)[\"']", py.read_text(encoding="utf-8")))
    text = _docs_text()
    missing = sorted(v for v in used if v not in text)
    assert not missing, f"settings missing from README.md / docs: {missing}"
