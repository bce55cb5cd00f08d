"""The import direction of DESIGN.md §3: ``model`` and ``services`` stay pure.

``model`` imports nothing else of the package; ``services`` import only
``model`` and the rule data loaders (``rules``), never the store, the web, the
CLI or the clock-reading edges.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "carnet"


def _carnet_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("carnet"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("carnet"):
            found.add(node.module)
    return found


def _package_files(name: str) -> list[Path]:
    return sorted((SRC / name).rglob("*.py"))


@pytest.mark.parametrize("path", _package_files("model"), ids=lambda p: p.name)
def test_model_imports_only_model(path: Path) -> None:
    bad = {m for m in _carnet_imports(path) if not m.startswith("carnet.model")}
    assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _package_files("services"), ids=lambda p: str(p.relative_to(SRC)))
def test_services_import_only_model_rules_and_services(path: Path) -> None:
    allowed = ("carnet.model", "carnet.services", "carnet.rules", "carnet.errors")
    bad = {m for m in _carnet_imports(path) if not m.startswith(allowed)}
    assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _package_files("services"), ids=lambda p: str(p.relative_to(SRC)))
def test_services_do_not_read_clock_env_or_disk(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for forbidden in ("date.today(", "datetime.now(", "os.environ", "open(", "time.time("):
        assert forbidden not in text, f"{path.relative_to(SRC)} uses {forbidden}"
