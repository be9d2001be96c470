"""The indexes of the big tables (bench/README.md, "Indexes"): every foreign key can still be looked up
through an index that leads with it, and no index is a copy of another's leading columns."""

import pytest
from django.db import connection

from tickets.models import SlaClock, Ticket, TicketComment, TicketEvent

pytestmark = pytest.mark.django_db

BIG = (Ticket, SlaClock, TicketEvent, TicketComment)


def _indexes(model) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: c["columns"] for name, c in found.items() if (c["index"] or c["unique"]) and c["columns"]}


@pytest.mark.parametrize("model", BIG, ids=lambda m: m.__name__)
def test_every_foreign_key_leads_an_index(model):
    leading = {columns[0] for columns in _indexes(model).values()}
    for field in model._meta.concrete_fields:
        if field.is_relation:
            assert field.column in leading, f"{model.__name__}.{field.name} has no index that starts with it"


@pytest.mark.parametrize("model", BIG, ids=lambda m: m.__name__)
def test_no_single_column_index_repeats_the_head_of_a_wider_one(model):
    """Partial indexes (a condition) cover only some rows and are left out of the comparison."""
    partial = {index.name for index in model._meta.indexes if index.condition is not None}
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    indexes = {name: columns for name, columns in _indexes(model).items() if name not in partial}
    wider_heads = {columns[0] for columns in indexes.values() if len(columns) > 1}
    for name, columns in indexes.items():
        if len(columns) == 1 and not found[name]["unique"] and not found[name].get("primary_key"):
            assert columns[0] not in wider_heads, f"{name} on {columns} is covered by a wider index"


def test_the_dropped_indexes_are_gone():
    names = set(_indexes(Ticket)) | set(_indexes(SlaClock)) | set(_indexes(TicketEvent))
    assert not names & {"ticket_reported_idx", "tickets_ticket_requester_id_2072a2f2", "tickets_ticket_organization_id_7128da48",
                        "tickets_ticket_business_system_id_ef30c46f", "tickets_slaclock_ticket_id_3a7b2be6",
                        "tickets_ticketevent_ticket_id_b572d14b"}


def test_the_queue_indexes_cover_exactly_the_statuses_the_queues_read():
    """A partial index serves a query only when its condition matches the query's: the open statuses
    of the indexes and of the selectors must stay the same list."""
    from tickets.models.ticket import OPEN_STATUS_VALUES
    from tickets.selectors.tickets import OPEN_STATUSES

    assert list(OPEN_STATUSES) == OPEN_STATUS_VALUES
