"""Pending: what the Assurance Maladie or the mutuelle has not paid back yet.

A line is *tracked* when its holder says when each payer paid (a French
package line). It is pending for a payer when that payer owes something on
it, has not paid, and the usual delay (``rules/fr/reimbursement_delays.yaml``)
is over; it is *late* when even the longest usual delay is over: the AMO's
paper-form delay, or for the mutuelle as many days again after its usual
date (the paper delay less the carte Vitale one). Lines older
than the lookback (two years: the claim has lapsed) are not listed.

The delays come in as data: :func:`parse_delays` reads the YAML mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from carnet.services.budget.categories import CATEGORIES
from carnet.services.budget.lines import Entry


class DelayFileError(ValueError):
    """The delays file is malformed; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Delay:
    """A number of days, with the source that gives it."""

    days: int
    source: str
    verified: bool = True
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Delays:
    """The usual delays of the AMO and the mutuelle (see the YAML file)."""

    amo_vitale: Delay
    amo_paper: Delay
    amc_after_amo: Delay
    lookback: Delay
    amo_by_category: Mapping[str, Delay] = field(default_factory=dict)
    amc_by_category: Mapping[str, Delay] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def amo_days(self, category: str) -> int:
        found = self.amo_by_category.get(category)
        return found.days if found else self.amo_vitale.days

    def amo_late_days(self, category: str) -> int:
        return max(self.amo_days(category), self.amo_paper.days)

    @property
    def late_margin(self) -> int:
        """Days a mutuelle payment may still take after its usual date (as a paper AMO claim would)."""
        return max(0, self.amo_paper.days - self.amo_vitale.days)

    def amc_days(self, category: str) -> int:
        found = self.amc_by_category.get(category)
        return found.days if found else self.amc_after_amo.days


def _delay(raw: Any, key: str, file: str, sources: Mapping[str, str]) -> Delay:
    if not isinstance(raw, dict):
        raise DelayFileError(f"{file}: {key}: expected {{days, source}}")
    extra = set(raw) - {"days", "source", "verified", "note"}
    if extra:
        raise DelayFileError(f"{file}: {key}: unknown keys {sorted(extra)}")
    days, source = raw.get("days"), raw.get("source")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise DelayFileError(f"{file}: {key}.days: a whole number of days ≥ 0")
    if source not in sources:
        raise DelayFileError(f"{file}: {key}.source: unknown source {source!r}")
    verified = raw.get("verified", True)
    if not isinstance(verified, bool):
        raise DelayFileError(f"{file}: {key}.verified: true or false")
    note = raw.get("note")
    if not verified and not note:
        raise DelayFileError(f"{file}: {key}: an unverified delay needs a note")
    return Delay(days, str(source), verified, None if note is None else str(note))


def _by_category(raw: Any, key: str, file: str, sources: Mapping[str, str]) -> dict[str, Delay]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise DelayFileError(f"{file}: {key}: a mapping of budget post → delay")
    unknown = sorted(set(raw) - set(CATEGORIES))
    if unknown:
        raise DelayFileError(f"{file}: {key}: unknown posts {unknown}")
    return {str(c): _delay(d, f"{key}.{c}", file, sources) for c, d in raw.items()}


def parse_delays(data: Any, file: str = "reimbursement_delays.yaml") -> Delays:
    """The delays of a parsed YAML document (``yaml.safe_load`` of the file)."""
    if not isinstance(data, dict):
        raise DelayFileError(f"{file}: (file): the top level must be a mapping")
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise DelayFileError(f"{file}: sources: a mapping of id → citation")
    cited = {str(k): str(v) for k, v in sources.items()}
    amo, amc = data.get("amo"), data.get("amc")
    if not isinstance(amo, dict) or not isinstance(amc, dict):
        raise DelayFileError(f"{file}: amo, amc: both are needed")
    return Delays(
        amo_vitale=_delay(amo.get("carte_vitale"), "amo.carte_vitale", file, cited),
        amo_paper=_delay(amo.get("paper"), "amo.paper", file, cited),
        amc_after_amo=_delay(amc.get("after_amo"), "amc.after_amo", file, cited),
        lookback=_delay(data.get("lookback"), "lookback", file, cited),
        amo_by_category=_by_category(amo.get("by_category"), "amo.by_category", file, cited),
        amc_by_category=_by_category(amc.get("by_category"), "amc.by_category", file, cited),
        sources=cited,
    )


@dataclass(frozen=True, slots=True)
class Pending:
    """One payment still expected on a line."""

    entry: Entry
    payer: str  # amo or amc
    expected: int  # cents
    due: date  # end of the usual delay
    days_late: int
    #: beyond even the longest usual delay: worth asking the payer
    late: bool


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def pending(entries: Iterable[Entry], delays: Delays, today: date) -> list[Pending]:
    """Payments still expected after their usual delay, oldest first."""
    oldest = today - timedelta(days=delays.lookback.days)
    found: list[Pending] = []
    first, last = oldest.isoformat(), today.isoformat()
    for e in entries:
        if not e.tracked or e.day is None or not first <= e.day <= last:
            continue
        care = _day(e.day)
        if care is None:
            continue
        amo_due = care + timedelta(days=delays.amo_days(e.category))
        if e.amo > 0 and e.amo_paid_on is None and today > amo_due:
            late = today > care + timedelta(days=delays.amo_late_days(e.category))
            found.append(Pending(e, "amo", e.amo, amo_due, (today - amo_due).days, late))
        if e.amc > 0 and e.amc_paid_on is None:
            paid = _day(e.amo_paid_on)
            start = paid if paid is not None else amo_due
            amc_due = start + timedelta(days=delays.amc_days(e.category))
            if today > amc_due:
                late = today > amc_due + timedelta(days=delays.late_margin)
                found.append(Pending(e, "amc", e.amc, amc_due, (today - amc_due).days, late))
    return sorted(found, key=lambda p: (p.due, p.entry.id, p.payer))
