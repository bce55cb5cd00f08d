"""Budget results as plain JSON values (``carnet budget … --json``, tests, exports).

Amounts are strings with two decimals (``"12.50"``) beside their currency,
never floats; dates are ISO strings.
"""

from __future__ import annotations

from typing import Any

from carnet.services.budget.alerts import Alert
from carnet.services.budget.compare import Comparison
from carnet.services.budget.explain import Explanation
from carnet.services.budget.forecast import Forecast
from carnet.services.budget.lines import Entry
from carnet.services.budget.money import json_amount
from carnet.services.budget.pending import Pending
from carnet.services.budget.quote import QuoteResult
from carnet.services.budget.track import AMOUNTS, Summary, Totals


def totals(t: Totals) -> dict[str, Any]:
    return {"currency": t.currency, "lines": t.lines} | {name: json_amount(getattr(t, name)) for name in AMOUNTS}


def summary(s: Summary) -> dict[str, Any]:
    return {
        "by": s.by.value, "year": s.year,
        "rows": [{"key": r.key} | totals(r.totals) for r in s.rows],
        "totals": [totals(t) for t in s.totals],
    }


def entry(e: Entry) -> dict[str, Any]:
    return {
        "id": e.id, "person_id": e.person_id, "date": e.day, "category": e.category,
        "source_category": e.source_category, "provider": e.provider, "act": e.act, "currency": e.currency,
        "charged": json_amount(e.charged), "base": json_amount(e.base), "amo": json_amount(e.amo),
        "amc": json_amount(e.amc), "fixed": json_amount(e.fixed), "overbilling": json_amount(e.overbilling),
        "oop": json_amount(e.oop), "amo_paid_on": e.amo_paid_on, "amc_paid_on": e.amc_paid_on,
    }


def explanation(x: Explanation) -> dict[str, Any]:
    return {
        "line": entry(x.entry), "source": x.source, "rate": x.rate, "contract_rule": x.contract_rule,
        "reason": x.reason,
        "steps": [{"topic": s.topic, "fr": s.fr, "en": s.en, "rule": s.rule, "verified": s.verified,
                   "amount": json_amount(s.amount)} for s in x.steps],
        "why": [{"part": part, "amount": json_amount(cents)} for part, cents in x.why],
        "notes": {"codes": list(x.notes), "fr": x.note_texts("fr"), "en": x.note_texts("en")},
        "differences": [{"amount": name, "stored": json_amount(a), "recomputed": json_amount(b)}
                        for name, a, b in x.differences],
    }


def pending_item(p: Pending) -> dict[str, Any]:
    return {"line": entry(p.entry), "payer": p.payer, "expected": json_amount(p.expected),
            "currency": p.entry.currency, "due": p.due.isoformat(), "days_late": p.days_late, "late": p.late}


def forecast(f: Forecast, names: dict[int, str] | None = None) -> dict[str, Any]:
    names = names or {}

    def band(currency: str, person: int | None = None, category: str | None = None) -> dict[str, Any]:
        b = f.band(currency, person, category)
        return {"currency": currency, "total": json_amount(b.total), "low": json_amount(b.low),
                "high": json_amount(b.high), "months": [json_amount(v) for v in b.months]}

    people = sorted({c.person_id for c in f.cells})
    return {
        "months": list(f.months),
        "household": [band(cur) for cur in f.currencies()],
        "persons": [{"person_id": p, "name": names.get(p)} | band(cur, p) for cur in f.currencies() for p in people
                    if any(c.person_id == p and c.currency == cur for c in f.cells)],
        "cells": [{"person_id": c.person_id, "category": c.category, "currency": c.currency,
                   "parts": {k: json_amount(v) for k, v in c.parts}} | band(c.currency, c.person_id, c.category)
                  for c in f.cells],
        "recurring": [{"person_id": s.person_id, "category": s.category, "act": s.act, "every_days": s.gap_days,
                       "cost": json_amount(s.cost), "currency": s.currency, "last": s.dates[-1].isoformat()}
                      for s in f.recurring],
        "renewals": [{"person_id": r.person_id, "category": r.category, "last": r.last_day.isoformat(),
                      "due": r.due.isoformat(), "chance": r.chance, "cost": json_amount(r.cost),
                      "currency": r.currency} for r in f.renewals],
        "upcoming": [{"person_id": u.person_id, "month": u.month, "category": u.category,
                      "oop": json_amount(u.oop), "label": u.label, "currency": u.currency} for u in f.upcoming],
        "interval": f"{round(f.settings.z, 4)} standard deviations (80 % when 1.2816)",
    }


def alert(a: Alert, names: dict[int, str] | None = None) -> dict[str, Any]:
    who = a.ceiling.person_id
    return {"person_id": who, "name": (names or {}).get(who) if who is not None else None, "year": a.year,
            "ceiling": json_amount(a.ceiling.amount), "currency": a.ceiling.currency,
            "spent": json_amount(a.spent), "expected": json_amount(a.expected), "high": json_amount(a.high),
            "status": a.status, "flagged": a.flagged}


def comparison(c: Comparison) -> dict[str, Any]:
    ref = c.reference()
    return {
        "from": c.start.isoformat(), "to": c.end.isoformat(), "current": c.current_id, "currency": "EUR",
        "replayed_lines": c.replayed, "skipped": dict(c.skipped), "notes": dict(c.notes),
        "actual_oop": json_amount(c.actual_oop),
        "actual_by_category": {k: json_amount(v) for k, v in sorted(c.actual_by_category.items())},
        "reference": None if ref is None else ref.contract_id,
        "contracts": [{
            "rank": i, "id": r.contract_id, "name": r.name, "level": r.level, "current": r.current,
            "premiums": json_amount(r.premiums), "premium_verified": r.premium_verified,
            "oop": json_amount(r.oop), "mutuelle_paid": json_amount(r.amc), "net": json_amount(r.net),
            "by_category": {k: json_amount(v) for k, v in sorted(r.by_category.items())},
            "difference_by_category": {k: json_amount(v) for k, v in c.difference(r.contract_id).items()},
        } for i, r in enumerate(c.results, start=1)],
    }


def quote(q: QuoteResult) -> dict[str, Any]:
    return {
        "kind": q.quote.kind.value, "fee": str(q.quote.fee), "date": q.quote.day.isoformat(),
        "contract": q.contract_id, "currency": "EUR",
        "charged": json_amount(q.charged), "amo": json_amount(q.amo), "mutuelle": json_amount(q.amc),
        "oop": json_amount(q.oop),
        "items": [{"item": name, "charged": str(s.charged), "base": str(s.base), "amo": str(s.amo_paid),
                   "mutuelle": str(s.complementary_paid), "oop": str(s.patient_share),
                   "steps": [{"topic": st.topic, "fr": st.fr, "en": st.en, "rule": st.rule_id,
                              "verified": st.verified} for st in s.steps]} for name, s in q.settlements],
    }
