"""Small claims tables for the restitution tests, written row by row with pyarrow.

``household()`` is one hand-made household (expected values in the tests are
written by hand from it) plus a few incoherent rows; ``population()`` is a
seeded random population for comparing engines.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from carnet.restitution.tables import KEY_NAMES, TABLES

Row = dict[str, Any]
D = Decimal
DOLIPRANE = "3400935955838"  # DOLIPRANE 1000 mg, comprimé
VAXIGRIP = "3400930067727"  # VAXIGRIPTETRA (a vaccine)
ECG = "DEQP003"  # CCAM: électrocardiographie


def write_tables(folder: Path, rows: dict[str, list[Row]]) -> Path:
    """One Parquet file per table of ``rows`` (columns missing from a row are NULL)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table_rows in rows.items():
        schema = TABLES[name]
        columns = {f.name: [r.get(f.name) for r in table_rows] for f in schema}
        pq.write_table(pa.table(columns, schema=schema), folder / f"{name}.parquet")
    return folder


def keys(dct: int, day: date, order: int, org: str = "01C731221") -> Row:
    """The nine DCIR keys of one prestation line."""
    values = (dct, day, 1, 1, 1, day + timedelta(days=2), org, order, 0)
    return dict(zip(KEY_NAMES, values, strict=True))


def beneficiary(nir: str, year: str, month: str, sex: int) -> Row:
    return {"BEN_NIR_PSA": nir, "BEN_RNG_GEM": 1, "BEN_NAI_ANN": year, "BEN_NAI_MOI": month,
            "BEN_SEX_COD": sex, "ORG_AFF_BEN": "01C731221", "BEN_CMU_TOP": 0}  # fmt: skip


def prestation(k: Row, nir: str, nature: int, charged: str, base: str, rate: int, amo: str) -> Row:
    return {**k, "BEN_NIR_PSA": nir, "BEN_RNG_GEM": 1, "EXE_SOI_DTD": k["FLX_DIS_DTD"],
            "EXE_SOI_DTF": k["FLX_DIS_DTD"], "PRS_NAT_REF": nature, "PRS_ACT_QTE": 1,
            "PRS_PAI_MNT": D(charged), "BSE_REM_BSE": D(base), "RGO_REM_TAU": rate, "BSE_REM_MNT": D(amo),
            "PRS_DEP_MNT": D(charged) - D(base)}  # fmt: skip


def mutuelle(k: Row, code: str, system: str, pf: str, fra: str, amc: str, rac: str) -> Row:
    paid = k["FLX_DIS_DTD"]
    return {**k, "CONTRACT_ID": "essentiel", "CATEGORY": "gp", "ACT_CODE": code, "ACT_SYSTEM": system,
            "PF_MNT": D(pf), "FRA_MNT": D(fra), "AMC_MNT": D(amc), "RAC_MNT": D(rac),
            "PAID_DATE_AMO": paid + timedelta(days=4), "PAID_DATE_AMC": paid + timedelta(days=7),
            "EXPLANATION": "[]"}  # fmt: skip


MARIE, PAUL, LEA, GHOST = "N0000000000000001", "N0000000000000002", "N0000000000000003", "N0000000000000009"


def household() -> dict[str, list[Row]]:
    """Marie (claims, an ALD), Paul (nothing), Léa (no mutuelle, a tricky name) and bad rows."""
    consult, drug, vaccine, ecg = (
        keys(1001, date(2024, 3, 4), 1), keys(1002, date(2024, 3, 5), 1),
        keys(1002, date(2024, 3, 5), 2), keys(1003, date(2024, 4, 10), 1),
    )  # fmt: skip
    lea = keys(2001, date(2024, 5, 2), 1)
    negative = keys(1004, date(2024, 6, 1), 1)
    orphan = keys(9999, date(2024, 6, 1), 1)
    return {
        "IR_BEN_R": [beneficiary(MARIE, "1980", "05", 2), beneficiary(PAUL, "1978", "11", 1),
                     beneficiary(LEA, "2001", "02", 2)],
        "MUT_ADH_R": [
            {"BEN_NIR_PSA": MARIE, "BEN_RNG_GEM": 1, "MEMBER_ID": "M001", "HOUSEHOLD_ID": "H1", "ROLE": "self",
             "GIVEN": "Marie", "FAMILY": "DUPONT", "BIRTH_DATE": date(1980, 5, 12), "CONTRACT_ID": "essentiel"},
            {"BEN_NIR_PSA": PAUL, "BEN_RNG_GEM": 1, "MEMBER_ID": "M002", "HOUSEHOLD_ID": "H1", "ROLE": "spouse",
             "GIVEN": "Paul", "FAMILY": "DUPONT", "BIRTH_DATE": date(1978, 11, 3), "CONTRACT_ID": "essentiel"},
            {"BEN_NIR_PSA": LEA, "BEN_RNG_GEM": 1, "MEMBER_ID": "M003", "HOUSEHOLD_ID": "H2", "ROLE": "self",
             "GIVEN": '@Léa "Lili"', "FAMILY": "MARTIN;DURAND", "BIRTH_DATE": date(2001, 2, 14)},
        ],
        "IR_IMB_R": [{"BEN_NIR_PSA": MARIE, "BEN_RNG_GEM": 1, "IMB_ALD_NUM": 8, "IMB_ALD_DTD": date(2020, 3, 1),
                      "IMB_ETM_NAT": 41, "MED_MTF_COD": "E119"}],
        "ER_PRS_F": [
            prestation(consult, MARIE, 1111, "30.00", "30.00", 70, "19.00"),
            prestation(drug, MARIE, 3313, "2.18", "2.18", 65, "0.92"),
            prestation(vaccine, MARIE, 3313, "12.77", "12.77", 65, "8.30"),
            prestation(ecg, MARIE, 1351, "14.77", "14.77", 70, "10.34"),
            prestation(lea, LEA, 1111, "30.00", "30.00", 70, "19.00"),
            prestation(negative, MARIE, 1111, "-30.00", "30.00", 70, "19.00"),  # row 6: negative amount
            prestation(keys(3001, date(2024, 6, 2), 1), GHOST, 1111, "30.00", "30.00", 70, "19.00"),  # row 7
        ],
        "MUT_PRS_F": [
            mutuelle(consult, "G", "NGAP", "2.00", "0.00", "9.00", "2.00"),
            mutuelle(drug, DOLIPRANE, "CIP13", "0.00", "0.50", "0.76", "0.50"),
            mutuelle(vaccine, VAXIGRIP, "CIP13", "0.00", "0.00", "4.47", "0.00"),
            mutuelle(ecg, ECG, "CCAM", "0.00", "0.00", "4.43", "0.00"),
            mutuelle(orphan, "G", "NGAP", "0.00", "0.00", "9.00", "2.00"),  # row 5: no prestation
        ],
        "ER_PHA_F": [{**drug, "PHA_PRS_C13": DOLIPRANE, "PHA_ACT_QSN": 1, "PHA_ACT_PRU": D("2.18")},
                     {**vaccine, "PHA_PRS_C13": VAXIGRIP, "PHA_ACT_QSN": 1, "PHA_ACT_PRU": D("12.77")}],
        "ER_CAM_F": [{**ecg, "CAM_PRS_IDE": ECG, "CAM_ACT_PRU": D("14.77"), "CAM_REM_BSE": D("14.77")}],
    }


