"""Natural keys, reference rewriting and the patient a resource is about.

- The natural key of a resource is ``"{resourceType}/{id}"``: the id from
  ``resource.id``, else from a ``urn:uuid:`` (or ``…/Type/id``) fullUrl, else a
  content hash ``"{resourceType}/sha256:{hex}"`` of its canonical JSON.
- Inside a bundle, every ``reference`` that names an entry's fullUrl
  (``urn:uuid:…``, ``urn:oid:…`` or an absolute URL) is rewritten to the
  entry's natural key, so an export → re-import → export round trip is stable.
  Relative ``Type/id`` references already are natural keys; references to
  foreign servers are kept as they are and never dereferenced.
- The rewrite happens in the resource's canonical JSON (:func:`canonical`), not
  in the parsed tree: one C-speed substitution instead of a Python walk over
  every node (which took a fifth of the import's extraction). The normalisers
  read references through :class:`Refs`, which gives the rewritten value.
- Limits: orjson refuses files nested more than 1024 levels, and writing a
  resource's canonical JSON refuses one nested more than
  :data:`MAX_RESOURCE_DEPTH` levels (:class:`LimitExceeded` ``depth``). Strings
  and arrays are only walked for (:func:`check_limits`) in a file large enough
  to hold one over the limits of :mod:`carnet.sources.safejson`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from carnet.sources.safejson import MAX_ITEMS, MAX_STRING

#: The deepest resource orjson writes back (it stops at 255 nested levels).
MAX_RESOURCE_DEPTH = 254
#: ``"reference":"…"`` in compact JSON: outside strings a quote is never escaped, so this is always a key
_REFERENCE = re.compile(rb'"reference":"([^"\\]*(?:\\.[^"\\]*)*)"')  # the string unrolled: twice as fast

_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_TAIL = re.compile(r"(?:^|/)([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]{1,64})?$")
#: longest URL searched for a ``Type/id`` tail (the search would be slow on a hostile megabyte)
MAX_URL = 4096


def _tail(url: str) -> re.Match[str] | None:
    return _TAIL.search(url) if len(url) <= MAX_URL else None


SUBJECT_KEYS = ("subject", "patient", "beneficiary")


class LimitExceeded(Exception):
    """Raised by :func:`canonical` (``depth``) and :func:`check_limits` (``string`` or ``array``)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class Refs:
    """The fullUrls of one document and the natural keys they are rewritten to."""

    __slots__ = ("_encoded", "keys")

    def __init__(self, keys: Mapping[str, str] | None = None) -> None:
        self.keys: Mapping[str, str] = keys or {}
        # the same pairs as they appear in compact JSON (escapes included), for the substitution
        self._encoded = {orjson.dumps(u)[1:-1]: orjson.dumps(k)[1:-1] for u, k in self.keys.items()}

    def resolve(self, ref: str) -> str:
        """A reference as the vault stores it."""
        return self.keys.get(ref, ref)

    def _replace(self, match: re.Match[bytes]) -> bytes:
        target = self._encoded.get(match.group(1))
        return match.group(0) if target is None else b'"reference":"' + target + b'"'

    def rewrite(self, compact: bytes) -> bytes:
        """Compact JSON (orjson's) with every reference to a fullUrl of the document rewritten."""
        return _REFERENCE.sub(self._replace, compact) if self._encoded else compact


NO_REFS = Refs()


def canonical(res: Mapping[str, Any], refs: Refs = NO_REFS) -> bytes:
    """The resource's canonical JSON (sorted keys, compact), references rewritten; raise
    :class:`LimitExceeded` ``depth`` for a resource nested deeper than orjson writes."""
    try:
        return refs.rewrite(orjson.dumps(res, option=orjson.OPT_SORT_KEYS))
    except orjson.JSONEncodeError:
        raise LimitExceeded("depth") from None


def content_key(resource_type: str, resource: Mapping[str, Any], refs: Refs = NO_REFS) -> str:
    return f"{resource_type}/sha256:{hashlib.sha256(canonical(resource, refs)).hexdigest()}"


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


def needs_limit_walk(data: bytes) -> bool:
    """Whether a file is large enough to hold a string or an array over the limits
    (an array of n items takes at least 2n + 1 bytes, n - 1 of them commas)."""
    return len(data) > MAX_STRING or (len(data) > 2 * MAX_ITEMS and data.count(b",") >= MAX_ITEMS)


def check_limits(root: Any) -> None:
    """Raise :class:`LimitExceeded` (``string`` or ``array``) for a string or an array over the limits.

    The walk goes level by level: no recursion, no call per node.
    """
    level = [root]
    while level:
        below: list[Any] = []
        push, extend = below.append, below.extend
        for node in level:
            kind = type(node)
            if kind is dict:
                for value in node.values():
                    kind = type(value)
                    if kind is dict or kind is list:
                        push(value)
                _check_strings(node.keys())
                _check_strings(node.values())
            elif kind is list:
                if len(node) > MAX_ITEMS:
                    raise LimitExceeded("array")
                extend(node)  # scalars come along and are skipped one level down
                _check_strings(node)
        level = below


def _check_strings(values: Iterable[Any]) -> None:
    for value in values:
        if type(value) is str and len(value) > MAX_STRING:
            raise LimitExceeded("string")


def subject_reference(res: Mapping[str, Any], refs: Refs = NO_REFS) -> str | None:
    """The (rewritten) reference of the patient a resource is about."""
    for key in SUBJECT_KEYS:
        value = res.get(key)
        if value is None:
            continue
        if type(value) is list:
            value = next((v for v in value if type(v) is dict and type(v.get("reference")) is str), None)
        if type(value) is dict:
            ref = value.get("reference")
            if type(ref) is str:
                return refs.resolve(ref)
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
