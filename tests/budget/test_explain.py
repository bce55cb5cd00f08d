"""Explain: stored explanation, recomputed from the line's facts, or the amounts alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from carnet.model import ClaimLine, Code, Money
from carnet.services.budget import Member, OwnedLine, explain
from carnet.services.budget.replay import rebuild_act, rule_facts
from carnet.services.reimbursement import Basket, Category, CodeSystem, Contract, FrenchRules, Sector

from .household import GP_STEPS, NGAP, gp, us_line

ADULT = Member(1, "Camille Martin", date(1984, 3, 14))


def eur(text: str) -> Money:
    return Money(Decimal(text))


def test_stored_explanation_is_shown_as_given(rules: FrenchRules) -> None:
    x = explain(OwnedLine(1, 1, gp(date(2025, 3, 4))), ADULT, rules)
    assert x.source == "stored" and x.rate == 70
    assert [s.topic for s in x.steps] == [s["topic"] for s in GP_STEPS]
    assert x.steps[2].rule == "contract:niveau-1-essentiel#gp" and x.steps[2].amount == 900
    assert x.contract_rule == "contract:niveau-1-essentiel#gp"
    assert x.why == (("fixed", 200),)  # the 2 € are the participation forfaitaire


def test_why_did_i_pay_8_50_here_recomputed_with_the_engine(rules: FrenchRules,
                                                             contracts: dict[str, Contract]) -> None:
    # a cardiologist in sector 2 with OPTAM: 40 € for a 31.50 € base; no stored explanation
    spec = ClaimLine(line_no=1, date="2025-03-04", category="specialist", provider="Dr Cœur",
                     act=Code(None, None, "Consultation"), quantity=Decimal(1), currency="EUR",
                     charged=eur("40.00"), base=eur("31.50"), paid_primary=eur("20.05"),
                     paid_complementary=eur("9.45"), fixed_charges=eur("2.00"), overbilling=eur("8.50"),
                     patient_share=eur("10.50"), explanation={"carnet": {"rate": 70}})
    x = explain(OwnedLine(2, 1, spec), ADULT, rules, contracts["niveau-1-essentiel"], contracts)
    assert x.source == "recomputed" and x.rate == 70
    # 70 % × 31.50 = 22.05 − 2 € PF = 20.05; the mutuelle tops up to 100 % BR: 9.45; left: 2 € PF + 8.50 €
    assert x.differences == ()
    assert x.why == (("fixed", 200), ("overbilling", 850))
    assert {"sector_from_overbilling", "caps_fresh"} <= set(x.notes)
    topics = [s.topic for s in x.steps]
    assert topics[0] == "charged" and "overbilling" in topics and topics[-1] == "patient_share"
    assert x.contract_rule is not None and x.contract_rule.startswith("contract:niveau-1-essentiel#")
    assert any("8,50 €" in s.fr for s in x.steps) and any("€8.50" in s.en for s in x.steps)


def test_recomputation_says_where_the_statement_differs(rules: FrenchRules, contracts: dict[str, Contract]) -> None:
    odd = ClaimLine(line_no=1, date="2025-03-04", category="gp", provider=None, act=Code(NGAP, "G", None),
                    quantity=Decimal(1), currency="EUR", charged=eur("30.00"), base=eur("30.00"),
                    paid_primary=eur("18.00"), paid_complementary=eur("9.00"), patient_share=eur("3.00"))
    x = explain(OwnedLine(3, 1, odd), ADULT, rules, contracts["niveau-1-essentiel"])
    assert x.source == "recomputed"
    assert x.differences == (("amo", 1800, 1900), ("oop", 300, 200))


def test_a_us_line_shows_its_amounts(rules: FrenchRules) -> None:
    x = explain(OwnedLine(4, 1, us_line(date(2025, 1, 5))), ADULT, rules)
    assert (x.source, x.reason) == ("amounts", "currency")
    assert [s.amount for s in x.steps] == [15000, 10000, 8000, 0, 2000]
    assert x.steps[-1].en == "Left to pay: $20.00." and x.steps[-1].fr == "Reste à charge : 20,00\u00a0USD."
    assert x.why == (("ticket_moderateur", 2000),)


def test_act_rebuilt_from_stored_rule_ids_and_labels(contracts: dict[str, Contract]) -> None:
    facts = rule_facts([{"rule": "equipment.optics.bases.libre.lens_complex@2020-01-01"},
                        {"rule": "contract:niveau-2-confort#specialist_non_optam"},
                        {"rule": "amo_rates.rates.pharmacy.rate_30@origin"},
                        {"rule": "hospital.heavy_act.fee@origin"}], contracts)
    assert facts == {"basket": "libre", "kind": "lens_complex", "optam": False, "drug_rate": 30, "heavy_act": True}
    frame = ClaimLine(line_no=1, date="2024-05-02", category="optics", provider=None,
                      act=Code("https://carnet.example/fhir/CodeSystem/lpp", "2222124",
                               "OPTIQUE, MONTURE ADULTE DE CLASSE A"),
                      quantity=Decimal(1), currency="EUR", charged=eur("30.00"), base=eur("9.00"))
    rebuilt = rebuild_act(frame, ADULT)
    assert rebuilt.act is not None and "kind_from_label" in rebuilt.notes
    act = rebuilt.act
    assert (act.category, act.kind, act.basket, act.code, act.code_system, act.base) == (
        Category.OPTICS, "frame", Basket.RAC0, "2222124", CodeSystem.LPP, Decimal("9.00"))
    assert act.sector is Sector.SECTOR_1
    assert rebuild_act(us_line(date(2025, 1, 5)), ADULT).reason == "currency"
