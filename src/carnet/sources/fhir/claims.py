"""Claim and ExplanationOfBenefit → :class:`ClaimLine` objects with the money breakdown.

Each adjudication amount gets one role. A CMS Blue Button variable
(``https://bluebutton.cms.gov/resources/variables/line_nch_pmt_amt``), when
present, is the most precise coding and wins; otherwise the CARIN-BB / HL7
adjudication category decides (``submitted``, ``eligible``, ``benefit``,
``paidtoprovider`` …). Variables we cannot place (rates, discounts, drug-cost
splits) stay in the line's ``explanation`` only, never in a total.

- charged: ``item.net``, else ``unitPrice × quantity × factor``, else "submitted";
- base: "eligible" / "allowedamount";
- paid_primary: "benefit", else paid to provider + paid to patient;
- paid_complementary: "priorpayerpaid" (another payer, e.g. Medicare secondary payer);
- patient_share: "paidbypatient", else copay + deductible + coinsurance.

An EOB without items gives one line from ``total`` and ``payment``.

A Carnet package EOB (French claims restituted by a holder, see
``carnet.restitution.fhir_package``; recognised by its décompte identifier or
Carnet's adjudication code system) also gives, from Carnet's adjudication
codes, the mutuelle's payment (``amc``), the fixed charges
(``participation-forfaitaire`` + ``franchise``) and the overbilling
(``depassement``); its category is the engine's (item ``category`` or a
``…/care-category`` extension, else read from the act's nomenclature and the
SNDS nature of prestation); its act is the nomenclature code (NGAP, CCAM,
CIP13, NABM, LPP) rather than the nature. The line's explanation then holds,
under the ``carnet`` key, the AMO rate (``eligpercent``), the nature, the
payment dates (``payment.date`` for the AMO, the
``complementary-payment-date`` extension for the mutuelle; an item-level
extension wins; a missing date means « not paid yet ») and the engine's
steps when the item carries them (``…/reimbursement-explanation`` extension,
a JSON list as ``valueString``). See docs/budget.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from carnet.model import ClaimLine, Code, Money
from carnet.sources.fhir import codes as systems
from carnet.sources.fhir.context import Context, at
from carnet.sources.fhir.references import Refs
from carnet.sources.fhir.values import concept, decimal, label_of, reference_label, start_end, valid_date

BB_VARIABLES = "https://bluebutton.cms.gov/resources/variables/"

_BB_ROLES: dict[str, str | None] = {
    "line_sbmtd_chrg_amt": "charged", "rev_cntr_tot_chrg_amt": "charged", "tot_rx_cst_amt": "charged",
    "line_alowd_chrg_amt": "base",
    "line_nch_pmt_amt": "paid", "rev_cntr_pmt_amt_amt": "paid", "cvrd_d_plan_pd_amt": "paid",
    "line_prvdr_pmt_amt": "paid_part", "line_bene_pmt_amt": "paid_part",
    "rev_cntr_prvdr_pmt_amt": "paid_part", "rev_cntr_bene_pmt_amt": "paid_part",
    "ptnt_pay_amt": "patient", "rev_cntr_ptnt_rspnsblty_pmt": "patient",
    "line_coinsrnc_amt": "patient_part", "line_bene_ptb_ddctbl_amt": "patient_part",
    "rev_cntr_cash_ddctbl_amt": "patient_part", "rev_cntr_blood_ddctbl_amt": "patient_part",
    "rev_cntr_coinsrnc_wge_adjstd_c": "patient_part",
    "line_bene_prmry_pyr_pd_amt": "other_payer", "rev_cntr_1st_msp_pd_amt": "other_payer",
    "rev_cntr_2nd_msp_pd_amt": "other_payer", "othr_troop_amt": "other_payer", "plro_amt": "other_payer",
}
_CATEGORY_ROLES: dict[str, str] = {
    "submitted": "charged", "drugcost": "charged",
    "eligible": "base", "allowedamount": "base",
    "benefit": "paid", "paidtoprovider": "paid_part", "paidtopatient": "paid_part",
    "paidbypatient": "patient", "memberliability": "patient",
    "copay": "patient_part", "deductible": "patient_part", "coinsurance": "patient_part",
    "priorpayerpaid": "other_payer",
}


CARNET = "https://carnet.example/fhir/"
CARNET_ADJUDICATION = CARNET + "CodeSystem/adjudication"
DECOMPTE_ID = CARNET + "NamingSystem/snds-decompte"
PRESTATION_NATURE = CARNET + "CodeSystem/snds-prs-nat"
AMC_PAYMENT = CARNET + "StructureDefinition/complementary-payment-date"
AMO_PAYMENT = CARNET + "StructureDefinition/primary-payment-date"
CATEGORY_SUFFIX = "/care-category"
EXPLANATION_SUFFIX = "/reimbursement-explanation"
_CARNET_ROLES: dict[str, str] = {
    "amc": "complementary", "participation-forfaitaire": "fixed", "franchise": "fixed", "depassement": "overbilling",
}
#: engine categories (``carnet.services.reimbursement.Category``) a package item may carry
ENGINE_CATEGORIES = frozenset({
    "gp", "specialist", "midwife", "auxiliary", "dental", "dental_prosthesis", "biology", "imaging", "pharmacy",
    "optics", "hearing", "hospital", "emergency", "transport", "other",
})
#: act nomenclature URI → engine category it implies
_NOMENCLATURE = {
    "https://data.esante.gouv.fr/ansm/medicament/CIP13": "pharmacy",
    "https://carnet.example/fhir/CodeSystem/nabm": "biology",
    "https://carnet.example/fhir/CodeSystem/ngap": None,
    "https://smt.esante.gouv.fr/terminologie-ccam": None,
    "https://carnet.example/fhir/CodeSystem/lpp": None,
}
#: SNDS nature of prestation (PRS_NAT_REF) ranges → engine category, first match wins
_NATURES: tuple[tuple[int, int, str], ...] = (
    (1104, 1104, "gp"), (1110, 1110, "gp"), (1111, 1111, "dental"), (1112, 1113, "specialist"),
    (1190, 1199, "gp"), (1321, 1323, "hospital"), (1324, 1351, "imaging"), (1352, 1399, "specialist"),
    (1401, 1449, "dental_prosthesis"), (1450, 1499, "dental"), (1900, 1999, "midwife"),
    (2238, 2238, "emergency"), (2000, 2999, "hospital"), (3100, 3199, "auxiliary"), (3200, 3299, "biology"),
    (3300, 3399, "pharmacy"), (3540, 3549, "hearing"), (3500, 3599, "optics"), (4200, 4299, "transport"),
    (4381, 4381, "other"), (5400, 5499, "hearing"), (9400, 9499, "dental"),
)
MAX_STEPS = 64

_role_cache: dict[str, tuple[bool, str | None, str]] = {}


def _coding_role(code: str) -> tuple[bool, str | None, str]:
    """(is a Blue Button variable, role, label) of one adjudication code, memoised."""
    found = _role_cache.get(code)
    if found is None:
        if code.startswith(BB_VARIABLES):
            name = code[len(BB_VARIABLES):]
            found = (True, _BB_ROLES.get(name), name)
        else:
            found = (False, _CATEGORY_ROLES.get(code), code)
        if len(_role_cache) < 10_000:
            _role_cache[code] = found
    return found


def _role(category: Any) -> tuple[str | None, str]:
    """(role, label) of an adjudication category; the label names it in explanations."""
    codings = category.get("coding") if type(category) is dict else None
    if type(codings) is not list:
        return None, "?"
    generic: tuple[str | None, str] | None = None
    for coding in codings:
        code = coding.get("code") if type(coding) is dict else None
        if type(code) is str and coding.get("system") == CARNET_ADJUDICATION:
            return _CARNET_ROLES.get(code), code
        if type(code) is str:
            variable, role, label = _coding_role(code)
            if variable:
                return role, label
            if generic is None:
                generic = (role, label)
    return generic or (None, "?")


class _Amounts:
    """Sums per role in one currency; amounts in another currency are reported, not mixed."""

    __slots__ = ("ctx", "currency", "explanation", "position", "rate", "sums")

    def __init__(self, ctx: Context, position: tuple[str, str]) -> None:
        self.ctx, self.position = ctx, position
        self.currency: str | None = None
        self.sums: dict[str, Decimal] = {}
        self.explanation: dict[str, Any] = {}
        self.rate: int | float | None = None

    def accepts(self, currency: Any) -> bool:
        """True when an amount in ``currency`` can join this claim's amounts."""
        if currency is None or currency == self.currency:
            return True
        if self.currency is None and type(currency) is str:
            self.currency = currency
            return True
        self.ctx.warn(at(*self.position), f"amount in {str(currency)[:8]} left out of a {self.currency} claim")
        return False

    def money(self, value: Any) -> Decimal | None:
        if type(value) is not dict:
            return None
        number = decimal(value.get("value"))
        if number is None or not self.accepts(value.get("currency")):
            return None
        return number

    def add(self, entries: Any) -> None:
        """Adjudications or EOB totals: each amount to its role, all of them to the explanation."""
        if type(entries) is not list:
            return
        explanation, sums = self.explanation, self.sums
        for entry in entries:
            if type(entry) is not dict:
                continue
            money = entry.get("amount")
            if type(money) is not dict:
                if type(entry.get("value")) in (int, float) and _role(entry.get("category"))[1] == "eligpercent":
                    self.rate = entry["value"]
                continue
            value = money.get("value")
            kind = type(value)
            if (kind is not float and kind is not int) or not self.accepts(money.get("currency")):
                continue
            role, label = _role(entry.get("category"))
            explanation[label if label not in explanation else f"{label}#{len(explanation)}"] = value
            if role is not None:
                amount = decimal(value)
                if amount is not None:
                    sums[role] = sums[role] + amount if role in sums else amount

    def pick(self, *roles: str) -> Decimal | None:
        for role in roles:
            if role in self.sums:
                return self.sums[role]
        return None


