"""bench/floors.py, the raw-SQL floors of bench/run.py: they run against the schema as it is, and the API
list's floor reads exactly the fields a TicketRow shows (so that a field added to the rows is added to
the floor, or the ratio would flatter the list)."""

import json

import pytest
from django.db import connection

from bench import floors
from tickets.apis import TicketRowSerializer
from tickets.models import OPEN_STATUSES

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the floors are PostgreSQL SQL")]


def test_every_floor_reads_the_rows_its_page_shows(users, systems, new_ticket, api):
    from tickets.services.tickets import ticket_assign

    mine = new_ticket("fault", "P3", title="<b>分配给我</b>")
    ticket_assign(actor=users["duty_leader"], ticket=mine, assignee=users["engineer"])
    new_ticket("request", "P4", title="待认领")
    connection.ensure_connection()
    raw = connection.connection  # Django's own psycopg connection: the test's transaction sees the rows
    params = {"status": "new", "severity": "P3", "system": systems["own"].pk, "open": list(OPEN_STATUSES),
              "user": users["engineer"].pk}

    listed = json.loads(floors.api_list(raw, "newest", params))
    assert listed["count"] == 2 and [r["title"] for r in listed["results"]] == ["待认领", "<b>分配给我</b>"]
    shown = set(TicketRowSerializer.Meta.fields) - {"actions"}  # the floor reads data; actions are computed
    assert [set(r) for r in listed["results"]] == [shown, shown]
    api_rows = api(users["engineer"]).get("/api/v1/tickets/").json()["results"]
    assert [r["sla"].keys() for r in listed["results"]] == [r["sla"].keys() for r in api_rows]
    assert json.loads(floors.api_list(raw, "unassigned", params))["count"] == 1
    mine.refresh_from_db()
    params["status"] = mine.status
    assert json.loads(floors.api_list(raw, "filtered", params))["count"] == 1
    params["severity"] = "P1"
    assert json.loads(floors.api_list(raw, "filtered", params))["count"] == 0
    mine_page = floors.page_rows(raw, "mine", params)
    assert mine_page.startswith("<p>1</p>") and "&lt;b&gt;分配给我&lt;/b&gt;" in mine_page
    detail = json.loads(floors.api_detail(raw, mine.pk))
    assert detail["assignee"]["id"] == users["engineer"].pk and set(detail["sla"]) >= {"response", "resolve"}
    full = api(users["engineer"]).get(f"/api/v1/tickets/{mine.pk}/").json()
    assert set(detail) == set(full) - {"actions"}  # every field the detail API shows
    page = floors.detail_page(raw, mine.pk)
    assert "&lt;b&gt;分配给我&lt;/b&gt;" in page and "<b>" not in page
    from django.utils import timezone

    from reports.selectors.periods import month_of

    month = month_of(timezone.now())
    assert "<table>" in floors.dashboard(raw, month.start, month.end, timezone.now())
