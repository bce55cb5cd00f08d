"""Track: totals by year, month, post, provider and person, per currency; budget posts."""

from __future__ import annotations

from decimal import Decimal

from carnet.model import ClaimLine, Code, Money
from carnet.services.budget import By, OwnedLine, budget_category, entries_from_claims, summarize, years
from carnet.services.budget.track import monthly

from .conftest import entry

ENTRIES = [
    entry(1, "2025-01-10", "gp", 200, amo=1900, amc=900, fixed=200, provider="Dr A"),
    entry(2, "2025-01-20", "pharmacy", 100, amo=250, fixed=100, provider="Pharmacie"),
    entry(3, "2025-03-02", "specialist", 3300, amo=2005, amc=2695, fixed=200, over=4850, provider="Dr B"),
    entry(4, "2024-12-30", "gp", 200, amo=1900, amc=900, fixed=200, provider="Dr A", person=2),
    entry(5, "2025-02-01", "other", 2000, currency="USD", charged=15000, amo=8000, amc=5000, provider="Boston"),
]


def test_totals_are_per_currency_and_never_mixed() -> None:
    s = summarize(ENTRIES, By.YEAR)
    assert [(t.currency, t.lines, t.charged, t.oop) for t in s.totals] == [
        ("EUR", 4, 3000 + 350 + 8000 + 3000, 200 + 100 + 3300 + 200), ("USD", 1, 15000, 2000)]
    assert [(r.key, r.totals.currency, r.totals.oop) for r in s.rows] == [
        ("2024", "EUR", 200), ("2025", "EUR", 3600), ("2025", "USD", 2000)]


def test_by_month_category_provider_person_for_one_year() -> None:
    by_month = summarize(ENTRIES, "month", "2025")
    assert [(r.key, r.totals.currency, r.totals.oop) for r in by_month.rows] == [
        ("2025-01", "EUR", 300), ("2025-02", "USD", 2000), ("2025-03", "EUR", 3300)]
    eur = by_month.total("EUR")
    assert (eur.charged, eur.amo, eur.amc, eur.fixed, eur.overbilling, eur.oop) == (
        3000 + 350 + 8000, 1900 + 250 + 2005, 900 + 2695, 500, 4850, 3600)
    assert eur.charged == eur.amo + eur.amc + eur.oop
    by_post = summarize(ENTRIES, By.CATEGORY, "2025")
    assert [r.key for r in by_post.rows] == ["gp", "specialist", "pharmacy", "other"]  # the posts' order
    by_provider = summarize(ENTRIES, By.PROVIDER, "2025")
    assert {r.key: r.totals.lines for r in by_provider.rows} == {"Dr A": 1, "Dr B": 1, "Pharmacie": 1, "Boston": 1}
    by_person = summarize(ENTRIES, By.PERSON)
    assert {(r.key, r.totals.currency): r.totals.oop for r in by_person.rows} == {
        ("1", "EUR"): 3600, ("1", "USD"): 2000, ("2", "EUR"): 200}
    assert years(ENTRIES) == ["2025", "2024"]
    assert [t.oop for t in monthly(ENTRIES, "2025", "EUR")][:3] == [300, 0, 3300]


def test_claim_lines_become_entries_with_their_post() -> None:
    fr = ClaimLine(line_no=1, date="2025-02-03", category="dental_prosthesis", provider="Dr D",
                   act=Code(None, "HBLD318", "Couronne"), quantity=Decimal(1), currency="EUR",
                   charged=Money(Decimal("800")), base=Money(Decimal("120")), paid_primary=Money(Decimal("72")),
                   paid_complementary=Money(Decimal("78")), fixed_charges=None, overbilling=Money(Decimal("680")),
                   patient_share=Money(Decimal("650")),
                   explanation={"carnet": {"payment": {"primary": "2025-02-08", "complementary": None}}})
    us = ClaimLine(line_no=1, date="2025-01-05T10:00:00Z", category="Medical care", provider=None, act=None,
                   quantity=None, currency="USD", charged=Money(Decimal("150"), "USD"),
                   paid_primary=Money(Decimal("112.42"), "USD"))
    b, a = entries_from_claims([OwnedLine(7, 1, fr), OwnedLine(8, 2, us)])  # in date order
    assert (b.id, b.day, b.category, b.currency, b.charged, b.amo, b.oop, b.tracked) == (
        8, "2025-01-05", "other", "USD", 15000, 11242, 3758, False)  # no patient share: price less payments
    assert (a.category, a.source_category, a.base, a.overbilling, a.oop, a.tracked, a.amo_paid_on, a.amc_paid_on) == (
        "dental", "dental_prosthesis", 12000, 68000, 65000, True, "2025-02-08", None)


def test_budget_posts_of_engine_categories_and_free_labels() -> None:
    assert budget_category("midwife") == "specialist"
    assert budget_category("emergency") == "hospital"
    assert budget_category("Pharmacy claim") == "pharmacy"
    assert budget_category("Medical care", "http://www.nlm.nih.gov/research/umls/rxnorm") == "pharmacy"
    assert budget_category("Medical care") == "other"
    assert budget_category(None, "http://loinc.org") == "biology"
    assert budget_category("Diagnostic radiology") == "imaging"