def _charged(amounts: _Amounts, item: dict[str, Any]) -> Decimal | None:
    net = amounts.money(item.get("net"))
    if net is not None:
        return net
    price = amounts.money(item.get("unitPrice"))
    if price is not None:
        qty = item.get("quantity")
        count = decimal(qty.get("value")) if type(qty) is dict else None
        factor = decimal(item.get("factor"))
        return price * (count if count is not None else 1) * (factor if factor is not None else 1)
    return amounts.pick("charged")


def _providers(res: dict[str, Any], refs: Refs) -> dict[int, str]:
    team = res.get("careTeam")
    found: dict[int, str] = {}
    if type(team) is list:
        for member in team:
            if type(member) is dict and type(member.get("sequence")) is int:
                label = reference_label(member.get("provider"), refs)
                if label:
                    found[member["sequence"]] = label
    return found


def _is_package(res: dict[str, Any]) -> bool:
    """A Carnet package EOB: its décompte identifier (or Carnet's adjudication codes) says so."""
    ids = res.get("identifier")
    if type(ids) is list and any(type(i) is dict and i.get("system") == DECOMPTE_ID for i in ids):
        return True
    totals = res.get("total")
    if type(totals) is not list:
        return False
    for total in totals:
        codings = total.get("category", {}).get("coding") if type(total) is dict else None
        if type(codings) is list and any(type(c) is dict and c.get("system") == CARNET_ADJUDICATION for c in codings):
            return True
    return False


