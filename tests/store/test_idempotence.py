"""G2: re-importing adds nothing; an overlapping newer export merges, changed content is versioned."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from carnet.ingest import ImportReport, Outcome, import_paths
from carnet.store import Vault, create_vault
from carnet.store import schema as s
from store.checks import FAST_KDF, PASSPHRASE, current_key_counts, export_digests, half_files
from store.fhirgen import Resource, bundle, observation, patient, person_files, write_json, write_ndjson


def _assert_counts_add_up(report: ImportReport) -> None:
    for f in report.files:
        c = f.counts
        assert c.read == c.added + c.duplicates + c.rejected, f.name


def _stored_counts(vault: Vault) -> tuple[int, int, int]:
    """(all record rows, current rows, import rows)."""
    with vault.reading() as conn:
        rows = conn.execute(select(func.count()).select_from(s.records)).scalar_one()
        current, keys = current_key_counts(conn)
        imports = conn.execute(select(func.count()).select_from(s.imports)).scalar_one()
        assert current == keys
        assert half_files(conn) == []
    return rows, current, imports


def test_same_files_three_times_in_shuffled_order(vault: Vault, tmp_path: Path) -> None:
    paths = person_files(tmp_path / "in", 6, 20, seed=2)
    first = import_paths(vault, paths)
    _assert_counts_add_up(first)
    assert first.total("added") == 6 * 21
    after_first = _stored_counts(vault)
    before = export_digests(vault, tmp_path / "e0")
    rng = random.Random(2)
    for round_ in (1, 2):
        again = import_paths(vault, rng.sample(paths, len(paths)))
        assert {f.outcome for f in again.files} == {Outcome.ALREADY}
        assert again.total("added") == 0
        assert _stored_counts(vault) == after_first
        assert export_digests(vault, tmp_path / f"e{round_}") == before


def test_same_resources_in_new_files_are_duplicates(vault: Vault, tmp_path: Path) -> None:
    """Same content, different bytes (NDJSON instead of a bundle, other key order): nothing added."""
    pat = patient("p1")
    obs = [observation(f"o{i}", pat, 70 + i, day=i) for i in range(5)]
    write_json(tmp_path / "a.json", bundle([pat, *obs]))
    reordered = [dict(reversed(list(r.items()))) for r in [pat, *obs]]
    write_ndjson(tmp_path / "b.ndjson", reordered)
    write_json(tmp_path / "c.json", bundle(list(reversed([pat, *obs])), bundle_type="searchset"))
    first = import_paths(vault, [tmp_path / "a.json"])
    assert first.total("added") == 6
    after = _stored_counts(vault)
    for name in ("b.ndjson", "c.json", "b.ndjson"):
        report = import_paths(vault, [tmp_path / name])
        _assert_counts_add_up(report)
        assert report.total("added") == 0
        assert report.files[0].outcome is Outcome.ALREADY or report.total("duplicates") == 6
    rows, current, imports = _stored_counts(vault)
    assert (rows, current) == after[:2]
    assert imports == 3  # a.json, b.ndjson, c.json; the second b.ndjson is skipped by its hash


def _versions(vault: Vault, key: str) -> list[tuple[int, bool, str]]:
    r = s.records.c
    with vault.reading() as conn:
        q = select(r.version, r.current, r.resource).where(r.natural_key == key).order_by(r.version)
        return [(int(v), bool(c), str(res)) for v, c, res in conn.execute(q)]


def test_overlapping_exports_merge_and_version_changes(vault: Vault, tmp_path: Path) -> None:
    pat = patient("p1")
    a, b, c, d = (observation(f"o{x}", pat, 60 + i, day=i) for i, x in enumerate("abcd"))
    c_new = c | {"valueQuantity": c["valueQuantity"] | {"value": 99}, "status": "amended"}
    write_json(tmp_path / "old.json", bundle([pat, a, b, c]))
    write_json(tmp_path / "new.json", bundle([pat, b, c_new, d]))
    old = import_paths(vault, [tmp_path / "old.json"])
    new = import_paths(vault, [tmp_path / "new.json"])
    for report in (old, new):
        _assert_counts_add_up(report)
    assert (old.total("read"), old.total("added"), old.total("duplicates")) == (4, 4, 0)
    assert (new.total("read"), new.total("added"), new.total("duplicates")) == (4, 2, 2)  # C changed, D new
    rows, current, _ = _stored_counts(vault)
    assert (rows, current) == (6, 5)  # P, A, B, C, C', D; one current per natural key
    versions = _versions(vault, "Observation/oc")
    assert [(v, cur) for v, cur, _ in versions] == [(1, False), (2, True)]
    assert json.loads(versions[1][2])["valueQuantity"]["value"] == 99
    assert json.loads(versions[0][2])["valueQuantity"]["value"] == 62
    with vault.reading() as conn:
        keys = conn.execute(select(s.records.c.natural_key).where(s.records.c.current.is_(True))).scalars().all()
    assert sorted(keys) == ["Observation/oa", "Observation/ob", "Observation/oc", "Observation/od", "Patient/p1"]
    # The older export again: nothing new, and the newer C stays current.
    write_json(tmp_path / "old-again.json", bundle([c, b, a, pat]))
    again = import_paths(vault, [tmp_path / "old-again.json"])
    assert (again.total("added"), again.total("duplicates")) == (0, 4)
    assert [(v, cur) for v, cur, _ in _versions(vault, "Observation/oc")] == [(1, False), (2, True)]


# --- the same, generated: overlapping files imported in any order ----------------------------------

VARIANTS = 3
file_plans = st.lists(
    st.dictionaries(st.integers(0, 7), st.integers(0, VARIANTS - 1), min_size=1, max_size=6),
    min_size=1, max_size=5,
)


def _variant(pat: Resource, key: int, variant: int) -> Resource:
    return observation(f"g{key}", pat, 50 + 10 * variant, day=key)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=file_plans, order=st.randoms(use_true_random=False))
def test_generated_overlaps_in_any_order(
    tmp_path_factory: pytest.TempPathFactory, plans: list[dict[int, int]], order: random.Random
) -> None:
    """Files are sets of (observation, content variant); each is imported once, twice, in a random order.

    Model: a natural key's current content is the last *new* content seen for it;
    content seen before (in any version) is a duplicate.
    """
    tmp = tmp_path_factory.mktemp("g")
    pat = patient("p1")
    paths = [write_json(tmp / f"f{i}.json", bundle([pat, *(_variant(pat, k, v) for k, v in plan.items())]))
             for i, plan in enumerate(plans)]
    sequence = paths + paths
    order.shuffle(sequence)
    with create_vault(str(tmp / "v.carnet"), PASSPHRASE, kdf=FAST_KDF) as v:
        seen: dict[int, set[int]] = {}
        current: dict[int, int] = {}
        for path in sequence:
            report = import_paths(v, [path])
            _assert_counts_add_up(report)
            if report.files[0].outcome is Outcome.ALREADY:
                continue
            plan = plans[paths.index(path)]
            expected_added = 0
            for key, variant in plan.items():
                if variant not in seen.setdefault(key, set()):
                    seen[key].add(variant)
                    current[key] = variant
                    expected_added += 1
            assert report.total("added") == expected_added + (1 if path == sequence[0] else 0)
        rows, n_current, imports = _stored_counts(v)
        assert imports == len({p.read_bytes() for p in paths})  # identical files are skipped by their hash
        assert rows == 1 + sum(len(variants) for variants in seen.values())
        assert n_current == 1 + len(current)
        r = s.records.c
        with v.reading() as conn:
            q = select(r.natural_key, r.resource).where(r.current.is_(True), r.resource_type == "Observation")
            got = {str(k): json.loads(res)["valueQuantity"]["value"] for k, res in conn.execute(q)}
    assert got == {f"Observation/g{k}": 50 + 10 * variant for k, variant in current.items()}
