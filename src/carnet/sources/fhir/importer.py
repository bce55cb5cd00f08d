"""The FHIR R4 importer: JSON bundles of every type, NDJSON bulk exports, single resources.

``identify`` looks at the first bytes only; ``extract`` parses with orjson,
refuses other FHIR versions with the evidence, rewrites references and
normalises each resource (see :mod:`carnet.sources.fhir.reader`). No
validation library runs on import: a benchmark asks for tens of thousands of
resources per second, and the original file is archived unchanged anyway.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager

from carnet.errors import RejectedFile
from carnet.model import Extracted
from carnet.sources import safejson
from carnet.sources.base import InputFile
from carnet.sources.fhir.context import Context
from carnet.sources.fhir.reader import Reader
from carnet.sources.fhir.version import KNOWN_TYPES

HEAD = 64 * 1024
NDJSON_SUFFIXES = (".ndjson", ".jsonl")
_RESOURCE_TYPE = re.compile(rb'"resourceType"\s*:\s*"([A-Za-z]{1,64})"')
#: (marker in the bytes, holder name, currency of its amounts when a Money has none)
_HOLDERS = (
    (b"synthetichealth", "Synthea", "USD"),
    (b"bluebutton.cms.gov", "CMS Blue Button", "USD"),
    (b"hl7.org/fhir/uv/ips", "HL7 IPS", None),
)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cycle collector while building millions of acyclic objects.

    Parsed JSON and records hold no reference cycles; with the collector on,
    its repeated full passes over the growing heap cost more than the parse.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _at_top_level(head: bytes) -> bool:
    """True when a known ``resourceType`` sits at nesting level 1 of the head."""
    depth, seen = 0, 0
    for match in _RESOURCE_TYPE.finditer(head):
        between = head[seen : match.start()]
        depth += between.count(b"{") + between.count(b"[") - between.count(b"}") - between.count(b"]")
        seen = match.start()
        if depth == 1 and match.group(1).decode("ascii") in KNOWN_TYPES:
            return True
    return False


def holder(data: bytes) -> tuple[str | None, str | None]:
    """(source name, default currency) when the data holder is recognisable."""
    for marker, name, currency in _HOLDERS:
        if marker in data:
            return name, currency
    return None, None


class FhirImporter:
    """FHIR R4 JSON and NDJSON."""

    name = "fhir"

    def identify(self, file: InputFile) -> bool:
        """A JSON object whose top-level ``resourceType`` is a FHIR type (any version)."""
        try:
            head = file.head(HEAD)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                # claimed so that extract can say "UTF-16" rather than "unknown file"
                head = head.decode("utf-16", errors="ignore").encode("utf-8")
            head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
            return head.startswith(b"{") and _at_top_level(head)
        except (ValueError, UnicodeError):
            return False

    def extract(self, file: InputFile) -> Extracted:
        data = safejson.check_encoding(file.data, file.name)
        source, currency = holder(data)
        ctx = Context(self.name, file.name, file.sha256, default_currency=currency,
                      check_strings=len(data) > safejson.MAX_STRING)
        reader = Reader(ctx)
        with _gc_paused():
            if file.suffix in NDJSON_SUFFIXES:
                self._ndjson(reader, data, file.name)
            else:
                self._json(reader, data, file.name)
        return ctx.extracted(source)

    def _json(self, reader: Reader, data: bytes, name: str) -> None:
        try:
            doc = safejson.loads(data, name)
        except RejectedFile:
            if not _ndjson_shaped(data):
                raise
            self._ndjson(reader, data, name)
            return
        if type(doc) is not dict or type(doc.get("resourceType")) is not str:
            raise RejectedFile(name, "", "not a FHIR resource (a JSON object with a resourceType is expected)")
        reader.document(doc, "")

    def _ndjson(self, reader: Reader, data: bytes, name: str) -> None:
        for number, line in safejson.iter_lines(data):
            reader.document(safejson.loads_line(line, name, number), f"line {number}")


def _ndjson_shaped(data: bytes) -> bool:
    """A ``.json`` file that is really NDJSON: its first line alone is a JSON object."""
    first = data.lstrip().split(b"\n", 1)[0]
    try:
        return first.startswith(b"{") and type(safejson.loads(first, "")) is dict
    except RejectedFile:
        return False
