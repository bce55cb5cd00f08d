"""Example contracts: they load, compare, and the responsible ones break no constraint."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carnet.rules import (
    ContractFileError,
    contract_ids,
    load_contract,
    load_contracts,
    load_rules,
    parse_contract,
    validate_contract,
)
from carnet.services.reimbursement import BrBasis, FrenchRules, Situation

DAY = date(2025, 6, 1)
HEADER = """
id: test
name: Test
responsible: true
source: test
premium: {adult: 100, child: 50, child_under_age: 18, source: test}
"""


@pytest.fixture(scope="module")
def rules() -> FrenchRules:
    return load_rules()


def test_at_least_four_examples_official_first():
    ids = contract_ids()
    assert {"fpe-socle-2024", "fpe-option-a-2024", "fpe-option-b-2024"} <= set(ids)
    assert len(ids) >= 4
    contracts = load_contracts()
    assert [c.level for c in contracts] == sorted(c.level for c in contracts)
    for contract in contracts:
        assert contract.premium.adult >= contract.premium.child >= 0
        assert contract.source


@pytest.mark.parametrize("contract_id", [c for c in contract_ids() if c != "c2s"])
def test_example_responsible_contracts_break_nothing(rules, contract_id):
    contract = load_contract(contract_id)
    assert contract.responsible
    for year in (2023, 2024, 2025, 2026):
        assert validate_contract(contract, rules, date(year, 6, 1)) == ()


def test_c2s_is_not_a_responsible_contract_and_says_why(rules):
    c2s = load_contract("c2s")
    breaches = validate_contract(c2s, rules, DAY)
    assert {b.constraint for b in breaches} == {"optics_grid"}


def test_a_bad_contract_reports_each_broken_constraint(rules):
    text = HEADER + """
covers_out_of_pathway_increase: true
guarantees:
  - {id: gp, when: {category: gp}, percent_br: 100}
  - {id: spe_optam, when: {category: specialist, optam: true}, percent_br: 150}
  - {id: spe_non_optam, when: {category: specialist, optam: false}, percent_br: 250}
  - {id: imaging_optam, when: {category: imaging, optam: true}, percent_br: 150}
  - {id: imaging_non_optam, when: {category: imaging, optam: false}, percent_br: 140}
  - {id: pharmacy, when: {category: pharmacy}, percent_br: 100}
  - {id: daily_fee, when: {category: hospital, kind: daily_fee}, allowance: 10}
  - {id: frame, when: {category: optics, kind: frame, basket: libre}, allowance: 150}
  - {id: hearing, when: {category: hearing, basket: libre}, real_costs: true}
"""
    breaches = validate_contract(parse_contract(text), rules, DAY)
    found = {(b.constraint, b.guarantee) for b in breaches}
    assert ("non_optam_cap", "spe_non_optam") in found
    assert ("optam_gap", "imaging_non_optam") in found
    assert ("daily_fee", "daily_fee") in found
    assert ("optics_frame_cap", "frame") in found
    assert ("hearing_free_cap", "hearing") in found
    assert ("no_out_of_pathway_increase", None) in found
    assert ("basket_100_sante", None) in found
    assert ("ticket_moderateur", None) in found  # midwife, dental… have no line
    assert all(b.fr and b.en and b.source for b in breaches)


def test_matching_prefers_the_most_specific_line():
    contract = load_contract("fpe-socle-2024")
    mammo = contract.guarantee_for(Situation("imaging", "mammography", False, None, None))
    assert mammo is not None and mammo.id == "mammography_non_optam"
    other = contract.guarantee_for(Situation("imaging", None, False, None, None))
    assert other is not None and other.id == "imaging_non_optam"
    assert contract.guarantee_for(Situation("other", None, True, None, None)) is None


def test_line_fields_are_read():
    contract = load_contract("niveau-2-confort")
    line = next(g for g in contract.guarantees if g.id == "alternative_medicine")
    assert (line.allowance, line.year_count, line.shared_cap) == (Decimal(30), 4, "alternative_medicine")
    assert contract.shared_caps["alternative_medicine"].amount == Decimal(120)
    hearing = next(g for g in contract.guarantees if g.id == "hearing")
    assert (hearing.percent_br, hearing.basis) == (Decimal(100), BrBasis.INCLUDING_AMO)


@pytest.mark.parametrize(("body", "message"), [
    ("guarantees:\n  - {id: a, when: {category: dentist}, percent_br: 100}",
     r"guarantees\[a\].when.category: unknown category 'dentist'"),
    ("guarantees:\n  - {id: a, when: {category: gp}}",
     r"guarantees\[a\]: needs percent_br, allowance or real_costs"),
    ("guarantees:\n  - {id: a, percent_br: 100}\n  - {id: a, percent_br: 100}",
     r"guarantees\[a\]: duplicate id"),
    ("guarantees:\n  - {id: a, percent_br: 100, colour: red}",
     r"guarantees\[0\]: unknown keys \['colour'\]"),
    ("guarantees:\n  - {id: a, percent_br: 100, shared_cap: optics}",
     r"guarantees\[a\].shared_cap: unknown shared cap 'optics'"),
    ("guarantees:\n  - {id: a, allowance: -5}", r"guarantees\[a\].allowance: .*negative"),
    ("guarantees: []", r"guarantees: a non-empty list"),
])
def test_bad_contracts_name_the_file_and_key(body, message):
    with pytest.raises(ContractFileError, match=f"bad.yaml: {message}"):
        parse_contract(HEADER + body, "bad.yaml")


def test_missing_contract():
    with pytest.raises(ContractFileError, match=r"nope.yaml: \(file\): not found"):
        load_contract("nope")
