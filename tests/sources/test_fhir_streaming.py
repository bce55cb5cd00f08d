"""NDJSON is streamed: records are read while the store writes them.

What must not change with it: an unreadable line still refuses the whole file
(nothing of it stays in the vault, the other files of the run land), a record
still finds a Patient written further down its file, and for every file
``read = added + duplicates + rejected``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from carnet import ingest
from carnet.errors import RejectedFile
from carnet.ingest import Outcome, import_paths
from carnet.model import Severity
from carnet.sources.base import InputFile
from carnet.sources.fhir import FhirImporter
from carnet.store import Vault
from carnet.store import schema as s
from carnet.store.writer import BATCH

from .fhirdata import bundle, ndjson, observation, patient, read_all


def lines(resources: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in resources)


def obs_of(pid: str, count: int, prefix: str = "o") -> list[dict[str, Any]]:
    return [observation(f"{prefix}{i}", subject=f"Patient/{pid}") for i in range(count)]


def test_ndjson_records_are_read_only_when_iterated() -> None:
    data = lines([patient("p1"), *obs_of("p1", 3)]) + b'{"resourceType": "Observation",\n'
    ex = FhirImporter().extract(InputFile("Observation.ndjson", data))
    # nothing parsed yet but the persons; the bad last line is not seen yet
    assert not isinstance(ex.records, list)
    assert [p.natural_key for p in ex.persons] == ["Patient/p1"]
    assert ex.read == 0 and ex.problems == []
    records = iter(ex.records)
    assert next(records).natural_key == "Patient/p1"
    assert ex.read == 1
    assert [r.natural_key for r in (next(records), next(records), next(records))] == ["Observation/o0",
                                                                                       "Observation/o1",
                                                                                       "Observation/o2"]
    with pytest.raises(RejectedFile) as err:
        next(records)
    assert err.value.file == "Observation.ndjson"
    assert err.value.position.startswith("line 5, column")
    assert "invalid JSON" in err.value.reason


def test_problems_and_read_are_complete_once_records_are_read() -> None:
    items = [patient("p1"), observation("o1", subject="Patient/p1", effectiveDateTime="soon"), [1], {"no": "type"}]
    ex = FhirImporter().extract(ndjson(items))
    assert ex.read == 0 and ex.problems == []
    read_all(ex)
    assert ex.read == 4 == len(list(ex.records)) + 2
    assert [(p.position, p.severity) for p in ex.problems] == [
        ("line 2 /effectiveDateTime", Severity.WARNING),
        ("line 3", Severity.REJECTED),
        ("line 4", Severity.REJECTED),
    ]


def test_patient_warnings_are_given_once() -> None:
    ex = read_all(FhirImporter().extract(ndjson([patient("p1", birthDate="soon")])))
    assert [p.position for p in ex.problems] == ["line 1 /birthDate"]
    assert ex.persons[0].birth_date is None


def test_a_patient_further_down_the_file_is_found(vault: Vault) -> None:
    """Persons are found before the records are read, as when the whole file was read first."""
    data = lines([*obs_of("p1", 3), patient("p1")])
    report = ingest.import_inputs(vault, [InputFile("mixed.ndjson", data)])
    (result,) = report.files
    assert result.outcome is Outcome.IMPORTED
    assert (result.counts.read, result.counts.added, result.counts.rejected) == (4, 4, 0)
    assert result.counts.persons_added == 1


def test_a_person_found_while_reading_is_stored_before_its_records(vault: Vault) -> None:
    """A contained Patient, or a Patient inside a Bundle line, appears only when its line is read."""
    contained = observation("c1", subject="#pat", contained=[{**patient("x"), "id": "pat"}])
    in_bundle = bundle("collection", [patient("p2"), observation("b1", subject="Patient/p2")])
    data = lines([contained, in_bundle, observation("late", subject="Patient/p2")])
    report = ingest.import_inputs(vault, [InputFile("Observation.ndjson", data)])
    (result,) = report.files
    assert result.outcome is Outcome.IMPORTED, result.problems
    assert (result.counts.read, result.counts.added, result.counts.rejected) == (4, 4, 0)
    with vault.reading() as conn:
        assert conn.execute(select(func.count()).select_from(s.persons)).scalar_one() == 2


def test_read_adds_up_with_rejected_items_unresolved_references_and_duplicates(vault: Vault) -> None:
    first = lines([patient("p1"), *obs_of("p1", 2), [1], observation("lost", subject="Patient/nobody")])
    again = lines([*obs_of("p1", 2), observation("new", subject="Patient/p1")])
    report = ingest.import_inputs(vault, [InputFile("a.ndjson", first), InputFile("b.ndjson", again)])
    a, b = (f.counts for f in report.files)
    assert (a.read, a.added, a.duplicates, a.rejected) == (5, 3, 0, 2)
    assert (b.read, b.added, b.duplicates, b.rejected) == (3, 1, 2, 0)
    assert "unresolved reference Patient/nobody" in [p.reason for p in report.files[0].problems]


@pytest.mark.parametrize(("bad", "where", "reason"), [
    (b'{"resourceType": "Observation", "id": "x",\n', "line {n}, column", "invalid JSON"),
    (orjson.dumps({"resourceType": "Encounter", "id": "e", "actualPeriod": {"start": "2024"}}) + b"\n",
     "line {n}", "exists in R5 only"),
])
def test_a_bad_line_late_in_a_file_rejects_the_whole_file_and_the_others_land(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: bytes, where: str, reason: str
) -> None:
    # One group for the whole run: the bad file shares its transaction with the others.
    monkeypatch.setattr(ingest, "GROUP_SECONDS", 3600.0)
    count = 2 * BATCH + 500  # two batches were written inside the savepoint before the bad line
    good_before = tmp_path / "a.ndjson"
    good_before.write_bytes(lines([patient("pa"), *obs_of("pa", 10, "a")]))
    broken = tmp_path / "b.ndjson"
    broken_data = lines([patient("pb"), *obs_of("pb", count, "b")]) + bad
    broken.write_bytes(broken_data)
    good_after = tmp_path / "c.json"
    good_after.write_bytes(orjson.dumps(bundle("collection", [patient("pc"), observation("c0", subject="Patient/pc")])))

    report = import_paths(vault, [good_before, broken, good_after])

    outcomes = {Path(f.name).name: f.outcome for f in report.files}
    assert outcomes == {"a.ndjson": Outcome.IMPORTED, "b.ndjson": Outcome.REJECTED, "c.json": Outcome.IMPORTED}
    (problem,) = report.files[1].problems
    assert problem.file == str(broken)
    assert problem.position.startswith(where.format(n=count + 2))
    assert reason in problem.reason
    sha = hashlib.sha256(broken_data).hexdigest()
    with vault.reading() as conn:
        def rows(table: Any, *where: Any) -> int:
            return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

        assert rows(s.records, s.records.c.file_sha256 == sha) == 0
        assert rows(s.imports, s.imports.c.file_sha256 == sha) == 0
        assert rows(s.archive, s.archive.c.sha256 == sha) == 0
        assert rows(s.archive_chunks, s.archive_chunks.c.sha256 == sha) == 0
        assert rows(s.persons, s.persons.c.natural_key == "Patient/pb") == 0
        assert rows(s.records) == 11 + 2
        assert rows(s.imports) == 2
        keys = set(conn.execute(select(s.persons.c.natural_key)).scalars())
    assert keys == {"Patient/pa", "Patient/pc"}
    # the file can be imported once repaired
    broken.write_bytes(broken_data[: -len(bad)])
    (fixed,) = import_paths(vault, [broken]).files
    assert fixed.outcome is Outcome.IMPORTED and fixed.counts.added == count + 1
