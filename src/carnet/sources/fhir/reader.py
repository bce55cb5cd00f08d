"""Walk the resources of a parsed FHIR document: bundles of every type, nested
bundles, NDJSON lines, single resources.

Two passes per document: the first gives every resource its natural key and
maps each fullUrl to it (and refuses STU3/R5 content); the second writes each
resource's canonical JSON with its references rewritten, and normalises. A
rejected *item* (not an object, no resourceType, unreadable) is a REJECTED
problem counted in ``read``; a rejected *file*
(wrong FHIR version, limits passed) raises :class:`RejectedFile`.
"""

from __future__ import annotations

from typing import Any

from carnet.errors import RejectedFile
from carnet.sources import safejson
from carnet.sources.fhir.context import INDEXED, Context, at
from carnet.sources.fhir.normalise import record
from carnet.sources.fhir.references import (
    MAX_RESOURCE_DEPTH,
    LimitExceeded,
    Refs,
    canonical,
    check_limits,
    natural_key,
)
from carnet.sources.fhir.version import R4_TYPES, check_r4

#: what a hostile resource may raise in a normaliser that checks types everywhere anyway
ITEM_ERRORS = (TypeError, ValueError, KeyError, AttributeError, IndexError, ArithmeticError)

Item = tuple[str, dict[str, Any], str, str]  # pointer, resource, type, key


class Reader:
    """Collects records, persons and problems of one file into its :class:`Context`."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def document(self, doc: Any, pointer: str) -> None:
        """One parsed JSON document: the whole file, or one NDJSON line."""
        items: list[Item] = []
        refs: dict[str, str] = {}
        self._collect(doc, pointer, 1, None, items, refs)
        ctx = self.ctx
        ctx.refs = Refs(refs)
        for item_pointer, res, resource_type, key in items:
            try:
                if ctx.check_limits:
                    check_limits(res)
                resource_json = canonical(res, ctx.refs)
            except LimitExceeded as err:
                raise self._limit(err.what, item_pointer) from None
            try:
                ctx.records.append(record(ctx, res, resource_type, key, item_pointer, resource_json))
            except ITEM_ERRORS as err:
                ctx.reject(item_pointer, f"could not read this {resource_type}: {err}")

    def _limit(self, what: str, position: str) -> RejectedFile:
        if what == "depth":
            return safejson.too_deep(self.ctx.file, position, f"a resource more than {MAX_RESOURCE_DEPTH} levels deep")
        return safejson.too_big(self.ctx.file, position, what)

    def _collect(
        self, res: Any, pointer: str, depth: int, full_url: Any, items: list[Item], refs: dict[str, str]
    ) -> None:
        ctx = self.ctx
        if type(res) is not dict:
            ctx.read += 1
            ctx.reject(pointer, "not a FHIR resource (a JSON object is expected)")
            return
        resource_type = res.get("resourceType")
        if type(resource_type) is not str:
            ctx.read += 1
            ctx.reject(pointer, "not a FHIR resource (no resourceType)")
            return
        check_r4(res, ctx.file, pointer)
        if resource_type == "Bundle":
            self._bundle(res, pointer, depth, items, refs)
            return
        ctx.read += 1
        if resource_type not in R4_TYPES:
            ctx.warn(at(pointer, "/resourceType"), f"unknown resource type {resource_type[:64]!r} kept as is")
        try:
            key, warning = natural_key(res, resource_type, full_url)
        except LimitExceeded as err:  # a key from the content of a resource too deep to write
            raise self._limit(err.what, pointer) from None
        if warning is not None:
            ctx.warn(at(pointer, "/id"), warning)
        if type(full_url) is str and full_url != key:
            refs[full_url] = key
        if resource_type in INDEXED:
            ctx.index[key] = res
        items.append((pointer, res, resource_type, key))

    def _bundle(self, bundle: dict[str, Any], pointer: str, depth: int, items: list[Item],
                refs: dict[str, str]) -> None:
        if depth + 3 > safejson.MAX_DEPTH:
            raise safejson.too_deep(self.ctx.file, pointer)
        self._links(bundle, pointer)
        entries = bundle.get("entry")
        if entries is None:
            return
        if type(entries) is not list:
            self.ctx.warn(at(pointer, "/entry"), "Bundle.entry is not a list; nothing read")
            return
        if len(entries) > safejson.MAX_ITEMS:
            raise safejson.too_big(self.ctx.file, at(pointer, "/entry"), "array")
        for i, entry in enumerate(entries):
            entry_pointer = at(pointer, f"/entry/{i}")
            if type(entry) is not dict:
                self.ctx.read += 1
                self.ctx.reject(entry_pointer, "bundle entry is not an object")
                continue
            res = entry.get("resource")
            if res is None:
                self._without_resource(entry, entry_pointer)
                continue
            self._collect(res, entry_pointer + "/resource", depth + 3, entry.get("fullUrl"), items, refs)

    def _links(self, bundle: dict[str, Any], pointer: str) -> None:
        """Paging links of a search result are recorded as a warning, never followed."""
        links = bundle.get("link")
        if type(links) is not list:
            return
        for i, link in enumerate(links):
            if type(link) is dict and link.get("relation") == "next" and type(link.get("url")) is str:
                self.ctx.warn(
                    at(pointer, f"/link/{i}"),
                    f"this is one page of a search result; the next page was not fetched: {link['url'][:300]}",
                )

    def _without_resource(self, entry: dict[str, Any], pointer: str) -> None:
        request, response = entry.get("request"), entry.get("response")
        if type(request) is dict:
            what = f"{request.get('method', '?')} {request.get('url', '?')}"
        elif type(response) is dict:
            what = f"response {response.get('status', '?')}"
        else:
            what = "empty entry"
        self.ctx.warn(pointer, f"entry without a resource ({str(what)[:200]}) ignored")