def _extension(element: dict[str, Any], suffix: str) -> Any:
    """The value of the first extension whose URL ends with ``suffix`` (None without one)."""
    found = element.get("extension")
    if type(found) is not list:
        return None
    for ext in found:
        if type(ext) is dict and type(ext.get("url")) is str and ext["url"].endswith(suffix):
            for key in ("valueDate", "valueCode", "valueString", "valueCoding", "valueCodeableConcept"):
                if key in ext:
                    return ext[key]
    return None


def _steps(raw: Any) -> list[dict[str, Any]] | None:
    """The engine's steps of a package item (a JSON list of {topic, fr, en, rule, verified, amount})."""
    if type(raw) is not str:
        return None
    try:
        steps = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if type(steps) is not list:
        return None
    keep = ("topic", "fr", "en", "rule", "verified", "amount")
    return [{k: step[k] for k in keep if k in step and type(step[k]) in (str, bool, int, float)}
            for step in steps[:MAX_STEPS] if type(step) is dict] or None


def _category(item: dict[str, Any], act: Code | None, nature: str | None) -> str | None:
    """The engine category of a package item: given, else from its nomenclature or nature."""
    codes, _ = concept(item.get("category"))
    given = _extension(item, CATEGORY_SUFFIX)
    if given is not None:
        codes = (*codes, *concept(given)[0]) if type(given) is dict else (*codes, Code(None, str(given)))
    for code in codes:
        if code.code in ENGINE_CATEGORIES:
            return code.code
    if act is not None and act.system in _NOMENCLATURE and _NOMENCLATURE[act.system]:
        return _NOMENCLATURE[act.system]
    label = (act.display or "").upper() if act is not None else ""
    if "OPTIQUE" in label:
        return "optics"
    if "AIDE AUDITIVE" in label:
        return "hearing"
    if nature is not None and nature.isdigit():
        number = int(nature)
        return next((cat for low, high, cat in _NATURES if low <= number <= high), None)
    return None


