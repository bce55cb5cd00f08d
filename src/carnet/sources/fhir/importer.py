"""The FHIR R4 importer: JSON bundles of every type, NDJSON bulk exports, single resources.

``identify`` looks at the first bytes only; ``extract`` parses with orjson,
refuses other FHIR versions with the evidence, rewrites references and
normalises each resource (see :mod:`carnet.sources.fhir.reader`). A bundle is
read whole; NDJSON is streamed, one line at a time as the store takes its
records, so that a large bulk-export file stays in bounded memory. No
validation library runs on import: a benchmark asks for tens of thousands of
resources per second, and the original file is archived unchanged anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import orjson

from carnet.collector import collector_paused
from carnet.errors import RejectedFile
from carnet.model import Extracted, Record
from carnet.sources import safejson
from carnet.sources.base import InputFile
from carnet.sources.fhir.context import Context
from carnet.sources.fhir.patient import person
from carnet.sources.fhir.reader import ITEM_ERRORS, Reader
from carnet.sources.fhir.references import natural_key, needs_limit_walk
from carnet.sources.fhir.version import KNOWN_TYPES

HEAD = 64 * 1024
NDJSON_SUFFIXES = (".ndjson", ".jsonl")
_BLANK = re.compile(rb"\s*")
_RESOURCE_TYPE = re.compile(rb'"resourceType"\s*:\s*"([A-Za-z]{1,64})"')
#: (marker in the bytes, holder name, currency of its amounts when a Money has none)
_HOLDERS = (
    (b"synthetichealth", "Synthea", "USD"),
    (b"bluebutton.cms.gov", "CMS Blue Button", "USD"),
    (b"hl7.org/fhir/uv/ips", "HL7 IPS", None),
)


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
        """A bundle or a single resource is read whole; NDJSON is streamed (see :func:`_streamed`)."""
        data = safejson.check_encoding(file.data, file.name)
        source, currency = holder(data)
        ctx = Context(self.name, file.name, file.sha256, default_currency=currency,
                      check_limits=needs_limit_walk(data))
        reader = Reader(ctx)
        if file.suffix in NDJSON_SUFFIXES:
            return _streamed(reader, data, source)
        with collector_paused():
            try:
                doc = safejson.loads(data, file.name)
            except RejectedFile:
                if not _ndjson_shaped(data):
                    raise
                return _streamed(reader, data, source)
            if type(doc) is not dict or type(doc.get("resourceType")) is not str:
                raise RejectedFile(file.name, "", "not a FHIR resource (a JSON object with a resourceType is expected)")
            # A bundle is resolved as a whole (its references point anywhere in it).
            reader.document(doc, "")
        return ctx.extracted(source)


def _streamed(reader: Reader, data: bytes, source: str | None) -> Extracted:
    """NDJSON, read one line at a time while the store iterates ``records``.

    A bulk-export file can hold hundreds of thousands of resources: only the
    persons are found up front (so that a record may name a Patient written
    further down, as when the whole file was read first); each line is then
    parsed and normalised when the store asks for its records. ``read`` and
    ``problems`` grow as lines are read, and an unreadable line raises
    :class:`RejectedFile` from the iteration, which refuses the whole file.
    """
    ctx = reader.ctx
    _persons_first(ctx, data)
    extracted = ctx.extracted(source)
    extracted.records = _lines(reader, data, extracted)
    return extracted


def _lines(reader: Reader, data: bytes, extracted: Extracted) -> Iterator[Record]:
    ctx = reader.ctx
    for number, line in safejson.iter_lines(data):
        reader.document(safejson.loads_line(line, ctx.file, number), f"line {number}")
        extracted.read = ctx.read
        if ctx.records:
            done, ctx.records = ctx.records, []
            yield from done


def _persons_first(ctx: Context, data: bytes) -> None:
    """The Person of every top-level Patient line, before any record is read.

    Only lines naming ``"Patient"`` are parsed; a line that does not parse is
    left to the main pass, which refuses the file at that line. Warnings about
    a Patient are given once, by the main pass (here they go to a scratch context).
    """
    scratch = Context(ctx.importer, ctx.file, ctx.sha256)
    for number, line in safejson.iter_lines(data):
        if b'"Patient"' not in line:
            continue
        try:
            res = orjson.loads(line)
            if type(res) is dict and res.get("resourceType") == "Patient":
                key, _ = natural_key(res, "Patient", None)
                ctx.add_person(person(scratch, res, key, f"line {number}"))
        except (orjson.JSONDecodeError, *ITEM_ERRORS):
            continue


def _ndjson_shaped(data: bytes) -> bool:
    """A ``.json`` file that is really NDJSON: its first line alone is a JSON object."""
    blank = _BLANK.match(data)
    start = blank.end() if blank else 0
    end = data.find(b"\n", start)
    first = data[start : end if end >= 0 else len(data)]
    try:
        return first.startswith(b"{") and type(safejson.loads(first, "")) is dict
    except RejectedFile:
        return False
