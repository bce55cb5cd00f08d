"""The emergency store side on PostgreSQL (hosted mode): profile, overrides, links and the failure counter."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from carnet.emergency import load_profile
from carnet.emergency.access import access_log
from carnet.emergency.entered import save_entered
from carnet.emergency.links import MAX_FAILURES, Outcome, answer, get_link
from carnet.emergency.records import set_override
from carnet.emergency.sharing import share_summary
from carnet.services.emergency import Contact, Section, State
from carnet.store import create_vault

from .emergency_helpers import PASSCODE, TODAY, household_records, seed

pytestmark = pytest.mark.postgres


def test_profile_links_and_parallel_guesses_on_postgresql(pg_url: str) -> None:
    now = dt.datetime.now(dt.UTC)
    with create_vault(pg_url) as vault:
        seed(vault, household_records())
        with vault.writing() as conn:
            save_entered(conn, 1, contacts=[Contact("Paul", "06")], notes="Lentilles")
            set_override(conn, 2, State.HIDDEN)
        profile = load_profile(vault, 1, TODAY)
        assert [i.label for i in profile.hidden] == ["Arachide"] and profile.entered.notes == "Lentilles"
        assert [i.label for i in profile.section(Section.MEDICATIONS)] == ["Metformine 1000 mg"]
        created = share_summary(vault, 1, now=now, base_url="https://carnet.example", label="PG",
                                expires_at=now + dt.timedelta(days=1), passcode=PASSCODE)  # fmt: skip
        link_id = created.payload.url.rsplit("/", 1)[1]
        ok = answer(vault, link_id, "SAMU", now, passcode=PASSCODE, action="shl-manifest")
        assert ok.outcome is Outcome.ALLOWED and ok.jwe and ok.jwe.count(".") == 4
        start = threading.Barrier(30)

        def guess(i: int) -> Outcome:
            start.wait()
            return answer(vault, link_id, f"guess {i}", now, passcode=f"x{i}", action="shl-manifest").outcome

        with ThreadPoolExecutor(max_workers=30) as pool:
            outcomes = list(pool.map(guess, range(30)))
        assert outcomes.count(Outcome.WRONG_PASSCODE) == MAX_FAILURES
        assert set(outcomes) == {Outcome.WRONG_PASSCODE, Outcome.DISABLED}
        with vault.reading() as conn:
            assert get_link(conn, link_id).failures == MAX_FAILURES
            assert len(access_log(conn, 1, limit=None)) == 31
        assert answer(vault, link_id, "SAMU", now, passcode=PASSCODE, action="shl-manifest").outcome is Outcome.DISABLED
