"""The pure emergency service: what is current, what the person hid or corrected."""

from __future__ import annotations

import datetime as dt

from carnet.model import Kind
from carnet.services.emergency import (
    DEFAULT_WINDOW_DAYS,
    GRACE_DAYS,
    Contact,
    Entered,
    Override,
    Section,
    State,
    build_profile,
    essentials,
)

from .emergency_helpers import (
    CIM10,
    LOINC,
    PERSON,
    SNOMED,
    TODAY,
    allergy,
    concept,
    condition,
    days_ago,
    dispense,
    evidence,
    household_records,
    observation,
    record,
)


def profile(*records, overrides=None, entered=Entered(), today=TODAY):  # type: ignore[no-untyped-def]
    return build_profile(PERSON, evidence(*records), entered, overrides or {}, today)


def labels(p, section: Section) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.label for i in p.section(section)]


def test_a_drug_dispensed_recently_is_current_and_one_not_dispensed_for_months_is_not() -> None:
    p = profile(*household_records())
    assert labels(p, Section.MEDICATIONS) == ["Metformine 1000 mg"]
    (metformin,) = p.section(Section.MEDICATIONS)
    assert metformin.date == days_ago(10) and metformin.until == days_ago(-20)
    assert metformin.flags == ("dispensed", "days-supply") and metformin.source == "Test holder"


def test_supply_rules_days_supply_then_boxes_then_default_window() -> None:
    # 30 days of supply + the grace period: current up to day 30 + GRACE_DAYS, not after
    assert labels(profile(dispense(1, "1", "A", days_ago(30 + GRACE_DAYS))), Section.MEDICATIONS) == ["A"]
    assert labels(profile(dispense(1, "1", "A", days_ago(31 + GRACE_DAYS))), Section.MEDICATIONS) == []
    # 3 boxes, no daysSupply: 90 days
    three_boxes = dispense(1, "1", "B", days_ago(100), days=None, boxes=3)
    assert profile(three_boxes).section(Section.MEDICATIONS)[0].flags == ("dispensed", "boxes")
    assert labels(profile(dispense(1, "1", "B", days_ago(125), days=None, boxes=3)), Section.MEDICATIONS) == []
    # nothing said: the default window
    bare = dispense(1, "1", "C", days_ago(DEFAULT_WINDOW_DAYS + GRACE_DAYS), days=None)
    assert profile(bare).section(Section.MEDICATIONS)[0].flags == ("dispensed", "default")
    late = dispense(1, "1", "C", days_ago(DEFAULT_WINDOW_DAYS + GRACE_DAYS + 1), days=None)
    assert labels(profile(late), Section.MEDICATIONS) == []


def test_dispensings_of_one_drug_make_one_item_dated_by_the_last() -> None:
    p = profile(
        dispense(1, "111", "Salbutamol", days_ago(200)),
        dispense(2, "111", "Salbutamol", days_ago(5)),
        dispense(3, "111", "Salbutamol", days_ago(35)),
    )
    (item,) = p.section(Section.MEDICATIONS)
    assert item.date == days_ago(5) and item.record_ids[0] == 2 and sorted(item.record_ids) == [1, 2, 3]


def test_prescriptions_and_statements() -> None:
    active = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": concept(SNOMED, "1", "Apixaban 5 mg"),
        "authoredOn": days_ago(60),
        "dosageInstruction": [{"text": "1 comprimé matin et soir"}],
    }
    old = active | {"medicationCodeableConcept": concept(SNOMED, "2", "Old drug"), "authoredOn": days_ago(800)}
    ended = active | {
        "medicationCodeableConcept": concept(SNOMED, "3", "Ended drug"),
        "dispenseRequest": {"validityPeriod": {"end": days_ago(1)}},
    }
    stopped = active | {"medicationCodeableConcept": concept(SNOMED, "4", "Stopped drug"), "status": "stopped"}
    statement = {
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationCodeableConcept": concept(SNOMED, "5", "Lévothyroxine"),
    }
    p = profile(
        record(Kind.MEDICATION_REQUEST, 1, active, date=days_ago(60), status="active"),
        record(Kind.MEDICATION_REQUEST, 2, old, date=days_ago(800), status="active"),
        record(Kind.MEDICATION_REQUEST, 3, ended, date=days_ago(60), status="active"),
        record(Kind.MEDICATION_REQUEST, 4, stopped, date=days_ago(60), status="stopped"),
        record(Kind.MEDICATION_STATEMENT, 5, statement, date=None, status="active"),
    )
    found = {i.label: i for i in p.section(Section.MEDICATIONS)}
    assert set(found) == {"Apixaban 5 mg", "Lévothyroxine"}
    assert (
        found["Apixaban 5 mg"].flags == ("prescribed",) and found["Apixaban 5 mg"].detail == "1 comprimé matin et soir"
    )
    assert found["Lévothyroxine"].flags == ("statement",)


