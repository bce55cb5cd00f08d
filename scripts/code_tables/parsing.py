"""Cell parsers: raw source text in, normalised text out, ``ValueError`` when unusable.

Every parser returns text because the tables we write are CSV; numbers come
out in one canonical form (``1466.29``), dates in ISO 8601 (``2014-09-04``),
flags as ``1``/``0``, and an absent value as the empty string.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import datetime

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_GROUPED = re.compile(r"\d{1,3}(?:[.,]\d{3})*")
_RATE = re.compile(r"(\d{1,3})\s*%")
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_SAS_DATE = re.compile(r"(\d{2})([A-Z]{3})(\d{4})(?::\d{2}:\d{2}:\d{2})?")


def text(raw: str) -> str:
    """Trim and collapse runs of white space (labels spread over lines become one line)."""
    return " ".join(raw.split())


def decimal(raw: str) -> str:
    """A French or English decimal number: ``24,34``, ``1,466,29``, ``1 466,29``, ``51.84``.

    The last ``,`` or ``.`` is the decimal mark; earlier ones (and spaces) group
    thousands and must then separate groups of three digits. Empty stays empty.
    """
    value = _SPACES.sub("", raw)
    if not value:
        return ""
    mark = max(value.rfind(","), value.rfind("."))
    whole, fraction = (value[:mark], value[mark + 1 :]) if mark >= 0 else (value, "0")
    grouped = "," in whole or "." in whole
    if not fraction.isdigit() or not (_GROUPED.fullmatch(whole) if grouped else whole.isdigit()):
        raise ValueError(f"{raw!r} is not a decimal number")
    digits = whole.replace(",", "").replace(".", "")
    return f"{int(digits)}.{fraction}" if mark >= 0 else str(int(digits))


def rate(raw: str) -> str:
    """A reimbursement rate in percent, ``65%`` or ``65 %`` → ``65``; empty stays empty."""
    value = raw.strip()
    if not value:
        return ""
    match = _RATE.fullmatch(value)
    if match is None or int(match.group(1)) > 100:
        raise ValueError(f"{raw!r} is not a rate in percent")
    return str(int(match.group(1)))


def date_fr(raw: str) -> str:
    """A date written ``dd/mm/yyyy`` → ISO; empty stays empty."""
    value = raw.strip()
    if not value:
        return ""
    try:
        return datetime.strptime(value, "%d/%m/%Y").date().isoformat()
    except ValueError:
        raise ValueError(f"{raw!r} is not a date dd/mm/yyyy") from None


def date_sas(raw: str) -> str:
    """A SAS datetime as the SNDS exports it, ``04SEP2014:00:00:00`` → ISO date."""
    value = raw.strip()
    if not value:
        return ""
    match = _SAS_DATE.fullmatch(value)
    if match is None or match.group(2) not in _MONTHS:
        raise ValueError(f"{raw!r} is not a SAS date like 04SEP2014:00:00:00")
    day, month, year = int(match.group(1)), _MONTHS.index(match.group(2)) + 1, int(match.group(3))
    try:
        return datetime(year, month, day).date().isoformat()
    except ValueError:
        raise ValueError(f"{raw!r} is not a valid date") from None


def unquoted(raw: str) -> str:
    """A label CSV-quoted twice upstream (read once, it is still quoted) → plain text.

    ``IR_CIM_V.csv`` holds a few labels that, after one CSV reading, still start
    and end with a quote and double their inner quotes; a second reading gives
    ``Doigt "à ressort"``.
    """
    value = raw.strip()
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        value = next(csv.reader([value]))[0]
    return text(value)


def matching(pattern: str, what: str) -> Callable[[str], str]:
    """A required code whose whole text matches ``pattern``."""
    compiled = re.compile(pattern)

    def parse(raw: str) -> str:
        value = raw.strip()
        if not compiled.fullmatch(value):
            raise ValueError(f"{raw!r} is not {what}")
        return value

    return parse


def flag(token: str) -> Callable[[str], str]:
    """``1`` where the cell holds ``token``, ``0`` where it is empty; anything else is an error."""

    def parse(raw: str) -> str:
        value = raw.strip()
        if value not in ("", token):
            raise ValueError(f"{raw!r} is neither {token!r} nor empty")
        return "1" if value else "0"

    return parse


def cip13(raw: str) -> str:
    """A CIP13 drug presentation code: 13 digits with a valid EAN-13 check digit."""
    value = raw.strip()
    if len(value) != 13 or not value.isdigit():
        raise ValueError(f"{raw!r} is not 13 digits")
    weighted = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(value[:12]))
    if (10 - weighted % 10) % 10 != int(value[12]):
        raise ValueError(f"{raw!r} has a wrong check digit")
    return value
