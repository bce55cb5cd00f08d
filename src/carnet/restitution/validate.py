"""Incoherent rows: the rules, as SQL both engines run, and the clean views they leave.

Every input table carries ``_row``, its 1-based row number (for a folder of
Parquet files: counted across the files in name order; for the SNDS sample:
the CSV data row). A rule selects ``(tbl, _row, reason)``; a row that breaks
any rule is reported, once per broken rule, and left out of every package.
Rows hanging on a skipped row (the drug line of a skipped prestation) are
reported too, saying which row. The nine DCIR keys are joined once:
``prs_keys`` gives each key its prestation (its first row), and the detail
and mutuelle rows are keyed to it (``prs_row``) for all later joins.
"""

# ruff: noqa: S608  (SQL is built from this package's constants; values go through sql.lit)

from __future__ import annotations

from collections.abc import Sequence

from carnet.restitution.sql import lit
from carnet.restitution.tables import KEY_NAMES

BEN = ("BEN_NIR_PSA", "BEN_RNG_GEM")
#: detail tables: (table, code column as text, quantity column, code system in the labels)
DETAILS = (
    ("ER_PHA_F", "PHA_PRS_C13", "PHA_ACT_QSN", "CIP13"),
    ("ER_CAM_F", "CAM_PRS_IDE", "CAST(NULL AS INT)", "CCAM"),
    ("ER_BIO_F", "CAST(BIO_PRS_IDE AS STRING)", "BIO_ACT_QSN", "NABM"),
    ("ER_TIP_F", "lpad(CAST(TIP_PRS_IDE AS STRING), 7, '0')", "TIP_ACT_QSN", "LPP"),
)
#: the rule steps, in the order they run
BAD = ("bad_ben", "bad_adh", "bad_prs", "bad_det", "bad_mut", "bad_imb")
_KEYS = ", ".join(KEY_NAMES)


def on(left: str, right: str, keys: Sequence[str] = KEY_NAMES) -> str:
    """Equality of ``keys`` between two aliases."""
    return " AND ".join(f"{left}.{k} = {right}.{k}" for k in keys)


def check(table: str, where: str, reason: str, source: str | None = None) -> str:
    """Rows of ``source`` (default ``table``, alias ``t``) where ``where`` holds; ``reason`` is SQL."""
    return f"SELECT {lit(table)} AS tbl, t._row, {reason} AS reason FROM {source or table} t WHERE {where}"


def missing(table: str, columns: Sequence[str], what: str) -> str:
    nulls = " OR ".join(f"t.{c} IS NULL" for c in columns)
    return check(table, nulls, lit(f"{what} missing ({', '.join(columns)})"))


def negative(table: str, columns: Sequence[str]) -> list[str]:
    return [check(table, f"t.{c} < 0", lit(f"negative amount in {c}")) for c in columns]


def duplicate(table: str, keys: Sequence[str], what: str) -> str:
    """Every row but the first of a group of rows with the same ``keys``."""
    cols = ", ".join(keys)
    groups = f"SELECT {cols}, min(_row) AS first_row FROM {table} GROUP BY {cols} HAVING count(*) > 1"
    reason = f"concat_ws('', {lit(f'duplicate {what} (first: row ')}, CAST(d.first_row AS STRING), ')')"
    return (
        f"SELECT {lit(table)} AS tbl, t._row, {reason} AS reason "
        f"FROM {table} t JOIN ({groups}) d ON {on('t', 'd', keys)} WHERE t._row <> d.first_row"
    )


def not_member(table: str, members: str, what: str = "beneficiary") -> str:
    exists = f"SELECT 1 FROM {members} m WHERE {on('t', 'm', BEN)}"
    where = f"t.BEN_NIR_PSA IS NOT NULL AND NOT EXISTS ({exists})"
    return check(table, where, lit(f"{what} is not a known member (BEN_NIR_PSA, BEN_RNG_GEM)"))


def unknown_code(table: str, code: str, system: str, source: str | None = None) -> str:
    exists = f"SELECT 1 FROM labels l WHERE l.system = {lit(system)} AND l.code = {code}"
    reason = f"concat_ws('', {lit(f'unknown {system} code ')}, {code})"
    return check(table, f"{code} IS NOT NULL AND NOT EXISTS ({exists})", reason, source)


def union(queries: Sequence[str]) -> str:
    return "\nUNION ALL\n".join(queries)


