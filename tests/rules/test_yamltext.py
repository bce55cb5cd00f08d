"""The fast YAML path reads every shipped data file exactly as PyYAML's safe loader does."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from carnet.rules import yamltext

PACKAGE = Path(str(files("carnet")))
SHIPPED = sorted(
    p for folder in ("rules", "restitution/synth/data") for p in (PACKAGE / folder).rglob("*.yaml")
)


def test_the_c_parser_is_used() -> None:
    assert yaml.__with_libyaml__, "PyYAML was built without libyaml: rules load ten times slower"
    assert yamltext.SAFE_LOADER is yaml.CSafeLoader


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_same_data_as_the_pure_python_safe_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yamltext.parse(text) == yaml.load(text, Loader=yaml.SafeLoader)


def test_shipped_files_are_found() -> None:
    assert len(SHIPPED) >= 15


def test_unsafe_tags_are_refused() -> None:
    with pytest.raises(yamltext.YAMLError):
        yamltext.parse("!!python/object/apply:os.system ['true']")


def test_malformed_yaml_is_a_yaml_error_with_its_position() -> None:
    with pytest.raises(yamltext.YAMLError, match="line 2"):
        yamltext.parse("a: 1\nb: [2, 3\n")
