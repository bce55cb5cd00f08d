"""The acts of the synthesis, numbered: ``data/acts.yaml`` plus every formulary drug.

An event names its act by index; these arrays say what the act is for the
engine (category, code, kind, basket, drug rate), for the claim tables (code
system, nature de prestation, detail table) and for pricing (how its base and
price are found, the practitioner profile who performs it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

import numpy as np

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.arrays import BoolArray, FloatArray, IntArray
from carnet.restitution.synth.formulary import load_formulary
from carnet.rules.tables import load_ccam, load_nabm
from carnet.services.reimbursement import Basket, Category, CodeSystem

#: how the base of an act is found
PRICES = ("tariff", "ccam", "nabm", "drug", "lpp", "given", "none")
TARIFF, CCAM, NABM, DRUG, LPP, GIVEN, NONE = range(len(PRICES))
#: detail table of an act's prestation line
DETAILS = ("", "ER_PHA_F", "ER_BIO_F", "ER_CAM_F", "ER_TIP_F")
NO_DETAIL, PHA, BIO, CAM, TIP = range(len(DETAILS))
SECTORS = ("sector_1", "optam", "non_optam", "non_conventionne")
_SYSTEMS = {"NGAP": CodeSystem.NGAP, "carnet": CodeSystem.CARNET, "CCAM": CodeSystem.CCAM,
            "NABM": CodeSystem.NABM, "LPP": CodeSystem.LPP, "GHS": CodeSystem.GHS,
            "none": CodeSystem.NONE}
_DETAIL_OF = {CodeSystem.CCAM: CAM, CodeSystem.NABM: BIO, CodeSystem.LPP: TIP,
              CodeSystem.CIP13: PHA}
_PHARMACY_NATURES = {100: 3311, 65: 3313, 30: 3312, 15: 3341}
#: most price options an act may list (the option index goes in the engine memo key)
MAX_OPTIONS = 8


@dataclass(frozen=True)
class Practitioner:
    """Who performs an act: specialty, activity, sectors and overbilling by sector."""

    key: str
    specialty: int
    activity: int
    engine_specialty: str | None
    #: probability of each of :data:`SECTORS`
    sectors: FloatArray
    #: per sector: overbilling fractions of the base and their probabilities
    overbilling: tuple[tuple[FloatArray, FloatArray], ...]


@dataclass(frozen=True)
class Catalogue:
    """Per act (index): its properties as arrays or tuples."""

    keys: tuple[str, ...]
    index: Mapping[str, int]
    category: tuple[Category, ...]
    system: tuple[CodeSystem, ...]
    code: tuple[str, ...]
    kind: tuple[str | None, ...]
    basket: tuple[Basket | None, ...]
    nature: IntArray
    detail: IntArray
    price: IntArray  #: one of the :data:`PRICES` indices
    practitioner: IntArray
    drug_rate: IntArray  #: 0 when not a drug
    supply_days: IntArray  #: days a box covers (drugs)
    prevention: BoolArray
    per_day: BoolArray
    fallback: IntArray  #: act used when this one's tariff is not in force yet (−1: none)
    #: the act settling like this one: drugs of equal price and rate share the first one
    canonical: IntArray
    #: base in cents: CCAM sector 1/OPTAM tariff, NABM price, drug price (else 0)
    base: IntArray
    #: CCAM tariff for other doctors (non-OPTAM), cents
    base_other: IntArray
    #: coefficient of the key letter, hundredths (B 25 → 2500; 100 for other acts)
    coefficient: IntArray
    #: price options (cents) and probabilities: the base for `given`, the price otherwise
    options: tuple[tuple[IntArray, FloatArray], ...]
    practitioners: tuple[Practitioner, ...]

    def __len__(self) -> int:
        return len(self.keys)

    def act(self, key: str) -> int:
        if key not in self.index:
            raise datafiles.SynthDataError(f"unknown act {key!r} (acts.yaml or formulary)")
        return self.index[key]


def _cents(value: Any) -> int:
    return round(float(value) * 100)


def _options(raw: Mapping[Any, Any] | None, where: str) -> tuple[IntArray, FloatArray]:
    if not raw:
        return np.zeros(1, dtype=np.int64), np.ones(1)
    keys, weights = datafiles.weights(raw, where)
    if len(keys) > MAX_OPTIONS:
        raise datafiles.SynthDataError(f"{where}: at most {MAX_OPTIONS} options")
    return np.array([_cents(k) for k in keys], dtype=np.int64), weights


def _practitioner(key: str, raw: Mapping[str, Any]) -> Practitioner:
    where = f"acts.practitioners.{key}"
    sectors = raw.get("sectors", {})
    unknown = set(sectors) - set(SECTORS)
    if unknown:
        raise datafiles.SynthDataError(f"{where}: unknown sectors {sorted(unknown)}")
    shares = np.array([float(sectors.get(s, 0.0)) for s in SECTORS])
    overbilling = raw.get("overbilling", {})
    levels = tuple(_options(overbilling.get(s), f"{where}.overbilling.{s}") for s in SECTORS)
    fractions = tuple((values / 100.0, weights) for values, weights in levels)
    return Practitioner(key, int(raw.get("specialty", 0)), int(raw.get("activity", 0)),
                        raw.get("engine_specialty"), shares / shares.sum(), fractions)


@cache
def load_catalogue() -> Catalogue:
    data = datafiles.read("acts")
    b_value = datafiles.number(datafiles.section(data, "b_value", "acts.yaml"), "value", "b_value")
    practitioners = tuple(_practitioner(k, v) for k, v in data["practitioners"].items())
    by_name = {p.key: i for i, p in enumerate(practitioners)}
    rows: list[dict[str, Any]] = []
    for key, raw in datafiles.section(data, "acts", "acts.yaml").items():
        rows.append(_act_row(key, raw, by_name, b_value))
    for molecule in load_formulary().values():
        for box in molecule.presentations:
            rows.append({"key": f"cip:{box.cip13}", "category": Category.PHARMACY,
                         "system": CodeSystem.CIP13, "code": box.cip13,
                         "nature": _PHARMACY_NATURES[box.rate], "price": DRUG,
                         "practitioner": by_name["pharmacy"], "drug_rate": box.rate,
                         "supply_days": box.supply_days, "base": box.price})
    unique = {row["key"]: row for row in rows}
    index = {key: i for i, key in enumerate(unique)}
    ordered = list(unique.values())

    def col(name: str, default: Any = 0) -> IntArray:
        return np.array([row.get(name, default) for row in ordered], dtype=np.int64)

    fallback = [index.get(row.get("fallback", ""), -1) for row in ordered]
    first_of: dict[tuple[int, int], int] = {}
    canonical = [first_of.setdefault((row["base"], row["drug_rate"]), i)
                 if row["category"] is Category.PHARMACY else i for i, row in enumerate(ordered)]
    return Catalogue(
        keys=tuple(unique), index=MappingProxyType(index),
        category=tuple(row["category"] for row in ordered),
        system=tuple(row["system"] for row in ordered),
        code=tuple(row["code"] for row in ordered),
        kind=tuple(row.get("kind") for row in ordered),
        basket=tuple(row.get("basket") for row in ordered),
        nature=col("nature"), detail=np.array([_DETAIL_OF.get(r["system"], NO_DETAIL)
                                               for r in ordered], dtype=np.int64),
        price=col("price"), practitioner=col("practitioner"), drug_rate=col("drug_rate"),
        supply_days=col("supply_days"), prevention=col("prevention").astype(np.bool_),
        per_day=col("per_day").astype(np.bool_), fallback=np.array(fallback, dtype=np.int64),
        canonical=np.array(canonical, dtype=np.int64),
        base=col("base"), base_other=col("base_other"), coefficient=col("coefficient", 100),
        options=tuple(row.get("options", _options(None, "")) for row in ordered),
        practitioners=practitioners,
    )


def _act_row(key: str, raw: Mapping[str, Any], practitioners: Mapping[str, int],
             b_value: float) -> dict[str, Any]:
    where = f"acts.acts.{key}"
    system = _SYSTEMS.get(str(datafiles.section(raw, "system", where)))
    price = str(datafiles.section(raw, "price", where))
    by = str(datafiles.section(raw, "by", where))
    if system is None or price not in PRICES or by not in practitioners:
        raise datafiles.SynthDataError(f"{where}: bad system, price or practitioner")
    code = str(datafiles.section(raw, "code", where))
    row: dict[str, Any] = {
        "key": key, "category": Category(str(datafiles.section(raw, "category", where))),
        "system": system, "code": code, "nature": int(datafiles.section(raw, "nature", where)),
        "price": PRICES.index(price), "practitioner": practitioners[by], "kind": raw.get("kind"),
        "basket": None if raw.get("basket") is None else Basket(raw["basket"]),
        "prevention": raw.get("exemption") == "prevention", "per_day": bool(raw.get("per_day")),
        "fallback": raw.get("fallback", ""),
    }
    if price == "ccam":
        tariff = load_ccam()[code].tariff()
        if tariff is None or tariff.tariff_sector1_optam is None:
            raise datafiles.SynthDataError(f"{where}: CCAM {code} has no tariff")
        row["base"] = _cents(tariff.tariff_sector1_optam)
        row["base_other"] = _cents(tariff.tariff_other or tariff.tariff_sector1_optam)
    elif price == "nabm":
        act = load_nabm()[code]
        if act.coefficient is None:
            raise datafiles.SynthDataError(f"{where}: NABM {code} has no coefficient")
        row["base"] = round(float(act.coefficient) * b_value * 100)
        row["coefficient"] = round(float(act.coefficient) * 100)
    options = raw.get("amounts") if price == "given" else raw.get("charged")
    row["options"] = _options(options, f"{where}.amounts")
    return row
