"""Natural keys, reference rewriting and the patient a resource is about.

- The natural key of a resource is ``"{resourceType}/{id}"``: the id from
  ``resource.id``, else from a ``urn:uuid:`` (or ``…/Type/id``) fullUrl, else a
  content hash ``"{resourceType}/sha256:{hex}"`` of its canonical JSON.
- Inside a bundle, every ``reference`` that names an entry's fullUrl
  (``urn:uuid:…``, ``urn:oid:…`` or an absolute URL) is rewritten to the
  entry's natural key, so an export → re-import → export round trip is stable.
  Relative ``Type/id`` references already are natural keys; references to
  foreign servers are kept as they are and never dereferenced.
- The walk that rewrites also enforces the JSON limits of
  :mod:`carnet.sources.safejson` (depth, string length, array length): one pass.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from carnet.sources.safejson import MAX_DEPTH, MAX_ITEMS, MAX_STRING

_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_TAIL = re.compile(r"(?:^|/)([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]{1,64})?$")
#: longest URL searched for a ``Type/id`` tail (the search would be slow on a hostile megabyte)
MAX_URL = 4096


def _tail(url: str) -> re.Match[str] | None:
    return _TAIL.search(url) if len(url) <= MAX_URL else None
SUBJECT_KEYS = ("subject", "patient", "beneficiary")


class LimitExceeded(Exception):
    """Raised by :func:`rewrite`; ``what`` is ``depth``, ``string`` or ``array``."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def content_key(resource_type: str, resource: Mapping[str, Any]) -> str:
    canonical = orjson.dumps(resource, option=orjson.OPT_SORT_KEYS)
    return f"{resource_type}/sha256:{hashlib.sha256(canonical).hexdigest()}"


def natural_key(res: dict[str, Any], resource_type: str, full_url: Any) -> tuple[str, str | None]:
    """(key, warning): the warning says why a present id could not be used."""
    rid = res.get("id")
    if type(rid) is str and _ID.fullmatch(rid):
        return f"{resource_type}/{rid}", None
    warning = None if rid is None else f"invalid id {str(rid)[:80]!r}; the key comes from the fullUrl or content"
    if type(full_url) is str:
        if full_url.startswith("urn:uuid:"):
            uuid = full_url[9:]
            if _ID.fullmatch(uuid):
                if rid is None:
                    res["id"] = uuid  # so that exported references still point at it
                return f"{resource_type}/{uuid}", warning
        else:
            tail = _tail(full_url)
            if tail is not None and tail.group(1) == resource_type:
                return f"{resource_type}/{tail.group(2)}", warning
    return content_key(resource_type, res), warning


def rewrite(root: Any, refs: Mapping[str, str] | None, depth: int, strings: bool) -> None:
    """Rewrite references found in ``refs`` in place; raise :class:`LimitExceeded`.

    ``depth`` is the nesting level of ``root`` in the file (1 for the document).
    ``strings`` turns on the string-length check (only needed in files larger
    than the limit). The walk goes level by level: no recursion, no call per
    node, and the depth of every node is exact (objects and arrays both count).
    """
    level = [root]
    while level:
        if depth > MAX_DEPTH:
            raise LimitExceeded("depth")
        below: list[Any] = []
        push, extend = below.append, below.extend
        for node in level:
            kind = type(node)
            if kind is dict:
                if refs and "reference" in node:
                    ref = node["reference"]
                    if type(ref) is str:
                        target = refs.get(ref)
                        if target is not None:
                            node["reference"] = target
                for value in node.values():
                    kind = type(value)
                    if kind is dict or kind is list:
                        push(value)
                if strings:
                    _check_strings(node.keys())
                    _check_strings(node.values())
            elif kind is list:
                if len(node) > MAX_ITEMS:
                    raise LimitExceeded("array")
                extend(node)  # scalars come along and are skipped one level down
                if strings:
                    _check_strings(node)
        level = below
        depth += 1


def _check_strings(values: Iterable[Any]) -> None:
    for value in values:
        if type(value) is str and len(value) > MAX_STRING:
            raise LimitExceeded("string")


def subject_reference(res: Mapping[str, Any]) -> str | None:
    """The (rewritten) reference of the patient a resource is about, as written."""
    for key in SUBJECT_KEYS:
        value = res.get(key)
        if value is None:
            continue
        if type(value) is list:
            value = next((v for v in value if type(v) is dict and type(v.get("reference")) is str), None)
        if type(value) is dict:
            ref = value.get("reference")
            if type(ref) is str:
                return ref
        return None
    return None


def person_key(ref: str) -> str | None:
    """The person key a subject reference stands for, or None when it is not a patient.

    ``Patient/1`` and ``Patient/1/_history/2`` → ``Patient/1``; an absolute URL
    ending in ``/Patient/1`` → ``Patient/1`` (the store resolves it only if
    that patient is known); an unresolved ``urn:`` is returned as is so that the
    store reports it as an unresolved reference; ``Group/…``, ``Device/…`` → None.
    """
    if ref.startswith("Patient/"):
        slash = ref.find("/", 8)
        return ref if slash < 0 else ref[:slash]
    if ref.startswith("urn:"):
        return ref
    tail = _tail(ref)
    if tail is not None and tail.group(1) == "Patient":
        return f"Patient/{tail.group(2)}"
    return None
