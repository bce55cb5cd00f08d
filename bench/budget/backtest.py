"""bench/budget — backtest the budget forecast on a synthetic population.

Reads a ``carnet synth`` output folder (Parquet: ER_PRS_F + MUT_PRS_F, the
members of MUT_ADH_R with their households, ALDs of IR_IMB_R), turns each
prestation into a budget entry (the claim line a member's vault would hold),
cuts each household's history at the start of the last synthesised year, and
compares the forecast with the two naive baselines on that last year.

Usage:
    .venv/bin/python bench/budget/backtest.py [--synth DIR] [--members N] [--seed S] [--json]

Without --synth, a population of --members (default 2000) is synthesised in
a temporary folder first (``carnet.restitution.synth.synthesize``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from carnet.rules import load_rules
from carnet.services.budget.backtest import Household, Result, backtest
from carnet.services.budget.categories import budget_category
from carnet.services.budget.forecast import ForecastSettings
from carnet.services.budget.lines import Entry, Member

KEYS = ("DCT_ORD_NUM", "FLX_DIS_DTD", "FLX_EMT_NUM", "FLX_EMT_ORD", "FLX_EMT_TYP", "FLX_TRT_DTD",
        "ORG_CLE_NUM", "PRS_ORD_NUM", "REM_TYP_AFF")


def _cents(value: Decimal | None) -> int:
    return 0 if value is None else int(value * 100)


def read_synth(folder: Path) -> list[Household]:
    """The households of a synth output folder, with their members and entries."""
    con = duckdb.connect()
    table = {name: f"read_parquet('{(folder / name).as_posix()}/*.parquet')"
             for name in ("ER_PRS_F", "MUT_PRS_F", "MUT_ADH_R", "IR_IMB_R")}
    members = con.sql(f"""
        SELECT a.BEN_NIR_PSA, a.BEN_RNG_GEM, a.HOUSEHOLD_ID, a.GIVEN, a.FAMILY, a.BIRTH_DATE, a.MEDECIN_TRAITANT,
               EXISTS (SELECT 1 FROM {table['IR_IMB_R']} i
                       WHERE i.BEN_NIR_PSA = a.BEN_NIR_PSA AND i.BEN_RNG_GEM = a.BEN_RNG_GEM) AS ald
        FROM {table['MUT_ADH_R']} a ORDER BY a.HOUSEHOLD_ID, a.BEN_NIR_PSA""").fetchall()
    ids: dict[tuple[str, int], int] = {}
    people: dict[str, list[Member]] = defaultdict(list)
    for nir, rank, household, given, family, birth, traitant, ald in members:
        pid = len(ids) + 1
        ids[(nir, rank)] = pid
        people[household].append(Member(pid, f"{given} {family}", birth, bool(ald), bool(traitant)))
    home = {ids[(nir, rank)]: household for nir, rank, household, *_ in members}
    join = " AND ".join(f"p.{k} = m.{k}" for k in KEYS)
    rows = con.sql(f"""
        SELECT p.BEN_NIR_PSA, p.BEN_RNG_GEM, p.EXE_SOI_DTD, m.CATEGORY, p.PSE_SPE_COD, m.ACT_CODE,
               p.PRS_PAI_MNT, p.BSE_REM_BSE, p.BSE_REM_MNT, m.AMC_MNT, m.PF_MNT + m.FRA_MNT, p.PRS_DEP_MNT,
               m.RAC_MNT, m.PAID_DATE_AMO, m.PAID_DATE_AMC
        FROM {table['ER_PRS_F']} p JOIN {table['MUT_PRS_F']} m ON {join}
        ORDER BY p.EXE_SOI_DTD, p.DCT_ORD_NUM, p.PRS_ORD_NUM""").fetchall()
    entries: dict[str, list[Entry]] = defaultdict(list)
    for n, (nir, rank, day, category, specialty, act, charged, base, amo, amc, fixed, over, oop, paid_amo,
            paid_amc) in enumerate(rows, start=1):
        pid = ids.get((nir, rank))
        if pid is None:
            continue
        entries[home[pid]].append(Entry(
            id=n, person_id=pid, day=day.isoformat(), category=budget_category(category),
            source_category=category, provider=f"spe-{specialty}", act=act, currency="EUR",
            charged=_cents(charged), base=_cents(base), amo=_cents(amo), amc=_cents(amc), fixed=_cents(fixed),
            overbilling=_cents(over), oop=_cents(oop), tracked=True,
            amo_paid_on=paid_amo.isoformat() if paid_amo else None,
            amc_paid_on=paid_amc.isoformat() if paid_amc else None))
    return [Household(h, tuple(people[h]), tuple(entries.get(h, ()))) for h in sorted(people)]


def last_year_start(households: list[Household]) -> date:
    """1 January of the last year with data: the backtest's cutoff."""
    last = max(e.day for h in households for e in h.entries if e.day)
    assert last is not None
    return date(int(last[:4]), 1, 1)


def run(folder: Path, settings: ForecastSettings | None = None) -> Result:
    households = read_synth(folder)
    return backtest(households, last_year_start(households), load_rules(), settings)


def report(result: Result) -> dict[str, object]:
    return {
        "households": result.households, "cutoff": result.cutoff.isoformat(),
        "actual_mean_eur": round(result.actual_mean, 2), "interval_coverage": round(result.coverage, 3),
        "scores": {s.name: {"mae_year_eur": round(s.mae_year, 2), "mae_month_eur": round(s.mae_month, 2),
                            "rmse_year_eur": round(s.rmse_year, 2), "bias_year_eur": round(s.bias_year, 2)}
                   for s in result.scores},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synth", type=Path, help="a carnet synth output folder")
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="carnet-budget-") as tmp:
        folder = args.synth
        if folder is None:
            from carnet.restitution.synth import synthesize

            folder = Path(tmp) / "synth"
            synthesize(members=args.members, seed=args.seed, out=folder, workers=1)
        start = time.perf_counter()
        result = run(folder)
        out = report(result) | {"seconds": round(time.perf_counter() - start, 1)}
    if args.json:
        json.dump(out, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    print(f"{out['households']} households, cutoff {out['cutoff']}, actual mean {out['actual_mean_eur']} €/year, "
          f"interval coverage {out['interval_coverage']}")
    for name, s in out["scores"].items():  # type: ignore[attr-defined]
        print(f"  {name:13} MAE year {s['mae_year_eur']:8.2f} €  MAE month {s['mae_month_eur']:7.2f} €  "
              f"RMSE year {s['rmse_year_eur']:8.2f} €  bias {s['bias_year_eur']:8.2f} €")


if __name__ == "__main__":
    main()
