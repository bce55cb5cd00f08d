"""Budget categories: the posts a household reads its health spending by.

The reimbursement engine has finer categories (``Category``); a claim line
from another country or holder has free labels (« Medical care »). Both are
folded here into the twelve posts of the budget pages:

gp, specialist, pharmacy, dental, optics, hearing, hospital, biology,
imaging, auxiliary, transport, other.

Folding rules (documented in docs/budget.md): a midwife counts with the
specialists, dental prostheses with dental care, the urgences with the
hospital. US lines (Synthea, Blue Button) are placed by their claim type,
type of service or code system, else ``other``.
"""

from __future__ import annotations

from carnet.services.reimbursement.act import Category

#: budget posts, in the order pages list them
CATEGORIES: tuple[str, ...] = (
    "gp", "specialist", "pharmacy", "dental", "optics", "hearing", "hospital",
    "biology", "imaging", "auxiliary", "transport", "other",
)

#: engine category → budget post
FROM_ENGINE: dict[str, str] = {
    Category.GP.value: "gp",
    Category.SPECIALIST.value: "specialist",
    Category.MIDWIFE.value: "specialist",
    Category.AUXILIARY.value: "auxiliary",
    Category.DENTAL.value: "dental",
    Category.DENTAL_PROSTHESIS.value: "dental",
    Category.BIOLOGY.value: "biology",
    Category.IMAGING.value: "imaging",
    Category.PHARMACY.value: "pharmacy",
    Category.OPTICS.value: "optics",
    Category.HEARING.value: "hearing",
    Category.HOSPITAL.value: "hospital",
    Category.EMERGENCY.value: "hospital",
    Category.TRANSPORT.value: "transport",
    Category.OTHER.value: "other",
}

#: words of a free category label (lower case) → budget post, tried in order
_WORDS: tuple[tuple[str, str], ...] = (
    ("pharmacy", "pharmacy"), ("drug", "pharmacy"), ("pharmacie", "pharmacy"),
    ("dental", "dental"), ("dentaire", "dental"),
    ("vision", "optics"), ("optic", "optics"), ("optique", "optics"),
    ("hearing", "hearing"), ("audit", "hearing"),
    ("inpatient", "hospital"), ("institutional", "hospital"), ("hospital", "hospital"),
    ("hospitalisation", "hospital"), ("emergency", "hospital"), ("urgence", "hospital"),
    ("lab", "biology"), ("biolog", "biology"),
    ("radiolog", "imaging"), ("imaging", "imaging"), ("imagerie", "imaging"),
    ("ambulance", "transport"), ("transport", "transport"),
    ("therapy", "auxiliary"), ("nursing", "auxiliary"), ("infirm", "auxiliary"), ("kin", "auxiliary"),
    ("consultation", "specialist"), ("surgery", "specialist"), ("anesthesia", "specialist"),
    ("generalist", "gp"), ("généraliste", "gp"), ("primary", "gp"),
)

#: act code systems that say what the line is
_SYSTEMS: dict[str, str] = {
    "http://www.nlm.nih.gov/research/umls/rxnorm": "pharmacy",
    "http://hl7.org/fhir/sid/ndc": "pharmacy",
    "https://data.esante.gouv.fr/ansm/medicament/CIP13": "pharmacy",
    "http://hl7.org/fhir/sid/cvx": "pharmacy",
    "https://carnet.example/fhir/CodeSystem/nabm": "biology",
    "http://loinc.org": "biology",
}

_cache: dict[tuple[str | None, str | None], str] = {}


def budget_category(category: str | None, act_system: str | None = None) -> str:
    """The budget post of a line's ``category`` (engine name or free label) and act system."""
    key = (category, act_system)
    found = _cache.get(key)
    if found is None:
        found = _classify(category, act_system)
        if len(_cache) < 4096:
            _cache[key] = found
    return found


def _classify(category: str | None, act_system: str | None) -> str:
    if category:
        if category in FROM_ENGINE:
            return FROM_ENGINE[category]
        if category in CATEGORIES:
            return category
        words = category.lower()
        for word, post in _WORDS:
            if word in words:
                return post
    if act_system and act_system in _SYSTEMS:
        return _SYSTEMS[act_system]
    return "other"


def engine_category(category: str | None) -> Category | None:
    """The engine category of a line, when its ``category`` is one (French lines)."""
    if category is None:
        return None
    try:
        return Category(category)
    except ValueError:
        return None
