"""Code systems of the packages and the label table both engines join on.

Codes keep their official systems: the URIs are those of
:data:`carnet.model.values.CODE_SYSTEMS` (CIP13, CCAM, CIM-10, NGAP, NABM,
LPP) and of HL7 terminology. What France has and FHIR does not (the SNDS
nature of prestation, the French parts of a reimbursement) goes in Carnet
code systems, documented in ``docs/restitution.md``.
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from carnet.model.values import CODE_SYSTEMS
from carnet.restitution.sql import clean_py
from carnet.rules.tables import (
    load_ald,
    load_ccam,
    load_cim10,
    load_drugs,
    load_lpp,
    load_nabm,
    load_ngap,
    load_prestation_natures,
)

_BY_LABEL = {label: uri for uri, label in CODE_SYSTEMS.items()}
CIP13 = _BY_LABEL["CIP13"]
CCAM = _BY_LABEL["CCAM"]
CIM10 = _BY_LABEL["CIM-10"]
NGAP = _BY_LABEL["NGAP"]
NABM = _BY_LABEL["NABM"]
LPP = _BY_LABEL["LPP"]

#: act code systems of MUT_PRS_F.ACT_SYSTEM (the engine's names) that have a URI
ACT_SYSTEMS: dict[str, str] = {"CIP13": CIP13, "CCAM": CCAM, "NGAP": NGAP, "NABM": NABM, "LPP": LPP}

HL7 = "http://terminology.hl7.org/CodeSystem"
ADJUDICATION = f"{HL7}/adjudication"
CLAIM_TYPE = f"{HL7}/claim-type"
ACT_CODE = f"{HL7}/v3-ActCode"
COVERAGE_CLASS = f"{HL7}/coverage-class"
RELATIONSHIP = f"{HL7}/subscriber-relationship"
CONDITION_CLINICAL = f"{HL7}/condition-clinical"
CONDITION_VERIFICATION = f"{HL7}/condition-ver-status"
CONDITION_CATEGORY = f"{HL7}/condition-category"

CARNET = "https://carnet.example/fhir"
#: French parts of a reimbursement: amc (paid by the mutuelle), participation-forfaitaire,
#: franchise, depassement
CARNET_ADJUDICATION = f"{CARNET}/CodeSystem/adjudication"
#: the reimbursement engine's care category (MUT_PRS_F.CATEGORY: gp, pharmacy, optics…)
CARE_CATEGORY = f"{CARNET}/CodeSystem/care-category"
#: SNDS nature de prestation (PRS_NAT_REF, table IR_NAT_V)
PRESTATION_NATURE = f"{CARNET}/CodeSystem/snds-prs-nat"
MEMBER_ID = f"{CARNET}/NamingSystem/member"
BENEFICIARY_ID = f"{CARNET}/NamingSystem/snds-beneficiary"
DECOMPTE_ID = f"{CARNET}/NamingSystem/snds-decompte"
ALD_EXTENSION = f"{CARNET}/StructureDefinition/ald-exoneration"
AMC_PAYMENT_EXTENSION = f"{CARNET}/StructureDefinition/complementary-payment-date"

#: drugs whose BDPM name does not say "vaccin" although they are vaccines
_VACCINES_UNNAMED = ("HEXYON",)

LABELS = pa.schema([("system", pa.string()), ("code", pa.string()), ("label", pa.string()), ("vaccine", pa.bool_())])


def is_vaccine(name: str) -> bool:
    """A drug is a vaccine when its BDPM name says so (the table has no ATC class yet)."""
    return "vaccin" in name.lower() or name.upper().startswith(_VACCINES_UNNAMED)


@cache
def label_table() -> pa.Table:
    """``(system, code, label, vaccine)`` for every code Carnet can name.

    ``system`` is the short name used in the claim tables: CIP13, CCAM, NABM,
    LPP, NGAP, CIM10, ALD and NAT (nature de prestation). Codes and labels
    come without control characters (cleaned once here), so that the SQL
    quotes them with :func:`~carnet.restitution.sql.trusted` only.
    """
    rows: list[tuple[str, str, str, bool]] = []
    rows += [("CIP13", d.cip13, d.name, is_vaccine(d.name)) for d in load_drugs().values()]
    rows += [("CCAM", a.code, a.label, False) for a in load_ccam().values()]
    rows += [("NABM", a.code, a.label, False) for a in load_nabm().values()]
    rows += [("LPP", c.code, c.label, False) for c in load_lpp().values()]
    rows += [("NGAP", c.code, c.label, False) for c in load_ngap().values()]
    rows += [("CIM10", c.code, c.label, False) for c in load_cim10().values()]
    rows += [("NAT", n.code, n.label, False) for n in load_prestation_natures().values()]
    rows += [("ALD", a.code, a.label, False) for a in load_ald().values()]
    clean = [(system, clean_py(code), clean_py(label), vaccine) for system, code, label, vaccine in rows]
    columns = list(zip(*clean, strict=True))
    return pa.Table.from_arrays([pa.array(c) for c in columns], schema=LABELS)