class _Claim:
    """One Claim or EOB being turned into lines."""

    def __init__(self, ctx: Context, res: dict[str, Any], pointer: str) -> None:
        self.ctx, self.res, self.pointer = ctx, res, pointer
        start, _ = start_end(res.get("billablePeriod"))
        self.date = start if valid_date(start) else (res.get("created") if valid_date(res.get("created")) else None)
        self.provider = reference_label(res.get("provider"), ctx.refs)
        self.team = _providers(res, ctx.refs) if "careTeam" in res else {}
        self.payer = reference_label(res.get("insurer"), ctx.refs)
        if self.payer is None and type(res.get("insurance")) is list and res["insurance"]:
            first = res["insurance"][0]
            self.payer = reference_label(first.get("coverage"), ctx.refs) if type(first) is dict else None
        self.package = _is_package(res)
        if self.package:
            payment = res.get("payment")
            paid = payment.get("date") if type(payment) is dict else None
            self.paid_amo = paid if valid_date(paid) else None
            paid = _extension(res, AMC_PAYMENT)
            self.paid_amc = paid if valid_date(paid) else None

    def _currency(self, amounts: _Amounts) -> str:
        if amounts.currency:
            return amounts.currency
        if self.ctx.default_currency:
            return self.ctx.default_currency
        self.ctx.warn(self.pointer, "amounts without a currency (recorded as XXX)")
        return "XXX"

    def _act(self, item: dict[str, Any], where: str) -> tuple[Code | None, str | None]:
        """The act's code (a package's nomenclature code before its nature) and the SNDS nature."""
        codes, label = concept(item.get("productOrService"))
        if not codes:
            return (Code(None, None, label) if label else None), None
        act, nature = codes[0], None
        if self.package:
            nature = next((c.code for c in codes if c.system == PRESTATION_NATURE), None)
            act = next((c for c in codes if c.system in _NOMENCLATURE), act)
        if act.system is None or not (systems.is_known(act.system) or (self.package and act.system.startswith(CARNET))):
            reason = systems.problem(act.system, act.code)
            if reason is not None:
                self.ctx.warn(at(self.pointer, where + "/productOrService"), reason)
        return act, nature

    def line(self, item: dict[str, Any], index: int) -> ClaimLine:
        where = f"/item/{index}"
        amounts = _Amounts(self.ctx, (self.pointer, where))
        amounts.add(item.get("adjudication"))
        charged = _charged(amounts, item)
        date, _ = start_end(item.get("servicedDate") or item.get("servicedPeriod"))
        if date is not None and not valid_date(date):
            self.ctx.warn(at(self.pointer, where + "/serviced"), f"invalid date {str(date)[:40]!r} dropped")
            date = None
        qty = item.get("quantity")
        act, nature = self._act(item, where)
        team = item.get("careTeamSequence")
        provider = self.team.get(team[0]) if type(team) is list and team and type(team[0]) is int else None
        if self.package:
            category = _category(item, act, nature)
            self._facts(amounts, item, nature)
        else:
            category = label_of(item.get("category"))
        sequence = item.get("sequence")
        return self._make(
            amounts, charged, sequence if type(sequence) is int else index + 1,
            date or self.date, category, provider or self.provider, act,
            decimal(qty.get("value")) if type(qty) is dict else None,
        )

    def _facts(self, amounts: _Amounts, item: dict[str, Any], nature: str | None) -> None:
        """Carnet's facts of a package line, under the explanation's ``carnet`` key."""
        paid_amo, paid_amc = _extension(item, AMO_PAYMENT), _extension(item, AMC_PAYMENT)
        facts: dict[str, Any] = {
            "payment": {"primary": paid_amo if valid_date(paid_amo) else self.paid_amo,
                        "complementary": paid_amc if valid_date(paid_amc) else self.paid_amc},
        }
        if amounts.rate is not None:
            facts["rate"] = amounts.rate
        if nature is not None:
            facts["nature"] = nature
        steps = _steps(_extension(item, EXPLANATION_SUFFIX))
        if steps:
            facts["steps"] = steps
        amounts.explanation["carnet"] = facts

    def summary(self) -> ClaimLine:
        """The one line of a claim without items: from ``total`` and ``payment``."""
        amounts = _Amounts(self.ctx, (self.pointer, ""))
        total = self.res.get("total")
        charged = amounts.money(total) if type(total) is dict else None
        amounts.add(total if type(total) is list else None)
        payment = self.res.get("payment")
        paid = amounts.money(payment.get("amount")) if type(payment) is dict else None
        if paid is not None:
            amounts.sums["paid"] = paid
        return self._make(amounts, charged if charged is not None else amounts.pick("charged"), 1, self.date,
                          label_of(self.res.get("type")), self.provider, None, None)

    def _make(self, amounts: _Amounts, charged: Decimal | None, line_no: int, date: Any, category: str | None,
              provider: str | None, act: Code | None, quantity: Decimal | None) -> ClaimLine:
        cur = self._currency(amounts)

        def money(value: Decimal | None) -> Money | None:
            return None if value is None else Money(value, cur)

        return ClaimLine(
            line_no=line_no, date=date, category=category, provider=provider, act=act, quantity=quantity,
            currency=cur, charged=money(charged), base=money(amounts.pick("base")),
            paid_primary=money(amounts.pick("paid", "paid_part")),
            paid_complementary=money(amounts.pick("complementary", "other_payer")),
            fixed_charges=money(amounts.pick("fixed")), overbilling=money(amounts.pick("overbilling")),
            patient_share=money(amounts.pick("patient", "patient_part")),
            primary_payer=self.payer, explanation=amounts.explanation or None,
        )


def claim_lines(ctx: Context, res: dict[str, Any], pointer: str) -> tuple[ClaimLine, ...]:
    """The lines of a Claim or an ExplanationOfBenefit (one summary line without items)."""
    claim = _Claim(ctx, res, pointer)
    items = res.get("item")
    if type(items) is list and items:
        return tuple(claim.line(item, i) for i, item in enumerate(items) if type(item) is dict)
    if res.get("total") is None and res.get("payment") is None:
        return ()
    return (claim.summary(),)
