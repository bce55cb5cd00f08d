"""Build the demo vault, the way a member would fill theirs:

1. synthesise a small mutuelle population (``carnet synth``);
2. pick one family of it and restitute the mutuelle's claims as per-member
   packages (``carnet restitute``, DuckDB);
3. import each member's package (FHIR R4 NDJSON) into the vault;
4. add the clinical side a doctor's or a lab's export would bring (allergies,
   results, conditions…) for the same people, as FHIR bundles.

Everything is synthetic and deterministic; running it twice changes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow.parquet as pq
from sqlalchemy import select

from carnet.demo.household import DemoPerson, household_bundles
from carnet.ingest import ImportReport, import_inputs
from carnet.restitution.index import extract_member
from carnet.restitution.pipeline import restitute
from carnet.restitution.synth import synthesize
from carnet.sources.base import InputFile
from carnet.store import Vault, create_vault, open_vault, schema
from carnet.store.household import RELATIONSHIPS, set_relationship

DEMO_SEED = 2026
DEMO_MEMBERS = 400


@dataclass(frozen=True)
class Family:
    household_id: str
    member_ids: tuple[str, ...]
    roles: tuple[str, ...]  # self, spouse, child — as the mutuelle records them


def choose_family(synth_dir: Path) -> Family:
    """The first household (in id order) of 4 people with someone under an ALD, else the largest."""
    members = pq.read_table(synth_dir / "MUT_ADH_R").to_pylist()
    ald = {(r["BEN_NIR_PSA"], r["BEN_RNG_GEM"]) for r in pq.read_table(synth_dir / "IR_IMB_R").to_pylist()}
    households: dict[str, list[dict[str, object]]] = {}
    for row in sorted(members, key=lambda r: (str(r["HOUSEHOLD_ID"]), str(r["MEMBER_ID"]))):
        households.setdefault(str(row["HOUSEHOLD_ID"]), []).append(row)

    def has_ald(rows: list[dict[str, object]]) -> bool:
        return any((r["BEN_NIR_PSA"], r["BEN_RNG_GEM"]) in ald for r in rows)

    fours = [h for h, rows in households.items() if len(rows) == 4 and has_ald(rows)]
    chosen = fours[0] if fours else max(households, key=lambda h: (len(households[h]), h))
    rows = households[chosen]
    return Family(chosen, tuple(str(r["MEMBER_ID"]) for r in rows), tuple(str(r["ROLE"]) for r in rows))


def package_inputs(restitution_dir: Path, family: Family) -> list[InputFile]:
    """Each member's package as the files they would download (Patient first)."""
    files: list[InputFile] = []
    for member in family.member_ids:
        package = extract_member(restitution_dir, member)
        group = f"demo/paquet-{member}"
        order = sorted(package.resources, key=lambda t: (t != "Patient", t))
        files.extend(
            InputFile(f"{group}/{rtype}.ndjson", package.resources[rtype], group=group)
            for rtype in order
            if package.resources[rtype].strip()
        )
    return files


def _people(files: list[InputFile]) -> list[DemoPerson]:
    people: list[DemoPerson] = []
    for f in files:
        if not f.name.endswith("/Patient.ndjson"):
            continue
        for line in f.data.splitlines():
            header = line.strip()
            if not header or not header.startswith(b"{"):
                continue
            res = orjson.loads(header)
            if res.get("resourceType") != "Patient":
                continue
            name = (res.get("name") or [{}])[0]
            people.append(
                DemoPerson(
                    res["id"],
                    (name.get("given") or [""])[0],
                    name.get("family", ""),
                    res.get("gender", "unknown"),
                    res.get("birthDate", "2000-01-01"),
                )
            )
    return people


def _relate(vault: Vault, family: Family) -> None:
    """Relationships from the mutuelle's membership roles (members are matched by member number)."""
    roles = dict(zip(family.member_ids, family.roles, strict=True))
    with vault.reading() as conn:
        rows = conn.execute(
            select(schema.persons.c.id, schema.records.c.resource)
            .join(schema.records, schema.records.c.person_id == schema.persons.c.id)
            .where(schema.records.c.resource_type == "Patient", schema.records.c.current.is_(True))
        ).all()
    for person_id, resource in rows:
        for ident in orjson.loads(resource).get("identifier", []):
            role = roles.get(str(ident.get("value")))
            if role in RELATIONSHIPS:
                set_relationship(vault, int(person_id), role)


def build_demo(path: Path, passphrase: str, progress: Callable[[str], None] | None = None) -> Vault:
    """Create (or reopen) the demo vault and import the demo family into it."""
    say = progress or (lambda _msg: None)
    vault = open_vault(str(path), passphrase) if path.exists() else create_vault(str(path), passphrase)
    with tempfile.TemporaryDirectory(prefix="carnet-demo-") as tmp:
        synth_dir, packages_dir = Path(tmp) / "synth", Path(tmp) / "packages"
        say("demo: synthesising a small mutuelle population…")
        synthesize(DEMO_MEMBERS, DEMO_SEED, synth_dir, (2023, 2026), None, 1)
        family = choose_family(synth_dir)
        say(f"demo: restituting the packages of household {family.household_id} ({len(family.member_ids)} members)…")
        restitute(synth_dir, packages_dir)
        packages = package_inputs(packages_dir, family)
    clinical = [
        InputFile(f"demo/{name}", orjson.dumps(bundle)) for name, bundle in household_bundles(_people(packages))
    ]
    report: ImportReport = import_inputs(vault, [*packages, *clinical])
    _relate(vault, family)
    say(f"demo: {report.total('added')} records added, {report.total('duplicates')} already there")
    return vault
