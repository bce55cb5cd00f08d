"""Compare contracts: what would our real care have cost us under another mutuelle?

The household's French lines of a period are rebuilt into engine acts
(``replay.rebuild_act``) and settled again, person by person in date order
(so yearly caps and counters play as they would have), under each contract.
The net cost of a contract is its premiums over the period plus the
out-of-pocket it would have left; contracts are ranked by it. The replay
under the current contract is shown beside the real figures, as a check of
how faithful the replay is.

Approximations (also in docs/budget.md): the AMO part is recomputed by the
engine from the line's base (the real AMO figure is not reused), facts a line
does not keep are guessed (``replay.NOTES``), premiums are the contracts'
illustrative yearly premiums prorated to the days of the period, and a
line the engine cannot settle (a rule not in force that day) is left out of
every contract alike and counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from carnet.services.budget.categories import budget_category
from carnet.services.budget.lines import Member, OwnedLine, entry_of
from carnet.services.budget.replay import beneficiary, rebuild_act
from carnet.services.reimbursement import Act, Contract, Counters, FrenchRules, settle

DAYS_PER_YEAR = 365.25
#: schemes only some households may join (means-tested): compared only when they are the household's
MEANS_TESTED = frozenset({"c2s"})


def default_contract(contracts: Sequence[Contract]) -> Contract:
    """The contract assumed when the household chose none: the first by level, not means-tested."""
    ordered = sorted(contracts, key=lambda c: (c.level, c.id))
    return next((c for c in ordered if c.id not in MEANS_TESTED), ordered[0])


def comparable(contracts: Sequence[Contract], current_id: str | None) -> list[Contract]:
    """The contracts worth comparing: all but the means-tested ones, unless the household has one."""
    return [c for c in contracts if c.id not in MEANS_TESTED or c.id == current_id]


@dataclass(frozen=True, slots=True)
class ContractCost:
    """One contract replayed on the period (cents)."""

    contract_id: str
    name: str
    level: int
    premiums: int
    amc: int
    oop: int
    by_category: Mapping[str, int]
    premium_verified: bool
    current: bool = False

    @property
    def net(self) -> int:
        """What the household would have paid in all: premiums and out-of-pocket."""
        return self.premiums + self.oop


@dataclass(frozen=True, slots=True)
class Comparison:
    start: date
    end: date  # exclusive
    current_id: str | None
    #: what the household really bore on the replayed lines, per post (cents)
    actual_oop: int
    actual_by_category: Mapping[str, int]
    results: tuple[ContractCost, ...]  # cheapest first
    replayed: int
    #: lines left out, per reason (``currency``, ``category``, ``incomplete``, ``rules``)
    skipped: Mapping[str, int] = field(default_factory=dict)
    notes: Mapping[str, int] = field(default_factory=dict)

    def reference(self) -> ContractCost | None:
        """The current contract's replay, else the cheapest."""
        return next((r for r in self.results if r.current), self.results[0] if self.results else None)

    def difference(self, contract_id: str) -> dict[str, int]:
        """Out-of-pocket per post of ``contract_id`` minus the reference's (negative: cheaper)."""
        ref, other = self.reference(), next(r for r in self.results if r.contract_id == contract_id)
        base = ref.by_category if ref else {}
        posts = sorted(set(base) | set(other.by_category))
        return {p: other.by_category.get(p, 0) - base.get(p, 0) for p in posts}


def premium_cents(contract: Contract, members: Sequence[Member], start: date, end: date) -> int:
    """Premiums of the household over ``[start, end)``: adult or child rate by age, prorated by day."""
    total = 0.0
    for m in members:
        begin = max(start, m.birth_date) if m.birth_date else start
        days = (end - begin).days
        if days <= 0:
            continue
        age = m.age_on(begin)
        child = age is not None and age < contract.premium.child_under_age
        rate = contract.premium.child if child else contract.premium.adult
        total += float(rate) * 100 * days / DAYS_PER_YEAR
    return round(total)


def _acts(lines: Sequence[OwnedLine], member: Member, rules: FrenchRules,
          contracts: Mapping[str, Contract], skipped: dict[str, int],
          notes: dict[str, int]) -> list[tuple[OwnedLine, Act]]:
    """The lines of one person rebuilt as acts the engine can settle, in date order."""
    kept: list[tuple[OwnedLine, Act]] = []
    counters = Counters.start(1)
    for owned in sorted(lines, key=lambda o: (o.line.date or "", o.id)):
        rebuilt = rebuild_act(owned.line, member, contracts)
        if rebuilt.act is None:
            reason = rebuilt.reason or "incomplete"
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        try:
            _, counters = settle(rebuilt.act, beneficiary(member, rebuilt.act.day), counters, rules)
        except (LookupError, ValueError):
            skipped["rules"] = skipped.get("rules", 0) + 1
            continue
        for note in rebuilt.notes:
            notes[note] = notes.get(note, 0) + 1
        kept.append((owned, rebuilt.act))
    return kept


def compare(lines: Sequence[OwnedLine], members: Sequence[Member], contracts: Sequence[Contract],
            rules: FrenchRules, start: date, end: date, current_id: str | None = None) -> Comparison:
    """Replay the lines of ``[start, end)`` under each contract; cheapest net cost first."""
    by_id = {c.id: c for c in contracts}
    skipped: dict[str, int] = {}
    notes: dict[str, int] = {}
    first, last = start.isoformat(), end.isoformat()
    chosen = [o for o in lines if o.line.date and first <= o.line.date[:10] < last]
    people = {m.id: m for m in members}
    acts: dict[int, list[tuple[OwnedLine, Act]]] = {}
    for pid, member in people.items():
        mine = [o for o in chosen if o.person_id == pid]
        acts[pid] = _acts(mine, member, rules, by_id, skipped, notes)
    orphans = sum(1 for o in chosen if o.person_id not in people)
    if orphans:
        skipped["person"] = orphans
    actual: dict[str, int] = {}
    for pairs in acts.values():
        for owned, _ in pairs:
            e = entry_of(owned)
            actual[e.category] = actual.get(e.category, 0) + e.oop
    results = []
    for contract in contracts:
        oop: dict[str, int] = {}
        amc = 0
        for pid, pairs in acts.items():
            counters = Counters.start(start.year)
            person = people[pid]
            for _, act in pairs:
                done, counters = settle(act, beneficiary(person, act.day), counters, rules, contract)
                post = budget_category(act.category.value)
                oop[post] = oop.get(post, 0) + int(done.patient_share * 100)
                amc += int(done.complementary_paid * 100)
        results.append(ContractCost(
            contract.id, contract.name, contract.level, premium_cents(contract, members, start, end), amc,
            sum(oop.values()), oop, contract.premium.verified, contract.id == current_id))
    ranked = tuple(sorted(results, key=lambda r: (r.net, r.level, r.contract_id)))
    replayed = sum(len(p) for p in acts.values())
    return Comparison(start, end, current_id, sum(actual.values()), actual, ranked, replayed, skipped, notes)
