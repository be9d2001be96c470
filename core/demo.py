"""The demo data registry: `manage.py seed_demo` (and the end-to-end journeys) run every app's demo
seeders in the order the apps registered them — the order of the layers, so that an app's demo data
finds what the apps below it seeded. Each app registers its seeders in AppConfig.ready(); accounts,
which imports no app, is registered by core (the layer right above it). Seeders are idempotent."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .registry import Registry


@dataclass(frozen=True)
class DemoSeeder:
    name: str  # shown by seed_demo, e.g. "tickets: reference data"
    run: Callable[[], Any]
    history: bool = False  # months of generated history: slow, skipped by the journeys unless asked


DEMO_SEEDERS: Registry[DemoSeeder] = Registry("demo seeders")


def demo_seeders_register(owner: str, *seeders: DemoSeeder) -> None:
    DEMO_SEEDERS.register(owner, *seeders)


def demo_seeders() -> list[DemoSeeder]:
    """Every registered seeder, lowest layer first."""
    return DEMO_SEEDERS.entries()
