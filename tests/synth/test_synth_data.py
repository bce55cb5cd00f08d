"""Every rate of the synthesis is data with a cited source."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import pytest

from carnet.restitution.synth import datafiles

NAMES = sorted(p.name.removesuffix(".yaml") for p in
               files("carnet.restitution.synth").joinpath("data").iterdir()
               if p.name.endswith(".yaml"))


def _cited(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "source" and not isinstance(item, dict):
                yield from ([item] if isinstance(item, str) else item)
            else:
                yield from _cited(item)
    elif isinstance(value, list):
        for item in value:
            yield from _cited(item)


@pytest.mark.parametrize("name", NAMES)
def test_every_cited_source_is_listed(name: str) -> None:
    data = datafiles.read(name)
    listed = set(data["sources"])
    cited = set(_cited({k: v for k, v in data.items() if k != "sources"}))
    assert cited, f"{name}.yaml cites no source"
    assert cited <= listed, f"{name}.yaml cites unknown sources {sorted(cited - listed)}"
    assert all(isinstance(text, str) and text.strip() for text in data["sources"].values())


def test_all_data_files_are_read() -> None:
    assert set(NAMES) == {"acts", "everyday", "formulary", "household", "names", "pathology",
                          "payment", "population", "prevention"}
