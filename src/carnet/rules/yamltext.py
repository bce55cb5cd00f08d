"""YAML text to Python data, with libyaml's C parser where PyYAML has it.

Rule files, contracts and synthesis tables are read through here. The C
``CSafeLoader`` builds the same plain data as ``SafeLoader`` (mappings,
sequences, strings, numbers, dates), about ten times faster: the rules and
the seven shipped contracts load in tens of milliseconds instead of half a
second, which the first page of a fresh server pays.
"""

from __future__ import annotations

from typing import Any

import yaml

#: the fastest safe loader available (the pure-Python one when libyaml is absent)
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

YAMLError = yaml.YAMLError


def parse(text: str) -> Any:
    """The data of one YAML document (safe types only); :class:`YAMLError` when malformed."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
