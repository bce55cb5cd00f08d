"""The relational steps that shape packages: members, claim lines, conditions.

Plain SQL over the clean views of :mod:`carnet.restitution.validate`; both
engines run it as written (see :mod:`carnet.restitution.sql` for the subset).
"""

# ruff: noqa: S608  (SQL is built from this package's constants; values go through sql.lit)

from __future__ import annotations

from carnet.restitution.codes import ACT_SYSTEMS
from carnet.restitution.sql import clean, json_sql, lit, trusted
from carnet.restitution.statement import text_cell, trusted_cell
from carnet.restitution.validate import BEN, on

#: the order of each sorted step: by shard, then member (``member_no`` ranks ``member_id``)
MEMBER_ORDER = ("shard", "member_no", "patient_no")
CONDITION_ORDER = ("shard", "member_no", "patient_no", "IMB_ALD_DTD", "MED_MTF_COD", "_row")
ITEM_ORDER = ("shard", "member_no", "care_date", "claim_row", "_row")
#: what makes a claim (an ExplanationOfBenefit): a décompte of one beneficiary on one care date
CLAIM = ("shard", "member_no", "patient_no", "ORG_CLE_NUM", "DCT_ORD_NUM", "care_date")

#: adherents when the input has no MUT_ADH_R: every beneficiary, no mutuelle
ADHERENTS_FROM_BENEFICIARIES = """
SELECT BEN_NIR_PSA, BEN_RNG_GEM, concat_ws('-', BEN_NIR_PSA, CAST(BEN_RNG_GEM AS STRING)) AS MEMBER_ID,
  BEN_NIR_PSA AS HOUSEHOLD_ID, CAST(NULL AS STRING) AS ROLE, CAST(NULL AS STRING) AS GIVEN,
  CAST(NULL AS STRING) AS FAMILY, CAST(NULL AS DATE) AS BIRTH_DATE, CAST(NULL AS STRING) AS CONTRACT_ID
FROM ok_ben"""


def _digits(expr: str) -> str:
    return f"translate({expr}, '0123456789', '') = ''"


def members(per_shard: int) -> str:
    """One row per beneficiary of a member, numbered; members ranked into shards of ``per_shard``."""
    month = "lpad(a.BEN_NAI_MOI, 2, '0')"
    display = (
        "coalesce(nullif(trim(concat_ws(' ', a.GIVEN, a.FAMILY)), ''), "
        f"concat_ws('', {lit('Bénéficiaire (rang ')}, CAST(a.BEN_RNG_GEM AS STRING), ')'))"
    )
    return f"""
WITH a AS (
  SELECT h.MEMBER_ID AS member_id, h.HOUSEHOLD_ID, h.ROLE, h.GIVEN, h.FAMILY, h.BIRTH_DATE, h.CONTRACT_ID,
    b.BEN_NIR_PSA, b.BEN_RNG_GEM, b.BEN_NAI_ANN, b.BEN_NAI_MOI, b.BEN_SEX_COD, b.BEN_DCD_DTE, b.ORG_AFF_BEN
  FROM ok_adh h JOIN ok_ben b ON {on("h", "b", BEN)}),
r AS (SELECT member_id, row_number() OVER (ORDER BY member_id) AS member_no FROM (SELECT DISTINCT member_id FROM a) d)
SELECT CAST(floor((r.member_no - 1) / {int(per_shard)}) AS INT) AS shard, r.member_no, a.*,
  substr(md5(concat_ws('|', a.BEN_NIR_PSA, CAST(a.BEN_RNG_GEM AS STRING))), 1, 16) AS patient_id,
  row_number() OVER (PARTITION BY a.member_id ORDER BY a.BEN_NIR_PSA, a.BEN_RNG_GEM) AS patient_no,
  concat_ws('-', a.BEN_NIR_PSA, CAST(a.BEN_RNG_GEM AS STRING)) AS beneficiary,
  CASE a.BEN_SEX_COD WHEN 1 THEN 'male' WHEN 2 THEN 'female' ELSE 'unknown' END AS gender,
  coalesce(CAST(a.BIRTH_DATE AS STRING),
    CASE WHEN {_digits(month)} AND {month} BETWEEN '01' AND '12'
      THEN concat_ws('-', a.BEN_NAI_ANN, {month}) ELSE a.BEN_NAI_ANN END) AS birth,
  CASE WHEN a.ROLE IN ('self', 'spouse', 'child') THEN a.ROLE WHEN a.ROLE IS NOT NULL THEN 'other' END
    AS relationship,
  {text_cell(display)} AS display_csv
FROM a JOIN r ON a.member_id = r.member_id"""


