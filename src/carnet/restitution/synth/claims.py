"""Prestation lines in the SNDS shape (ER_PRS_F and its detail tables) and the mutuelle's MUT_PRS_F.

One line per act, plus one line per forfait journalier of a stay. Lines of one
visit make one décompte (DCT_ORD_NUM, numbered from the chunk so they are
unique in the whole output) and are ordered in it (PRS_ORD_NUM); the nine DCIR
keys join every table. BSE_REM_MNT is what the AMO paid once the
participation forfaitaire and franchises were withheld; PRS_PAI_MNT =
BSE_REM_MNT + AMC_MNT + RAC_MNT on every line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from carnet.restitution.synth import writer as w
from carnet.restitution.synth.arrays import IntArray, group_starts, rank_in_group, unique_rows
from carnet.restitution.synth.caps import PPF_CODES, Charges
from carnet.restitution.synth.catalogue import BIO, CAM, PHA, TIP, Catalogue
from carnet.restitution.synth.dates import add_months
from carnet.restitution.synth.events import Events
from carnet.restitution.synth.explanation import act_rows, explain, rows_of
from carnet.restitution.synth.membership import Members
from carnet.restitution.synth.payment import Payments
from carnet.restitution.synth.periods import FLAG_ALD, FLAG_ALD_RELATED, FLAG_PREGNANT
from carnet.restitution.synth.settlement import SettlementMemo

DAILY_FEE_NATURE = 2251  # FJ, forfait journalier (IR_NAT_V)
#: décomptes of one chunk are numbered from chunk × this
DECOMPTES_PER_CHUNK = 10**9


@dataclass(frozen=True)
class Priced:
    """Settled act rows, sorted by person, day and visit."""

    events: Events
    act: IntArray  #: act after fallbacks
    sector: IntArray
    flags: IntArray
    memo: IntArray
    charges: Charges
    payments: Payments


@dataclass(frozen=True)
class Who:
    """Per-person text columns of a chunk (indices into these lists)."""

    nir: Sequence[str]
    birth_year: Sequence[str]
    organisation: Sequence[str]
    emitter: IntArray
    sex: IntArray
    c2s: IntArray
    twin: IntArray


def _explanations(priced: Priced, memo: SettlementMemo, rows: IntArray) -> tuple[IntArray,
                                                                                  list[bytes]]:
    """Index of each act row's explanation, and the distinct explanations.

    A line whose amounts are its settlement's usual ones takes the remembered
    text; the others are written once per distinct amounts (kept in a bounded
    cache across chunks).
    """
    c, col = priced.charges, memo.column
    ids = priced.memo[rows]
    gross = col("amo_gross")[ids]
    pf, fr = col("pf_due")[ids], col("fr_due")[ids]
    pf_held = np.minimum(pf, gross)
    fr_held = np.minimum(fr, gross - pf_held)
    amounts = np.stack([c.pf_due, c.fr_due, c.pf_held, c.fr_held, c.recovered, c.deferred,
                        c.amc_act], axis=1)[rows]
    usual = np.stack([pf, fr, pf_held, fr_held, np.zeros_like(pf),
                      pf - pf_held + fr - fr_held, col("amc_act")[ids]], axis=1)
    sequential = np.isin(rows, np.fromiter(c.amc_steps, dtype=np.int64, count=len(c.amc_steps)))
    daily = (c.ppf_code[rows] == 1).astype(np.int64)
    plain = (amounts == usual).all(axis=1) & ~sequential & (daily == 0)
    # plain lines group by memo entry; capped ones by entry and amounts; sequential ones alone
    marker = np.where(plain, ids, np.where(sequential, -2 - rows, -1))
    matrix = np.column_stack([marker, np.where(plain[:, None], 0, amounts),
                              np.where(plain, 0, daily), np.where(plain, 0, ids)])
    first, inverse = unique_rows(matrix)
    texts = []
    for u, row in zip(matrix[first].tolist(), rows[first].tolist(), strict=True):
        entry = memo.entries[int(priced.memo[row])]
        if u[0] >= 0:
            texts.append(entry.text)
            continue
        cache_key = (u[-1], *u[1:9])
        text = memo.recall(cache_key) if row not in c.amc_steps else None
        if text is None:
            steps = c.amc_steps.get(row)
            text = explain(act_rows(entry.text),
                           (entry.pf_due, entry.fr_due, entry.amo_gross, entry.charged),
                           (u[1], u[2], u[3], u[4], u[5], u[6], u[7]), bool(u[8]),
                           None if steps is None else rows_of(steps))
            if steps is None:
                memo.remember(cache_key, text)
        texts.append(text)
    return inverse, texts


def prestation_tables(chunk: int, priced: Priced, members: Members, who: Who,
                      catalogue: Catalogue, memo: SettlementMemo,
                      contracts: Sequence[str]) -> dict[str, pa.Table]:
    e, col, c = priced.events, memo.column, priced.charges
    n = len(e)
    fee = col("daily_fee")[priced.memo] if n else np.zeros(0, dtype=np.int64)
    src = np.concatenate([np.arange(n), np.flatnonzero(fee > 0)]).astype(np.int64)
    is_fee = np.concatenate([np.zeros(n, np.int64), np.ones(int((fee > 0).sum()), np.int64)])
    order = np.lexsort((src, is_fee, e.visit[src], e.day[src], e.person[src]))
    src, is_fee = src[order], is_fee[order].astype(np.bool_)
    act_row = ~is_fee
    person, day = e.person[src], e.day[src]
    dct = chunk * DECOMPTES_PER_CHUNK + np.cumsum(group_starts(e.visit[src])) - 1
    p = priced.payments
    keys = {
        "DCT_ORD_NUM": w.ints(dct, pa.int64()),
        "FLX_DIS_DTD": w.dates(add_months(p.processed[src] - _day_of_month(p.processed[src]) + 1,
                                          np.ones(src.size, np.int64))),
        "FLX_EMT_NUM": w.ints(who.emitter[person], pa.int32()),
        "FLX_EMT_ORD": w.ints(np.zeros(src.size, np.int64), pa.int32()),
        "FLX_EMT_TYP": w.ints(np.ones(src.size, np.int64), pa.int32()),
        "FLX_TRT_DTD": w.dates(p.processed[src]),
        "ORG_CLE_NUM": w.coded(person, who.organisation),
        "PRS_ORD_NUM": w.ints(rank_in_group(dct) + 1, pa.int32()),
        "REM_TYP_AFF": w.ints(np.ones(src.size, np.int64), pa.int32()),
    }
    a = priced.act[src]
    m = priced.memo[src]
    charged = np.where(is_fee, col("daily_fee")[m], col("charged")[m])
    amo = np.where(is_fee, 0, c.amo_paid[src])
    amc = np.where(is_fee, col("amc_fee")[m], c.amc_act[src])
    flags = priced.flags[src]
    exo = np.select([flags & FLAG_ALD_RELATED > 0, catalogue.prevention[a],
                     flags & FLAG_PREGNANT > 0, flags & FLAG_ALD > 0], [42, 81, 55, 41], 0)
    profile = catalogue.practitioner[a]
    activity = np.array([pr.activity for pr in catalogue.practitioners])[profile]
    convention = np.where(activity == 0, np.array([1, 3, 3, 0])[priced.sector[src]], 1)
    stay_end = day + np.maximum(e.days[src] - 1, 0)
    prs = dict(keys)
    prs.update({
        "BEN_NIR_PSA": w.coded(person, who.nir),
        "BEN_RNG_GEM": w.ints(who.twin[person], pa.int32()),
        "BEN_NAI_ANN": w.coded(person, who.birth_year),
        "BEN_SEX_COD": w.ints(who.sex[person], pa.int32()),
        "BEN_CMU_TOP": w.ints(who.c2s[person], pa.int32()),
        "EXE_SOI_DTD": w.dates(day), "EXE_SOI_DTF": w.dates(stay_end),
        "PRS_NAT_REF": w.ints(np.where(is_fee, DAILY_FEE_NATURE, catalogue.nature[a]),
                              pa.int32()),
        "PRS_ACT_QTE": w.ints(np.where(is_fee, e.days[src], e.quantity[src]), pa.int32()),
        "PRS_ACT_CFT": w.money(np.where(is_fee, 100, catalogue.coefficient[a])),
        "PRS_PAI_MNT": w.money(charged),
        "BSE_REM_BSE": w.money(np.where(is_fee, 0, col("base")[m])),
        "BSE_REM_MNT": w.money(amo),
        "PRS_DEP_MNT": w.money(np.where(is_fee, 0, col("overbilling")[m])),
        "RGO_REM_TAU": w.ints(np.where(is_fee, 0, col("rate")[m]), pa.int32()),
        "PSE_SPE_COD": w.ints(np.array([pr.specialty for pr in catalogue.practitioners])[profile],
                              pa.int32()),
        "PSE_CNV_COD": w.ints(convention, pa.int32()),
        "PSE_ACT_NAT": w.ints(activity, pa.int32()),
        "EXO_MTF": w.ints(exo, pa.int32()),
        "PRS_PPF_COD": w.coded(np.where(is_fee, 3, c.ppf_code[src]), PPF_CODES),
    })
    found = {"ER_PRS_F": w.table("ER_PRS_F", prs)}
    found.update(_details(keys, act_row, a, e.quantity[src], charged, col("base")[m], catalogue))
    index, texts = _explanations(priced, memo, src[act_row])
    fee_ids = np.unique(m[is_fee])
    fee_texts = [memo.entries[int(i)].fee_text for i in fee_ids]
    explanation = np.empty(src.size, dtype=np.int64)
    explanation[act_row] = index
    explanation[is_fee] = len(texts) + np.searchsorted(fee_ids, m[is_fee])
    names = tuple(sorted({c.value for c in catalogue.category}))
    systems = sorted({s.value for s in catalogue.system} | {"none"})
    system = np.array([systems.index(s.value) for s in catalogue.system])[a]
    codes = [*catalogue.code, "FJ"]
    mut = dict(keys)
    mut.update({
        "CONTRACT_ID": w.coded(members.contract[person], contracts),
        "CATEGORY": w.coded(np.array([names.index(c.value) for c in catalogue.category])[a],
                            names),
        "ACT_CODE": w.coded(np.where(is_fee, len(catalogue.code), a), codes),
        "ACT_SYSTEM": w.coded(np.where(is_fee, systems.index("none"), system), systems),
        "PF_MNT": w.money(np.where(is_fee, 0, c.pf_held[src])),
        "FRA_MNT": w.money(np.where(is_fee, 0, c.fr_held[src])),
        "AMC_MNT": w.money(amc),
        "RAC_MNT": w.money(charged - amo - amc),
        "PAID_DATE_AMO": w.dates(p.amo[src], p.amo_pending[src]),
        "PAID_DATE_AMC": w.dates(p.amc[src], p.amc_pending[src]),
        "EXPLANATION": w.coded(explanation, [*texts, *fee_texts]),
    })
    found["MUT_PRS_F"] = w.table("MUT_PRS_F", mut)
    return found


def _day_of_month(days: IntArray) -> IntArray:
    as_days = days.astype("datetime64[D]")
    result: IntArray = (as_days - as_days.astype("datetime64[M]").astype("datetime64[D]")).astype(
        np.int64) + 1
    return result


def _details(keys: dict[str, pa.Array], act_row: np.ndarray, act: IntArray, quantity: IntArray,
             charged: IntArray, base: IntArray, catalogue: Catalogue) -> dict[str, pa.Table]:
    """ER_PHA_F, ER_BIO_F, ER_CAM_F, ER_TIP_F rows of the act lines that have one."""
    detail = np.where(act_row, catalogue.detail[act], 0)
    unit = charged // np.maximum(quantity, 1)
    found = {}
    for name, kind in (("ER_PHA_F", PHA), ("ER_BIO_F", BIO), ("ER_CAM_F", CAM), ("ER_TIP_F", TIP)):
        rows = np.flatnonzero(detail == kind)
        codes = [catalogue.code[i] for i in act[rows]]
        data = {k: v.take(pa.array(rows)) for k, v in keys.items()}
        if kind == PHA:
            data.update({"PHA_PRS_C13": w.texts(codes),
                         "PHA_ACT_QSN": w.ints(quantity[rows], pa.int32()),
                         "PHA_ACT_PRU": w.money(unit[rows])})
        elif kind == BIO:
            data.update({"BIO_PRS_IDE": w.ints(np.array(codes, dtype=np.int64), pa.int32()),
                         "BIO_ACT_QSN": w.ints(quantity[rows], pa.int32())})
        elif kind == CAM:
            data.update({"CAM_PRS_IDE": w.texts(codes), "CAM_ACT_PRU": w.money(charged[rows]),
                         "CAM_REM_BSE": w.money(base[rows])})
        else:
            data.update({"TIP_PRS_IDE": w.ints(np.array(codes, dtype=np.int64), pa.int64()),
                         "TIP_ACT_QSN": w.ints(quantity[rows], pa.int32()),
                         "TIP_ACT_PRU": w.money(unit[rows])})
        found[name] = w.table(name, data)
    return found
