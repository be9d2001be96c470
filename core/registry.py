"""Registries that apps fill at start-up (AppConfig.ready), instead of loading each other by string.

An app that needs something from the apps above it (the navigation entries of every app, the demo data
of every app, the open tickets a roster handover carries over, the links a ticket page offers) offers
a Registry; the apps above import it in their `apps.py` and register what they provide. Every edge is
then a plain import that the import contracts (.importlinter) see, and it points downwards.

Entries are kept per owner (the registering app's label): registering again replaces that owner's
entries, so a repeated ready() adds nothing. Owners keep the order in which they first registered —
the order of INSTALLED_APPS, which is the order of the layers (tests/test_import_contracts.py).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._by_owner: dict[str, tuple[T, ...]] = {}
        self.version = 0  # changes whenever the entries do (what is derived from them may be kept by it)

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {', '.join(self._by_owner) or 'empty'}>"

    def register(self, owner: str, *entries: T) -> None:
        """Set `owner`'s entries (in their order); the owner keeps its first place."""
        self._by_owner[owner] = tuple(entries)
        self.version += 1

    def owners(self) -> list[str]:
        return list(self._by_owner)

    def by_owner(self) -> list[tuple[str, tuple[T, ...]]]:
        """(owner, its entries) in registration order."""
        return list(self._by_owner.items())

    def entries(self) -> list[T]:
        """Every entry: owners in registration order, each owner's in its own order."""
        return [entry for entries in self._by_owner.values() for entry in entries]

    @contextmanager
    def replaced(self, **by_owner: tuple[T, ...] | list[T]) -> Iterator[None]:
        """For tests: the registry holds exactly `by_owner` inside the block, and what it held after."""
        saved = dict(self._by_owner)
        self._by_owner = {owner: tuple(entries) for owner, entries in by_owner.items()}
        self.version += 1
        try:
            yield
        finally:
            self._by_owner = saved
            self.version += 1