def prestations() -> str:
    """ER_PRS_F with its member (NULL when the beneficiary is none)."""
    return f"""
SELECT p.*, m.shard, m.member_no, m.patient_no, m.BEN_NAI_ANN AS birth_year
FROM ER_PRS_F p LEFT JOIN members m ON {on("p", "m", BEN)}"""


def lines() -> str:
    """One row per restituted claim line: prestation, mutuelle part, detail, labels (the member's
    texts are joined per slice, in ``items``, rather than copied on every line)."""
    return """
WITH l AS (
  SELECT p.shard, p.member_no, p.patient_no, p._row, p.FLX_TRT_DTD, p.ORG_CLE_NUM, p.DCT_ORD_NUM,
    p.EXE_SOI_DTD AS care_date,
    coalesce(p.EXE_SOI_DTF, p.EXE_SOI_DTD) AS care_end,
    CAST(p.PRS_NAT_REF AS STRING) AS nature, p.PRS_ACT_QTE AS qty, p.RGO_REM_TAU AS rate,
    p.PRS_PAI_MNT AS charged, p.BSE_REM_BSE AS base, p.BSE_REM_MNT AS amo,
    coalesce(p.PRS_DEP_MNT, 0) AS dep, coalesce(u.PF_MNT, 0) AS pf, coalesce(u.FRA_MNT, 0) AS fra,
    coalesce(u.AMC_MNT, 0) AS amc, coalesce(u.RAC_MNT, p.PRS_PAI_MNT - p.BSE_REM_MNT) AS rac,
    u.PAID_DATE_AMO AS line_paid_amo, u.PAID_DATE_AMC AS line_paid_amc, u.CATEGORY AS category,
    CASE WHEN u.ACT_CODE IS NOT NULL THEN u.ACT_SYSTEM ELSE d.system END AS act_system,
    coalesce(u.ACT_CODE, d.code) AS act_code,
    CASE WHEN d.tbl = 'ER_PHA_F' THEN d.code WHEN u.ACT_SYSTEM = 'CIP13' THEN u.ACT_CODE END AS cip13,
    CASE WHEN d.tbl = 'ER_CAM_F' THEN d.code WHEN u.ACT_SYSTEM = 'CCAM' THEN u.ACT_CODE END AS ccam,
    coalesce(d.qty, p.PRS_ACT_QTE) AS boxes
  FROM ok_prs p
  LEFT JOIN ok_mut u ON u.prs_row = p._row
  LEFT JOIN ok_det d ON d.prs_row = p._row)
SELECT l.*, la.label AS act_label, ln.label AS nature_label,
  coalesce(l.act_system = 'CIP13' AND l.act_code = l.cip13 AND la.vaccine, false) AS vaccine
FROM l
LEFT JOIN labels la ON la.system = l.act_system AND la.code = l.act_code
LEFT JOIN labels ln ON ln.system = 'NAT' AND ln.code = l.nature"""


def claims() -> str:
    """One row per claim: its id, totals and dates; its lines in input order."""
    group = ", ".join(CLAIM)
    sums = ", ".join(f"sum({c}) AS t_{c}" for c in ("charged", "base", "amo", "amc", "pf", "fra", "rac"))
    return f"""
SELECT c.*, substr(md5(concat_ws('|', m.patient_id, c.ORG_CLE_NUM, CAST(c.DCT_ORD_NUM AS STRING),
    CAST(c.care_date AS STRING))), 1, 16) AS eob_id,
  {json_sql(trusted("c.decompte"))} AS decompte_json, {trusted_cell("c.decompte")} AS decompte_csv
FROM (
  SELECT {group}, {clean("concat_ws('/', ORG_CLE_NUM, CAST(DCT_ORD_NUM AS STRING))")} AS decompte,
    min(_row) AS claim_row, max(_row) AS claim_last_row, max(FLX_TRT_DTD) AS created,
    max(care_end) AS period_end, max(line_paid_amo) AS paid_amo, max(line_paid_amc) AS paid_amc, {sums},
    CASE WHEN max(CASE WHEN category = 'hospital' THEN 1 ELSE 0 END) = 1 THEN 'institutional'
      WHEN min(CASE WHEN cip13 IS NOT NULL OR category = 'pharmacy' THEN 1 ELSE 0 END) = 1 THEN 'pharmacy'
      ELSE 'professional' END AS claim_type
  FROM lines GROUP BY {group}) c
JOIN members m ON m.member_no = c.member_no AND m.patient_no = c.patient_no"""


