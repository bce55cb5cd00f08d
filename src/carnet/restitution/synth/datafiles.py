"""The synthesis data files: YAML under ``synth/data``, each value with its source.

Every rate the generator uses (pyramid, household shares, prevalences,
uptakes, delays) lives in one of these files, never in code. This module only
reads them and offers small checked accessors; each domain module turns its
file into typed values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np

from carnet.restitution.synth.arrays import FloatArray, IntArray
from carnet.rules import yamltext


class SynthDataError(ValueError):
    """A synthesis data file is malformed; the message names the file and the key."""


@cache
def read(name: str) -> Mapping[str, Any]:
    """The parsed ``data/<name>.yaml``; every file must cite its ``sources``."""
    resource = files("carnet.restitution.synth").joinpath("data").joinpath(f"{name}.yaml")
    loaded = yamltext.parse(resource.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict) or not isinstance(loaded.get("sources"), dict):
        raise SynthDataError(f"{name}.yaml: a mapping with a `sources` section is expected")
    return loaded


def section(data: Mapping[str, Any], key: str, where: str) -> Any:
    """``data[key]``, or a :class:`SynthDataError` naming ``where``."""
    if not isinstance(data, Mapping) or key not in data:
        raise SynthDataError(f"{where}: missing `{key}`")
    return data[key]


def number(data: Mapping[str, Any], key: str, where: str) -> float:
    raw = section(data, key, where)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise SynthDataError(f"{where}.{key}: a number is expected, got {raw!r}")
    return float(raw)


def share(data: Mapping[str, Any], key: str, where: str) -> float:
    """A probability in [0, 1]: ``data[key]`` or ``data[key]['value']``."""
    raw = section(data, key, where)
    value = number(raw, "value", f"{where}.{key}") if isinstance(raw, Mapping) else raw
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise SynthDataError(f"{where}.{key}: a share between 0 and 1 is expected, got {value!r}")
    return float(value)


def weights(raw: Mapping[Any, Any], where: str) -> tuple[tuple[str, ...], FloatArray]:
    """Keys and normalised weights of a ``{key: weight}`` mapping (keys as text)."""
    if not isinstance(raw, Mapping) or not raw:
        raise SynthDataError(f"{where}: a non-empty mapping of weights is expected")
    keys = tuple(str(key) for key in raw)
    values = np.array([float(value) for value in raw.values()], dtype=np.float64)
    if (values < 0).any() or values.sum() <= 0:
        raise SynthDataError(f"{where}: weights must be non-negative with a positive sum")
    return keys, values / values.sum()


def bands(raw: Sequence[Mapping[str, Any]], columns: Sequence[str],
          where: str) -> tuple[IntArray, FloatArray]:
    """Age bands ``[{from: a, col: v…}]`` → sorted lower bounds and a (bands × columns) table."""
    if not isinstance(raw, Sequence) or not raw:
        raise SynthDataError(f"{where}: a list of age bands is expected")
    starts = np.array([int(section(row, "from", where)) for row in raw], dtype=np.int64)
    if (np.diff(starts) <= 0).any():
        raise SynthDataError(f"{where}: bands must be in increasing age order")
    table = np.array([[number(row, column, where) for column in columns] for row in raw])
    return starts, table


def by_band(starts: IntArray, ages: IntArray) -> IntArray:
    """Index of the band holding each age (ages below the first band go to band 0)."""
    index: IntArray = np.searchsorted(starts, ages, side="right") - 1
    return np.maximum(index, 0)
