"""Complementary contracts (mutuelles) as data: read, validate, check.

A contract is a YAML file in ``rules/contracts/`` (format: ``docs/contracts.md``).
:func:`load_contract` reads one by id, :func:`load_contracts` all of them;
:func:`validate_contract` lists the contrat-responsable constraints it breaks.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from carnet.rules import yamltext
from carnet.rules.loader import as_decimal, parse_amount, parse_int
from carnet.services.reimbursement.act import Basket, Category
from carnet.services.reimbursement.guarantee import (
    BrBasis,
    Contract,
    Guarantee,
    Match,
    Premium,
    SharedCap,
)
from carnet.services.reimbursement.parameters import FrenchRules
from carnet.services.reimbursement.responsible import Breach, validate

TOP_KEYS = frozenset({
    "id", "name", "level", "responsible", "source", "verified", "note", "basis",
    "covers_out_of_pathway_increase", "premium", "shared_caps", "guarantees",
})
LINE_KEYS = frozenset({
    "id", "label", "when", "percent_br", "basis", "allowance", "real_costs", "item_cap",
    "year_cap", "year_count", "shared_cap", "verified", "note",
})
WHEN_KEYS = frozenset({"category", "kind", "optam", "basket", "drug_rate"})
DRUG_RATES = frozenset({100, 65, 30, 15})


class ContractFileError(ValueError):
    """A contract file is malformed; the message names the file and the key."""

    def __init__(self, file: str, key: str, message: str) -> None:
        super().__init__(f"{file}: {key}: {message}")
        self.file = file
        self.key = key


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, message: str) -> ContractFileError:
        return ContractFileError(self.file, key, message)

    def amount(self, raw: Any, key: str) -> Decimal | None:
        if raw is None:
            return None
        try:
            return parse_amount(raw, key)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def count(self, raw: Any, key: str) -> int | None:
        if raw is None:
            return None
        try:
            return parse_int(raw, key)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def flag(self, raw: Any, key: str, default: bool) -> bool:
        if raw is None:
            return default
        if not isinstance(raw, bool):
            raise self.fail(key, "must be true or false")
        return raw

    def text(self, raw: Any, key: str) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise self.fail(key, "must be a non-empty text")
        return " ".join(raw.split())

    def basis(self, raw: Any, key: str, default: BrBasis) -> BrBasis:
        if raw is None:
            return default
        try:
            return BrBasis(raw)
        except ValueError:
            raise self.fail(key, "must be including_amo or excluding_amo") from None

    def when(self, raw: Any, key: str) -> Match:
        if not isinstance(raw, dict) or set(raw) - WHEN_KEYS:
            raise self.fail(key, f"a mapping of {sorted(WHEN_KEYS)}")
        category, basket = raw.get("category"), raw.get("basket")
        if category is not None and category not in {c.value for c in Category}:
            raise self.fail(f"{key}.category", f"unknown category {category!r}")
        if basket is not None and basket not in {b.value for b in Basket}:
            raise self.fail(f"{key}.basket", f"unknown basket {basket!r}")
        drug_rate = raw.get("drug_rate")
        if drug_rate is not None and drug_rate not in DRUG_RATES:
            raise self.fail(f"{key}.drug_rate", f"must be one of {sorted(DRUG_RATES)}")
        optam = raw.get("optam")
        if optam is not None and not isinstance(optam, bool):
            raise self.fail(f"{key}.optam", "must be true or false")
        kind = raw.get("kind")
        return Match(category, None if kind is None else str(kind), optam, basket, drug_rate)

    def line(self, raw: Any, key: str, default: BrBasis, caps: set[str]) -> Guarantee:
        if not isinstance(raw, dict):
            raise self.fail(key, "a guarantee line is a mapping")
        extra = set(raw) - LINE_KEYS
        if extra:
            raise self.fail(key, f"unknown keys {sorted(extra)}")
        line_id = self.text(raw.get("id"), f"{key}.id")
        key = f"guarantees[{line_id}]"
        percent = None
        if raw.get("percent_br") is not None:
            try:
                percent = as_decimal(raw["percent_br"], "percent_br")
            except ValueError as exc:
                raise self.fail(f"{key}.percent_br", str(exc)) from None
            if percent < 0:
                raise self.fail(f"{key}.percent_br", "must not be negative")
        allowance = self.amount(raw.get("allowance"), f"{key}.allowance")
        real_costs = self.flag(raw.get("real_costs"), f"{key}.real_costs", False)
        if percent is None and allowance is None and not real_costs:
            raise self.fail(key, "needs percent_br, allowance or real_costs")
        shared = raw.get("shared_cap")
        if shared is not None and shared not in caps:
            raise self.fail(f"{key}.shared_cap", f"unknown shared cap {shared!r}")
        note = raw.get("note")
        return Guarantee(
            id=line_id,
            label=self.text(raw.get("label", line_id), f"{key}.label"),
            when=self.when(raw.get("when", {}), f"{key}.when"),
            percent_br=percent,
            basis=self.basis(raw.get("basis"), f"{key}.basis", default),
            allowance=allowance,
            real_costs=real_costs,
            item_cap=self.amount(raw.get("item_cap"), f"{key}.item_cap"),
            year_cap=self.amount(raw.get("year_cap"), f"{key}.year_cap"),
            year_count=self.count(raw.get("year_count"), f"{key}.year_count"),
            shared_cap=None if shared is None else str(shared),
            verified=self.flag(raw.get("verified"), f"{key}.verified", True),
            note=None if note is None else str(note),
        )

    def premium(self, raw: Any) -> Premium:
        if not isinstance(raw, dict):
            raise self.fail("premium", "needs adult, child, child_under_age and source")
        adult = self.amount(raw.get("adult"), "premium.adult")
        child = self.amount(raw.get("child"), "premium.child")
        under = self.count(raw.get("child_under_age"), "premium.child_under_age")
        if adult is None or child is None or under is None:
            raise self.fail("premium", "needs adult, child and child_under_age")
        return Premium(adult, child, under, self.text(raw.get("source"), "premium.source"),
                       self.flag(raw.get("verified"), "premium.verified", False))


def parse_contract(text: str, file: str = "<contract>") -> Contract:
    """Parse and validate the YAML text of one contract."""
    reader = _Reader(file)
    try:
        data = yamltext.parse(text)
    except yamltext.YAMLError as exc:
        raise reader.fail("(file)", f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise reader.fail("(file)", "the top level must be a mapping")
    extra = set(data) - TOP_KEYS
    if extra:
        raise reader.fail("(file)", f"unknown keys {sorted(extra)}")
    caps_raw = data.get("shared_caps") or {}
    if not isinstance(caps_raw, dict):
        raise reader.fail("shared_caps", "a mapping of id → {label, amount}")
    caps: dict[str, SharedCap] = {}
    for cap_id, cap in caps_raw.items():
        if not isinstance(cap, dict):
            raise reader.fail(f"shared_caps.{cap_id}", "needs label and amount")
        amount = reader.amount(cap.get("amount"), f"shared_caps.{cap_id}.amount")
        if amount is None:
            raise reader.fail(f"shared_caps.{cap_id}.amount", "missing")
        caps[str(cap_id)] = SharedCap(str(cap_id), str(cap.get("label", cap_id)), amount)
    basis = reader.basis(data.get("basis"), "basis", BrBasis.INCLUDING_AMO)
    lines_raw = data.get("guarantees")
    if not isinstance(lines_raw, list) or not lines_raw:
        raise reader.fail("guarantees", "a non-empty list of guarantee lines")
    lines = tuple(reader.line(raw, f"guarantees[{i}]", basis, set(caps))
                  for i, raw in enumerate(lines_raw))
    seen: set[str] = set()
    for line in lines:
        if line.id in seen:
            raise reader.fail(f"guarantees[{line.id}]", "duplicate id")
        seen.add(line.id)
    note = data.get("note")
    return Contract(
        id=reader.text(data.get("id"), "id"),
        name=reader.text(data.get("name"), "name"),
        source=reader.text(data.get("source"), "source"),
        responsible=reader.flag(data.get("responsible"), "responsible", False),
        premium=reader.premium(data.get("premium")),
        guarantees=lines,
        shared_caps=caps,
        level=_level(reader.count(data.get("level"), "level")),
        covers_out_of_pathway_increase=reader.flag(
            data.get("covers_out_of_pathway_increase"), "covers_out_of_pathway_increase", False),
        verified=reader.flag(data.get("verified"), "verified", True),
        note=None if note is None else str(note),
    )


def _level(level: int | None) -> int:
    return 1 if level is None else level


def contracts_directory() -> Traversable:
    """Where the example contracts live in the installed package."""
    return files("carnet.rules").joinpath("contracts")


def contract_ids(directory: Traversable | None = None) -> tuple[str, ...]:
    """Ids (file stems) of the contracts available, sorted."""
    folder = directory if directory is not None else contracts_directory()
    return tuple(sorted(e.name[: -len(".yaml")] for e in folder.iterdir()
                        if e.name.endswith(".yaml")))


def load_contract(contract_id: str, directory: Traversable | None = None) -> Contract:
    """Read the contract ``<contract_id>.yaml``; its ``id`` must match the file name."""
    folder = directory if directory is not None else contracts_directory()
    entry = folder.joinpath(f"{contract_id}.yaml")
    if not entry.is_file():
        raise ContractFileError(f"{contract_id}.yaml", "(file)", "not found")
    contract = parse_contract(entry.read_text(encoding="utf-8"), f"{contract_id}.yaml")
    if contract.id != contract_id:
        raise ContractFileError(f"{contract_id}.yaml", "id", f"{contract.id!r} ≠ file name")
    return contract


def load_contracts(directory: Traversable | None = None) -> tuple[Contract, ...]:
    """Every contract, sorted by level then id."""
    found = [load_contract(cid, directory) for cid in contract_ids(directory)]
    return tuple(sorted(found, key=lambda c: (c.level, c.id)))


def validate_contract(contract: Contract, rules: FrenchRules, day: date) -> tuple[Breach, ...]:
    """The contrat-responsable constraints ``contract`` breaks on ``day`` (empty: none)."""
    return validate(contract, rules, day)


__all__ = [
    "Breach",
    "ContractFileError",
    "contract_ids",
    "load_contract",
    "load_contracts",
    "parse_contract",
    "validate_contract",
]
