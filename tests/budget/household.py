"""A small demo-like household for the budget tests, written here by hand.

Camille (1984) and Julien (1979, an ALD for his diabetes) Martin and their
daughter Léa (2014). Three years of French claim lines, dated back from a
given ``today``, shaped as the FHIR importer stores a Carnet package line
(Carnet's facts under the explanation's ``carnet`` key): monthly GP visits and
metformin refills for Julien, glasses for Camille 23 months ago, a crown, a
specialist with overbilling, a few unpaid recent lines; and a US line in
dollars (Julien saw a doctor in Boston) that must never be added to euros.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from carnet.model import ClaimLine, Code, Extracted, Kind, Money, Person, Provenance, Record
from carnet.services.reimbursement.beneficiary import add_months
from carnet.sources.base import InputFile
from carnet.store import Vault
from carnet.store.writer import write_extracted

NGAP = "https://carnet.example/fhir/CodeSystem/ngap"
CIP13 = "https://data.esante.gouv.fr/ansm/medicament/CIP13"
LPP = "https://carnet.example/fhir/CodeSystem/lpp"
CCAM = "https://smt.esante.gouv.fr/terminologie-ccam"
PEOPLE = (
    Person("Patient/camille", given="Camille", family="Martin", birth_date="1984-03-14", sex="female"),
    Person("Patient/julien", given="Julien", family="Martin", birth_date="1979-11-02", sex="male"),
    Person("Patient/lea", given="Léa", family="Martin", birth_date="2014-06-21", sex="female"),
)
GP_STEPS = [
    {"topic": "charged", "fr": "Prix facturé : 30,00 €.", "en": "Price charged: €30.00.", "amount": "30.00"},
    {"topic": "rate", "fr": "Taux de remboursement de l'Assurance Maladie : 70 %.",
     "en": "Assurance Maladie rate: 70 %.", "rule": "amo_rates.rates.gp.in_pathway@origin", "verified": True},
    {"topic": "complementary", "fr": "Mutuelle : 9,00 €.", "en": "Mutuelle: €9.00.",
     "rule": "contract:niveau-1-essentiel#gp", "amount": "9.00"},
    {"topic": "patient_share", "fr": "Reste à charge : 2,00 €.", "en": "Left to pay: €2.00.", "amount": "2.00"},
]


def eur(amount: str | None) -> Money | None:
    return None if amount is None else Money(Decimal(amount), "EUR")


def line(day: date, category: str, act: Code, charged: str, base: str, amo: str, amc: str, fixed: str, over: str,
         oop: str, *, rate: int, paid: bool = True, steps: list[dict[str, Any]] | None = None,
         quantity: int = 1, provider: str = "Dr Bernard") -> ClaimLine:
    """A package-style French line; ``paid`` False leaves both payments pending."""
    facts: dict[str, Any] = {
        "rate": rate,
        "payment": {"primary": (day + timedelta(days=4)).isoformat() if paid else None,
                    "complementary": (day + timedelta(days=9)).isoformat() if paid else None},
    }
    if steps:
        facts["steps"] = steps
    return ClaimLine(
        line_no=1, date=day.isoformat(), category=category, provider=provider, act=act,
        quantity=Decimal(quantity), currency="EUR", charged=eur(charged), base=eur(base), paid_primary=eur(amo),
        paid_complementary=eur(amc), fixed_charges=eur(fixed), overbilling=eur(over), patient_share=eur(oop),
        primary_payer="Assurance Maladie", explanation={"carnet": facts})


def gp(day: date, *, paid: bool = True) -> ClaimLine:
    return line(day, "gp", Code(NGAP, "G", "Consultation de médecine générale"), "30.00", "30.00", "19.00", "9.00",
                "2.00", "0.00", "2.00", rate=70, paid=paid, steps=GP_STEPS)


def lines_of(today: date) -> Iterator[tuple[str, ClaimLine]]:
    """(person key, line) for three years before ``today`` (all in the past)."""
    first = add_months(today, -36)
    for m in range(36):
        day = add_months(first, m) + timedelta(days=2)
        if day >= today:
            continue
        yield "Patient/julien", gp(day, paid=(today - day).days > 30)
        yield "Patient/julien", line(day + timedelta(days=1), "pharmacy",
                                     Code(CIP13, "3400930236154", "Metformine 1000 mg"), "3.50", "3.50", "2.50",
                                     "0.00", "1.00", "0.00", "1.00", rate=100)
        if m % 4 == 1:
            yield "Patient/lea", line(day + timedelta(days=5), "gp", Code(NGAP, "G", "Consultation"), "30.00",
                                      "30.00", "21.00", "9.00", "0.00", "0.00", "0.00", rate=70)
    glasses = add_months(today, -23)
    yield "Patient/camille", line(glasses, "optics", Code(LPP, "2264861", "OPTIQUE, MONTURE ADULTE DE CLASSE B"),
                                  "150.00", "0.05", "0.03", "100.00", "0.00", "149.95", "49.97", rate=60,
                                  provider="Optique du Parc")
    yield "Patient/camille", line(glasses, "optics", Code(LPP, "2225329", "OPTIQUE, VERRE UNIFOCAL CLASSE B"),
                                  "240.00", "0.10", "0.06", "70.00", "0.00", "239.90", "169.94", rate=60,
                                  quantity=2, provider="Optique du Parc")
    crown = add_months(today, -14)
    yield "Patient/camille", line(crown, "dental_prosthesis", Code(CCAM, "HBLD318", "Couronne céramique"), "800.00",
                                  "120.00", "72.00", "78.00", "0.00", "680.00", "650.00", rate=60,
                                  provider="Dr Dupont")
    spec = add_months(today, -5)
    yield "Patient/camille", line(spec, "specialist", Code(None, None, "Consultation cardiologue"), "80.00",
                                  "31.50", "20.05", "26.95", "2.00", "48.50", "33.00", rate=70,
                                  provider="Dr Cœur")
    recent = today - timedelta(days=40)
    yield "Patient/lea", line(recent, "specialist", Code(None, None, "Consultation pédiatre"), "50.00", "50.00",
                              "35.00", "15.00", "0.00", "0.00", "0.00", rate=70, paid=False, provider="Dr Petit")


def us_line(day: date) -> ClaimLine:
    return ClaimLine(line_no=1, date=day.isoformat(), category="Medical care", provider="Boston Clinic",
                     act=Code("http://www.ama-assn.org/go/cpt", "99213", "Office visit"), quantity=Decimal(1),
                     currency="USD", charged=Money(Decimal("150.00"), "USD"), base=Money(Decimal("100.00"), "USD"),
                     paid_primary=Money(Decimal("80.00"), "USD"), paid_complementary=Money(Decimal("0"), "USD"),
                     patient_share=Money(Decimal("20.00"), "USD"), primary_payer="Medicare",
                     explanation={"discount": 3.0})


def claim(n: int, person: str, claim_line: ClaimLine) -> Record:
    return Record(kind=Kind.CLAIM, natural_key=f"ExplanationOfBenefit/{n}", person_key=person,
                  provenance=Provenance("test", "0" * 64, f"line {n}"), resource_type="ExplanationOfBenefit",
                  date=claim_line.date, claim_lines=(claim_line,),
                  resource={"resourceType": "ExplanationOfBenefit", "id": str(n)})


def ald_condition() -> Record:
    resource = {"resourceType": "Condition", "id": "ald-1", "extension": [
        {"url": "https://carnet.example/fhir/StructureDefinition/ald-exoneration", "extension": []}],
        "code": {"coding": [{"system": "https://smt.esante.gouv.fr/terminologie-cim-10", "code": "E11"}]}}
    return Record(kind=Kind.CONDITION, natural_key="Condition/ald-1", person_key="Patient/julien",
                  provenance=Provenance("test", "0" * 64, "line 0"), resource_type="Condition",
                  code=Code("https://smt.esante.gouv.fr/terminologie-cim-10", "E11"), resource=resource)


def household_records(today: date) -> list[Record]:
    found = [claim(n, person, item) for n, (person, item) in enumerate(lines_of(today), start=1)]
    found.append(claim(len(found) + 1, "Patient/julien", us_line(today - timedelta(days=200))))
    found.append(ald_condition())
    return found


def write_household(vault: Vault, today: date) -> None:
    """Write the household into ``vault`` (people 1, 2, 3: Camille, Julien, Léa)."""
    file = InputFile("household.ndjson", b"household-" + today.isoformat().encode())
    with vault.writing() as conn:
        write_extracted(conn, file, "test", Extracted(list(PEOPLE), household_records(today), source_name="Test"))