def population(members: int, seed: int = 7) -> dict[str, list[Row]]:
    """A seeded random population: households, mutuelle or not, drugs, vaccines, CCAM, ALD, bad rows."""
    rnd = random.Random(seed)
    names = ("IR_BEN_R", "MUT_ADH_R", "IR_IMB_R", "ER_PRS_F", "MUT_PRS_F", "ER_PHA_F", "ER_CAM_F")
    tables: dict[str, list[Row]] = {name: [] for name in names}
    dct = 1
    for i in range(members):
        nir = f"N{i:016d}"
        covered = rnd.random() < 0.8
        born = str(1940 + rnd.randrange(80)), f"{rnd.randrange(1, 13):02d}"
        tables["IR_BEN_R"].append(beneficiary(nir, *born, 1 + i % 2))
        member = f"M{i - 1:05d}" if i % 10 == 9 else f"M{i:05d}"  # some members cover two people
        tables["MUT_ADH_R"].append({"BEN_NIR_PSA": nir, "BEN_RNG_GEM": 1, "MEMBER_ID": member,
                                    "HOUSEHOLD_ID": f"H{i // 2}", "ROLE": ("self", "spouse")[i % 2],
                                    "GIVEN": rnd.choice(["Anne", "Zoé \"Z\"", "=Jean", "Luc;Marc"]),
                                    "FAMILY": f"NOM{i // 2}", "CONTRACT_ID": "essentiel" if covered else None})
        if rnd.random() < 0.2:
            tables["IR_IMB_R"].append({"BEN_NIR_PSA": nir, "BEN_RNG_GEM": 1, "IMB_ALD_NUM": 8,
                                       "IMB_ALD_DTD": date(2019, 1, 1), "MED_MTF_COD": "E119"})
        for _ in range(rnd.randrange(0, 12)):
            day = date(2024, 1, 1) + timedelta(days=rnd.randrange(365))
            for order in range(1, rnd.randrange(2, 4)):
                k = keys(dct, day, order)
                kind = rnd.choice(["consult", "drug", "vaccine", "ecg"])
                charged = D(rnd.randrange(200, 6000)) / 100
                amo = (charged * D("0.7")).quantize(D("0.01"))
                nature = {"consult": 1111, "drug": 3313, "vaccine": 3313, "ecg": 1351}[kind]
                tables["ER_PRS_F"].append(prestation(k, nir, nature, str(charged), str(charged), 70, str(amo)))
                code = {"consult": ("G", "NGAP"), "drug": (DOLIPRANE, "CIP13"), "vaccine": (VAXIGRIP, "CIP13"),
                        "ecg": (ECG, "CCAM")}[kind]
                amc = charged - amo if covered else D(0)
                tables["MUT_PRS_F"].append(mutuelle(k, *code, "0.00", "0.00", str(amc), str(charged - amo - amc)))
                if kind in ("drug", "vaccine"):
                    tables["ER_PHA_F"].append({**k, "PHA_PRS_C13": code[0], "PHA_ACT_QSN": 1})
                if kind == "ecg":
                    tables["ER_CAM_F"].append({**k, "CAM_PRS_IDE": ECG})
            dct += 1
    bad = dict(tables["ER_PRS_F"][3])
    bad["EXE_SOI_DTF"] = bad["EXE_SOI_DTD"] - timedelta(days=3)
    tables["ER_PRS_F"].append(bad)  # a duplicate key, with dates out of order
    return tables
