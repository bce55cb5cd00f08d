"""Safe reading of untrusted XML (goal G8), for the XML importers (C-CDA, Apple Health…).

defusedxml with its defaults: entity declarations are forbidden (billion laughs,
quadratic blowup, XXE to ``file://`` or ``http://``), external references are
forbidden, and an *internal* DTD is allowed because real Apple Health exports
carry one (ELEMENT/ATTLIST declarations, no entities). Every refusal becomes a
:class:`~carnet.errors.RejectedFile` with the position when expat gives one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden, NotSupportedError
from defusedxml.ElementTree import fromstring, iterparse

from carnet.errors import RejectedFile


def _position(err: Exception) -> str:
    pos = getattr(err, "position", None)
    if isinstance(pos, tuple) and len(pos) == 2:
        return f"line {pos[0]}, column {pos[1] + 1}"
    line = getattr(err, "line", None)
    column = getattr(err, "column", None)
    if isinstance(line, int) and line > 0:
        return f"line {line}, column {(column or 0) + 1}"
    return ""


def _rejected(err: Exception, name: str) -> RejectedFile:
    if isinstance(err, EntitiesForbidden):
        reason = f"XML entity declarations are not allowed (entity {err.name!r}: billion laughs, XXE)"
    elif isinstance(err, ExternalReferenceForbidden):
        reason = f"XML external references are not allowed ({err.sysid or err.pubid!r})"
    elif isinstance(err, DTDForbidden):
        reason = "an XML document type declaration is not allowed here"
    elif isinstance(err, NotSupportedError):
        reason = "unsupported XML feature"
    else:
        reason = "invalid XML: " + re.sub(r": line \d+, column \d+$", "", str(err))
    return RejectedFile(name, _position(err), reason)


def parse_xml(data: bytes, name: str) -> Element:
    """The root element of a small XML document held in memory."""
    try:
        root: Element = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (ParseError, EntitiesForbidden, DTDForbidden, ExternalReferenceForbidden, NotSupportedError) as err:
        raise _rejected(err, name) from None
    return root


def iter_xml(data: bytes, name: str, events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, Element]]:
    """Stream ``(event, element)`` pairs of a large XML document (clear elements as you go)."""
    try:
        yield from iterparse(
            io.BytesIO(data), events=events, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except (ParseError, EntitiesForbidden, DTDForbidden, ExternalReferenceForbidden, NotSupportedError) as err:
        raise _rejected(err, name) from None
