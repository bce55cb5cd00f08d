"""The French rule files: they load, cover 2023-2026, cite sources, and fail clearly."""

from __future__ import annotations

import shutil
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from carnet.rules import RuleFileError, load_rules
from carnet.rules.loader import FR_FILES, rules_directory
from carnet.services.reimbursement import FrenchRules, RuleNotInForce, Timeline

FIRST, LAST = date(2023, 1, 1), date(2026, 12, 31)
#: tariffs whose earlier values the fact sheet does not give (the caller passes a base)
PARTIAL_TARIFFS = {"VG", "VL", "IMT", "MUT", "RDV", "pediatre_moins_2_ans",
                   "consultation_longue_80_ans"}


@pytest.fixture(scope="module")
def rules() -> FrenchRules:
    return load_rules()


def timelines(value: Any, path: str = "rules") -> list[tuple[str, Timeline[Any]]]:
    """Every timeline inside the rules, with where it is."""
    if isinstance(value, Timeline):
        return [(path, value)]
    found: list[tuple[str, Timeline[Any]]] = []
    if is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            found += timelines(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, dict) or hasattr(value, "items"):
        for key, item in value.items():
            found += timelines(item, f"{path}[{key}]")
    return found


def test_every_rule_is_in_force_from_2023_to_2026(rules):
    checked = 0
    for path, timeline in timelines(rules):
        if "tariffs.entries" in path and path.split("'")[-2] in PARTIAL_TARIFFS:
            continue
        if path.startswith("rules.amo.by_category[gp][prevention]"):
            continue  # the bilan prévention exists since 2024
        assert timeline.gaps(FIRST, LAST) == (), path
        checked += 1
    assert checked > 60


def test_every_period_cites_a_source_and_has_a_rule_id(rules):
    for path, timeline in timelines(rules):
        for period in timeline.periods:
            assert period.source.strip(), path
            assert period.rule_id.startswith(timeline.key), path
            assert period.verified or period.note, f"{path}: unverified without a note"


@pytest.mark.parametrize(("day", "pf", "box", "transport", "daily_paramedical"), [
    ("2023-06-01", "1.00", "0.50", "2.00", "2.00"),
    ("2024-03-31", "1.00", "1.00", "4.00", "4.00"),
    ("2024-05-15", "2.00", "1.00", "4.00", "4.00"),
    ("2026-06-01", "2.00", "1.00", "4.00", "4.00"),
])
def test_fixed_charges_by_date(rules, day, pf, box, transport, daily_paramedical):
    on = date.fromisoformat(day)
    assert rules.participation.amount.value_at(on) == Decimal(pf)
    assert rules.participation.annual_cap.value_at(on) == Decimal(50)
    franchise = rules.franchise.by_category
    assert franchise["pharmacy"].per_unit.value_at(on) == Decimal(box)
    assert franchise["transport"].per_unit.value_at(on) == Decimal(transport)
    paramedical = franchise["auxiliary"].daily_cap
    assert paramedical is not None and paramedical.value_at(on) == Decimal(daily_paramedical)
    assert rules.franchise.annual_cap.value_at(on) == Decimal(50)


def test_tariffs_and_hospital_values(rules):
    g = rules.tariffs.find("NGAP", "G")
    assert g is not None
    assert g.values.value_at(date(2024, 12, 21)) == Decimal("26.50")
    period = g.values.at(date(2024, 12, 22))
    assert period.value == Decimal(30) and period.start == date(2024, 12, 22) and period.verified
    psy = rules.tariffs.find("carnet", "psychiatre")
    assert psy is not None and psy.values.value_at(date(2025, 7, 1)) == Decimal(57)
    hospital = rules.hospital
    assert hospital.daily_fee.value_at(date(2026, 2, 28)) == Decimal(20)
    assert hospital.daily_fee.value_at(date(2026, 3, 1)) == Decimal(23)
    assert hospital.daily_fee_psychiatry.value_at(date(2026, 3, 1)) == Decimal(17)
    assert hospital.heavy_act_fee.value_at(date(2026, 4, 21)) == Decimal(24)
    assert not hospital.heavy_act_fee.at(date(2026, 4, 22)).verified
    assert rules.amo.rate("dental", "default").value_at(date(2023, 10, 15)) == Decimal("0.60")
    assert rules.amo.rate("pharmacy", "rate_30").value_at(date(2025, 1, 1)) == Decimal("0.30")


def test_unverified_values_are_marked(rules):
    on = date(2025, 6, 1)
    assert not rules.participation.daily_max_count.at(on).verified
    assert not rules.tariffs.non_optam_consultation_base.at(on).verified
    assert not rules.amo.rate("transport", "default").at(on).verified
    assert rules.participation.amount.at(on).verified


def test_lookups_outside_the_periods_raise(rules):
    tariff = rules.tariffs.find("carnet", "consultation_longue_80_ans")
    assert tariff is not None
    with pytest.raises(RuleNotInForce, match="no value in force on 2025-12-31"):
        tariff.values.at(date(2025, 12, 31))


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    source = rules_directory()
    for name in FR_FILES:
        (tmp_path / f"{name}.yaml").write_text(
            source.joinpath(f"{name}.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("name", "old", "new", "message"), [
    ("participations", "{value: 2.00, from: 2024-05-15, source: ucr_pf,",
     "{value: 2.00, from: 2024-05-01, source: ucr_pf,",
     r"participations.yaml: participation_forfaitaire.amount: .*overlap"),
    ("participations", "source: ucr_pf,\n", "source: nowhere,\n",
     r"participations.yaml: participation_forfaitaire.amount\[1\]: unknown source 'nowhere'"),
    ("amo_rates", "{value: 0.70, source: egora_tm,", "{value: 70, source: egora_tm,",
     r"amo_rates.yaml: rates.gp.in_pathway\[0\]: value: a rate is a fraction"),
    ("hospital", "  psychiatry:\n", "  psychiatrie:\n",
     r"hospital.yaml: daily_fee.psychiatry: missing"),
    ("tariffs", "- {value: 30.00, from: 2024-12-22,", "- {value: 30.00, from: 22/12/2024,",
     r"tariffs.yaml: tariffs\[G\]\[2\]: `from` must be a date"),
    ("participations", "categories:\n    - {value: [gp,", "categories:\n    - {value: [doctor,",
     r"participations.yaml: participation_forfaitaire.categories\[0\]: .*unknown categories"),
    ("pathway", "{value: 16, source: f17042,", "{value: 16, sauce: f17042,",
     r"pathway.yaml: from_age\[0\]: unknown keys \['sauce'\]"),
])
def test_bad_data_names_the_file_and_the_key(copy, name, old, new, message):
    _edit(copy, name, old, new)
    with pytest.raises(RuleFileError, match=message):
        load_rules(copy)


def test_missing_file_and_bad_yaml(copy):
    (copy / "pathway.yaml").write_text("from_age: [", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"pathway.yaml: \(file\): not valid YAML"):
        load_rules(copy)
    (copy / "pathway.yaml").unlink()
    with pytest.raises(RuleFileError, match=r"pathway.yaml: \(file\): not found"):
        load_rules(copy)


def test_loads_from_a_copied_folder(copy, rules):
    assert load_rules(copy) == rules
    shutil.rmtree(copy)