def clean(table: str, bad: str, source: str | None = None) -> str:
    """``source`` (default ``table``) without the rows of ``table`` reported in ``bad``."""
    drop = f"SELECT 1 FROM {bad} b WHERE b._row = t._row AND b.tbl = {lit(table)}"
    return f"SELECT t.* FROM {source or table} t WHERE NOT EXISTS ({drop})"


def beneficiary_rules() -> str:
    year = "t.BEN_NAI_ANN"
    bad_year = f"{year} IS NULL OR length({year}) <> 4 OR translate({year}, '0123456789', '') <> ''"
    return union([
        missing("IR_BEN_R", BEN, "beneficiary key"),
        duplicate("IR_BEN_R", BEN, "beneficiary"),
        check("IR_BEN_R", bad_year, lit("birth year BEN_NAI_ANN is not a 4-digit year")),
    ])  # fmt: skip


def adherent_rules() -> str:
    return union([
        missing("MUT_ADH_R", (*BEN, "MEMBER_ID"), "member key"),
        duplicate("MUT_ADH_R", BEN, "member beneficiary"),
        not_member("MUT_ADH_R", "ok_ben", "beneficiary (not in IR_BEN_R)"),
    ])  # fmt: skip


def prestation_keys() -> str:
    """Each DCIR key once: its prestation (first row), how many rows have it, that row's amounts."""
    known = " AND ".join(f"{k} IS NOT NULL" for k in KEY_NAMES)
    return (
        f"SELECT {_KEYS}, min(_row) AS prs_row, count(*) AS n, min_by(PRS_PAI_MNT, _row) AS charged, "
        f"min_by(BSE_REM_MNT, _row) AS amo FROM ER_PRS_F WHERE {known} GROUP BY {_KEYS}"
    )


def prestation_rules() -> str:
    """Rules on ``prestations`` (ER_PRS_F with its member)."""
    t, src = "ER_PRS_F", "prestations"
    repeated = f"(SELECT p._row, k.prs_row FROM {t} p JOIN (SELECT * FROM prs_keys WHERE n > 1) k ON {on('p', 'k')})"
    first = "concat_ws('', 'duplicate prestation key (first: row ', CAST(t.prs_row AS STRING), ')')"
    member = (
        "CASE WHEN t.member_no IS NULL "
        f"THEN {lit('beneficiary is not a known member (BEN_NIR_PSA, BEN_RNG_GEM)')} "
        f"ELSE {lit('care date before the beneficiary' + chr(39) + 's birth year')} END"
    )
    before_birth = "CAST(year(t.EXE_SOI_DTD) AS STRING) < t.birth_year"
    amounts = ("PRS_PAI_MNT", "BSE_REM_BSE", "BSE_REM_MNT")
    return union([
        missing(t, KEY_NAMES, "prestation key"),
        check(t, "t._row <> t.prs_row", first, repeated),
        check(t, f"(t.member_no IS NULL AND t.BEN_NIR_PSA IS NOT NULL) OR {before_birth}", member, src),
        missing(t, ("EXE_SOI_DTD", "PRS_NAT_REF"), "care date or nature"),
        missing(t, amounts, "amount"),
        *negative(t, (*amounts, "PRS_DEP_MNT")),
        check(t, "t.EXE_SOI_DTF < t.EXE_SOI_DTD", lit("care end date before care start date")),
        check(t, "t.FLX_TRT_DTD < t.EXE_SOI_DTD", lit("processed (FLX_TRT_DTD) before the care date")),
        check(t, "t.RGO_REM_TAU < 0 OR t.RGO_REM_TAU > 100", lit("AMO rate RGO_REM_TAU not within 0-100")),
        check(t, "t.BSE_REM_MNT > t.PRS_PAI_MNT", lit("AMO paid more than the amount charged")),
    ])  # fmt: skip


def keyed(source: str, extra: str = "") -> str:
    """``source`` rows with ``prs_row``, their prestation's first row (NULL: none with these keys)."""
    return f"SELECT t.*, k.prs_row{extra} FROM ({source}) t LEFT JOIN prs_keys k ON {on('t', 'k')}"


def detail_source() -> str:
    """The four detail tables as one, keyed: table, code (text), quantity, code system."""
    return keyed(union([
        f"SELECT {_KEYS}, _row, {lit(name)} AS tbl, {code} AS code, CAST({qty} AS INT) AS qty, "
        f"{lit(system)} AS system FROM {name}"
        for name, code, qty, system in DETAILS
    ]))  # fmt: skip


