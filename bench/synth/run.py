"""bench/synth — time ``carnet synth`` at 10,000 and 100,000 members; 1,000,000 with --full.

Each size runs in its own subprocess (so its peak memory is its own) and
writes to a temporary folder, deleted afterwards unless --keep is given.
Prints one JSON object per size: members, workers, seconds, members/s,
claim lines, lines per member, output bytes, peak RSS (MiB) of the parent
and of the largest worker. Without --full the 1 M time is extrapolated from
the 100 k rate (the engine memo warms up once per worker, so the rate only
improves with size).

Usage: .venv/bin/python bench/synth/run.py [--full] [--workers N] [--seed S] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SIZES = (10_000, 100_000)


def measure(members: int, seed: int, workers: int | None, out: Path) -> dict[str, float]:
    """Run one synthesis in this process (called in a subprocess)."""
    from carnet.restitution.synth import synthesize

    report = synthesize(members, seed, out, workers=workers)
    size = sum(f.stat().st_size for f in out.rglob("*.parquet"))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "members": members, "workers": workers or 0, "seconds": round(report.seconds, 1),
        "members_per_s": round(members / report.seconds), "lines": report.lines,
        "lines_per_member": round(report.lines / members, 1), "bytes": size,
        "peak_rss_mib_parent": round(own), "peak_rss_mib_worker": round(children),
    }


def _child(members: int, seed: int, workers: int | None, keep: Path | None) -> dict[str, float]:
    out = (keep / f"synth-{members}") if keep else Path(tempfile.mkdtemp(prefix="synth-"))
    shutil.rmtree(out, ignore_errors=True)
    here = str(Path(__file__).parent)
    code = (f"import json, sys; from pathlib import Path; sys.path.insert(0, {here!r}); "
            f"from run import measure; "
            f"print(json.dumps(measure({members}, {seed}, {workers!r}, Path({str(out)!r}))))")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, cwd=REPO)
    if keep is None:
        shutil.rmtree(out, ignore_errors=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also measure 1,000,000 members")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="keep outputs under this folder")
    args = parser.parse_args()
    results = [_child(n, args.seed, args.workers, args.keep) for n in SIZES]
    for result in results:
        print(json.dumps(result))
    rate = results[-1]["members_per_s"]
    print(json.dumps({"members": 1_000_000, "extrapolated_seconds": round(1_000_000 / rate),
                      "members_for_10M_lines": round(10_000_000 / results[-1]["lines_per_member"]),
                      "members_for_1M_lines": round(1_000_000 / results[-1]["lines_per_member"])}))
    if args.full:
        print(json.dumps(_child(1_000_000, args.seed, args.workers, args.keep)))


if __name__ == "__main__":
    main()
