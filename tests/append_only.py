"""Checks shared by the tests of the append-only histories (timelines, roster and swap events, the audit
trail): the ORM refuses to rewrite a row, and so does PostgreSQL's trigger."""

import pytest
from django.db import DatabaseError, connection, transaction

from core.models import AppendOnlyError


def assert_orm_refuses_rewrites(row, *, error: type[Exception] = AppendOnlyError, **values) -> None:
    """Saving `row` with `values` set, deleting it, and updating (with `values`) or deleting it through
    its queryset each raise `error`."""
    model = type(row)
    for name, value in values.items():
        setattr(row, name, value)
    with pytest.raises(error):
        row.save()
    with pytest.raises(error):
        row.delete()
    with pytest.raises(error):
        model.objects.filter(pk=row.pk).update(**values)
    with pytest.raises(error):
        model.objects.filter(pk=row.pk).delete()


def assert_database_refuses_rewrites(row) -> None:
    """On PostgreSQL the table's append-only trigger refuses an UPDATE and a DELETE of `row` (elsewhere
    there is no trigger to check)."""
    if connection.vendor != "postgresql":
        return
    table, pk = row._meta.db_table, row._meta.pk.column
    for sql in (f"UPDATE {table} SET {pk} = {pk} WHERE {pk} = %s", f"DELETE FROM {table} WHERE {pk} = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
