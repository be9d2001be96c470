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


def test_the_queue_indexes_use_the_one_list_of_open_statuses():
    """A partial index serves a query only when its condition is the query's: the queue indexes, the
    selectors (the reports' among them), the transition table all use tickets.models.OPEN_STATUSES."""
    from tickets.models import OPEN_STATUSES
    from tickets.selectors import reporting
    from tickets.selectors import tickets as ticket_selectors
    from tickets.services import transitions

    conditions = [index.condition for index in Ticket._meta.indexes if index.condition is not None]
    open_conditions = [c for c in conditions if ("status__in", list(OPEN_STATUSES)) in c.children]
    assert len(open_conditions) == 3  # ticket_open_due_idx, ticket_open_assignee_idx, ticket_unassigned_due_idx
    assert ticket_selectors.OPEN_STATUSES is OPEN_STATUSES and reporting.OPEN_STATUSES is OPEN_STATUSES
    assert transitions.OPEN_STATUSES == frozenset(OPEN_STATUSES)
    assert set(OPEN_STATUSES) <= set(Ticket.Status.values)


def test_postgresql_knows_that_open_tickets_are_the_ones_with_a_due_time():
    """Migration 0014: the extended statistics behind the queue plans (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        pytest.skip("extended statistics are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT stxkind, stxkeys::text FROM pg_statistic_ext WHERE stxname = 'ticket_open_stats'")
        row = cursor.fetchone()
    assert row is not None and "m" in row[0]
