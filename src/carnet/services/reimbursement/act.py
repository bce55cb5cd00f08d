"""An act of care as the engine reads it: what, when, by whom, for how much."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Category(StrEnum):
    """Kind of care; it selects the AMO rate and the fixed charges that apply."""

    GP = "gp"  # médecin généraliste
    SPECIALIST = "specialist"  # médecin spécialiste
    MIDWIFE = "midwife"  # sage-femme
    AUXILIARY = "auxiliary"  # auxiliaires médicaux: infirmier, kiné, orthophoniste…
    DENTAL = "dental"  # soins dentaires
    DENTAL_PROSTHESIS = "dental_prosthesis"  # prothèses dentaires
    BIOLOGY = "biology"  # biologie (actes en B; anapath, dépistages)
    IMAGING = "imaging"  # radiologie, imagerie
    PHARMACY = "pharmacy"  # médicaments
    OPTICS = "optics"  # optique (LPP)
    HEARING = "hearing"  # aides auditives (LPP)
    HOSPITAL = "hospital"  # hospitalisation complète (frais de séjour, honoraires)
    EMERGENCY = "emergency"  # passage aux urgences sans hospitalisation
    TRANSPORT = "transport"  # transport sanitaire
    OTHER = "other"  # hors nomenclature (ostéopathie…): no AMO base


#: categories whose practitioners are physicians (sector and OPTAM matter)
PHYSICIAN_CATEGORIES = frozenset(
    {Category.GP, Category.SPECIALIST, Category.IMAGING, Category.HOSPITAL}
)


class CodeSystem(StrEnum):
    """Nomenclature of the act code."""

    NGAP = "NGAP"  # consultations and letters: G, APC, MEG…
    CCAM = "CCAM"  # technical medical acts
    CIP13 = "CIP13"  # drug presentations
    NABM = "NABM"  # biology
    LPP = "LPP"  # devices: optics, hearing aids
    GHS = "GHS"  # hospital stays
    CARNET = "carnet"  # Carnet tariff classes (composite consultations, see docs/rules.md)
    NONE = "none"


class Sector(StrEnum):
    """Conventional sector of the practitioner (secteur conventionnel)."""

    SECTOR_1 = "1"
    SECTOR_2 = "2"
    NON_CONVENTIONNE = "non_conventionne"  # « secteur 3 », tarif d'autorité


class Basket(StrEnum):
    """100 % Santé basket of a device or prosthesis."""

    RAC0 = "100_sante"  # reste à charge zéro: optics class A, hearing class I, dental RAC 0
    MODERATE = "maitrise"  # dental « tarifs maîtrisés »
    FREE = "libre"  # free prices: optics class B, hearing class II, dental free


@dataclass(frozen=True, slots=True)
class Act:
    """One line of care to settle.

    Money is in euros (``Decimal``). ``charged`` is the whole line (all units);
    ``base``, when given, is the whole line's base too. When ``base`` is None
    the engine reads the tariff of ``code`` from the rules (NGAP letters, such
    as ``G`` or ``G+MEG``, and Carnet tariff classes), or the device bases of
    optics and hearing; otherwise the base is the charged price (drugs).
    """

    day: date
    category: Category
    charged: Decimal
    code: str | None = None
    code_system: CodeSystem = CodeSystem.NONE
    quantity: int = 1
    #: NGAP coefficient (``AMI 2`` → 2); also tested against the heavy-act threshold
    coefficient: Decimal = Decimal(1)
    base: Decimal | None = None
    #: sub-kind within the category: ``anapath``, ``frame``, ``lens_simple``, ``stay``,
    #: ``fees``, ``private_room``, ``emergency`` (transport)… (see docs/reimbursement.md)
    kind: str | None = None
    sector: Sector = Sector.SECTOR_1
    optam: bool = False
    #: True/False when known; None lets the engine decide from the person
    in_pathway: bool | None = None
    #: medical specialty (``gynecology``, ``psychiatry``…), for direct access
    specialty: str | None = None
    #: drug rate in percent (100, 65, 30, 15), for pharmacy
    drug_rate: int | None = None
    basket: Basket | None = None
    #: the act relates to the person's ALD (affection de longue durée)
    ald_related: bool = False
    #: days of full hospitalisation (forfait journalier), for hospital stays
    days: int = 0
    psychiatry: bool = False
    #: True/False when known (act ≥ 120 € or coefficient ≥ 60); None: the engine decides
    heavy_act: bool | None = None
    #: who performed it (RPPS, FINESS…), for the per-day caps « same professional »
    practitioner: str | None = None

    def __post_init__(self) -> None:
        if self.charged < 0:
            raise ValueError("charged must not be negative")
        if self.base is not None and self.base < 0:
            raise ValueError("base must not be negative")
        if self.quantity < 1:
            raise ValueError("quantity must be at least 1")
        if self.days < 0:
            raise ValueError("days must not be negative")
        if self.coefficient <= 0:
            raise ValueError("coefficient must be positive")

    @property
    def moderated_fees(self) -> bool:
        """True for sector 1 or OPTAM practitioners (the « OPTAM » column of guarantees)."""
        return self.sector is Sector.SECTOR_1 or (self.sector is Sector.SECTOR_2 and self.optam)

    @property
    def physician(self) -> bool:
        """True when a physician performs the act."""
        return self.category in PHYSICIAN_CATEGORIES
