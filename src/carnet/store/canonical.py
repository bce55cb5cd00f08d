"""Canonical JSON: sorted keys, compact, UTF-8; the basis of hashes and exports."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson


def dumps(value: Mapping[str, Any] | list[Any]) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
