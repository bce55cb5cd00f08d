"""bench/budget — server time of the budget page for a household with ten years of claims.

Builds a vault holding one household of five people and about 20,000 claim
lines over ten years: a synthetic population (``carnet.restitution.synth``,
years 2020-2029, moved four years back to end in 2025) whose people are dealt
round-robin to the five members, each line stored as the FHIR importer stores
a Carnet package line (amounts, category, act, payment dates, the engine's
explanation). Then times, in-process (no network), the household page, a
person's page, the CSV export and a line's explanation: median and worst of
``--repeat`` runs after one warm-up, and the read and report parts of the
household page. A fresh server (a new Python process: nothing imported,
read or compiled yet) is timed apart: its start-up (vault opened, app built
as ``carnet serve`` builds it) and its first two household pages.

Usage: .venv/bin/python bench/budget/run.py [--lines 20000] [--repeat 20] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import orjson
from fastapi.testclient import TestClient

from carnet.model import ClaimLine, Code, Extracted, Kind, Money, Person, Provenance, Record
from carnet.services.budget.report import build
from carnet.sources.base import InputFile
from carnet.store import budget as store
from carnet.store import create_vault, open_vault
from carnet.store.keys import KdfParams
from carnet.store.writer import write_extracted
from carnet.web.app import serving_app
from carnet.web.routes import budget_charts

KEYS = ("DCT_ORD_NUM", "FLX_DIS_DTD", "FLX_EMT_NUM", "FLX_EMT_ORD", "FLX_EMT_TYP", "FLX_TRT_DTD",
        "ORG_CLE_NUM", "PRS_ORD_NUM", "REM_TYP_AFF")
MEMBERS = (("Camille", "1984-03-14"), ("Julien", "1979-11-02"), ("Léa", "2014-06-21"), ("Hugo", "2017-02-08"),
           ("Jeanne", "1951-09-30"))
SHIFT_YEARS = 4
BENCH_KDF = KdfParams(memory_kib=8 * 1024, time_cost=1, parallelism=1)


def _back(day: dt.date | None) -> str | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year - SHIFT_YEARS).isoformat()
    except ValueError:  # 29 February
        return day.replace(year=day.year - SHIFT_YEARS, day=28).isoformat()


def _eur(value: Decimal | None) -> Money | None:
    return None if value is None else Money(value, "EUR")


def synth_rows(folder: Path, wanted: int) -> list[tuple[Any, ...]]:
    con = duckdb.connect()
    join = " AND ".join(f"p.{k} = m.{k}" for k in KEYS)
    return con.sql(f"""
        SELECT p.BEN_NIR_PSA, p.EXE_SOI_DTD, m.CATEGORY, m.ACT_CODE, p.PRS_ACT_QTE, p.PRS_PAI_MNT, p.BSE_REM_BSE,
               p.BSE_REM_MNT, m.AMC_MNT, m.PF_MNT + m.FRA_MNT, p.PRS_DEP_MNT, m.RAC_MNT, p.RGO_REM_TAU,
               m.PAID_DATE_AMO, m.PAID_DATE_AMC, m.EXPLANATION
        FROM read_parquet('{folder.as_posix()}/ER_PRS_F/*.parquet') p
        JOIN read_parquet('{folder.as_posix()}/MUT_PRS_F/*.parquet') m ON {join}
        ORDER BY p.EXE_SOI_DTD, p.DCT_ORD_NUM, p.PRS_ORD_NUM LIMIT {int(wanted)}""").fetchall()


def records(rows: list[tuple[Any, ...]]) -> list[Record]:
    people: dict[str, int] = {}
    found = []
    for n, (nir, day, category, code, qty, charged, base, amo, amc, fixed, over, oop, rate, paid_amo, paid_amc,
            explanation) in enumerate(rows, start=1):
        member = people.setdefault(nir, len(people) % len(MEMBERS))
        facts = {"rate": rate, "payment": {"primary": _back(paid_amo), "complementary": _back(paid_amc)},
                 "steps": orjson.loads(explanation) if explanation else []}
        line = ClaimLine(line_no=1, date=_back(day), category=category, provider=f"Praticien {n % 37}",
                         act=Code(None, code, None), quantity=Decimal(qty or 1), currency="EUR",
                         charged=_eur(charged), base=_eur(base), paid_primary=_eur(amo), paid_complementary=_eur(amc),
                         fixed_charges=_eur(fixed), overbilling=_eur(over), patient_share=_eur(oop),
                         explanation={"carnet": facts})
        found.append(Record(kind=Kind.CLAIM, natural_key=f"ExplanationOfBenefit/{n}",
                            person_key=f"Patient/{member}", provenance=Provenance("bench", "0" * 64, f"line {n}"),
                            resource_type="ExplanationOfBenefit", date=line.date, claim_lines=(line,)))
    return found


def build_vault(folder: Path, wanted: int) -> Any:
    from carnet.restitution.synth import synthesize

    synth = folder / "synth"
    members = max(50, wanted // 72 + 20)  # about 18 lines a member a year; 4 years… of ten
    synthesize(members=members, seed=3, out=synth, years=(2020, 2029), workers=1)
    rows = synth_rows(synth, wanted)
    vault = create_vault(str(folder / "bench.carnet"), "bench", kdf=BENCH_KDF)
    persons = [Person(f"Patient/{i}", given=g, family="Bench", birth_date=b) for i, (g, b) in enumerate(MEMBERS)]
    with vault.writing() as conn:
        write_extracted(conn, InputFile("bench.ndjson", b"bench"), "bench", Extracted(persons, records(rows)))
    return vault, len(rows)


class ServerTime:
    """ASGI wrapper: the time from a request's arrival to its last response byte, in the app only."""

    def __init__(self, app: Any) -> None:
        self.app, self.last_ms = app, 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start = time.perf_counter()
        await self.app(scope, receive, send)
        self.last_ms = (time.perf_counter() - start) * 1000


