"""Share a person's International Patient Summary as a SMART Health Link.

``share_summary`` builds the IPS of the person as of now, encrypts it with a
new key and stores the link; the key comes back only inside the returned
link (``shlink:/…``), to be shown once as a QR code.
"""

from __future__ import annotations

import datetime as dt
import re

import orjson

from carnet.emergency import load_profile
from carnet.emergency.links import Created, create_link
from carnet.errors import CarnetError
from carnet.services.emergency import ips_bundle
from carnet.store import Vault

DEFAULT_BASE_URL = "http://127.0.0.1:8765"
_RELATIVE = re.compile(r"^\s*(\d{1,4})\s*([hdwm])\s*$", re.IGNORECASE)
_UNITS = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1), "m": dt.timedelta(days=30)}


def parse_expiry(text: str, now: dt.datetime) -> dt.datetime:
    """``12h``, ``30d``, ``8w``, ``6m`` from now, or an ISO date (end of that day, UTC) or instant."""
    match = _RELATIVE.match(text)
    if match:
        return now + int(match.group(1)) * _UNITS[match.group(2).lower()]
    try:
        if len(text.strip()) == 10:
            day = dt.date.fromisoformat(text.strip())
            return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CarnetError(f"expiry {text!r}: write 12h, 30d, 8w, 6m or a date YYYY-MM-DD") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def summary_json(vault: Vault, person_id: int, now: dt.datetime, lang: str) -> bytes:
    """The person's IPS document (FHIR R4 JSON) as of ``now``."""
    profile = load_profile(vault, person_id, now.astimezone().date())
    generated = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return orjson.dumps(ips_bundle(profile, generated, lang))


def share_summary(
    vault: Vault,
    person_id: int,
    *,
    now: dt.datetime,
    base_url: str | None,
    label: str | None,
    expires_at: dt.datetime,
    passcode: str | None = None,
    flags: str = "",
    lang: str = "fr",
) -> Created:
    """A new SMART Health Link to the person's IPS; the key is only in the result."""
    content = summary_json(vault, person_id, now, lang)
    with vault.writing() as conn:
        return create_link(
            conn,
            person_id,
            content,
            base_url=base_url or DEFAULT_BASE_URL,
            now=now,
            label=label,
            expires_at=expires_at,
            passcode=passcode or None,
            flags=flags,
        )
