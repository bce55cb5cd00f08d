"""Languages of the web app: French first, English too.

Catalogs are the gettext ``.po`` files under ``locale/``; they are read and
compiled in memory once, at start-up (no build step, no ``.mo`` to forget).
The language of a request is the ``lang`` cookie, else the best match of the
``Accept-Language`` header, else French. Dates and numbers go through Babel.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import LOCALTZ, format_date, format_datetime, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from starlette.requests import HTTPConnection

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
LANGUAGES: dict[str, str] = {"fr": "Français", "en": "English"}
DEFAULT_LANGUAGE = "fr"
COOKIE = "lang"


def N_(message: str) -> str:
    """Mark a string for extraction; templates translate it when they show it."""
    return message


def catalog_files(lang: str) -> list[Path]:
    """The ``.po`` files of ``lang``: ``messages.po`` first, then one per service area."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    return sorted(folder.glob("*.po"), key=lambda p: (p.stem != DOMAIN, p.name))


def _compile(po: Path, lang: str) -> Translations:
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


@cache
def translations(lang: str) -> Translations:
    """The catalogs of ``lang``, compiled from their ``.po`` files in memory and merged."""
    first, *others = catalog_files(lang)
    merged = _compile(first, lang)
    for po in others:
        merged.merge(_compile(po, lang))
    return merged


def from_accept_language(header: str) -> str | None:
    """The first supported language of an ``Accept-Language`` header, by weight."""
    weighted: list[tuple[float, int, str]] = []
    for i, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                continue
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and weight > 0:
            weighted.append((-weight, i, primary))
    return min(weighted)[2] if weighted else None


def language_of(conn: HTTPConnection) -> str:
    """Cookie, then Accept-Language, then French."""
    cookie = conn.cookies.get(COOKIE, "")
    if cookie in LANGUAGES:
        return cookie
    return from_accept_language(conn.headers.get("accept-language", "")) or DEFAULT_LANGUAGE


class Formats:
    """Locale-aware formatting, bound to one language (used as template filters)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.locale = Locale.parse(lang)

    def number(self, value: float | int | None) -> str:
        """A count or a measured value, with at most 3 decimals (``72,5``, ``1 234``)."""
        if value is None:
            return ""
        return str(format_decimal(value, locale=self.locale))

    def exact(self, value: float | int | None) -> str:
        """A measured value as stored, up to 9 decimals (the record page)."""
        if value is None:
            return ""
        return str(format_decimal(value, format="#,##0.#########", locale=self.locale))

    def record_date(self, value: str | None) -> str:
        """An ISO date, partial date or dateTime of a record, in the time it was recorded."""
        if not value:
            return ""
        try:
            if len(value) == 4:
                return value
            if len(value) == 7:
                month = dt.date.fromisoformat(value + "-01")
                return str(format_skeleton("yMMM", month, locale=self.locale))
            if len(value) == 10:
                return str(format_date(dt.date.fromisoformat(value), "medium", locale=self.locale))
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        day = format_date(moment.date(), "medium", locale=self.locale)
        time = format_time(moment, "short", locale=self.locale)
        return str(self.locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", time)

    def timestamp(self, value: str | None) -> str:
        """A UTC timestamp written by Carnet, shown in the machine's local time."""
        if not value:
            return ""
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return str(format_datetime(moment, "short", tzinfo=LOCALTZ, locale=self.locale))

    def megabytes(self, size: int) -> str:
        return self.number(round(size / (1024 * 1024)))