def timed(client: TestClient, clock: ServerTime, path: str, repeat: int) -> dict[str, float]:
    client.get(path)  # warm-up: rules, contracts, templates, and the first read of the lines
    times = []
    for _ in range(repeat):
        response = client.get(path)
        times.append(clock.last_ms)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return {"median_ms": round(statistics.median(times), 1), "p90_ms": round(times[int(len(times) * 0.9) - 1], 1),
            "max_ms": round(times[-1], 1)}


def cold(vault_path: Path, path: str) -> dict[str, float]:
    """A fresh server process: its start-up, then the server time of its first and second requests.

    Runs in a new Python process so that nothing (modules, rules, templates,
    SQLite pages) is warm; the app is prepared as ``carnet serve`` prepares it.
    """
    proc = subprocess.run([sys.executable, __file__, "--cold", str(vault_path), "--path", path], check=True,
                          capture_output=True, text=True)
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def cold_child(vault_path: Path, path: str) -> None:
    start = time.perf_counter()
    vault = open_vault(str(vault_path), "bench", kdf=BENCH_KDF)
    opened = time.perf_counter()
    clock = ServerTime(serving_app(vault))
    ready = time.perf_counter()
    with TestClient(clock, base_url="http://127.0.0.1", client=("127.0.0.1", 50000)) as client:
        assert client.get(path).status_code == 200
        first = clock.last_ms
        assert client.get(path).status_code == 200
        second = clock.last_ms
    vault.close()
    print(json.dumps({"open_vault_ms": round((opened - start) * 1000, 1),
                      "app_start_ms": round((ready - opened) * 1000, 1),
                      "first_request_ms": round(first, 1), "second_request_ms": round(second, 1)}))


def breakdown(vault: Any) -> dict[str, float]:
    today = dt.date(2026, 1, 15)
    start = time.perf_counter()
    with vault.reading() as conn:
        members = store.members(conn)
        entries = store.entries(conn, tracked_since=today - dt.timedelta(days=730))
    read = time.perf_counter()
    build(members, entries, today, rules=budget_charts.rules(), delays=store.load_delays())
    done = time.perf_counter()
    return {"read_ms": round((read - start) * 1000, 1), "report_ms": round((done - read) * 1000, 1),
            "lines": len(entries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cold", type=Path, help=argparse.SUPPRESS)  # internal: the fresh-process measure
    parser.add_argument("--path", default="/budget", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold:
        cold_child(args.cold, args.path)
        return
    with tempfile.TemporaryDirectory(prefix="carnet-budget-bench-") as tmp:
        vault, lines = build_vault(Path(tmp), args.lines)
        result: dict[str, Any] = {"lines": lines, "years": "2016-2025", "members": len(MEMBERS)}
        result["fresh_server"] = cold(Path(tmp) / "bench.carnet", "/budget")
        clock = ServerTime(serving_app(vault))
        with TestClient(clock, base_url="http://127.0.0.1", client=("127.0.0.1", 50000)) as client:
            for name, path in (("household_page", "/budget"), ("household_page_2019", "/budget?year=2019"),
                               ("person_page", "/budget/people/1"), ("csv_export_all", "/budget/export.csv"),
                               ("line_explanation", "/budget/lines/1")):
                result[name] = timed(client, clock, path, args.repeat)
        result["household_breakdown"] = breakdown(vault)
        vault.close()
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for key, value in result.items():
            print(f"{key:22} {value}")


if __name__ == "__main__":
    main()
