"""CSV cells safe against formula injection (OWASP ASVS 1.2.10).

A cell starting with ``=``, ``+``, ``-``, ``@``, TAB, CR or NUL is prefixed
with a single quote so that a spreadsheet shows it as text; a cell that already
starts with a quote gets one more, so that :func:`unsafe_cell` gives back
exactly the original. Quoting itself is left to the csv module (RFC 4180).
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith((*TRIGGERS, "'")):
        return "'" + text
    return text


def unsafe_cell(text: str) -> str:
    """Undo :func:`safe_cell` (for round-trip tests and re-import)."""
    if text.startswith("'") and text[1:].startswith((*TRIGGERS, "'")):
        return text[1:]
    return text