#: computed where the text is built, not stored in the sorted slices: a claim line's rank,
#: numbered from 1 by its row distance to the claim's first line (1, 2, 3… when the lines of
#: a décompte follow each other in ER_PRS_F, as DCIR extracts do; unique and increasing in
#: any case, as ExplanationOfBenefit.item.sequence requires), the id of its clinical
#: resource, the URI of its act's code system, the label of its CIP13 or CCAM code
ITEM_SEQ = "(_row - claim_row + 1)"
LINE_ID = f"concat_ws('-', eob_id, CAST({ITEM_SEQ} AS STRING))"
ACT_URI = "CASE act_system " + " ".join(f"WHEN {lit(n)} THEN {lit(u)}" for n, u in ACT_SYSTEMS.items()) + " END"


def label_of(column: str) -> str:
    """The label of ``column`` (the CIP13 or CCAM code of a line): the act's, when it is the act."""
    return f"CASE WHEN act_code = {column} THEN act_label END"


#: the columns of ``lines`` that packages use
_LINE_COLUMNS = (
    "shard", "member_no", "_row", "care_date",
    "nature", "nature_label", "qty", "rate", "charged", "base", "amo", "dep", "pf", "fra", "amc", "rac",
    "act_system", "act_code", "act_label", "cip13", "ccam", "boxes", "vaccine", "category",
)  # fmt: skip
_CLAIM_COLUMNS = (
    "eob_id", "decompte_json", "decompte_csv", "claim_row", "claim_last_row", "created", "period_end",
    "paid_amo", "paid_amc", "t_charged", "t_base", "t_amo", "t_amc", "t_pf", "t_fra", "t_rac", "claim_type",
)  # fmt: skip


#: what a line takes from its beneficiary
_MEMBER_COLUMNS = ("member_id", "patient_id", "display_csv", "CONTRACT_ID AS contract")


def items() -> str:
    """Claim lines with their claim and beneficiary (read per slice: the shard and member are keys)."""
    claim = " AND ".join(f"l.{k} = c.{k}" for k in CLAIM)
    columns = ", ".join([*(f"l.{c}" for c in _LINE_COLUMNS), *(f"c.{c}" for c in _CLAIM_COLUMNS),
                         *(f"m.{c}" for c in _MEMBER_COLUMNS)])  # fmt: skip
    return (
        f"SELECT {columns} FROM lines l JOIN claims c ON {claim} "
        "JOIN members m ON m.shard = l.shard AND m.member_no = l.member_no AND m.patient_no = l.patient_no"
    )


def conditions() -> str:
    """One row per ALD of a member's beneficiary, with its CIM-10 and ALD labels."""
    return f"""
SELECT m.shard, m.member_no, m.member_id, m.patient_id, m.patient_no, i._row, i.IMB_ALD_NUM, i.IMB_ALD_DTD,
  i.IMB_ALD_DTF, i.MED_MTF_COD, lc.label AS cim_label, la.label AS ald_label,
  substr(md5(concat_ws('|', m.patient_id, i.MED_MTF_COD, CAST(i.IMB_ALD_DTD AS STRING),
    CAST(i._row AS STRING))), 1, 16) AS condition_id
FROM ok_imb i JOIN members m ON {on("i", "m", BEN)}
LEFT JOIN labels lc ON lc.system = 'CIM10' AND lc.code = i.MED_MTF_COD
LEFT JOIN labels la ON la.system = 'ALD' AND la.code = CAST(i.IMB_ALD_NUM AS STRING)"""
