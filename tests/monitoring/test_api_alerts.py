"""GET /api/v1/alerts/ and /api/v1/tickets/{id}/alerts/: fields, filters, access, query counts."""

import pytest

from monitoring.models import Alert
from tickets.models import Ticket

from .conftest import am_alert, am_payload

pytestmark = pytest.mark.django_db

FIELDS = {"id", "fingerprint", "status", "starts_at", "ends_at", "ticket", "silenced_by_change", "receipts"}


@pytest.fixture
def two_groups(integration, post):
    post(integration, am_payload(am_alert("Down", instance="a"), am_alert("Down", instance="b"), am_alert("Disk", instance="a")))
    post(integration, am_payload(am_alert("Down", "resolved", instance="a")))
    return integration


def test_alert_list_fields_and_filters(api, users, two_groups):
    client = api(users["engineer"])
    rows = client.get("/api/v1/alerts/").json()["results"]
    assert len(rows) == 3 and FIELDS <= set(rows[0])
    down = Ticket.objects.get(title__contains="Down")
    by_ticket = client.get("/api/v1/alerts/", {"ticket": down.pk}).json()["results"]
    assert {r["fingerprint"] for r in by_ticket} == {"fp-Down-a", "fp-Down-b"}
    firing = client.get("/api/v1/alerts/", {"status": "firing"}).json()["results"]
    assert {r["fingerprint"] for r in firing} == {"fp-Down-b", "fp-Disk-a"}
    assert client.get("/api/v1/alerts/", {"integration": two_groups.pk + 1}).json()["results"] == []
    assert client.get("/api/v1/alerts/", {"status": "burning"}).status_code == 400


def test_ticket_alerts(api, users, two_groups):
    down = Ticket.objects.get(title__contains="Down")
    rows = api(users["engineer"]).get(f"/api/v1/tickets/{down.pk}/alerts/").json()["results"]
    assert sorted(r["fingerprint"] for r in rows) == ["fp-Down-a", "fp-Down-b"]
    assert all(r["ticket"] == down.pk for r in rows)
    assert api(users["approver"]).get(f"/api/v1/tickets/{down.pk}/alerts/").status_code == 200
    assert api(users["other_requester"]).get(f"/api/v1/tickets/{down.pk}/alerts/").status_code == 404
    assert api(users["other_requester"]).get("/api/v1/alerts/").json()["results"] == []
    assert api().get("/api/v1/alerts/").status_code in (401, 403)


def test_alert_list_query_count_does_not_grow(api, users, integration, post, django_assert_num_queries):
    post(integration, am_payload(*[am_alert(f"N{i}") for i in range(5)]))
    client = api(users["engineer"])
    client.get("/api/v1/alerts/")
    with django_assert_num_queries(2):  # count, page (with system, host, ticket, integration joined)
        rows = client.get("/api/v1/alerts/").json()["results"]
    assert len(rows) == Alert.objects.count() == 5