def test_conditions_resolved_refuted_and_ended_ald_are_left_out_and_sources_merge() -> None:
    p = profile(
        condition(1, "Diabète de type 2", codes=[(CIM10, "E11")]),
        condition(2, "Type 2 diabetes", codes=[(SNOMED, "44054006"), (CIM10, "E11")]),
        condition(3, "Bronchite", codes=[(SNOMED, "32398004")], clinical="resolved"),
        condition(4, "Tuberculose", codes=[(CIM10, "A15")], ald_end=days_ago(1)),
    )
    (diabetes,) = p.section(Section.CONDITIONS)
    assert sorted(diabetes.record_ids) == [1, 2] and "ald" in diabetes.flags


def test_allergies_high_risk_first_inactive_and_refuted_left_out() -> None:
    p = profile(
        allergy(1, "Arachide", code="91935009", criticality="low"),
        allergy(2, "Pénicilline", reaction="Œdème de Quincke"),
        allergy(3, "Latex", code="111088007", clinical="resolved"),
        allergy(4, "Iode", code="1", verification="refuted"),
    )
    items = p.section(Section.ALLERGIES)
    assert [i.label for i in items] == ["Pénicilline", "Arachide"]
    assert items[0].flags == ("high-criticality",) and items[0].detail == "Œdème de Quincke"


def test_hidden_items_are_kept_apart_and_an_override_on_any_merged_record_applies() -> None:
    records = [
        dispense(1, "111", "Salbutamol", days_ago(40)),
        dispense(2, "111", "Salbutamol", days_ago(5)),
        allergy(3, "Pénicilline"),
    ]
    p = profile(*records, overrides={1: Override(State.HIDDEN, updated_at="2026-11-01T00:00:00Z")})
    assert p.section(Section.MEDICATIONS) == [] and [i.label for i in p.hidden] == ["Salbutamol"]
    assert p.hidden[0].state is State.HIDDEN
    assert "Salbutamol" not in essentials(p, "fr")


def test_a_correction_changes_label_and_detail_and_the_newest_override_wins() -> None:
    overrides = {  # keys are record ids: the evidence's positions, from 1
        1: Override(State.CORRECTED, label="Amoxicilline", detail="urticaire", updated_at="2026-11-02T00:00:00Z"),
        2: Override(State.CONFIRMED, updated_at="2026-11-01T00:00:00Z"),
    }
    p = profile(allergy(3, "Pénicilline"), condition(4, "HTA", codes=[(SNOMED, "38341003")]), overrides=overrides)
    (item,) = p.section(Section.ALLERGIES)
    assert (item.label, item.detail, item.state) == ("Amoxicilline", "urticaire", State.CORRECTED)
    assert p.section(Section.CONDITIONS)[0].state is State.CONFIRMED
    newer = {
        1: Override(State.HIDDEN, updated_at="2026-11-01T00:00:00Z"),
        2: Override(State.CONFIRMED, updated_at="2026-11-03T00:00:00Z"),
    }
    both = profile(dispense(1, "9", "X", days_ago(40)), dispense(2, "9", "X", days_ago(5)), overrides=newer)
    assert both.section(Section.MEDICATIONS)[0].state is State.CONFIRMED and both.hidden == ()


def test_blood_group_from_882_1_or_from_883_9_with_10331_7() -> None:
    p = profile(observation(1, "882-1", "ABO+Rh", days_ago(10), coded=(SNOMED, "278149003", "A Rh(D) positif")))
    assert p.first(Section.BLOOD_GROUP).value_text == "A Rh(D) positif"  # type: ignore[union-attr]
    split = profile(
        observation(1, "883-9", "ABO", days_ago(10), coded=(SNOMED, "112144000", "O")),
        observation(2, "10331-7", "Rh", days_ago(10), coded=(SNOMED, "165746003", "Rh négatif")),
    )
    assert split.first(Section.BLOOD_GROUP).value_text == "O Rh négatif"  # type: ignore[union-attr]
    assert profile().first(Section.BLOOD_GROUP) is None


