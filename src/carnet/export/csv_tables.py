"""CSV export for people: persons, records and claim lines, formula-safe."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from carnet.export.csvsafe import safe_cell
from carnet.export.destination import Destination, destination, text
from carnet.store import schema as s
from carnet.store.reader import code_point_order
from carnet.store.vault import Vault

RECORD_COLUMNS = (
    "natural_key",
    "person",
    "kind",
    "resource_type",
    "date",
    "end_date",
    "code_system",
    "code",
    "display",
    "status",
    "value_num",
    "value_unit",
    "value_text",
    "reference_range",
    "file_sha256",
    "pointer",
)
LINE_COLUMNS = (
    "claim",
    "line_no",
    "person",
    "date",
    "category",
    "provider",
    "act_system",
    "act_code",
    "act_display",
    "quantity",
    "currency",
    "charged",
    "base",
    "paid_primary",
    "paid_complementary",
    "fixed_charges",
    "overbilling",
    "patient_share",
    "primary_payer",
    "complementary_payer",
)
MONEY = {"charged", "base", "paid_primary", "paid_complementary", "fixed_charges", "overbilling", "patient_share"}


def _money(cents: object) -> str:
    if cents is None:
        return ""
    assert isinstance(cents, int)
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def export_csv(vault: Vault, out: Path | Destination) -> dict[str, int]:
    """Write ``persons.csv``, ``records.csv`` and ``claim_lines.csv`` (a folder or a zip); return row counts."""
    target = destination(out)
    counts: dict[str, int] = {}
    p, r, c = s.persons.c, s.records.c, s.claim_lines.c
    with vault.reading() as conn:
        people = {int(row.id): row.natural_key for row in conn.execute(select(p.id, p.natural_key))}
        with text(target, "persons.csv") as fh:
            w = csv.writer(fh)
            w.writerow(("natural_key", "given", "family", "birth_date", "sex", "deceased", "relationship"))
            q = select(p.natural_key, p.given, p.family, p.birth_date, p.sex, p.deceased, p.relationship)
            rows = conn.execute(q.order_by(*code_point_order(conn, p.natural_key))).all()
            w.writerows([safe_cell(v) for v in row] for row in rows)
            counts["persons"] = len(rows)
        with text(target, "records.csv") as fh:
            w = csv.writer(fh)
            w.writerow(RECORD_COLUMNS)
            cols = [getattr(r, name) for name in RECORD_COLUMNS if name != "person"]
            n = 0
            for row in conn.execute(
                select(r.person_id, *cols).where(r.current.is_(True)).order_by(*code_point_order(conn, r.natural_key))
            ):
                values = list(row[1:])
                values.insert(1, people.get(row[0]) if row[0] is not None else None)
                w.writerow([safe_cell(v) for v in values])
                n += 1
            counts["records"] = n
        with text(target, "claim_lines.csv") as fh:
            w = csv.writer(fh)
            w.writerow(LINE_COLUMNS)
            q = (
                select(r.natural_key, *[getattr(c, n) for n in LINE_COLUMNS[1:] if n != "person"], c.person_id)
                .select_from(s.claim_lines.join(s.records, s.records.c.id == c.record_id))
                .where(r.current.is_(True))
                .order_by(*code_point_order(conn, r.natural_key), c.line_no)
            )
            n = 0
            names = [n_ for n_ in LINE_COLUMNS if n_ != "person"]
            for line in conn.execute(q):
                cells: dict[str, object] = dict(zip(names, line[:-1], strict=True))
                cells["person"] = people.get(line[-1]) if line[-1] is not None else None
                w.writerow([_money(cells[k]) if k in MONEY else safe_cell(cells[k]) for k in LINE_COLUMNS])
                n += 1
            counts["claim_lines"] = n
    return counts
