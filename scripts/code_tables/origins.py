"""Where each source data set comes from, copied from the SOURCE.md beside the data.

Sources: ``fr_reference/SOURCE.md`` and ``snds/SOURCE.md`` in the shared data
folder. Keep these in step with them when the data are refreshed.
"""

from __future__ import annotations

from code_tables.reading import Origin

BDPM_2026 = Origin(
    title="BDPM — Base de données publique des médicaments (ANSM / HAS / UNCAM)",
    origin=(
        "base-donnees-publique.medicaments.gouv.fr, files downloaded unchanged by "
        "github.com/obouton1-oss/analyse-factures-pharmacie `data/`, "
        "commit 3bea1438af3ae584e45ec5a3c755db42b89d2298"
    ),
    extract="2026-07-24",
    licence=(
        "public BDPM files: free reuse with citation of the source (BDPM site terms); "
        "the carrying repository has no LICENSE — check the terms before redistributing publicly"
    ),
)

CCAM_V81 = Origin(
    title="CCAM version 81 with tariffs (CNAM), applicable 2026-01-01",
    origin=(
        "the CNAM's CCAM export converted to CSV, via github.com/instamedsolutions/rpps_api "
        "`data/ccam.csv`, commit 619225d13f29387690bd264f7d4efabc4d9bf488 (2026-01-29)"
    ),
    extract="2026-01-29 (CCAM v81, applicable 2026-01-01)",
    licence=(
        "redistribution terms of this copy are unclear (the carrying repository's code is "
        "proprietary): keep internal; re-download from ameli.fr for anything public"
    ),
)

NGAP_INSTAMED = Origin(
    title="NGAP and prestation key letters with a description (no tariffs)",
    origin=(
        "github.com/instamedsolutions/rpps_api `data/ngap.csv`, "
        "repository HEAD 69bee754272588f19b9b89969f7fd5499b869dba"
    ),
    extract="not stated (copy taken with the CCAM v81 file, 2026)",
    licence=CCAM_V81.licence,
)

SNDS_NOMENCLATURES = Origin(
    title="SNDS nomenclatures (Health Data Hub, schema-snds)",
    origin=(
        "github.com/indsante/synthetic-snds `nomenclatures/` (copied from schema-snds), "
        "commit 4d1c7494ed131181411cf86463147ff77661b3b8"
    ),
    extract="2021-04-19 (repository commit date; table contents as of that snapshot)",
    licence="Licence Ouverte / Etalab 2.0 (synthetic-snds LICENCE.md)",
)
