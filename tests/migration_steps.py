"""Moving the test database along the migration graph, for the tests of data migrations (they run
transactional, with serialized rollback)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets: list[tuple[str, str | None]]) -> Apps:
    """Migrate to `targets` (an app's migration name, or None: the app unapplied) and return the
    historical models of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@contextmanager
def migrations_restored() -> Iterator[None]:
    """Whatever the block does to the schema, the database is migrated forward to the latest migrations
    after it."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        yield
    finally:
        migrate_to(latest)
