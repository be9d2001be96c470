"""Database helpers shared by the services of every app."""

from collections.abc import Callable
from typing import TypeVar

from django.db import models, transaction

M = TypeVar("M", bound=models.Model)


def lock_rows(queryset: models.QuerySet[M]) -> list[M]:
    """Lock the rows of `queryset` for the rest of the transaction, in primary-key order so that two
    transactions locking overlapping sets cannot deadlock. Caller must be inside transaction.atomic."""
    return list(queryset.select_for_update(of=("self",)).order_by("pk"))


def lock_one(queryset: models.QuerySet[M], pk: int) -> M:
    """Lock and return one row; raises the model's DoesNotExist when it is gone.

    Only the model's own row is locked (`of=("self",)`), so callers may select_related nullable
    relations, which PostgreSQL cannot lock through an outer join."""
    return queryset.select_for_update(of=("self",)).get(pk=pk)


def after_commit(fn: Callable[[], object]) -> None:
    """Run a side effect (task, notification push) only once the current transaction commits."""
    transaction.on_commit(fn, robust=True)
