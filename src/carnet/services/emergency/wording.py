"""The words of the summary, the card and the IPS narrative, in French and English.

The web pages translate through gettext catalogs; a PDF card or an IPS
document is made outside a request, in the language the person picks, so
their few words are kept here, side by side.
"""

from __future__ import annotations

LANGUAGES = ("fr", "en")

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Résumé patient international",
        "colon": " :",
        "card": "Carte d'urgence",
        "emergency": "URGENCE",
        "born": "né(e) le",
        "allergies": "Allergies et intolérances",
        "conditions": "Problèmes de santé",
        "medications": "Traitements en cours",
        "blood_group": "Groupe sanguin",
        "pregnancy": "Grossesse",
        "devices": "Dispositifs et implants",
        "immunizations": "Vaccinations",
        "results": "Résultats",
        "vital_signs": "Signes vitaux",
        "directives": "Directives anticipées",
        "directives_location": "Où les trouver",
        "organ_donation": "Don d'organes",
        "organ_yes": "accepte",
        "organ_no": "refuse",
        "alerts": "Notes",
        "contacts": "Personnes à prévenir",
        "trusted_person": "Personne de confiance",
        "doctor": "Médecin traitant",
        "none": "Aucune information disponible.",
        "none_known": "Aucune connue",
        "unknown": "inconnu",
        "not_recorded": "non renseignées",
        "pregnant": "enceinte",
        "due": "terme prévu",
        "ald": "ALD",
        "high_criticality": "RISQUE ÉLEVÉ",
        "more": "autres",
        "source": "Source",
        "entered": "saisi par la personne",
        "made_on": "Établi le",
        "scan": "Scannez pour le résumé complet",
        "scan_text": "Ces informations, à scanner",
    },
    "en": {
        "title": "International Patient Summary",
        "colon": ":",
        "card": "Emergency card",
        "emergency": "EMERGENCY",
        "born": "born",
        "allergies": "Allergies and intolerances",
        "conditions": "Health problems",
        "medications": "Current medications",
        "blood_group": "Blood group",
        "pregnancy": "Pregnancy",
        "devices": "Devices and implants",
        "immunizations": "Immunizations",
        "results": "Results",
        "vital_signs": "Vital signs",
        "directives": "Advance directives",
        "directives_location": "Where to find them",
        "organ_donation": "Organ donation",
        "organ_yes": "accepts",
        "organ_no": "refuses",
        "alerts": "Notes",
        "contacts": "Emergency contacts",
        "trusted_person": "Trusted person",
        "doctor": "Treating doctor",
        "none": "No information available.",
        "none_known": "None known",
        "unknown": "unknown",
        "not_recorded": "none recorded",
        "pregnant": "pregnant",
        "due": "due date",
        "ald": "long-term condition",
        "high_criticality": "HIGH RISK",
        "more": "more",
        "source": "Source",
        "entered": "entered by the person",
        "made_on": "Made on",
        "scan": "Scan for the full summary",
        "scan_text": "This information, to scan",
    },
}


def words(lang: str) -> dict[str, str]:
    """The words of ``lang``; French when the language is not known."""
    return WORDS.get(lang, WORDS["fr"])
