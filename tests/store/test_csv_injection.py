"""G11: the CSV export is safe against formula injection and reads back to the originals."""

from __future__ import annotations

import csv
import io
import itertools
import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carnet.export import export_csv
from carnet.export.csvsafe import TRIGGERS, safe_cell, unsafe_cell
from carnet.model import Code, Extracted, Kind, Person, Provenance, Record
from carnet.sources.base import InputFile
from carnet.store import Vault
from carnet.store.writer import write_extracted

#: What makes a spreadsheet cell dangerous or a CSV line hard: triggers, quotes, separators, line ends.
HOSTILE = (*TRIGGERS, "'", '"', ",", ";", "\n", "\r\n", " ", "''", "'=")
hostile_text = st.one_of(
    st.text(),
    st.builds(lambda a, b, c: a + b + c, st.sampled_from(HOSTILE), st.sampled_from(HOSTILE), st.text(max_size=8)),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), st.text(alphabet="=+-@'\"\t\r\n\0,;x", max_size=6)),
)
_examples = itertools.count()


def _round_trip(rows: list[list[str]]) -> list[list[str]]:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows([safe_cell(v) for v in row] for row in rows)
    return list(csv.reader(io.StringIO(buf.getvalue(), newline="")))


def _assert_safe(cells: list[list[str]]) -> None:
    for row in cells:
        for cell in row:
            assert not cell.startswith(TRIGGERS), cell


@settings(max_examples=800, deadline=None)
@given(st.lists(st.lists(hostile_text, min_size=1, max_size=4), min_size=1, max_size=5))
def test_cells_never_start_with_a_trigger_and_read_back(rows: list[list[str]]) -> None:
    back = _round_trip(rows)
    _assert_safe(back)
    assert [[unsafe_cell(c) for c in row] for row in back] == rows


def _write(vault: Vault, tag: str, people: list[tuple[str, str]], texts: list[tuple[str, str, str]]) -> None:
    """Persons and observations written straight through the store writer (no importer needed)."""
    data = f"csv-injection {tag}".encode()
    file = InputFile(f"{tag}.json", data)
    prov = Provenance("test", file.sha256, "/")
    persons = [Person(f"Patient/{tag}-{i}", given, family) for i, (given, family) in enumerate(people)]
    records = [
        Record(
            Kind.OBSERVATION,
            f"Observation/{tag}-{i}",
            persons[i % len(persons)].natural_key,
            prov,
            resource_type="Observation",
            code=Code("urn:test", code, display),
            value_text=value,
        )
        for i, (code, display, value) in enumerate(texts)
    ]
    with vault.writing() as conn:
        counts = write_extracted(conn, file, "test", Extracted(persons=persons, records=records))
    assert counts.added == len(records)


def _read_back(out: Path, name: str, key_prefix: str) -> list[dict[str, str]]:
    with (out / name).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    _assert_safe(rows)
    header = rows[0]
    return [
        {k: unsafe_cell(v) for k, v in zip(header, row, strict=True)}
        for row in rows[1:]
        if unsafe_cell(row[0]).startswith(key_prefix)
    ]


def _check_export(
    vault: Vault, out: Path, tag: str, people: list[tuple[str, str]], texts: list[tuple[str, str, str]]
) -> None:
    export_csv(vault, out)
    got_people = _read_back(out, "persons.csv", f"Patient/{tag}-")
    assert sorted((p["natural_key"], p["given"], p["family"]) for p in got_people) == sorted(
        (f"Patient/{tag}-{i}", g, f) for i, (g, f) in enumerate(people)
    )
    got = _read_back(out, "records.csv", f"Observation/{tag}-")
    assert sorted((r["natural_key"], r["code"], r["display"], r["value_text"]) for r in got) == sorted(
        (f"Observation/{tag}-{i}", *t) for i, t in enumerate(texts)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=st.lists(st.tuples(hostile_text, hostile_text), min_size=1, max_size=3),
    texts=st.lists(st.tuples(hostile_text, hostile_text, hostile_text), min_size=1, max_size=12),
)
def test_export_csv_of_hostile_values(vault: Vault, tmp_path: Path, people: list[tuple[str, str]],
                                      texts: list[tuple[str, str, str]]) -> None:
    tag = f"h{next(_examples)}"
    _write(vault, tag, people, texts)
    _check_export(vault, tmp_path / tag, tag, people, texts)



def test_export_csv_of_ten_thousand_hostile_records(vault: Vault, tmp_path: Path) -> None:
    rng = random.Random(11)

    def value() -> str:
        head = "".join(rng.choice(HOSTILE) for _ in range(rng.randrange(1, 4)))
        return head + rng.choice(("", "1+1", "cmd|' /C calc'!A0", "HYPERLINK(\"http://x\")"))

    people = [(value(), value()) for _ in range(20)]
    texts = [(value(), value(), value()) for _ in range(10_000)]
    _write(vault, "bulk", people, texts)
    _check_export(vault, tmp_path / "out", "bulk", people, texts)
