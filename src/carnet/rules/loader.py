"""Read the French rule files (``rules/fr/*.yaml``) into typed, validated values.

Every value in those files is a list of dated periods with a cited source (see
``docs/rules.md``). :func:`load_rules` reads them from the package data and
returns a frozen :class:`~carnet.services.reimbursement.parameters.FrenchRules`;
bad data raises :class:`RuleFileError`, which names the file and the key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

from carnet.rules import yamltext
from carnet.services.reimbursement.act import Basket, Category
from carnet.services.reimbursement.parameters import (
    AmoRates,
    Constraint,
    DirectAccess,
    Equipment,
    Exemptions,
    Franchise,
    FranchiseKind,
    FrenchRules,
    HospitalCharges,
    OpticsGridRow,
    Participation,
    Pathway,
    RenewalStep,
    ResponsibleRules,
    Tariff,
    Tariffs,
)
from carnet.services.reimbursement.timeline import Period, Timeline

T = TypeVar("T")
Parse = Callable[[Any, str], T]

FR_FILES = ("amo_rates", "participations", "hospital", "tariffs", "pathway", "equipment", "responsible")
PERIOD_KEYS = frozenset({"value", "from", "until", "source", "verified", "note"})
CATEGORY_NAMES = frozenset(c.value for c in Category)
BASKET_NAMES = frozenset(b.value for b in Basket) | {"*"}


class RuleFileError(ValueError):
    """A rule file is malformed; the message names the file and the key."""

    def __init__(self, file: str, key: str, message: str) -> None:
        super().__init__(f"{file}: {key}: {message}")
        self.file = file
        self.key = key


# ---------------------------------------------------------------- value parsers


def as_decimal(raw: Any, where: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError(f"{where}: expected a number, got {raw!r}")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ValueError(f"{where}: expected a number, got {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"{where}: expected a finite number, got {raw!r}")
    return value


def parse_amount(raw: Any, where: str) -> Decimal:
    value = as_decimal(raw, where)
    if value < 0:
        raise ValueError(f"{where}: an amount must not be negative ({value})")
    return value


def parse_rate(raw: Any, where: str) -> Decimal:
    value = as_decimal(raw, where)
    if not Decimal(0) <= value <= Decimal(1):
        raise ValueError(f"{where}: a rate is a fraction between 0 and 1 ({value})")
    return value


def parse_int(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise ValueError(f"{where}: expected a whole number ≥ 0, got {raw!r}")
    return raw


def parse_categories(raw: Any, where: str) -> frozenset[str]:
    names = parse_names(raw, where)
    unknown = names - CATEGORY_NAMES
    if unknown:
        raise ValueError(f"{where}: unknown categories {sorted(unknown)}")
    return names


def parse_names(raw: Any, where: str) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ValueError(f"{where}: expected a list of names, got {raw!r}")
    return frozenset(raw)


def parse_int_set(raw: Any, where: str) -> frozenset[int]:
    if not isinstance(raw, list):
        raise ValueError(f"{where}: expected a list of whole numbers, got {raw!r}")
    return frozenset(parse_int(x, where) for x in raw)


def _records(raw: Any, where: str, allowed: set[str]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        raise ValueError(f"{where}: expected a list of mappings")
    for item in raw:
        extra = set(item) - allowed
        if extra:
            raise ValueError(f"{where}: unknown keys {sorted(extra)}")
    return raw


def parse_direct_access(raw: Any, where: str) -> tuple[DirectAccess, ...]:
    items = _records(raw, where, {"specialty", "min_age", "max_age"})
    return tuple(
        DirectAccess(
            specialty=str(item["specialty"]),
            min_age=None if item.get("min_age") is None else parse_int(item["min_age"], where),
            max_age=None if item.get("max_age") is None else parse_int(item["max_age"], where),
        )
        for item in items
    )


def parse_renewal(raw: Any, where: str) -> tuple[RenewalStep, ...]:
    items = _records(raw, where, {"min_age", "months"})
    steps = tuple(
        RenewalStep(parse_int(i.get("min_age"), where), parse_int(i.get("months"), where))
        for i in items
    )
    if not any(step.min_age == 0 for step in steps):
        raise ValueError(f"{where}: renewal steps must start at min_age 0")
    return steps


def parse_grid(raw: Any, where: str) -> tuple[OpticsGridRow, ...]:
    rows = []
    for item in _records(raw, where, {"lenses", "floor", "ceiling"}):
        lenses = item.get("lenses")
        if not isinstance(lenses, list) or len(lenses) != 2:
            raise ValueError(f"{where}: lenses must name two lens types")
        floor, ceiling = parse_amount(item.get("floor"), where), parse_amount(item.get("ceiling"), where)
        if floor > ceiling:
            raise ValueError(f"{where}: floor {floor} above ceiling {ceiling}")
        rows.append(OpticsGridRow((str(lenses[0]), str(lenses[1])), floor, ceiling))
    return tuple(rows)


# ---------------------------------------------------------------- one rule file


class RuleFile:
    """One parsed YAML rule file with its ``sources`` block."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.file = f"fr/{name}.yaml"
        try:
            data = yamltext.parse(text)
        except yamltext.YAMLError as exc:
            raise RuleFileError(self.file, "(file)", f"not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise RuleFileError(self.file, "(file)", "the top level must be a mapping")
        self.data: dict[str, Any] = data
        sources = data.get("sources", {})
        if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
            raise RuleFileError(self.file, "sources", "must map source ids to citation texts")
        self.sources: dict[str, str] = {str(k): " ".join(v.split()) for k, v in sources.items()}

    def fail(self, key: str, message: str) -> RuleFileError:
        return RuleFileError(self.file, key, message)

    def node(self, *path: str, parent: Any = None) -> Any:
        """The value at ``path`` (from the top, or from ``parent``); an error when missing."""
        current: Any = self.data if parent is None else parent
        for i, part in enumerate(path):
            if not isinstance(current, dict) or part not in current:
                raise self.fail(".".join(path[: i + 1]), "missing")
            current = current[part]
        return current

    def cite(self, raw: Any, key: str) -> str:
        ids = raw if isinstance(raw, list) else [raw]
        if not ids or not all(isinstance(i, str) for i in ids):
            raise self.fail(key, "every value needs a source id")
        for source_id in ids:
            if source_id not in self.sources:
                raise self.fail(key, f"unknown source {source_id!r} (not in `sources`)")
        return " ; ".join(self.sources[i] for i in ids)

    def timeline(self, raw: Any, key: str, parse: Parse[T]) -> Timeline[T]:
        """Parse a list of periods at ``key`` with ``parse`` for each value."""
        if not isinstance(raw, list) or not raw:
            raise self.fail(key, "expected a non-empty list of periods")
        periods = [self.period(item, f"{key}[{i}]", key, parse) for i, item in enumerate(raw)]
        try:
            return Timeline(f"{self.name}.{key}", tuple(periods))
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def at(self, key: str, parse: Parse[T]) -> Timeline[T]:
        """The timeline at the dotted ``key`` of this file."""
        return self.timeline(self.node(*key.split(".")), key, parse)

    def period(self, raw: Any, where: str, key: str, parse: Parse[T]) -> Period[T]:
        if not isinstance(raw, dict):
            raise self.fail(where, "a period is a mapping with value, from, until, source")
        extra = set(raw) - PERIOD_KEYS
        if extra:
            raise self.fail(where, f"unknown keys {sorted(extra)}")
        if "value" not in raw:
            raise self.fail(where, "missing value")
        start, end = raw.get("from"), raw.get("until")
        for label, day in (("from", start), ("until", end)):
            if day is not None and not isinstance(day, date):
                raise self.fail(where, f"`{label}` must be a date (YYYY-MM-DD), got {day!r}")
        if start is not None and end is not None and end < start:
            raise self.fail(where, "`until` is before `from`")
        verified = raw.get("verified", True)
        if not isinstance(verified, bool):
            raise self.fail(where, "`verified` must be true or false")
        try:
            value = parse(raw["value"], "value")
        except ValueError as exc:
            raise self.fail(where, str(exc)) from None
        note = raw.get("note")
        if not verified and not note:
            raise self.fail(where, "an unverified value needs a `note` saying why")
        return Period(
            value=value,
            start=start,
            end=end,
            source=self.cite(raw.get("source"), where),
            rule_id=f"{self.name}.{key}@{start.isoformat() if start else 'origin'}",
            verified=verified,
            note=None if note is None else str(note),
        )


def rules_directory() -> Traversable:
    """Where the French rule files live in the installed package."""
    return files("carnet.rules").joinpath("fr")


def read_rule_file(directory: Traversable, name: str) -> RuleFile:
    entry = directory.joinpath(f"{name}.yaml")
    if not entry.is_file():
        raise RuleFileError(f"fr/{name}.yaml", "(file)", "not found")
    return RuleFile(name, entry.read_text(encoding="utf-8"))


def load_rules(directory: Traversable | None = None) -> FrenchRules:
    """Read and validate every French rule file (package data unless ``directory``)."""
    folder = directory if directory is not None else rules_directory()
    f = {name: read_rule_file(folder, name) for name in FR_FILES}
    return FrenchRules(
        amo=_amo(f["amo_rates"]),
        participation=_participation(f["participations"]),
        franchise=_franchise(f["participations"]),
        exemptions=_exemptions(f["participations"]),
        hospital=_hospital(f["hospital"]),
        tariffs=_tariffs(f["tariffs"]),
        pathway=_pathway(f["pathway"]),
        equipment=_equipment(f["equipment"]),
        responsible=_responsible(f["responsible"]),
    )


# ---------------------------------------------------------------- sections


def _mapping(file: RuleFile, raw: Any, key: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or not raw:
        raise file.fail(key, "expected a non-empty mapping")
    return {str(k): v for k, v in raw.items()}


def _amo(f: RuleFile) -> AmoRates:
    by_category: dict[str, dict[str, Timeline[Decimal]]] = {}
    for category, variants in _mapping(f, f.node("rates"), "rates").items():
        if category not in CATEGORY_NAMES:
            raise f.fail(f"rates.{category}", "unknown category")
        by_category[category] = {
            variant: f.at(f"rates.{category}.{variant}", parse_rate)
            for variant in _mapping(f, variants, f"rates.{category}")
        }
    return AmoRates(
        by_category=by_category,
        ald_related=f.at("ald_related", parse_rate),
        outside_nomenclature=f.at("outside_nomenclature", parse_names),
    )


def _participation(f: RuleFile) -> Participation:
    return Participation(
        amount=f.at("participation_forfaitaire.amount", parse_amount),
        annual_cap=f.at("participation_forfaitaire.annual_cap", parse_amount),
        daily_max_count=f.at("participation_forfaitaire.daily_max_count", parse_int),
        categories=f.at("participation_forfaitaire.categories", parse_categories),
        exempt_kinds=f.at("participation_forfaitaire.exempt_kinds", parse_names),
    )


def _franchise(f: RuleFile) -> Franchise:
    kinds: dict[str, FranchiseKind] = {}
    for name, raw in _mapping(f, f.node("franchise"), "franchise").items():
        if name == "annual_cap":
            continue
        key = f"franchise.{name}"
        node = _mapping(f, raw, key)
        category = node.get("category")
        if category not in CATEGORY_NAMES:
            raise f.fail(f"{key}.category", f"unknown category {category!r}")
        if category in kinds:
            raise f.fail(f"{key}.category", f"two franchises for {category!r}")
        exempt = node.get("exempt_kinds", [])
        try:
            exempt_kinds = parse_names(exempt, "exempt_kinds")
        except ValueError as exc:
            raise f.fail(key, str(exc)) from None
        kinds[category] = FranchiseKind(
            name=name,
            category=category,
            per_unit=f.at(f"{key}.per_unit", parse_amount),
            daily_cap=f.at(f"{key}.daily_cap", parse_amount) if "daily_cap" in node else None,
            daily_cap_per_professional=bool(node.get("daily_cap_per_professional", False)),
            exempt_kinds=exempt_kinds,
        )
    return Franchise(by_category=kinds, annual_cap=f.at("franchise.annual_cap", parse_amount))


def _exemptions(f: RuleFile) -> Exemptions:
    return Exemptions(
        adult_age=f.at("exemptions.adult_age", parse_int),
        pregnancy_months_before_term=f.at("exemptions.pregnancy_months_before_term", parse_int),
        pregnancy_days_after_term=f.at("exemptions.pregnancy_days_after_term", parse_int),
        newborn_months=f.at("exemptions.newborn_months", parse_int),
    )


def _hospital(f: RuleFile) -> HospitalCharges:
    return HospitalCharges(
        daily_fee=f.at("daily_fee.general", parse_amount),
        daily_fee_psychiatry=f.at("daily_fee.psychiatry", parse_amount),
        heavy_act_threshold=f.at("heavy_act.threshold_tariff", parse_amount),
        heavy_act_coefficient=f.at("heavy_act.threshold_coefficient", parse_amount),
        heavy_act_fee=f.at("heavy_act.fee", parse_amount),
        heavy_act_categories=f.at("heavy_act.categories", parse_categories),
        emergency_fee=f.at("emergency_fee.standard", parse_amount),
        emergency_fee_reduced=f.at("emergency_fee.reduced", parse_amount),
    )


def _tariffs(f: RuleFile) -> Tariffs:
    entries: dict[tuple[str, str], Tariff] = {}
    raw_list = f.node("tariffs")
    if not isinstance(raw_list, list):
        raise f.fail("tariffs", "expected a list of tariffs")
    allowed = {"system", "code", "label", "category", "consultation", "kind", "values"}
    for i, raw in enumerate(raw_list):
        where = f"tariffs[{i}]"
        if not isinstance(raw, dict) or set(raw) - allowed:
            raise f.fail(where, f"a tariff is a mapping of {sorted(allowed)}")
        system, code = str(raw.get("system", "")), str(raw.get("code", ""))
        if not system or not code or "+" in code:
            raise f.fail(where, "needs a system and a code (without « + »)")
        if raw.get("category") not in CATEGORY_NAMES:
            raise f.fail(f"{where}.category", f"unknown category {raw.get('category')!r}")
        if (system, code) in entries:
            raise f.fail(where, f"duplicate tariff {system} {code}")
        where = f"tariffs[{code}]"
        entries[(system, code)] = Tariff(
            system=system,
            code=code,
            label=str(raw.get("label", code)),
            category=str(raw["category"]),
            consultation=bool(raw.get("consultation", False)),
            values=f.timeline(f.node("values", parent=raw), where, parse_amount),
            kind=None if raw.get("kind") is None else str(raw["kind"]),
        )
    authority = _mapping(f, f.node("sector_bases", "authority"), "sector_bases.authority")
    return Tariffs(
        entries=entries,
        non_optam_consultation_base=f.at("sector_bases.non_optam_consultation", parse_amount),
        authority={c: f.at(f"sector_bases.authority.{c}", parse_amount) for c in authority},
    )


def _pathway(f: RuleFile) -> Pathway:
    return Pathway(
        from_age=f.at("from_age", parse_int),
        categories=f.at("categories", parse_categories),
        direct_access=f.at("direct_access", parse_direct_access),
    )


def _device_table(f: RuleFile, key: str) -> dict[tuple[str, str, str], Timeline[Decimal]]:
    category = key.split(".")[0]
    table: dict[tuple[str, str, str], Timeline[Decimal]] = {}
    for basket, kinds in _mapping(f, f.node(*key.split(".")), key).items():
        if basket not in BASKET_NAMES:
            raise f.fail(f"{key}.{basket}", "unknown basket (100_sante, maitrise, libre or *)")
        for kind in _mapping(f, kinds, f"{key}.{basket}"):
            table[(category, basket, kind)] = f.timeline(
                kinds[kind], f"{key}.{basket}.{kind}", parse_amount
            )
    return table


def _equipment(f: RuleFile) -> Equipment:
    return Equipment(
        renewal={c: f.at(f"{c}.renewal", parse_renewal) for c in ("optics", "hearing")},
        bases=_device_table(f, "optics.bases") | _device_table(f, "hearing.bases"),
        price_limits=_device_table(f, "optics.price_limits")
        | _device_table(f, "hearing.price_limits"),
        hearing_adult_from_age=f.at("hearing.adult_from_age", parse_int),
    )


def _responsible(f: RuleFile) -> ResponsibleRules:
    constraints: dict[str, Constraint] = {}
    for cid, raw in _mapping(f, f.node("constraints"), "constraints").items():
        node = _mapping(f, raw, f"constraints.{cid}")
        if not isinstance(node.get("fr"), str) or not isinstance(node.get("en"), str):
            raise f.fail(f"constraints.{cid}", "needs `fr` and `en` texts")
        constraints[cid] = Constraint(
            id=cid,
            fr=node["fr"],
            en=node["en"],
            source=f.cite(node.get("source"), f"constraints.{cid}"),
            verified=bool(node.get("verified", True)),
        )
    return ResponsibleRules(
        non_optam_overrun_cap=f.at("non_optam_overrun_cap", parse_rate),
        optam_gap=f.at("optam_gap", parse_rate),
        optics_frame_cap=f.at("optics_frame_cap", parse_amount),
        optics_grid=f.at("optics_grid", parse_grid),
        hearing_free_total_cap=f.at("hearing_free_total_cap", parse_amount),
        optional_drug_rates=f.at("optional_drug_rates", parse_int_set),
        constraints=constraints,
    )
