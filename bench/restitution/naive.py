"""The naive peer: the restitution written the straightforward pandas way.

Read the tables with pandas, merge them, then walk the claims in Python,
building each resource as a dict and serialising it with ``json.dumps``;
files are written per shard of members, sorted (no index, no compression,
no validation): the work a first version of the job would do. Same
resources and statement lines as Carnet's packages, so the rates compare.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

KEYS = ["DCT_ORD_NUM", "FLX_DIS_DTD", "FLX_EMT_NUM", "FLX_EMT_ORD", "FLX_EMT_TYP", "FLX_TRT_DTD",
        "ORG_CLE_NUM", "PRS_ORD_NUM", "REM_TYP_AFF"]  # fmt: skip
ADJ = "http://terminology.hl7.org/CodeSystem/adjudication"
CARNET_ADJ = "https://carnet.example/fhir/CodeSystem/adjudication"
CIP13 = "https://data.esante.gouv.fr/ansm/medicament/CIP13"


def _read(folder: Path, name: str) -> pd.DataFrame:
    single = folder / f"{name}.parquet"
    return pd.read_parquet(single if single.exists() else folder / name)


def _money(value: Any) -> dict[str, Any]:
    return {"value": float(value), "currency": "EUR"}


def _adjudication(system: str, code: str, value: Any) -> dict[str, Any]:
    return {"category": {"coding": [{"system": system, "code": code}]}, "amount": _money(value)}


def _item(seq: int, r: Any) -> dict[str, Any]:
    return {
        "sequence": seq,
        "productOrService": {"coding": [{"system": "https://carnet.example/fhir/CodeSystem/snds-prs-nat",
                                         "code": str(r.PRS_NAT_REF)}]},
        "servicedDate": str(r.EXE_SOI_DTD),
        "adjudication": [
            _adjudication(ADJ, "submitted", r.PRS_PAI_MNT), _adjudication(ADJ, "eligible", r.BSE_REM_BSE),
            _adjudication(ADJ, "benefit", r.BSE_REM_MNT), _adjudication(CARNET_ADJ, "amc", r.AMC_MNT),
            _adjudication(ADJ, "copay", r.RAC_MNT),
        ],
    }  # fmt: skip


def _eob(rows: list[Any]) -> dict[str, Any]:
    first = rows[0]
    return {
        "resourceType": "ExplanationOfBenefit", "id": f"{first.ORG_CLE_NUM}-{first.DCT_ORD_NUM}",
        "status": "active", "use": "claim", "patient": {"reference": f"Patient/{first.MEMBER_ID}"},
        "created": str(first.FLX_TRT_DTD), "insurer": {"display": "Assurance Maladie"},
        "provider": {"display": "Professionnel de santé"}, "outcome": "complete",
        "item": [_item(i, r) for i, r in enumerate(rows, 1)],
        "total": [_adjudication(ADJ, "submitted", sum(r.PRS_PAI_MNT for r in rows)),
                  _adjudication(ADJ, "benefit", sum(r.BSE_REM_MNT for r in rows))],
    }  # fmt: skip


def run(source: Path, out: Path, members_per_shard: int = 5_000) -> int:
    """Write the packages of every member; return the claim lines written."""
    prs = _read(source, "ER_PRS_F")
    mut = _read(source, "MUT_PRS_F").drop(columns=["EXPLANATION"])
    adh = _read(source, "MUT_ADH_R")
    pha = _read(source, "ER_PHA_F")
    lines = prs.merge(adh, on=["BEN_NIR_PSA", "BEN_RNG_GEM"]).merge(mut, on=KEYS, how="left")
    lines = lines.merge(pha, on=KEYS, how="left")
    lines = lines.sort_values(["MEMBER_ID", "EXE_SOI_DTD", "ORG_CLE_NUM", "DCT_ORD_NUM"], kind="stable")
    out.mkdir(parents=True, exist_ok=True)
    members = {m: i // members_per_shard for i, m in enumerate(sorted(lines.MEMBER_ID.unique()))}
    files: dict[int, tuple[Any, Any]] = {}
    claim: list[Any] = []
    written = 0
    for r in lines.itertuples(index=False):
        if claim and (r.MEMBER_ID, r.ORG_CLE_NUM, r.DCT_ORD_NUM) != (claim[0].MEMBER_ID, claim[0].ORG_CLE_NUM,
                                                                     claim[0].DCT_ORD_NUM):
            files[members[claim[0].MEMBER_ID]][0].write(json.dumps(_eob(claim), ensure_ascii=False) + "\n")
            claim = []
        claim.append(r)
        shard = members[r.MEMBER_ID]
        if shard not in files:
            files[shard] = ((out / f"shard-{shard:05d}.ndjson").open("w"), (out / f"shard-{shard:05d}.csv").open("w"))
        fhir, csv = files[shard]
        if isinstance(r.PHA_PRS_C13, str):
            dispense = {"resourceType": "MedicationDispense", "status": "completed",
                        "medicationCodeableConcept": {"coding": [{"system": CIP13, "code": r.PHA_PRS_C13}]},
                        "subject": {"reference": f"Patient/{r.MEMBER_ID}"}, "whenHandedOver": str(r.EXE_SOI_DTD)}
            fhir.write(json.dumps(dispense, ensure_ascii=False) + "\n")
        csv.write(f"{r.EXE_SOI_DTD};{r.GIVEN} {r.FAMILY};{r.PRS_NAT_REF};{r.PRS_PAI_MNT};{r.BSE_REM_BSE};"
                  f"{r.RGO_REM_TAU};{r.BSE_REM_MNT};{r.AMC_MNT};{r.RAC_MNT}\n".replace(".", ","))
        written += 1
    if claim:
        files[members[claim[0].MEMBER_ID]][0].write(json.dumps(_eob(claim), ensure_ascii=False) + "\n")
    for pair in files.values():
        for f in pair:
            f.close()
    return written
