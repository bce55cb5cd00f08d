"""Who the members are: IR_BEN_R and IR_IMB_R (SNDS referentials) and MUT_ADH_R (the mutuelle's).

The SNDS only knows a pseudonymised NIR (BEN_NIR_PSA), the birth year and
month, the sex, the residence and the ALD exemptions; the mutuelle also knows
names, households, contracts and the declared médecin traitant.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from carnet.restitution.synth import writer as w
from carnet.restitution.synth.claims import Who
from carnet.restitution.synth.dates import years_of
from carnet.restitution.synth.household import ROLE_NAMES, Households
from carnet.restitution.synth.membership import Members, pseudonym
from carnet.restitution.synth.pathology import NO_DAY, Conditions, PathologyRules
from carnet.restitution.synth.population import ALIVE, People, PopulationRules

#: IMB_ETM_NAT of an ALD on the list (IR_ETM_V)
ALD_ON_LIST = 41


def who(people: People, members: Members, population: PopulationRules) -> Who:
    """Per-person columns shared by the prestation tables."""
    departement = [population.departements[i] for i in members.departement]
    return Who(
        nir=pseudonym(members.number),
        birth_year=[str(y) for y in years_of(people.birth)],
        organisation=[f"01C{code[1:]}1000" for code in departement],
        emitter=np.array([20 if code[1:2] == "2" and code[2:].isalpha() else int(code)
                          for code in departement], dtype=np.int64),
        sex=people.sex, c2s=members.c2s.astype(np.int64), twin=members.twin_rank)


def member_tables(people: People, households: Households, members: Members, person: Who,
                  conditions: Conditions, pathology: PathologyRules,
                  population: PopulationRules, contracts: Sequence[str]) -> dict[str, pa.Table]:
    n = len(people)
    index = np.arange(n, dtype=np.int64)
    months = people.birth.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    departement = [population.departements[i] for i in members.departement]
    ben = w.table("IR_BEN_R", {
        "BEN_NIR_PSA": w.coded(index, person.nir),
        "BEN_RNG_GEM": w.ints(members.twin_rank, pa.int32()),
        "BEN_NAI_ANN": w.coded(index, person.birth_year),
        "BEN_NAI_MOI": w.texts([f"{m + 1:02d}" for m in months]),
        "BEN_SEX_COD": w.ints(people.sex, pa.int32()),
        "BEN_DCD_DTE": w.dates(np.where(people.death < ALIVE, people.death, 0),
                               people.death >= ALIVE),
        "BEN_RES_DPT": w.texts(departement),
        "BEN_RES_COM": w.texts([None] * n),
        "ORG_AFF_BEN": w.coded(index, person.organisation),
        "BEN_CMU_TOP": w.ints(person.c2s, pa.int32()),
    })
    given = population.given_names()
    adh = w.table("MUT_ADH_R", {
        "BEN_NIR_PSA": w.coded(index, person.nir),
        "BEN_RNG_GEM": w.ints(members.twin_rank, pa.int32()),
        "MEMBER_ID": w.texts([f"A{h:010d}{r:02d}" for h, r in
                              zip(members.household_number.tolist(), members.rank.tolist(),
                                  strict=True)]),
        "HOUSEHOLD_ID": w.texts([f"H{h:010d}" for h in members.household_number.tolist()]),
        "ROLE": w.coded(households.role, ROLE_NAMES),
        "GIVEN": w.coded(people.given, given),
        "FAMILY": w.coded(members.family, population.family),
        "BIRTH_DATE": w.dates(people.birth),
        "CONTRACT_ID": w.coded(members.contract, contracts),
        "MEDECIN_TRAITANT": w.flags(members.medecin_traitant),
    })
    rows, columns = np.nonzero(conditions.ald_start < NO_DAY)
    order = np.lexsort((columns, rows))
    rows, columns = rows[order], columns[order]
    numbers = np.array([c.ald_number or 0 for c in pathology.conditions], dtype=np.int64)
    codes = [c.cim10 for c in pathology.conditions]
    imb = w.table("IR_IMB_R", {
        "BEN_NIR_PSA": w.coded(rows, person.nir),
        "BEN_RNG_GEM": w.ints(members.twin_rank[rows], pa.int32()),
        "IMB_ALD_NUM": w.ints(numbers[columns], pa.int32()),
        "IMB_ALD_DTD": w.dates(conditions.ald_start[rows, columns]),
        "IMB_ALD_DTF": w.dates(conditions.ald_end[rows, columns]),
        "IMB_ETM_NAT": w.ints(np.full(rows.size, ALD_ON_LIST), pa.int32()),
        "MED_MTF_COD": w.coded(columns, codes),
    })
    return {"IR_BEN_R": ben, "MUT_ADH_R": adh, "IR_IMB_R": imb}
