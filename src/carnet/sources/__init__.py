"""Importers: each one ``identify`` + ``extract``, read-only, found through entry points."""

from carnet.sources.base import Importer, InputFile
from carnet.sources.registry import Registry, default_registry

__all__ = ["Importer", "InputFile", "Registry", "default_registry"]
