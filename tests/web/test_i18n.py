"""Catalogs are complete and consistent; dates and numbers follow the language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from carnet.web.i18n import LANGUAGES, LOCALE_DIR, Formats, catalog_files, from_accept_language, translations

WEB = Path(LOCALE_DIR).parent


def used_messages() -> set[str]:
    """Every message the code and the templates use, extracted as ``pybabel extract`` does."""
    with (WEB / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogs(lang: str) -> list[Catalog]:
    """Every ``.po`` file of ``lang`` (``messages.po`` and one per service area)."""
    found = []
    for po in catalog_files(lang):
        with po.open("rb") as fh:
            found.append(read_po(fh, locale=lang))
    return found


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_catalog_has_every_message_used(lang: str) -> None:
    known: set[str] = set()
    for catalog in catalogs(lang):
        known |= {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}
        problems = [(m.id, errors) for m, errors in catalog.check()]
        assert problems == []
    used = used_messages()
    assert used, "extraction found no message: is babel.cfg right?"
    assert sorted(used - known) == [], f"run pybabel extract + update (docs/web.md) for {lang}"
    assert sorted(known - used) == [], f"obsolete messages in the {lang} catalog"


def test_french_catalog_is_fully_translated() -> None:
    untranslated = [
        m.id
        for catalog in catalogs("fr")
        for m in catalog
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert untranslated == []


def test_translations_compile_from_po_at_start_up() -> None:
    assert translations("fr").gettext("Household") == "Foyer"
    assert translations("en").gettext("Household") == "Household"
    assert translations("fr").ngettext("%(num)s file read.", "%(num)s files read.", 2) == "%(num)s fichiers lus."


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr-CA", "fr"),
        ("de-DE, en;q=0.3, fr;q=0.7", "fr"),
        ("en;q=0, fr;q=0.1", "fr"),
        ("*", None),
        ("en;q=abc, fr", "fr"),
    ],
)
def test_accept_language(header: str, expected: str | None) -> None:
    assert from_accept_language(header) == expected


def test_dates_and_numbers_per_locale() -> None:
    fr, en = Formats("fr"), Formats("en")
    assert fr.number(1234.5) == "1\u202f234,5" and en.number(1234.5) == "1,234.5"
    assert fr.number(3) == "3" and fr.number(None) == ""
    assert fr.number(108.031206) == "108,031" and fr.exact(108.031206) == "108,031206"
    assert fr.record_date("2023-04-05") == "5 avr. 2023" and en.record_date("2023-04-05") == "Apr 5, 2023"
    assert fr.record_date("2023-04") == "avr. 2023" and fr.record_date("2023") == "2023"
    assert fr.record_date("2023-04-05T09:30:00+02:00") == "5 avr. 2023, 09:30"
    assert en.record_date("2023-04-05T09:30:00+02:00") == "Apr 5, 2023, 9:30\u202fAM"
    assert fr.record_date("not a date") == "not a date" and fr.record_date(None) == ""
    assert fr.timestamp("2024-03-01T10:00:00Z") != "" and fr.timestamp("x") == "x"
