"""Server-side rendering: one Jinja2 environment per language.

Templates translate with ``_()``/``ngettext()`` (new-style gettext: autoescaped,
``%(name)s`` placeholders) and format with the ``number``, ``record_date`` and
``timestamp`` filters, all bound to the language of the request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache, partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from carnet.web import labels
from carnet.web.i18n import LANGUAGES, Formats, language_of, translations

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html",)),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    catalog = translations(lang)
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    fmt = Formats(lang)
    env.filters.update(
        number=fmt.number,
        exact=fmt.exact,
        record_date=fmt.record_date,
        timestamp=fmt.timestamp,
        megabytes=fmt.megabytes,
    )
    env.globals.update(
        lang=lang,
        languages=LANGUAGES,
        tr=catalog.gettext,  # a label from Python (``N_``): translated, no %-formatting
        kind_label=labels.kind_label,
        relationship_label=labels.relationship_label,
        outcome_label=labels.outcome_label,
        severity_label=labels.severity_label,
        sex_label=labels.sex_label,
        system_label=labels.system_label,
        by_kind_label=partial(by_kind_label, catalog.gettext),
    )
    return env


def compile_templates() -> int:
    """Compile every template in every language now (a fresh server's first pages need not); how many."""
    count = 0
    for lang in LANGUAGES:
        env = environment(lang)
        for path in sorted(TEMPLATES.rglob("*.html")):
            env.get_template(path.relative_to(TEMPLATES).as_posix())
            count += 1
    return count


def by_kind_label(gettext: Callable[[str], str], counts: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """``(kind, translated label, count)`` in the alphabetical order of the labels."""
    rows = [(kind, gettext(labels.kind_label(kind)), count) for kind, count in counts.items()]
    return sorted(rows, key=lambda row: row[1].casefold())


def here(request: Request) -> str:
    """The current path and query, where the language switcher comes back to."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def render_page(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    section: str = "",
) -> HTMLResponse:
    """Render ``template`` in the language of ``request``."""
    lang = language_of(request)
    page = environment(lang).get_template(template)
    html = page.render(
        {"here": here(request) if request.method == "GET" else request.url.path, "section": section}
        | dict(context or {})
    )
    return HTMLResponse(html, status_code=status_code)
