"""bench/restitution — `carnet restitute` on 1 M and 10 M claim lines (DuckDB), Spark on 1 M.

Reports, on the same input:
- Carnet (DuckDB engine): claim lines/s end to end (validation, packages, shards,
  index) and peak RSS; output size;
- the limit: DuckDB merely scanning ER_PRS_F and writing it as NDJSON, zstd
  compressed like the shards (and uncompressed: the faster one counts);
- the naive peer: the straightforward pandas version (``naive.py``);
- Carnet on Spark (``local[2]``).

The input is written by the synthetic population generator
(``carnet.restitution.synth.synthesize``, about 73 claim lines per member over
2023-2026) when it is installed, else by ``bulk.py`` (twenty lines per member);
``--generator`` forces one. Inputs are kept in ``--data`` for the next runs.
Each measure runs in its own subprocess, so that its peak memory is its own.

Usage: .venv/bin/python bench/restitution/run.py [--lines 1000000 10000000]
       [--pandas 1000000] [--spark 1000000] [--data /tmp/carnet-bench-restitution]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LINES_PER_MEMBER = 73  # the synth's average over its default four years


def _generator(choice: str) -> str:
    if choice != "auto":
        return choice
    try:
        from carnet.restitution.synth import synthesize  # noqa: F401
    except ImportError:
        return "bulk"
    return "synth"


def prepare(data: Path, lines: int, generator: str) -> Path:
    """The input folder for about ``lines`` claim lines, generated once."""
    folder = data / f"{generator}-{lines}"
    if (folder / "done").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    if generator == "synth":
        from carnet.restitution.synth import synthesize

        synthesize(max(1, round(lines / LINES_PER_MEMBER)), 2026, folder)
    else:
        sys.path.insert(0, str(HERE))
        from bulk import generate

        generate(folder, lines)
    (folder / "done").write_text(f"{time.perf_counter() - start:.1f} s\n")
    return folder


def _prs(source: Path) -> str:
    single = source / "ER_PRS_F.parquet"
    return str(single) if single.exists() else str(source / "ER_PRS_F" / "*.parquet")


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its reaped children (Spark's JVM)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure_scan(source: Path, out: Path) -> dict[str, float]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{_prs(source)}')").fetchall()[0][0]
    best: dict[str, float] = {}
    for suffix, options in (("ndjson.zst", "FORMAT json, COMPRESSION zstd"), ("ndjson", "FORMAT json")):
        target = out / f"ER_PRS_F.{suffix}"
        start, cpu = time.perf_counter(), _cpu()
        con.execute(f"COPY (SELECT * FROM read_parquet('{_prs(source)}')) TO '{target}' ({options})")
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        if not best or seconds < best["seconds"]:
            best = {
                "lines": rows,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "output_bytes": target.stat().st_size,
                "variant": suffix,
            }  # type: ignore[dict-item]
        target.unlink()
    return best


def measure_carnet(source: Path, out: Path, engine: str = "duckdb") -> dict[str, float]:
    from carnet.restitution.pipeline import restitute

    start, cpu = time.perf_counter(), _cpu()
    report = restitute(source, out / "packages", engine=engine)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    slowest = sorted(report.seconds.items(), key=lambda kv: -kv[1])[:4]
    return {
        "lines": report.claim_lines,
        "restituted": report.lines,
        "members": report.members,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "output_bytes": report.output_bytes,
        "problems": report.problem_count,
        "shards": report.shards,
        "steps": dict(slowest),
    }  # type: ignore[dict-item]


def measure_pandas(source: Path, out: Path) -> dict[str, float]:
    sys.path.insert(0, str(HERE))
    from naive import run

    start, cpu = time.perf_counter(), _cpu()
    lines = run(source, out / "naive")
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    size = sum(p.stat().st_size for p in (out / "naive").iterdir())
    return {"lines": lines, "seconds": seconds, "cpu_seconds": cpu, "output_bytes": size}


def measure_spark(source: Path, out: Path) -> dict[str, float]:
    from pyspark import SparkContext

    from carnet.restitution.spark_engine import session

    cpu = _cpu()
    spark = session("local[2]")
    result = measure_carnet(source, out, "spark")
    gateway = SparkContext._gateway  # the JVM: stop and reap it, so that its peak memory is counted
    spark.stop()
    gateway.shutdown()
    gateway.proc.stdin.close()
    gateway.proc.wait()
    result["cpu_seconds"] = _cpu() - cpu  # the JVM's too, its start included
    return result


MEASURES = {"scan": measure_scan, "carnet": measure_carnet, "pandas": measure_pandas, "spark": measure_spark}


def _child(name: str, source: Path, scratch: Path) -> None:
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        result = MEASURES[name](source, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Spark's JVM and workers
    result["peak_rss_mib"] = max(own, children) / 1024
    print(json.dumps(result))


def _run(name: str, source: Path, data: Path) -> dict[str, float]:
    scratch = data / f"scratch-{name}-{os.getpid()}"
    proc = subprocess.run(
        [sys.executable, __file__, "--child", name, "--source", str(source), "--scratch", str(scratch)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["rate"] = result["lines"] / result["seconds"]
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--pandas", type=int, nargs="*", default=[1_000_000], help="sizes the pandas peer runs at")
    ap.add_argument("--spark", type=int, nargs="*", default=[1_000_000], help="sizes Spark runs at")
    ap.add_argument("--data", type=Path, default=Path("/tmp/carnet-bench-restitution"))
    ap.add_argument("--generator", choices=("auto", "synth", "bulk"), default="auto")
    ap.add_argument("--child", choices=sorted(MEASURES))
    ap.add_argument("--source", type=Path)
    ap.add_argument("--scratch", type=Path)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.source, args.scratch)
        return
    generator = _generator(args.generator)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for lines in args.lines:
        source = prepare(args.data, lines, generator)
        names = ["scan", "carnet"] + ["pandas"] * (lines in args.pandas) + ["spark"] * (lines in args.spark)
        results[str(lines)] = {name: _run(name, source, args.data) for name in names}
        _print(lines, generator, results[str(lines)])
    (args.data / "results.json").write_text(json.dumps(results, indent=1))
    _summary(results)


def _print(lines: int, generator: str, rows: dict[str, dict[str, float]]) -> None:
    load = os.getloadavg()[0]
    print(f"\n~{lines:,} claim lines ({generator} input, load average {load:.1f} on {os.cpu_count()} CPUs)")
    for name, r in rows.items():
        print(
            f"  {name:7s} {r['lines']:>11,.0f} lines in {r['seconds']:7.1f} s = {r['rate']:>9,.0f} lines/s, "
            f"cpu {r['cpu_seconds']:6.1f} s, peak RSS {r['peak_rss_mib']:6.0f} MiB, "
            f"output {r['output_bytes'] / 1e6:8.1f} MB"
        )
    c = rows["carnet"]
    per_cpu = {name: r["lines"] / r["cpu_seconds"] for name, r in rows.items()}
    print(
        f"  carnet / scan-and-write: {c['rate'] / rows['scan']['rate']:.0%} (target >= 30 %); "
        f"per CPU second: {per_cpu['carnet'] / per_cpu['scan']:.0%}"
    )
    if "pandas" in rows:
        print(
            f"  carnet / pandas:         {c['rate'] / rows['pandas']['rate']:.1f}x (target >= 10x); "
            f"per CPU second: {per_cpu['carnet'] / per_cpu['pandas']:.1f}x"
        )
    print(f"  slowest steps: {c['steps']}")


def _summary(results: dict[str, dict[str, dict[str, float]]]) -> None:
    sizes = sorted(results, key=int)
    if len(sizes) > 1:
        small, large = results[sizes[0]]["carnet"], results[sizes[-1]]["carnet"]
        print(
            f"\ncost per line, {int(sizes[-1]):,} vs {int(sizes[0]):,}: "
            f"{(large['seconds'] / large['lines']) / (small['seconds'] / small['lines']):.2f}x (linear: 1.0x)"
        )
        print(f"rate at {int(sizes[-1]):,}: {large['rate']:,.0f} lines/s (target >= 250,000)")


if __name__ == "__main__":
    main()
