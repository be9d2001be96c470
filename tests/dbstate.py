"""The migration-seeded rows (groups, calendar, contract, SLA policies, organisations) between tests.

Django restores them at the start of a serialized-rollback test and flushes every table at its end, so
a test run after a transactional one in the same process would find them gone. The suite runs in
several processes (pytest-xdist) that each take whole modules, so transactional tests cannot all be
kept last: after each transactional test the rows are restored again (tests/conftest.py).

Django's own restore saves the rows one by one (~2 800 queries, ~8 s on PostgreSQL); this one inserts
each model's rows in bulk statements and skips rows already there. The end-to-end journeys can hand
it a snapshot that includes the demo data (tests/e2e/conftest.py).
"""

from django.core import serializers
from django.core.management.color import no_style
from django.db import transaction
from django.db.backends.base.creation import BaseDatabaseCreation
from django.db.models.constants import OnConflict

SNAPSHOT = {"data": None, "active": False, "used": False}
_django_deserialize = BaseDatabaseCreation.deserialize_db_from_string


def bulk_deserialize(self, data):
    if SNAPSHOT["active"]:
        SNAPSHOT["used"] = SNAPSHOT["data"] is not None
        data = SNAPSHOT["data"] or data
    alias = self.connection.alias
    rows: dict[type, list] = {}
    links: list = []
    for item in serializers.deserialize("json", data, using=alias):
        rows.setdefault(type(item.object), []).append(item.object)
        for name, ids in (item.m2m_data or {}).items():
            field = type(item.object)._meta.get_field(name)
            if field.remote_field.through._meta.auto_created:
                through = field.remote_field.through
                src, dst = field.m2m_field_name(), field.m2m_reverse_field_name()
                links.extend(through(**{f"{src}_id": item.object.pk, f"{dst}_id": pk}) for pk in ids)
    # Foreign keys are checked at the commit. Rows already there are the same rows: conflicts are skipped.
    with transaction.atomic(using=alias):
        for model, objs in rows.items():
            fields = model._meta.local_concrete_fields
            for start in range(0, len(objs), 500):
                model._base_manager.using(alias)._insert(
                    objs[start : start + 500], fields=fields, raw=True, on_conflict=OnConflict.IGNORE
                )
        by_through: dict[type, list] = {}
        for link in links:
            by_through.setdefault(type(link), []).append(link)
        for through, objs in by_through.items():
            through._base_manager.using(alias).bulk_create(objs, batch_size=500, ignore_conflicts=True)
        # Rows inserted with their ids leave a sequence where it was, which may be behind them (a test
        # that migrates backwards and forwards recreates tables): each sequence moves past its rows.
        statements = self.connection.ops.sequence_reset_sql(no_style(), list(rows) + list(by_through))
        if statements:
            with self.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def install() -> None:
    BaseDatabaseCreation.deserialize_db_from_string = bulk_deserialize


def is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


def restore(connection) -> None:
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        saved = SNAPSHOT["active"]
        SNAPSHOT["active"] = False
        try:
            connection.creation.deserialize_db_from_string(contents)
        finally:
            SNAPSHOT["active"] = saved
