"""Scenario 1, « our health budget »: track, explain, forecast, compare contracts.

Pure functions: claim lines (as :class:`Entry` or :class:`OwnedLine`), the
household's members, the rules, the contracts and ``today`` come in as
arguments. See ``docs/budget.md``.

    summarize(entries, by, year)                    track: totals per currency
    explain(owned_line, member, rules, contract)    why this out-of-pocket
    pending(entries, delays, today)                 unpaid after the usual delay
    forecast(entries, members, today, rules, upcoming)  next twelve months
    compare(lines, members, contracts, rules, start, end, current_id)
    check_quote(quote, member, rules, contract)     a quote under the contract
    check(ceilings, entries, forecast, today)       alerts on yearly ceilings
"""

from carnet.services.budget.alerts import Alert, Ceiling, check
from carnet.services.budget.categories import CATEGORIES, budget_category
from carnet.services.budget.compare import Comparison, ContractCost, compare
from carnet.services.budget.explain import ExplainStep, Explanation, explain
from carnet.services.budget.forecast import Band, Forecast, ForecastSettings, Upcoming, forecast, horizon
from carnet.services.budget.lines import Entry, Member, OwnedLine, entries_from_claims, entry_of
from carnet.services.budget.pending import DelayFileError, Delays, Pending, parse_delays, pending
from carnet.services.budget.quote import Quote, QuoteError, QuoteKind, QuoteResult, check_quote
from carnet.services.budget.track import By, Row, Summary, Totals, summarize, years

__all__ = [
    "CATEGORIES",
    "Alert",
    "Band",
    "By",
    "Ceiling",
    "Comparison",
    "ContractCost",
    "DelayFileError",
    "Delays",
    "Entry",
    "ExplainStep",
    "Explanation",
    "Forecast",
    "ForecastSettings",
    "Member",
    "OwnedLine",
    "Pending",
    "Quote",
    "QuoteError",
    "QuoteKind",
    "QuoteResult",
    "Row",
    "Summary",
    "Totals",
    "Upcoming",
    "budget_category",
    "check",
    "check_quote",
    "compare",
    "entries_from_claims",
    "entry_of",
    "explain",
    "forecast",
    "horizon",
    "parse_delays",
    "pending",
    "summarize",
    "years",
]
