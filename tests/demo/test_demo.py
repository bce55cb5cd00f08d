"""The README's main job: a demo family built from synthetic claims and clinical exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from carnet.demo.build import build_demo
from carnet.store import reader
from carnet.store import schema as s


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "household.carnet"
    build_demo(path, "demo passphrase").close()
    return path


def test_demo_family_with_relationships(demo_vault: Path) -> None:
    from carnet.store import open_vault

    with open_vault(str(demo_vault), "demo passphrase") as v, v.reading() as conn:
        people = reader.persons(conn)
        kinds = reader.counts_by_kind(conn)
    assert len(people) == 4
    assert sorted(p.relationship or "" for p in people) == ["child", "child", "self", "spouse"]
    for kind in ("claim", "medication_dispense", "allergy", "observation", "demographics", "coverage"):
        assert kinds.get(kind, 0) > 0, f"no {kind} in the demo vault"


def test_demo_claim_lines_add_up_in_euros(demo_vault: Path) -> None:
    from carnet.store import open_vault

    c = s.claim_lines.c
    with open_vault(str(demo_vault), "demo passphrase") as v, v.reading() as conn:
        rows = conn.execute(
            select(c.currency, c.charged, c.paid_primary, c.paid_complementary, c.patient_share, c.fixed_charges)
        ).all()
    assert len(rows) > 50
    for currency, charged, amo, amc, share, fixed in rows:
        assert currency == "EUR"
        assert charged == (amo or 0) + (amc or 0) + (share or 0)
        assert (fixed or 0) <= (share or 0)


def test_demo_is_idempotent(demo_vault: Path) -> None:
    from carnet.store import open_vault

    with open_vault(str(demo_vault), "demo passphrase") as v, v.reading() as conn:
        before = conn.execute(select(func.count()).select_from(s.records)).scalar_one()
    build_demo(demo_vault, "demo passphrase").close()
    with open_vault(str(demo_vault), "demo passphrase") as v, v.reading() as conn:
        after = conn.execute(select(func.count()).select_from(s.records)).scalar_one()
    assert after == before
