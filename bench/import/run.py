"""bench/import — import all of ../shared/data/synthea_r4 into a fresh encrypted vault.

Reports, on the same bytes:
- Carnet: resources/s end to end (read, identify, extract, dedup, store with
  one savepoint per file in durable group commits, archive the originals) and
  peak RSS of that process (a forked extraction worker, when used, has its own);
- the limit: bare ``orjson.loads`` of the files (resources/s);
- the usual Python way: parsing every resource with ``fhir.resources`` (R4B models);
- Carnet's store step alone, the files already extracted: the import's floor.

Usage: .venv/bin/python bench/import/run.py [--data ../shared/data/synthea_r4] [--repeat 3]
Each measure runs in its own subprocess so that peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "synthea_r4"


def _files(data: Path) -> list[Path]:
    return sorted(p for p in data.glob("*.json"))


def _count(data: Path) -> int:
    import orjson

    return sum(len(orjson.loads(p.read_bytes()).get("entry", [])) for p in _files(data))


def measure_orjson(data: Path) -> dict[str, float]:
    import orjson

    blobs = [p.read_bytes() for p in _files(data)]
    start = time.perf_counter()
    n = sum(len(orjson.loads(b).get("entry", [])) for b in blobs)
    return {"resources": n, "seconds": time.perf_counter() - start}


def measure_fhir_resources(data: Path) -> dict[str, float]:
    import orjson
    from fhir.resources.R4B import get_fhir_model_class

    blobs = [p.read_bytes() for p in _files(data)]
    start = time.perf_counter()
    n = failed = 0
    for blob in blobs:
        for entry in orjson.loads(blob).get("entry", []):
            res = entry["resource"]
            try:
                get_fhir_model_class(res["resourceType"]).model_validate(res)
            except Exception:
                failed += 1
            n += 1
    return {"resources": n, "failed": failed, "seconds": time.perf_counter() - start}


def measure_carnet(data: Path) -> dict[str, float]:
    from carnet.ingest import import_paths
    from carnet.store import create_vault

    with tempfile.TemporaryDirectory() as tmp:
        vault = create_vault(str(Path(tmp) / "bench.carnet"), "bench passphrase")
        start = time.perf_counter()
        report = import_paths(vault, _files(data))
        seconds = time.perf_counter() - start
        vault.close()
        size = (Path(tmp) / "bench.carnet").stat().st_size
    return {
        "resources": report.total("read"),
        "added": report.total("added"),
        "rejected": report.total("rejected"),
        "seconds": seconds,
        "vault_bytes": size,
    }


def measure_store_only(data: Path) -> dict[str, float]:
    """Carnet's store step alone: every file already read, extracted and prepared (untimed),
    then written into a fresh encrypted vault as the import writes them (a savepoint per
    file, archive, persons, records, claim lines, problems) and committed durably.
    This is the part of the import that only the vault's one writer can do: a floor
    for the whole import's time, however fast the extraction becomes."""
    from carnet.collector import collector_paused
    from carnet.errors import RejectedFile
    from carnet.ingest import read_inputs
    from carnet.ingest_pool import extract
    from carnet.sources.registry import default_registry
    from carnet.store import create_vault
    from carnet.store.rows import FileRef
    from carnet.store.writer import write_extracted

    registry = default_registry()
    work = []
    for item in (item for path in _files(data) for item in read_inputs(path)):
        assert not isinstance(item, RejectedFile), item
        got = extract(item, registry)
        assert not isinstance(got, RejectedFile), got
        work.append((FileRef(item.name, item.sha256), *got))
    with tempfile.TemporaryDirectory() as tmp:
        vault = create_vault(str(Path(tmp) / "bench.carnet"), "bench passphrase")
        start = time.perf_counter()
        added = 0
        with collector_paused(), vault.writing() as conn:  # as the import's writer runs
            for ref, name, extracted, prepared in work:
                with conn.begin_nested():
                    added += write_extracted(conn, ref, name, extracted, prepared).added
        seconds = time.perf_counter() - start
        vault.close()
    return {"resources": sum(e.read for _, _, e, _ in work), "added": added, "seconds": seconds}


MEASURES = {
    "orjson": measure_orjson,
    "fhir_resources": measure_fhir_resources,
    "carnet": measure_carnet,
    "store_only": measure_store_only,
}


def _peak_kib() -> int:
    """This process image's peak RSS (VmHWM); ru_maxrss would include the parent's size at fork."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(name: str, data: Path) -> None:
    result = MEASURES[name](data)
    result["peak_rss_mib"] = _peak_kib() / 1024
    # A forked extraction worker (Carnet) counts too: its peak, shared pages included.
    result["worker_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", choices=sorted(MEASURES))
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.data)
        return
    if not args.data.is_dir():
        sys.exit(f"no sample data at {args.data}")
    rows = {}
    for name in ("orjson", "fhir_resources", "carnet", "store_only"):
        runs = []
        for _ in range(args.repeat):
            proc = subprocess.run(
                [sys.executable, __file__, "--child", name, "--data", str(args.data)],
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        best = min(runs, key=lambda r: r["seconds"])
        best["rate"] = best["resources"] / best["seconds"]
        rows[name] = best
    c, o, f, w = rows["carnet"], rows["orjson"], rows["fhir_resources"], rows["store_only"]
    print(f"files: {len(_files(args.data))}, resources: {_count(args.data)}")
    for name, r in rows.items():
        vault = f", vault {r['vault_bytes'] / 1e6:.1f} MB" if "vault_bytes" in r else ""
        if r.get("worker_peak_rss_mib"):
            vault += f", worker peak RSS {r['worker_peak_rss_mib']:.0f} MiB"
        print(
            f"{name:15s} {r['resources']:>7.0f} resources in {r['seconds']:.3f} s = {r['rate']:>10,.0f}/s, "
            f"peak RSS {r['peak_rss_mib']:.0f} MiB{vault}"
        )
    print(f"carnet / bare orjson:    {c['rate'] / o['rate']:.1%}  (target >= 25 %)")
    print(f"carnet / fhir.resources: {c['rate'] / f['rate']:.1f}x  (target >= 10x)")
    print(f"carnet rate:             {c['rate']:,.0f}/s (target >= 25,000/s)")
    print(
        f"store step alone: {w['seconds']:.3f} s, so at best {w['rate']:,.0f}/s = {w['rate'] / o['rate']:.1%} of bare "
        f"orjson, {w['rate'] / f['rate']:.1f}x fhir.resources, even with extraction free"
    )


if __name__ == "__main__":
    main()
