"""A fast bulk generator of coherent claims tables, in DuckDB SQL (used when the synth is absent).

Twenty claim lines per member; households of two; nine members in ten with a
mutuelle contract; claims (décomptes) of three lines; lines cycle through
drugs (real CIP13 from the BDPM table, vaccines included), consultations,
CCAM acts, biology (NABM) and devices (LPP). Amounts add up:
charged = AMO + mutuelle + patient share; AMO = 70 % of the base − PF.
Deterministic: the same ``lines`` give the same files.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from carnet.restitution.codes import label_table

LINES_PER_MEMBER = 20
KEYS = """c AS DCT_ORD_NUM, d AS FLX_DIS_DTD, 1 AS FLX_EMT_NUM, 1 AS FLX_EMT_ORD, 1 AS FLX_EMT_TYP,
  d + 2 AS FLX_TRT_DTD, '01C731221' AS ORG_CLE_NUM, CAST(j % 3 + 1 AS INT) AS PRS_ORD_NUM, 0 AS REM_TYP_AFF"""


def generate(out: Path, lines: int, threads: int | None = None) -> Path:
    """Write the contract tables for about ``lines`` claim lines into ``out``; return ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"threads": threads} if threads else {})
    members = max(2, lines // LINES_PER_MEMBER)
    con.register("labels_arrow", label_table())
    for system in ("CIP13", "CCAM", "NABM", "LPP"):
        con.execute(f"""CREATE TABLE codes_{system} AS SELECT row_number() OVER (ORDER BY code) - 1 AS i, code
            FROM labels_arrow WHERE system = '{system}' AND (code LIKE '3400%' OR '{system}' <> 'CIP13')""")
    con.execute("""CREATE TABLE vaccines AS SELECT row_number() OVER (ORDER BY code) - 1 AS i, code
        FROM labels_arrow WHERE system = 'CIP13' AND vaccine""")
    sizes = {s: con.execute(f"SELECT count(*) FROM codes_{s}").fetchone()[0] for s in ("CIP13", "CCAM", "NABM", "LPP")}  # type: ignore[index]
    con.execute(f"""CREATE TABLE people AS SELECT i, 'N' || lpad(CAST(i AS VARCHAR), 16, '0') AS nir,
        'M' || lpad(CAST(i AS VARCHAR), 9, '0') AS member_id, 'H' || lpad(CAST(i // 2 AS VARCHAR), 9, '0') AS household,
        CAST(1940 + i % 80 AS VARCHAR) AS year, CAST(1 + i % 2 AS INT) AS sex, i % 10 <> 0 AS covered
        FROM range({members}) t(i)""")
    con.execute(f"""COPY (SELECT nir AS BEN_NIR_PSA, 1 AS BEN_RNG_GEM, year AS BEN_NAI_ANN,
        lpad(CAST(1 + i % 12 AS VARCHAR), 2, '0') AS BEN_NAI_MOI, sex AS BEN_SEX_COD, CAST(NULL AS DATE) AS BEN_DCD_DTE,
        lpad(CAST(i % 95 + 1 AS VARCHAR), 3, '0') AS BEN_RES_DPT, '001' AS BEN_RES_COM, '01C731221' AS ORG_AFF_BEN,
        0 AS BEN_CMU_TOP FROM people) TO '{out}/IR_BEN_R.parquet'""")
    con.execute(f"""COPY (SELECT nir AS BEN_NIR_PSA, 1 AS BEN_RNG_GEM, member_id AS MEMBER_ID,
        household AS HOUSEHOLD_ID,
        CASE WHEN i % 2 = 0 THEN 'self' ELSE 'spouse' END AS ROLE, 'Prénom' || i AS GIVEN, 'NOM' || (i // 2) AS FAMILY,
        make_date(CAST(year AS INT), 1 + i % 12, 1 + i % 28) AS BIRTH_DATE,
        CASE WHEN covered THEN 'standard' END AS CONTRACT_ID, true AS MEDECIN_TRAITANT FROM people)
        TO '{out}/MUT_ADH_R.parquet'""")
    con.execute(f"""COPY (SELECT nir AS BEN_NIR_PSA, 1 AS BEN_RNG_GEM, 8 AS IMB_ALD_NUM,
        DATE '2020-01-01' AS IMB_ALD_DTD,
        CAST(NULL AS DATE) AS IMB_ALD_DTF, 41 AS IMB_ETM_NAT, 'E119' AS MED_MTF_COD FROM people WHERE i % 10 = 3)
        TO '{out}/IR_IMB_R.parquet'""")
    con.execute(f"""CREATE TABLE lines AS SELECT j, c, d, kind, p.nir, p.year, p.sex, p.covered,
        CAST(CASE kind WHEN 'consult' THEN 25 ELSE 5 + (j * 7) % 60 END AS DECIMAL(10,2)) AS base,
        CAST(CASE kind WHEN 'consult' THEN 25 + (j % 4) * 5 ELSE 5 + (j * 7) % 60 END AS DECIMAL(10,2)) AS charged,
        CAST(CASE kind WHEN 'consult' THEN 2 ELSE 0 END AS DECIMAL(10,2)) AS pf
        FROM (SELECT j, j // 3 AS c, DATE '2024-01-01' + CAST((j // 3) * 7 % 365 AS INT) AS d,
          CASE (j // 3) % 10 WHEN 0 THEN 'drug' WHEN 1 THEN 'drug' WHEN 2 THEN 'drug' WHEN 3 THEN 'drug'
            WHEN 4 THEN 'consult' WHEN 5 THEN 'consult' WHEN 6 THEN 'consult' WHEN 7 THEN 'ccam' WHEN 8 THEN 'bio'
            ELSE 'lpp' END AS kind FROM range({lines}) t(j)) x
        JOIN people p ON p.i = (x.c * 7919) % {members}""")
    con.execute(f"""COPY (SELECT {KEYS}, nir AS BEN_NIR_PSA, 1 AS BEN_RNG_GEM, year AS BEN_NAI_ANN, sex AS BEN_SEX_COD,
        0 AS BEN_CMU_TOP, d AS EXE_SOI_DTD, d AS EXE_SOI_DTF,
        CASE kind WHEN 'drug' THEN 3313 WHEN 'consult' THEN 1111 WHEN 'ccam' THEN 1321 WHEN 'bio' THEN 3211
          ELSE 3431 END
          AS PRS_NAT_REF, 1 AS PRS_ACT_QTE, CAST(1 AS DECIMAL(10,2)) AS PRS_ACT_CFT, charged AS PRS_PAI_MNT,
        base AS BSE_REM_BSE, CAST(base * 0.7 - pf AS DECIMAL(10,2)) AS BSE_REM_MNT, charged - base AS PRS_DEP_MNT,
        70 AS RGO_REM_TAU, 1 AS PSE_SPE_COD, 1 AS PSE_CNV_COD, 1 AS PSE_ACT_NAT, 0 AS EXO_MTF, '1' AS PRS_PPF_COD
        FROM lines) TO '{out}/ER_PRS_F.parquet'""")
    con.execute(f"""COPY (SELECT {KEYS}, CASE WHEN covered THEN 'standard' END AS CONTRACT_ID, kind AS CATEGORY,
        CAST(NULL AS VARCHAR) AS ACT_CODE, CAST(NULL AS VARCHAR) AS ACT_SYSTEM, pf AS PF_MNT,
        CAST(0 AS DECIMAL(10,2)) AS FRA_MNT,
        CAST(CASE WHEN covered THEN base - base * 0.7 ELSE 0 END AS DECIMAL(10,2)) AS AMC_MNT,
        CAST(charged - CAST(base * 0.7 - pf AS DECIMAL(10,2))
          - CAST(CASE WHEN covered THEN base - base * 0.7 ELSE 0 END AS DECIMAL(10,2)) AS DECIMAL(10,2)) AS RAC_MNT,
        d + 7 AS PAID_DATE_AMO, CASE WHEN covered THEN d + 10 END AS PAID_DATE_AMC, '[]' AS EXPLANATION
        FROM lines) TO '{out}/MUT_PRS_F.parquet'""")
    pick = {s: f"(SELECT code FROM codes_{s} WHERE i = (j * 31) % {sizes[s]})" for s in sizes}
    detail = {
        "ER_PHA_F": ("drug", f"""CASE WHEN j % 50 = 0 THEN (SELECT code FROM vaccines WHERE i = j % 10)
            ELSE {pick['CIP13']} END AS PHA_PRS_C13, 1 AS PHA_ACT_QSN, charged AS PHA_ACT_PRU"""),
        "ER_CAM_F": ("ccam", f"{pick['CCAM']} AS CAM_PRS_IDE, charged AS CAM_ACT_PRU, base AS CAM_REM_BSE"),
        "ER_BIO_F": ("bio", f"CAST({pick['NABM']} AS INT) AS BIO_PRS_IDE, 1 AS BIO_ACT_QSN"),
        "ER_TIP_F": ("lpp", f"CAST({pick['LPP']} AS BIGINT) AS TIP_PRS_IDE, 1 AS TIP_ACT_QSN, charged AS TIP_ACT_PRU"),
    }
    for table, (kind, columns) in detail.items():
        con.execute(f"COPY (SELECT {KEYS}, {columns} FROM lines WHERE kind = '{kind}') TO '{out}/{table}.parquet'")
    con.close()
    return out
