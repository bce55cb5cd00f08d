"""The French code tables the package ships, typed and loaded once.

The tables live in ``carnet/rules/fr/tables`` as gzip-compressed UTF-8 CSV,
built by ``scripts/build_code_tables.py`` from public reference data (sources,
dates and licences in ``SOURCES.md`` there). Each ``load_*`` function reads
its table on first use (``functools.cache``) and returns a read-only mapping
from code to a frozen record. Money is :class:`~decimal.Decimal` in euros;
an absent value is ``None``.

Tariff values that are rules (the value of the key letter B, of NGAP letters)
are not here: they come with the reimbursement rules, as arguments.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import TypeVar

T = TypeVar("T")


class TableError(Exception):
    """A shipped table does not have the columns this module expects (a packaging bug)."""


@dataclass(frozen=True, slots=True)
class Drug:
    """A drug presentation (box) from the BDPM, keyed by its CIP13."""

    cip13: str  #: 13-digit presentation code (EAN-13 checked)
    cis: str  #: 8-digit product code (CIS)
    cip7: str  #: older 7-digit presentation code
    name: str  #: product name, form included ("DOLIPRANE 1000 mg, comprimé")
    presentation: str  #: what the box holds
    price: Decimal | None  #: public price without dispensing fee, euros
    dispensing_fee: Decimal | None  #: pharmacist's dispensing fee, euros
    price_with_fee: Decimal | None  #: price including the fee, as the BDPM states it
    rate: int | None  #: Assurance Maladie reimbursement rate, percent (15, 30, 65, 100)
    atc: str | None  #: ATC class where a source links it (none does yet)
    generic_groups: tuple[str, ...]  #: BDPM generic group ids of the product
    generic_types: tuple[str, ...]  #: 0 princeps, 1 generic, 2 complementary, 4 substitutable
    marketed: bool  #: commercialisation declared (not stopped or suspended)
    commercialised_on: date | None  #: date of the last commercialisation event


@dataclass(frozen=True, slots=True)
class CcamTariff:
    """One activity and phase of a CCAM act with its tariffs (``None``: not reimbursed)."""

    activity: int  #: 1 main act, 4 anaesthesia, …
    phase: int  #: 0 when the act has a single phase
    tariff_sector1_optam: Decimal | None  #: sector 1 or OPTAM/OPTAM-ACO doctors, euros
    tariff_other: Decimal | None  #: other doctors, euros
    reimbursed_on_conditions: bool  #: "RC": reimbursed only under conditions
    prior_approval: bool  #: "AP": needs the insurer's prior approval
    exo_tm: str  #: co-payment exemption code(s) as written ("1", "2", "1-7")
    grouping: str  #: grouping code (ADC, ATM, ADA…)


@dataclass(frozen=True, slots=True)
class CcamAct:
    """A CCAM act and its tariff lines, sorted by activity then phase."""

    code: str
    label: str
    tariffs: tuple[CcamTariff, ...]

    def tariff(self, activity: int = 1, phase: int = 0) -> CcamTariff | None:
        """The line for ``activity`` and ``phase``, or ``None`` when the act has none."""
        for line in self.tariffs:
            if (line.activity, line.phase) == (activity, phase):
                return line
        return None


@dataclass(frozen=True, slots=True)
class Label:
    """A code and its label (NGAP letters, generic groups)."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class PrestationNature:
    """An SNDS nature de prestation (``PRS_NAT``), e.g. 1111 → C."""

    code: str
    letter: str
    label: str


@dataclass(frozen=True, slots=True)
class LppCode:
    """An LPP code (medical devices and services); the source has no tariffs."""

    code: str
    label: str
    type: str  #: LPP_PRS_TYP as written (A, S, L, R, V, E)
    end: date | None  #: end of validity, when set


@dataclass(frozen=True, slots=True)
class NabmAct:
    """A biology act of the NABM: price = coefficient × value of its key letter."""

    code: str
    label: str
    letter: str | None  #: key letter, "B" (``None`` for the two technical codes)
    coefficient: Decimal | None
    created: date | None
    removed: date | None  #: date the act left the nomenclature, when it did


@dataclass(frozen=True, slots=True)
class Cim10Code:
    """A CIM-10 (ICD-10, French edition) code."""

    code: str
    label: str
    category: str  #: three-character category
    ald: str  #: ALD number the code belongs to ("99": none)


@dataclass(frozen=True, slots=True)
class Ald:
    """An ALD (affection de longue durée) of the list."""

    code: str
    label: str
    decree: str


@dataclass(frozen=True, slots=True)
class AtcClass:
    """An ATC class (levels 1 to 5) with its French label."""

    code: str
    level: int
    label: str


def _rows(name: str, columns: tuple[str, ...]) -> Iterator[dict[str, str]]:
    resource = files("carnet.rules").joinpath("fr").joinpath("tables").joinpath(f"{name}.csv.gz")
    with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8", newline="") as text:
        reader = csv.reader(text)
        header = tuple(next(reader, ()))
        if header != columns:
            raise TableError(f"{name}.csv.gz has columns {header}, expected {columns}")
        for cells in reader:
            yield dict(zip(columns, cells, strict=True))


