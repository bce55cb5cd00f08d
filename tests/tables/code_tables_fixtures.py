"""Tiny inline sources written by the tests: a three-file BDPM extract, a CCAM page."""

from __future__ import annotations

from pathlib import Path

BDPM_FOLDER = Path("fr_reference") / "bdpm_2026-07-24"


def cip13(stem: str) -> str:
    """``stem`` (12 digits) with its EAN-13 check digit."""
    weighted = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(stem))
    return stem + str((10 - weighted % 10) % 10)


def presentation(code: str, rate: str, price: str, fee: str = "1,02", cis: str = "60000001") -> str:
    """One ``CIS_CIP_bdpm.txt`` line (13 TAB-separated fields)."""
    cells = [cis, code[5:12], "plaquette(s) de 8 comprimé(s)", "Présentation active",
             "Déclaration de commercialisation", "16/03/2011", code, "oui", rate, price,
             "", fee, ""]  # fmt: skip
    return "\t".join(cells) + "\n"


def write_bdpm(root: Path, presentations: list[str]) -> Path:
    """Names and groups in cp1252 with CRLF, presentations in UTF-8, as the BDPM ships them."""
    folder = root / BDPM_FOLDER
    folder.mkdir(parents=True)
    names = "60000001\tDOLIPRANE 1000 mg, comprimé sécable" + "\t" * 10 + "\r\n"
    (folder / "CIS_bdpm.txt").write_bytes(names.encode("cp1252"))
    groups = "7\tPARACÉTAMOL 1000 mg - DOLIPRANE\t60000001\t0\t1\r\n"
    (folder / "CIS_GENER_bdpm.txt").write_bytes(groups.encode("cp1252"))
    (folder / "CIS_CIP_bdpm.txt").write_text("".join(presentations), encoding="utf-8")
    return folder


CCAM_HEAD = (
    "CNAM - CCAM version 81 applicable 01/01/2026,,,,,,,,,,\n"
    'Code,,Texte,Activité,Phase,"Tarif\nSecteur 1 / adhérent OPTAM/OPTAM-ACO\n(en euro)",'
    '"Tarif\nHors secteur 1 / hors adhérent OPTAM/OPTAM-ACO\n(en euro)",'
    "Rembt. ss Cdtions,Accord Préalable,Exo. TM,Regroupement\n"
    ",,,,,,,,,,\n"
)  # 7 physical lines: the header's cells span lines 2 to 6


def write_ccam(root: Path, body: str) -> Path:
    """``ccam.csv`` as the CNAM export lays it out, with ``body`` after the header."""
    folder = root / "fr_reference" / "ccam_ngap_instamed"
    folder.mkdir(parents=True)
    (folder / "ccam.csv").write_text(CCAM_HEAD + body, encoding="utf-8")
    return folder
