"""What the FHIR importer knows about the file it is reading."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from carnet.model import Extracted, Person, Problem, Provenance, Record, Severity
from carnet.sources.fhir.references import NO_REFS, Refs

#: resource types kept in a per-file index, to read codes through references
INDEXED = frozenset({"Medication", "Device"})


@dataclass(slots=True)
class Context:
    """Per-file state: where we are, what we found, what went wrong."""

    importer: str
    file: str
    sha256: str
    default_currency: str | None = None
    #: strings or arrays over the limits are possible (the file is large enough): walk each resource for them
    check_limits: bool = False
    records: list[Record] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    person_keys: set[str] = field(default_factory=set)
    #: natural key → resource, for Medication and Device (codes through references)
    index: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the references of the document being read that are rewritten to natural keys
    refs: Refs = NO_REFS
    read: int = 0

    def provenance(self, pointer: str) -> Provenance:
        return Provenance(self.importer, self.sha256, pointer)

    def warn(self, position: str, reason: str) -> None:
        self.problems.append(Problem(self.file, position, reason, Severity.WARNING))

    def reject(self, position: str, reason: str) -> None:
        """One item is not stored (it was counted in ``read``)."""
        self.problems.append(Problem(self.file, position, reason, Severity.REJECTED))

    def add_person(self, person: Person) -> None:
        if person.natural_key not in self.person_keys:
            self.person_keys.add(person.natural_key)
            self.persons.append(person)

    def extracted(self, source_name: str | None) -> Extracted:
        return Extracted(
            persons=self.persons,
            records=self.records,
            problems=self.problems,
            source_name=source_name,
            read=self.read,
        )


def at(pointer: str, sub: str) -> str:
    """Position of an element inside an item: ``/entry/3/resource/code`` or ``line 7 /code``."""
    return f"{pointer} {sub}" if pointer.startswith("line") and "/" not in pointer else pointer + sub