#: the MUT_PRS_F columns a package uses (not the long EXPLANATION text)
MUTUELLE_COLUMNS = ("CATEGORY", "ACT_CODE", "ACT_SYSTEM", "PF_MNT", "FRA_MNT", "AMC_MNT", "RAC_MNT",
                    "PAID_DATE_AMO", "PAID_DATE_AMC")  # fmt: skip


def mutuelle_source() -> str:
    columns = ", ".join((*KEY_NAMES, "_row", *MUTUELLE_COLUMNS))
    return keyed(f"SELECT {columns} FROM MUT_PRS_F", ", k.charged, k.amo")


def _hanging(table: str, source: str) -> list[str]:
    """Rows hanging on no prestation, or on a skipped one."""
    skipped = "SELECT 1 FROM bad_prs b WHERE b.tbl = 'ER_PRS_F' AND b._row = t.prs_row"
    reason = "concat_ws('', 'its prestation (ER_PRS_F row ', CAST(t.prs_row AS STRING), ') was skipped')"
    return [
        check(table, "t.prs_row IS NULL", lit("no prestation in ER_PRS_F with these keys"), source),
        check(table, f"EXISTS ({skipped})", reason, source),
    ]


def _second(source: str, table: str | None = None) -> str:
    """Every row but the first hanging on the same prestation (``table``: or the row's own ``tbl``)."""
    tbl = lit(table) if table else "t.tbl"
    order = f"concat_ws('#', {tbl}, lpad(CAST(t._row AS STRING), 19, '0'))"
    groups = (
        f"SELECT t.prs_row, min({order}) AS first FROM {source} t "
        "WHERE t.prs_row IS NOT NULL GROUP BY t.prs_row HAVING count(*) > 1"
    )
    at = "instr(d.first, '#')"
    row = f"CAST(CAST(substr(d.first, {at} + 1) AS BIGINT) AS STRING)"
    first = f"concat_ws('', substr(d.first, 1, {at} - 1), ' row ', {row})"
    return (
        f"SELECT {tbl} AS tbl, t._row, concat_ws('', 'second row for one prestation (first: ', {first}, ')') "
        f"AS reason FROM {source} t JOIN ({groups}) d ON t.prs_row = d.prs_row WHERE {order} <> d.first"
    )


def detail_rules() -> str:
    rules = [_second("details_keyed")]
    for name, _code, _qty, system in DETAILS:
        src = f"(SELECT * FROM details_keyed WHERE tbl = {lit(name)})"
        rules += _hanging(name, src)
        rules.append(check(name, "t.qty < 0", lit("negative quantity"), src))
        rules.append(unknown_code(name, "t.code", system, src))
    return union(rules)


def clean_details() -> str:
    """The detail rows not reported in ``bad_det``."""
    drop = "SELECT 1 FROM bad_det b WHERE b._row = t._row AND b.tbl = t.tbl"
    return f"SELECT t.* FROM details_keyed t WHERE NOT EXISTS ({drop})"


def mutuelle_rules() -> str:
    t, src = "MUT_PRS_F", "mut_keyed"
    return union([
        *_hanging(t, src),
        _second(src, t),
        check(t, "t.AMC_MNT IS NULL OR t.RAC_MNT IS NULL", lit("amount missing (AMC_MNT, RAC_MNT)"), src),
        *(check(t, f"t.{c} < 0", lit(f"negative amount in {c}"), src) for c in MUTUELLE_COLUMNS[3:7]),
        check(t, "t.charged <> t.amo + t.AMC_MNT + t.RAC_MNT",
              lit("amounts do not add up: charged <> AMO + mutuelle + patient share"), src),
        check(t, "t.PAID_DATE_AMC < t.PAID_DATE_AMO", lit("mutuelle paid before the AMO"), src),
    ])  # fmt: skip


def ald_rules() -> str:
    t = "IR_IMB_R"
    return union([
        not_member(t, "members"),
        missing(t, ("IMB_ALD_DTD", "MED_MTF_COD"), "ALD start date or CIM-10 code"),
        check(t, "t.IMB_ALD_DTF < t.IMB_ALD_DTD", lit("ALD end date before its start date")),
        unknown_code(t, "t.MED_MTF_COD", "CIM10"),
    ])  # fmt: skip
