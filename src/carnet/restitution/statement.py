"""The readable statement: one CSV line per act, in French, the way an ameli décompte reads.

``;`` separates the cells, amounts have a decimal comma, dates are
``JJ/MM/AAAA``, the file is UTF-8 with a byte order mark and CRLF line ends
so that Excel opens it as is. Text cells are always quoted; a text cell
starting with ``=``, ``+``, ``-``, ``@``, TAB or CR gets a leading ``'`` so
that no spreadsheet runs it as a formula (as :mod:`carnet.export.csvsafe`
does). Amount cells are produced by Carnet, never negative (negative amounts
are rejected as incoherent), and left unquoted so they stay numbers.
"""

from __future__ import annotations

from carnet.restitution.sql import amount, clean, clean_py, concat, lit

BOM = "\ufeff".encode()
CRLF = "chr(13) || chr(10)"


def text_cell(expr: str, cleaned: str | None = None) -> str:
    """A quoted, formula-safe CSV cell of any text (NULL gives an empty cell).

    ``cleaned``: the SQL of ``expr`` already without control characters, when known.
    """
    risky = f"substr({expr}, 1, 1) IN ('=', '+', '-', '@', chr(9), chr(13))"
    tidy = cleaned or clean(expr)
    safe = f"CASE WHEN {risky} THEN chr(39) || {tidy} ELSE {tidy} END"
    return f"coalesce(chr(34) || replace({safe}, chr(34), chr(34) || chr(34)) || chr(34), '')"


def trusted_cell(expr: str) -> str:
    """:func:`text_cell` of text without control characters (Carnet's labels)."""
    return text_cell(expr, expr)


_RISKY = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """What :func:`text_cell` gives, in Python: the same bytes for the same value."""
    safe = clean_py(value)
    if value.startswith(_RISKY):
        safe = "'" + safe
    return '"' + safe.replace('"', '""') + '"'


def token_cell(expr: str) -> str:
    """A quoted cell of text that needs neither escaping nor formula guard (hex ids), never NULL."""
    return f"concat_ws('', chr(34), {expr}, chr(34))"


def money_cell(expr: str) -> str:
    """An amount with a decimal comma: ``12,50``."""
    return f"coalesce(replace({amount(expr)}, '.', ','), '')"


def date_cell(expr: str) -> str:
    """A date as ``JJ/MM/AAAA``."""
    iso = f"CAST({expr} AS STRING)"
    return f"concat_ws('/', substr({iso}, 9, 2), substr({iso}, 6, 2), substr({iso}, 1, 4))"


def number_cell(expr: str) -> str:
    return f"coalesce(CAST({expr} AS STRING), '')"


_PRESTATION = "concat_ws(' ', 'Prestation', nature)"
#: (header, SQL of the cell) over the columns of the pipeline's ``items`` step; the ``*_csv``
#: columns are cells made once (per member or claim) with :func:`text_cell`; labels are
#: clean already (:func:`carnet.restitution.codes.label_table`), and a code that has one too
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Date des soins", date_cell("care_date")),
    ("Bénéficiaire", "display_csv"),
    ("Acte", trusted_cell(f"coalesce(act_label, nature_label, {_PRESTATION})")),
    (
        "Code",
        f"CASE WHEN act_label IS NOT NULL OR act_code IS NULL THEN {trusted_cell('coalesce(act_code, nature)')} "
        f"ELSE {text_cell('act_code')} END",
    ),
    ("Montant payé", money_cell("charged")),
    ("Base de remboursement", money_cell("base")),
    ("Taux (%)", number_cell("rate")),
    ("Remboursement Assurance Maladie", money_cell("amo")),
    ("Participation forfaitaire / franchise", money_cell("pf + fra")),
    ("Remboursement mutuelle", money_cell("amc")),
    ("Reste à charge", money_cell("rac")),
    ("N° de décompte", "decompte_csv"),
    # References that tie each line to the package's FHIR resources (Patient id, ExplanationOfBenefit id),
    # so that a vault importing both the statement and the FHIR files keeps each claim once.
    ("Réf. bénéficiaire", token_cell("patient_id")),
    ("Réf. soin", token_cell("eob_id")),
)


def header() -> bytes:
    """The first line of every statement: BOM, column names, CRLF."""
    return BOM + (";".join(name for name, _ in COLUMNS) + "\r\n").encode()


def statement_line() -> str:
    """SQL of one statement line (``items`` step), CRLF included."""
    cells: list[str] = []
    for i, (_, cell) in enumerate(COLUMNS):
        if i:
            cells.append(lit(";"))
        cells.append(cell)
    return concat([*cells, CRLF])
