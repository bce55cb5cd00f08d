"""US claims (Synthea, CMS Blue Button samples from ../shared/data): dollars, apart, explained by their amounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carnet.ingest import import_paths
from carnet.services.budget import By, summarize
from carnet.store import Vault
from carnet.store import budget as store
from carnet.web import create_app
from live_server import LOCAL_CLIENT

pytestmark = pytest.mark.shared_data


def test_synthea_and_blue_button_claims_in_dollars(vault: Vault, shared_data: Path) -> None:
    synthea = sorted((shared_data / "synthea_r4").glob("*.json"), key=lambda p: p.stat().st_size)[:1]
    blue_button = [shared_data / "cms_bluebutton" / "bb2_web_server_v2" / name
                   for name in ("patient_read_v2.json", "eob_search_v2.json")]
    if not synthea or not all(p.is_file() for p in blue_button):
        pytest.skip("Synthea or Blue Button samples missing")
    import_paths(vault, [*synthea, *blue_button])
    with vault.reading() as conn:
        entries = store.entries(conn)
    assert entries and {e.currency for e in entries} == {"USD"}
    totals = summarize(entries, By.YEAR).totals
    assert [t.currency for t in totals] == ["USD"] and totals[0].lines == len(entries)
    assert "pharmacy" in {e.category for e in entries}  # Blue Button Part D events
    with TestClient(create_app(vault), base_url="http://127.0.0.1", client=LOCAL_CLIENT) as client:
        page = client.get("/budget")
        assert page.status_code == 200 and "(USD)" in page.text and "(EUR)" not in page.text
        line = client.get(f"/budget/lines/{entries[-1].id}", headers={"accept-language": "en"})
        assert line.status_code == 200 and "Only the line&#39;s amounts are known" in line.text
