"""Queryset helpers shared by the apps' selectors."""

from django.db.models import QuerySet


def filter_given(qs: QuerySet, **lookups) -> QuerySet:
    """`qs` narrowed by each lookup whose value was given: None and "" mean the caller did not ask, any
    other value (False and 0 included) filters. One filter() per lookup, in the order given."""
    for lookup, value in lookups.items():
        if value is not None and value != "":
            qs = qs.filter(**{lookup: value})
    return qs
