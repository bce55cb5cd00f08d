"""Loader facts checked against the raw source text, read here independently of the script.

The raw files are split by hand (``str.split``), not through the build
package, so a parsing bug there cannot hide itself here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from carnet.rules import tables

BDPM = Path("fr_reference/bdpm_2026-07-24")
NOMENCLATURES = Path("snds/nomenclatures")


def _raw_lines(path: Path, encoding: str) -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return [line.rstrip("\r\n").split("\t") for line in handle]


def _euros(raw: str) -> Decimal:
    """French price as printed in the BDPM: commas for thousands and for cents."""
    whole, cents = raw.rsplit(",", 1)
    return Decimal(f"{whole.replace(',', '')}.{cents}")


def test_ccam_tariff_stated_in_source_md() -> None:
    act = tables.load_ccam()["AHQB027"]
    line = act.tariff(activity=1, phase=0)
    assert line is not None
    assert line.tariff_sector1_optam == Decimal("51.84")
    assert act.label.startswith("Électromyographie de 1 ou 2 muscles striés")


def test_ccam_multi_phase_act_and_not_covered_act() -> None:
    act = tables.load_ccam()["BDLA003"]
    assert [(t.activity, t.phase) for t in act.tariffs] == [(1, 1), (1, 2), (4, 1), (4, 2)]
    assert act.tariffs[2].tariff_sector1_optam == Decimal("147.45")
    not_covered = tables.load_ccam()["AHQP001"].tariff()
    assert not_covered is not None and not_covered.tariff_sector1_optam is None
    spaced = tables.load_ccam()["ADGA724"].tariff()  # written "248, 15" in the source
    assert spaced is not None and spaced.tariff_other == Decimal("248.15")


def test_nabm_price_is_coefficient_times_b() -> None:
    act = tables.load_nabm()["215"]
    assert (act.letter, act.coefficient) == ("B", Decimal("80.00"))
    assert tables.nabm_price("215", Decimal("0.27")) == Decimal("21.60")
    with pytest.raises(ValueError, match="not priced in B"):
        tables.nabm_price("9999", Decimal("0.27"))
    with pytest.raises(KeyError):
        tables.nabm_price("no such act", Decimal("0.27"))


def test_tables_are_read_only_and_loaded_once() -> None:
    drugs = tables.load_drugs()
    assert tables.load_drugs() is drugs
    with pytest.raises(TypeError):
        drugs["x"] = drugs["3400949497294"]  # type: ignore[index]


@pytest.mark.shared_data
def test_drug_prices_and_rates_match_the_raw_file(shared_data: Path) -> None:
    rows = _raw_lines(shared_data / BDPM / "CIS_CIP_bdpm.txt", "utf-8")
    drugs = tables.load_drugs()
    assert len(drugs) == len(rows)
    samples = [
        next(r for r in rows if r[8] == "65%" and r[9]),
        next(r for r in rows if r[8] == "15 %"),  # spaced rate
        next(r for r in rows if r[9].count(",") == 2),  # thousands comma: 1,466,29
        next(r for r in rows if not r[9]),  # no price
        rows[0],
        rows[-1],
    ]
    for raw in samples:
        drug = drugs[raw[6]]
        assert drug.cis == raw[0] and drug.cip7 == raw[1]
        assert drug.rate == (int(raw[8].rstrip("% ")) if raw[8] else None)
        assert drug.price == (_euros(raw[9]) if raw[9] else None)
        assert drug.dispensing_fee == (_euros(raw[11]) if raw[11] else None)
    assert drugs["3400927849800"].price == Decimal("1466.29")


@pytest.mark.shared_data
def test_drug_names_keep_their_accents_from_cp1252(shared_data: Path) -> None:
    names = {r[0]: r[1] for r in _raw_lines(shared_data / BDPM / "CIS_bdpm.txt", "cp1252")}
    drugs = tables.load_drugs()
    accented = [drug for drug in drugs.values() if "é" in drug.name]
    assert len(accented) > 1000
    for drug in accented[:50]:
        assert drug.name == " ".join(names[drug.cis].split())
    assert "Ã" not in "".join(drug.name + drug.presentation for drug in drugs.values())


@pytest.mark.shared_data
def test_generic_groups_match_the_raw_file(shared_data: Path) -> None:
    rows = _raw_lines(shared_data / BDPM / "CIS_GENER_bdpm.txt", "cp1252")
    groups = tables.load_generic_groups()
    assert len(groups) == len({r[0] for r in rows})
    by_cis = {drug.cis: drug for drug in tables.load_drugs().values()}
    sold = [r for r in rows if r[2] in by_cis]  # group, label, CIS, type, order
    for raw in (sold[0], sold[len(sold) // 2], sold[-1]):
        assert groups[raw[0]].label == " ".join(raw[1].split())
        drug = by_cis[raw[2]]
        assert raw[0] in drug.generic_groups and raw[3] in drug.generic_types


@pytest.mark.shared_data
def test_ccam_counts_match_source_md(shared_data: Path) -> None:
    text = (shared_data / "fr_reference" / "SOURCE.md").read_text(encoding="utf-8")
    assert "8,257 act rows" in text
    assert len(tables.load_ccam()) == 8257


@pytest.mark.shared_data
def test_snds_tables_match_the_raw_files(shared_data: Path) -> None:
    def raw(name: str) -> list[list[str]]:
        path = shared_data / NOMENCLATURES / name
        return [line.split(";") for line in path.read_text(encoding="utf-8").splitlines()[1:]]

    bio = raw("ORAREF/IR_BIO_R.csv")
    assert len(tables.load_nabm()) == len(bio)
    code, coefficient = bio[2][0], bio[2][-1]
    assert tables.load_nabm()[code].coefficient == Decimal(coefficient)
    lpp = raw("ORAREF/NT_LPP.csv")
    assert len(tables.load_lpp()) == len(lpp)
    assert tables.load_lpp()[lpp[0][0]].label == lpp[0][1]
    dated = next(r for r in lpp if r[2])
    end = tables.load_lpp()[dated[0]].end
    assert end is not None and end.strftime("%d%b%Y").upper() == dated[2][:9]
    cim = raw("ORAVAL/IR_CIM_V.csv")
    assert len(tables.load_cim10()) == len(cim)
    assert tables.load_cim10()[cim[0][0]].label == cim[0][1]
    assert tables.load_cim10()["M653"].label == 'Doigt "à ressort"'  # quoted twice upstream
    atc5 = {r[0]: r[1].strip() for r in raw("OPENMEDIC/openmedic_ATC5.csv")}
    assert tables.load_atc()["A10BA02"].label == atc5["A10BA02"] == "METFORMINE"
    assert tables.load_atc()["A10BA02"].level == 5
    assert tables.load_ald()["8"].label.startswith("Diabète")
    assert tables.load_nabm()["246"].removed == date(2014, 9, 4)
