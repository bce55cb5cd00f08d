"""The relational steps that shape packages: members, claim lines, conditions.

Plain SQL over the clean views of :mod:`carnet.restitution.validate`; both
engines run it as written (see :mod:`carnet.restitution.sql` for the subset).
"""

from __future__ import annotations

from carnet.restitution.codes import ACT_SYSTEMS
from carnet.restitution.sql import lit
from carnet.restitution.validate import BEN, on
from carnet.restitution.tables import KEY_NAMES

MEMBER_ORDER = ("shard", "member_id", "patient_no")
CONDITION_ORDER = ("shard", "member_id", "patient_no", "IMB_ALD_DTD", "MED_MTF_COD", "_row")
ITEM_ORDER = ("shard", "member_id", "care_date", "eob_id", "item_seq")

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
    return f"""
WITH a AS (
  SELECT h.MEMBER_ID AS member_id, h.HOUSEHOLD_ID, h.ROLE, h.GIVEN, h.FAMILY, h.BIRTH_DATE, h.CONTRACT_ID,
    b.BEN_NIR_PSA, b.BEN_RNG_GEM, b.BEN_NAI_ANN, b.BEN_NAI_MOI, b.BEN_SEX_COD, b.BEN_DCD_DTE, b.ORG_AFF_BEN
  FROM ok_adh h JOIN ok_ben b ON {on("h", "b", BEN)}),
r AS (
  SELECT member_id, CAST(floor((row_number() OVER (ORDER BY member_id) - 1) / {int(per_shard)}) AS INT) AS shard
  FROM (SELECT DISTINCT member_id FROM a) d)
SELECT r.shard, a.*,
  substr(md5(concat_ws('|', a.BEN_NIR_PSA, CAST(a.BEN_RNG_GEM AS STRING))), 1, 16) AS patient_id,
  row_number() OVER (PARTITION BY a.member_id ORDER BY a.BEN_NIR_PSA, a.BEN_RNG_GEM) AS patient_no,
  concat_ws('-', a.BEN_NIR_PSA, CAST(a.BEN_RNG_GEM AS STRING)) AS beneficiary,
  CASE a.BEN_SEX_COD WHEN 1 THEN 'male' WHEN 2 THEN 'female' ELSE 'unknown' END AS gender,
  coalesce(CAST(a.BIRTH_DATE AS STRING),
    CASE WHEN {_digits(month)} AND {month} BETWEEN '01' AND '12'
      THEN concat_ws('-', a.BEN_NAI_ANN, {month}) ELSE a.BEN_NAI_ANN END) AS birth,
  CASE WHEN a.ROLE IN ('self', 'spouse', 'child') THEN a.ROLE WHEN a.ROLE IS NOT NULL THEN 'other' END
    AS relationship,
  coalesce(nullif(trim(concat_ws(' ', a.GIVEN, a.FAMILY)), ''),
    concat_ws('', {lit("Bénéficiaire (rang ")}, CAST(a.BEN_RNG_GEM AS STRING), ')')) AS display_name
FROM a JOIN r ON a.member_id = r.member_id"""


def _act_uri() -> str:
    whens = " ".join(f"WHEN {lit(name)} THEN {lit(uri)}" for name, uri in ACT_SYSTEMS.items())
    return f"CASE l.act_system {whens} END"


def items() -> str:
    """One row per claim line of a member, with its claim (décompte)'s totals and labels."""
    keys = on("p", "u", KEY_NAMES)
    lines = f"""
  SELECT m.shard, m.member_id, m.patient_id, m.display_name, m.CONTRACT_ID AS contract,
    p._row, p.PRS_ORD_NUM, p.FLX_TRT_DTD,
    concat_ws('/', p.ORG_CLE_NUM, CAST(p.DCT_ORD_NUM AS STRING)) AS decompte,
    substr(md5(concat_ws('|', m.patient_id, p.ORG_CLE_NUM, CAST(p.DCT_ORD_NUM AS STRING),
      CAST(p.EXE_SOI_DTD AS STRING))), 1, 16) AS eob_id,
    p.EXE_SOI_DTD AS care_date, coalesce(p.EXE_SOI_DTF, p.EXE_SOI_DTD) AS care_end,
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
  FROM ok_prs p JOIN members m ON {on("p", "m", BEN)}
  LEFT JOIN ok_mut u ON {keys}
  LEFT JOIN ok_det d ON {on("p", "d", KEY_NAMES)}"""
    labelled = f"""
  SELECT l.*, la.label AS act_label, coalesce(la.vaccine, false) AS act_vaccine,
    ln.label AS nature_label, {_act_uri()} AS act_uri
  FROM lines l
  LEFT JOIN labels la ON la.system = l.act_system AND la.code = l.act_code
  LEFT JOIN labels ln ON ln.system = 'NAT' AND ln.code = l.nature"""
    claim = "OVER (PARTITION BY eob_id)"
    windowed = f"""
  SELECT k.*,
    CASE WHEN act_system = 'CIP13' AND act_code = cip13 THEN act_label END AS cip13_label,
    CASE WHEN act_system = 'CCAM' AND act_code = ccam THEN act_label END AS ccam_label,
    coalesce(act_system = 'CIP13' AND act_code = cip13 AND act_vaccine, false) AS vaccine,
    row_number() OVER (PARTITION BY eob_id ORDER BY PRS_ORD_NUM, _row) AS item_seq,
    count(*) {claim} AS n_items, max(FLX_TRT_DTD) {claim} AS created,
    max(care_end) {claim} AS period_end, max(line_paid_amo) {claim} AS paid_amo,
    max(line_paid_amc) {claim} AS paid_amc,
    sum(charged) {claim} AS t_charged, sum(base) {claim} AS t_base, sum(amo) {claim} AS t_amo,
    sum(amc) {claim} AS t_amc, sum(pf) {claim} AS t_pf, sum(fra) {claim} AS t_fra,
    sum(dep) {claim} AS t_dep, sum(rac) {claim} AS t_rac,
    CASE WHEN max(CASE WHEN category = 'hospital' THEN 1 ELSE 0 END) {claim} = 1 THEN 'institutional'
      WHEN min(CASE WHEN cip13 IS NOT NULL OR category = 'pharmacy' THEN 1 ELSE 0 END) {claim} = 1
      THEN 'pharmacy' ELSE 'professional' END AS claim_type
  FROM k"""
    return f"""
WITH lines AS ({lines}),
k AS ({labelled}),
w AS ({windowed})
SELECT w.*, concat_ws('-', eob_id, CAST(item_seq AS STRING)) AS line_id FROM w"""


def conditions() -> str:
    """One row per ALD of a member's beneficiary, with its CIM-10 and ALD labels."""
    return f"""
SELECT m.shard, m.member_id, m.patient_id, m.patient_no, i._row, i.IMB_ALD_NUM, i.IMB_ALD_DTD,
  i.IMB_ALD_DTF, i.MED_MTF_COD, lc.label AS cim_label, la.label AS ald_label,
  substr(md5(concat_ws('|', m.patient_id, i.MED_MTF_COD, CAST(i.IMB_ALD_DTD AS STRING),
    CAST(i._row AS STRING))), 1, 16) AS condition_id
FROM ok_imb i JOIN members m ON {on("i", "m", BEN)}
LEFT JOIN labels lc ON lc.system = 'CIM10' AND lc.code = i.MED_MTF_COD
LEFT JOIN labels la ON la.system = 'ALD' AND la.code = CAST(i.IMB_ALD_NUM AS STRING)"""
