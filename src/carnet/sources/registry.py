"""One door for importers: built-ins and plug-ins both come through entry points."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib.metadata import entry_points

from carnet.errors import CarnetError, RejectedFile
from carnet.sources.base import Importer, InputFile

ENTRY_POINT_GROUP = "carnet.importers"


class Registry:
    """Importers by name; duplicate names are refused, not silently replaced."""

    def __init__(self, importers: Iterable[Importer] = ()) -> None:
        self._importers: dict[str, Importer] = {}
        for importer in importers:
            self.add(importer)

    def add(self, importer: Importer) -> None:
        if importer.name in self._importers:
            raise CarnetError(f"two importers are named {importer.name!r}")
        self._importers[importer.name] = importer

    @property
    def names(self) -> list[str]:
        return sorted(self._importers)

    def get(self, name: str) -> Importer:
        try:
            return self._importers[name]
        except KeyError:
            raise CarnetError(f"no importer named {name!r} (known: {', '.join(self.names)})") from None

    def claim(self, file: InputFile) -> Importer:
        """The one importer that claims ``file``; none or several is a clear error."""
        claimants = [imp for imp in self._importers.values() if imp.identify(file)]
        if not claimants:
            raise RejectedFile(file.name, "", "no importer recognises this file")
        if len(claimants) > 1:
            names = ", ".join(sorted(imp.name for imp in claimants))
            raise RejectedFile(file.name, "", f"several importers claim this file ({names})")
        return claimants[0]


def load_entry_points() -> Registry:
    """Build a registry from the ``carnet.importers`` entry points."""
    registry = Registry()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        factory = ep.load()
        registry.add(factory())
    return registry


@cache
def default_registry() -> Registry:
    return load_entry_points()