def test_pregnancy_from_the_last_status_and_the_expected_date() -> None:
    pregnant = (SNOMED, "77386006", "Pregnant")
    due = record(
        Kind.OBSERVATION,
        2,
        {
            "resourceType": "Observation",
            "status": "final",
            "code": concept(LOINC, "11778-8", "EDD"),
            "valueDateTime": days_ago(-90),
        },
        date=days_ago(30),
        status="final",
    )
    p = profile(observation(1, "82810-3", "Pregnancy status", days_ago(30), coded=pregnant), due)
    item = p.first(Section.PREGNANCY)
    assert item is not None and item.until == days_ago(-90) and "pregnant" in item.flags
    assert (
        profile(observation(1, "82810-3", "Pregnancy status", days_ago(400), coded=pregnant)).first(Section.PREGNANCY)
        is None
    )
    not_pregnant = (SNOMED, "60001007", "Not pregnant")
    later = observation(3, "82810-3", "Pregnancy status", days_ago(2), coded=not_pregnant)
    assert profile(observation(1, "82810-3", "s", days_ago(30), coded=pregnant), later).first(Section.PREGNANCY) is None


def test_key_results_keep_the_last_value_of_each_code() -> None:
    p = profile(
        observation(1, "4548-4", "HbA1c", days_ago(200), value=8.2, unit="%"),
        observation(2, "4548-4", "HbA1c", days_ago(20), value=7.1, unit="%"),
        observation(3, "29463-7", "Poids", days_ago(3), value=71.5, unit="kg"),
    )
    (hba1c,) = p.section(Section.RESULTS)
    assert str(hba1c.value.value) == "7.1" and hba1c.date == days_ago(20)  # type: ignore[union-attr]
    assert [i.label for i in p.section(Section.VITAL_SIGNS)] == ["Poids"]


def test_devices_and_immunizations() -> None:
    stent = record(
        Kind.DEVICE,
        1,
        {"resourceType": "Device", "status": "active", "type": concept(SNOMED, "705643001", "Stent coronaire")},
    )
    old = record(Kind.DEVICE, 2, {"resourceType": "DeviceUseStatement", "status": "completed"}, status="completed")
    vaccine = {"resourceType": "Immunization", "status": "completed", "vaccineCode": concept(SNOMED, "1", "Tétanos")}
    p = profile(
        stent,
        old,
        record(Kind.IMMUNIZATION, 3, vaccine, date="2020-05-01", status="completed"),
        record(Kind.IMMUNIZATION, 4, vaccine, date="2020-05-01", status="completed"),
        record(Kind.IMMUNIZATION, 5, vaccine | {"status": "not-done"}, date="2024-05-01", status="not-done"),
    )
    assert labels(p, Section.DEVICES) == ["Stent coronaire"]
    assert [(i.label, i.date) for i in p.section(Section.IMMUNIZATIONS)] == [("Tétanos", "2020-05-01")]


def test_essentials_text_holds_what_a_first_responder_reads_first() -> None:
    entered = Entered(contacts=(Contact("Paul Lefèvre", "06 12 34 56 78", "époux"),), notes="Porte un pacemaker")
    p = profile(*household_records(), entered=entered)
    text = essentials(p, "fr")
    lines = text.splitlines()
    assert lines[0] == "URGENCE — Élise Lefèvre, né(e) le 1980-02-29"
    assert lines[1] == "Groupe sanguin : A Rh+"
    assert lines[2].startswith(
        "Allergies et intolérances : Allergie à la pénicilline (Œdème de Quincke) — RISQUE ÉLEVÉ"
    )
    assert "Personnes à prévenir : Paul Lefèvre (époux) 06 12 34 56 78" in lines
    assert "Metformine 1000 mg" in text and "Ramipril" not in text
    assert essentials(p, "en").startswith("EMERGENCY — Élise Lefèvre")


def test_no_clock_is_read_the_same_inputs_give_the_same_profile() -> None:
    first = profile(*household_records(), today=dt.date(2026, 11, 28))
    again = profile(*household_records(), today=dt.date(2026, 11, 28))
    assert first == again
    later = profile(*household_records(), today=dt.date(2027, 6, 1))
    assert labels(later, Section.MEDICATIONS) == []
