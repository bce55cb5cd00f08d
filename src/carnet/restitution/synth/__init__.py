"""Synthetic mutuelle members and their claims, in the shape of the SNDS tables.

``synthesize(members, seed, out, years=(2023, 2026))`` writes the tables of
:data:`carnet.restitution.tables.TABLES` as Parquet (see ``docs/synth.md``).
"""

from carnet.restitution.synth.synthesis import CHUNK_PERSONS, SynthReport, synthesize

__all__ = ["CHUNK_PERSONS", "SynthReport", "synthesize"]
