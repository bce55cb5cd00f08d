"""The claims tables, declared once: the contract between synthesis and restitution.

SNDS tables keep their real names and column names (see
``../shared/data/snds/synthetic/schemas``); only the columns Carnet writes and
reads are declared. Two tables are the mutuelle's own (not SNDS):
``MUT_ADH_R`` (who is a member, in which household, under which contract, with
names — the SNDS is pseudonymised, a mutuelle is not) and ``MUT_PRS_F`` (what
the mutuelle paid for each prestation, with the engine's explanation).

Every prestation line is identified by the nine DCIR join keys.
Money is ``decimal128(10, 2)`` euros; dates are ``date32``.
"""

from __future__ import annotations

import pyarrow as pa

MONEY = pa.decimal128(10, 2)

#: The nine keys that join ER_PRS_F with its detail tables (ER_PHA_F, ER_BIO_F …).
DCIR_KEYS: tuple[tuple[str, pa.DataType], ...] = (
    ("DCT_ORD_NUM", pa.int64()),
    ("FLX_DIS_DTD", pa.date32()),
    ("FLX_EMT_NUM", pa.int32()),
    ("FLX_EMT_ORD", pa.int32()),
    ("FLX_EMT_TYP", pa.int32()),
    ("FLX_TRT_DTD", pa.date32()),
    ("ORG_CLE_NUM", pa.string()),
    ("PRS_ORD_NUM", pa.int32()),
    ("REM_TYP_AFF", pa.int32()),
)
KEY_NAMES = tuple(name for name, _ in DCIR_KEYS)
BENEFICIARY = (("BEN_NIR_PSA", pa.string()), ("BEN_RNG_GEM", pa.int32()))


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, dtype) for name, dtype in fields])


IR_BEN_R = _schema(
    *BENEFICIARY,
    ("BEN_NAI_ANN", pa.string()),  # birth year "YYYY"
    ("BEN_NAI_MOI", pa.string()),  # birth month "MM"
    ("BEN_SEX_COD", pa.int32()),  # 1 male, 2 female
    ("BEN_DCD_DTE", pa.date32()),  # death date, null when alive
    ("BEN_RES_DPT", pa.string()),  # département of residence
    ("BEN_RES_COM", pa.string()),
    ("ORG_AFF_BEN", pa.string()),  # affiliation fund
    ("BEN_CMU_TOP", pa.int32()),  # 1 when C2S (complémentaire santé solidaire)
)

IR_IMB_R = _schema(  # ALD (long-term conditions)
    *BENEFICIARY,
    ("IMB_ALD_NUM", pa.int32()),  # ALD number on the list of 30
    ("IMB_ALD_DTD", pa.date32()),
    ("IMB_ALD_DTF", pa.date32()),
    ("IMB_ETM_NAT", pa.int32()),  # exoneration nature (41 = ALD on the list)
    ("MED_MTF_COD", pa.string()),  # CIM-10 code
)

ER_PRS_F = _schema(  # one row per prestation
    *DCIR_KEYS,
    *BENEFICIARY,
    ("BEN_NAI_ANN", pa.string()),
    ("BEN_SEX_COD", pa.int32()),
    ("BEN_CMU_TOP", pa.int32()),
    ("EXE_SOI_DTD", pa.date32()),  # care start date
    ("EXE_SOI_DTF", pa.date32()),  # care end date
    ("PRS_NAT_REF", pa.int32()),  # nature of prestation (IR_NAT_V), e.g. 1111 consultation
    ("PRS_ACT_QTE", pa.int32()),
    ("PRS_ACT_CFT", MONEY),  # coefficient of the key letter
    ("PRS_PAI_MNT", MONEY),  # total spent (charged)
    ("BSE_REM_BSE", MONEY),  # reimbursement base
    ("BSE_REM_MNT", MONEY),  # paid by the AMO
    ("PRS_DEP_MNT", MONEY),  # dépassement (above the base)
    ("RGO_REM_TAU", pa.int32()),  # AMO rate, percent
    ("PSE_SPE_COD", pa.int32()),  # practitioner specialty (IR_SPE_V)
    ("PSE_CNV_COD", pa.int32()),  # convention: sector (IR_CNV_V)
    ("PSE_ACT_NAT", pa.int32()),  # practitioner activity nature
    ("EXO_MTF", pa.int32()),  # exoneration motive (ALD, maternity…)
    ("PRS_PPF_COD", pa.string()),  # participation forfaitaire taken into account
)

ER_PHA_F = _schema(*DCIR_KEYS, ("PHA_PRS_C13", pa.string()), ("PHA_ACT_QSN", pa.int32()), ("PHA_ACT_PRU", MONEY))
ER_BIO_F = _schema(*DCIR_KEYS, ("BIO_PRS_IDE", pa.int32()), ("BIO_ACT_QSN", pa.int32()))
ER_CAM_F = _schema(*DCIR_KEYS, ("CAM_PRS_IDE", pa.string()), ("CAM_ACT_PRU", MONEY), ("CAM_REM_BSE", MONEY))
ER_TIP_F = _schema(*DCIR_KEYS, ("TIP_PRS_IDE", pa.int64()), ("TIP_ACT_QSN", pa.int32()), ("TIP_ACT_PRU", MONEY))

MUT_ADH_R = _schema(  # the mutuelle's members
    *BENEFICIARY,
    ("MEMBER_ID", pa.string()),  # the mutuelle's member number: one package per member
    ("HOUSEHOLD_ID", pa.string()),
    ("ROLE", pa.string()),  # self, spouse, child…
    ("GIVEN", pa.string()),
    ("FAMILY", pa.string()),
    ("BIRTH_DATE", pa.date32()),
    ("CONTRACT_ID", pa.string()),  # a contract of carnet/rules/contracts
    ("MEDECIN_TRAITANT", pa.bool_()),
)

MUT_PRS_F = _schema(  # what the mutuelle paid, per prestation, with the engine's explanation
    *DCIR_KEYS,
    ("CONTRACT_ID", pa.string()),
    ("CATEGORY", pa.string()),  # engine category: gp, specialist, pharmacy…
    ("ACT_CODE", pa.string()),  # NGAP letter, CCAM, CIP13, NABM or LPP code
    ("ACT_SYSTEM", pa.string()),
    ("PF_MNT", MONEY),  # participation forfaitaire withheld
    ("FRA_MNT", MONEY),  # franchise withheld
    ("AMC_MNT", MONEY),  # paid by the mutuelle
    ("RAC_MNT", MONEY),  # left to the person (reste à charge)
    ("PAID_DATE_AMO", pa.date32()),  # when the AMO paid (null: pending)
    ("PAID_DATE_AMC", pa.date32()),  # when the mutuelle paid (null: pending)
    ("EXPLANATION", pa.string()),  # JSON: the engine's steps (fr/en)
)

TABLES: dict[str, pa.Schema] = {
    "IR_BEN_R": IR_BEN_R,
    "IR_IMB_R": IR_IMB_R,
    "ER_PRS_F": ER_PRS_F,
    "ER_PHA_F": ER_PHA_F,
    "ER_BIO_F": ER_BIO_F,
    "ER_CAM_F": ER_CAM_F,
    "ER_TIP_F": ER_TIP_F,
    "MUT_ADH_R": MUT_ADH_R,
    "MUT_PRS_F": MUT_PRS_F,
}