def _keyed(name: str, columns: tuple[str, ...], make: Callable[[dict[str, str]], T]) -> Mapping[str, T]:
    return MappingProxyType({row[columns[0]]: make(row) for row in _rows(name, columns)})


def _money(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split("|")) if text else ()


_DRUG_COLUMNS = (
    "cip13", "cis", "cip7", "name", "presentation", "price", "dispensing_fee",
    "price_with_fee", "rate", "atc", "generic_groups", "generic_types", "marketed",
    "commercialised_on",
)  # fmt: skip
_CCAM_COLUMNS = (
    "code", "activity", "phase", "label", "tariff_sector1_optam", "tariff_other",
    "reimbursed_on_conditions", "prior_approval", "exo_tm", "grouping",
)  # fmt: skip


@cache
def load_drugs() -> Mapping[str, Drug]:
    """Drug presentations by CIP13 (BDPM)."""

    def make(r: dict[str, str]) -> Drug:
        return Drug(
            r["cip13"], r["cis"], r["cip7"], r["name"], r["presentation"], _money(r["price"]),
            _money(r["dispensing_fee"]), _money(r["price_with_fee"]),
            int(r["rate"]) if r["rate"] else None, r["atc"] or None,
            _split(r["generic_groups"]), _split(r["generic_types"]), r["marketed"] == "1",
            _day(r["commercialised_on"]),
        )  # fmt: skip

    return _keyed("drugs", _DRUG_COLUMNS, make)


@cache
def load_ccam() -> Mapping[str, CcamAct]:
    """CCAM acts by code (e.g. ``AHQB027``), each with its tariff lines (CCAM v81)."""
    labels: dict[str, str] = {}
    lines: dict[str, list[CcamTariff]] = {}
    for r in _rows("ccam", _CCAM_COLUMNS):
        labels.setdefault(r["code"], r["label"])
        line = CcamTariff(
            int(r["activity"]), int(r["phase"]), _money(r["tariff_sector1_optam"]),
            _money(r["tariff_other"]), r["reimbursed_on_conditions"] == "1",
            r["prior_approval"] == "1", r["exo_tm"], r["grouping"],
        )  # fmt: skip
        lines.setdefault(r["code"], []).append(line)
    return MappingProxyType({code: CcamAct(code, labels[code], tuple(found)) for code, found in lines.items()})


@cache
def load_ngap() -> Mapping[str, Label]:
    """NGAP and prestation key letters (``C``, ``G``, ``AMI``…) → label; no tariffs."""
    return _keyed("ngap", ("letter", "label"), lambda r: Label(r["letter"], r["label"]))


@cache
def load_generic_groups() -> Mapping[str, Label]:
    """BDPM generic groups by id → label."""
    return _keyed("generic_groups", ("group", "label"), lambda r: Label(r["group"], r["label"]))


@cache
def load_prestation_natures() -> Mapping[str, PrestationNature]:
    """SNDS natures de prestation by code (``PRS_NAT_REF`` in claims)."""
    columns = ("code", "letter", "label")
    return _keyed("prestation_natures", columns, lambda r: PrestationNature(*r.values()))


@cache
def load_lpp() -> Mapping[str, LppCode]:
    """LPP codes by 7-digit code."""
    columns = ("code", "label", "type", "end")
    return _keyed("lpp", columns, lambda r: LppCode(r["code"], r["label"], r["type"], _day(r["end"])))


@cache
def load_nabm() -> Mapping[str, NabmAct]:
    """NABM biology acts by code (``BIO_PRS_IDE`` as text, e.g. ``"1610"``)."""
    columns = ("code", "label", "letter", "coefficient", "created", "removed")

    def make(r: dict[str, str]) -> NabmAct:
        return NabmAct(
            r["code"], r["label"], r["letter"] or None, _money(r["coefficient"]),
            _day(r["created"]), _day(r["removed"]),
        )  # fmt: skip

    return _keyed("nabm", columns, make)


@cache
def load_cim10() -> Mapping[str, Cim10Code]:
    """CIM-10 codes (without dot, e.g. ``E119``) → label, category, ALD."""
    return _keyed("cim10", ("code", "label", "category", "ald"), lambda r: Cim10Code(*r.values()))


@cache
def load_ald() -> Mapping[str, Ald]:
    """The ALD list by number."""
    return _keyed("ald", ("code", "label", "decree"), lambda r: Ald(*r.values()))


@cache
def load_atc() -> Mapping[str, AtcClass]:
    """ATC classes by code, all levels (``A``, ``A10``, ``A10B``, ``A10BA``, ``A10BA02``)."""
    columns = ("code", "level", "label")
    return _keyed("atc", columns, lambda r: AtcClass(r["code"], int(r["level"]), r["label"]))


def nabm_price(code: str, b_value: Decimal) -> Decimal:
    """Price of a biology act: its coefficient × ``b_value``, the value of the letter B.

    ``b_value`` is a reimbursement rule (it changes by decree) and so is passed
    in. The product is exact (not rounded to the cent). Raises ``KeyError``
    for an unknown code and ``ValueError`` for an act not priced in B.
    """
    act = load_nabm()[code]
    if act.letter != "B" or act.coefficient is None:
        raise ValueError(f"NABM act {code} is not priced in B (letter {act.letter!r})")
    return act.coefficient * b_value
