"""Compare contracts on real history, check quotes, and alert on ceilings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carnet.services.budget import (
    Ceiling,
    Member,
    OwnedLine,
    Quote,
    QuoteError,
    QuoteKind,
    check,
    check_quote,
    compare,
    forecast,
)
from carnet.services.budget.compare import premium_cents
from carnet.services.budget.quote import act_code
from carnet.services.reimbursement import Basket, Category, CodeSystem, Contract, FrenchRules, Sector

from .conftest import entry
from .household import lines_of, us_line

TODAY = date(2026, 1, 1)
CAMILLE = Member(1, "Camille", date(1984, 3, 14))
JULIEN = Member(2, "Julien", date(1979, 11, 2), ald=True)
LEA = Member(3, "Léa", date(2014, 6, 21))
IDS = {"Patient/camille": 1, "Patient/julien": 2, "Patient/lea": 3}


def household_lines() -> list[OwnedLine]:
    found = [OwnedLine(n, IDS[who], item) for n, (who, item) in enumerate(lines_of(TODAY), start=1)]
    return [*found, OwnedLine(999, 2, us_line(date(2025, 6, 1)))]


def test_premiums_are_prorated_by_day_with_the_child_rate(contracts: dict[str, Contract]) -> None:
    essential = contracts["niveau-1-essentiel"]  # 480 € an adult, 192 € a child under 18
    year = premium_cents(essential, [CAMILLE, LEA], date(2025, 1, 1), date(2026, 1, 1))
    assert year == round((48000 + 19200) * 365 / 365.25)
    assert premium_cents(essential, [CAMILLE], date(2025, 1, 1), date(2025, 1, 1)) == 0


def test_contracts_are_ranked_by_premiums_plus_out_of_pocket(rules: FrenchRules,
                                                            contracts: dict[str, Contract]) -> None:
    chosen = [contracts[c] for c in ("niveau-1-essentiel", "niveau-2-confort", "niveau-3-renforce")]
    result = compare(household_lines(), [CAMILLE, JULIEN, LEA], chosen, rules, date(2024, 1, 1), TODAY,
                     current_id="niveau-1-essentiel")
    nets = [r.net for r in result.results]
    assert nets == sorted(nets)
    assert {r.contract_id for r in result.results} == {c.id for c in chosen}
    assert result.skipped == {"currency": 1}  # the dollar line is not replayed
    by_id = {r.contract_id: r for r in result.results}
    assert by_id["niveau-1-essentiel"].current and result.reference() is by_id["niveau-1-essentiel"]
    # the crown (800 €, base 120 €) is where contracts differ most: 125 % BR against 300 %+
    assert by_id["niveau-3-renforce"].by_category["dental"] < by_id["niveau-1-essentiel"].by_category["dental"]
    assert result.difference("niveau-3-renforce")["dental"] < 0
    # the replay under the current contract lands close to what was really paid
    assert abs(by_id["niveau-1-essentiel"].oop - result.actual_oop) <= result.actual_oop * 0.1
    assert all(r.oop + r.amc > 0 for r in result.results)


def test_quote_of_a_non_optam_specialist_matches_the_fact_sheet(rules: FrenchRules,
                                                               contracts: dict[str, Contract]) -> None:
    # fact sheet §A.12: 60 €, BR 23 €, AMO 0.7 × 23 − 2 = 14.10 €; « 200 % BR » → mutuelle 29.90 €, left 16 €
    code, system = act_code(Category.SPECIALIST, None)
    quote = Quote(QuoteKind.ACT, Decimal(60), date(2025, 3, 4), sector=Sector.SECTOR_2, optam=False,
                  category=Category.SPECIALIST, code=code, code_system=system)
    result = check_quote(quote, CAMILLE, rules, contracts["niveau-3-renforce"])
    assert (result.charged, result.amo, result.amc, result.oop) == (6000, 1410, 2990, 1600)


def test_quotes_of_glasses_crown_and_hearing_aids(rules: FrenchRules, contracts: dict[str, Contract]) -> None:
    essential = contracts["niveau-1-essentiel"]
    glasses = check_quote(Quote(QuoteKind.GLASSES, Decimal(450), date(2025, 3, 4)), CAMILLE, rules, essential)
    # frame 30 % of 450 € capped at 100 €; class B bases 0.05 € → AMO 0.03 + 0.06; allowances 30 + 2 × 35 €
    assert [name for name, _ in glasses.settlements] == ["frame", "lenses"]
    assert (glasses.amo, glasses.amc, glasses.oop) == (9, 10000, 34991)
    crown = check_quote(Quote(QuoteKind.CROWN, Decimal(800), date(2025, 3, 4), base=Decimal(120), code="HBLD634",
                              code_system=CodeSystem.CCAM), CAMILLE, rules, essential)
    assert (crown.amo, crown.amc, crown.oop) == (7200, 7800, 65000)  # 60 % × 120; 125 % BR − AMO
    hearing = check_quote(Quote(QuoteKind.HEARING, Decimal(3000), date(2025, 3, 4), ears=2), CAMILLE, rules,
                          essential)
    assert (hearing.amo, hearing.amc, hearing.oop) == (48000, 32000, 220000)  # 60 % × 400 € × 2 ears
    class_a = check_quote(Quote(QuoteKind.GLASSES, Decimal(60), date(2025, 3, 4), basket=Basket.RAC0,
                                frame=Decimal(30)), CAMILLE, rules, essential)
    assert class_a.oop == 0  # 100 % Santé
    too_soon = check_quote(Quote(QuoteKind.GLASSES, Decimal(450), date(2025, 3, 4),
                                 last_equipment=date(2024, 9, 1)), CAMILLE, rules, essential)
    assert too_soon.oop == 45000  # within the two-year renewal period nobody pays


def test_a_bad_quote_is_refused_clearly(rules: FrenchRules, contracts: dict[str, Contract]) -> None:
    with pytest.raises(QuoteError, match="frame costs more"):
        check_quote(Quote(QuoteKind.GLASSES, Decimal(50), date(2025, 3, 4), frame=Decimal(80)), CAMILLE, rules,
                    contracts["niveau-1-essentiel"])
    with pytest.raises(QuoteError, match="needs its base"):
        check_quote(Quote(QuoteKind.CROWN, Decimal(500), date(2025, 3, 4)), CAMILLE, rules, None)
    assert act_code(Category.GP, None) == ("G", CodeSystem.NGAP)
    assert act_code(Category.SPECIALIST, "HBLD634") == ("HBLD634", CodeSystem.CCAM)
    assert act_code(Category.SPECIALIST, "APC") == ("APC", CodeSystem.NGAP)


def test_ceilings_flag_a_forecast_that_crosses_them(rules: FrenchRules) -> None:
    today = date(2025, 7, 1)
    history = [entry(i, f"{y}-{m:02d}-10", "specialist", 10000, person=1) for i, (y, m) in
               enumerate([(y, m) for y in (2023, 2024, 2025) for m in range(1, 13) if f"{y}-{m:02d}" < "2025-07"])]
    fit = forecast(history, [CAMILLE], today, rules)
    spent = 6 * 10000  # January to June 2025
    ceilings = [Ceiling(50000), Ceiling(100000, 1), Ceiling(200000, 1), Ceiling(125000)]
    over, expected, ok, possible = check(ceilings, history, fit, today)
    assert (over.spent, over.status) == (spent, "over")
    assert expected.status == "expected" and 100000 < expected.expected < 200000
    assert ok.status == "ok" and ok.high < 200000
    assert possible.status == "possible" and possible.expected <= 125000 < possible.high
    assert all(a.year == 2025 for a in (over, expected, ok, possible))
