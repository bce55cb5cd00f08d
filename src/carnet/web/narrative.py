"""The human-readable narrative of a FHIR resource, made safe to show.

``Narrative.div`` is XHTML written by whoever produced the file: it is
sanitised with ``nh3`` (Ammonia) against the FHIR narrative allowlist (txt-1:
no script, form, frame, object, style sheet or event attribute). On top of the
specification, nothing can reach the network or our page: images keep only
their ``alt`` text, links only ``http``/``https``/``mailto`` targets, and
``id``/``class``/``style`` are dropped so the narrative cannot restyle or
clobber the page around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import nh3
from markupsafe import Markup

#: Elements of the FHIR XHTML narrative schema (XHTML 1.0 strict, minus the forbidden ones).
TAGS = frozenset(
    {
        "a", "abbr", "acronym", "address", "b", "bdo", "big", "blockquote", "br", "caption",
        "cite", "code", "col", "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em", "h1",
        "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre",
        "q", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "tt", "ul", "var",
    }
)  # fmt: skip
#: Elements removed together with their content.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "noscript", "template", "title"})
CELL = frozenset({"abbr", "align", "colspan", "headers", "rowspan", "scope", "valign"})
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"alt", "width", "height"},
    "td": set(CELL),
    "th": set(CELL),
    "col": {"span", "width", "align", "valign"},
    "colgroup": {"span", "width", "align", "valign"},
    "ol": {"start"},
    "table": {"summary"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"


def sanitize(xhtml: str) -> Markup:
    """Safe HTML for a narrative ``div``: allowlisted tags and attributes only."""
    cleaned = nh3.clean(
        xhtml,
        tags=set(TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704 - nh3 output is sanitised HTML


def narrative_of(resource: Mapping[str, Any] | None) -> Markup | None:
    """The sanitised narrative of a resource, or None when it has none."""
    if not resource:
        return None
    text = resource.get("text")
    div = text.get("div") if isinstance(text, Mapping) else None
    if not isinstance(div, str) or not div.strip():
        return None
    cleaned = sanitize(div)
    return cleaned if cleaned.strip() else None
