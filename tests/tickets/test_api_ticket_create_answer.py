"""POST /api/v1/tickets/ answers 201 with the created ticket as written in the request, without reading
it back (tickets.services.tickets.ticket_create returns it with its clocks and hosts). The answer must
be exactly what a GET of the same ticket shows, for every shape of ticket, and cost a fixed number of
queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _shapes(users, systems):
    earlier = (timezone.now() - dt.timedelta(minutes=40)).isoformat()
    return [
        ("requester", {"title": " 平台无法登录 ", "description": "所有用户登录超时", "kind": "fault", "severity": "P1",
                       "business_system": systems["own"].pk, "hosts": [systems["host"].pk]}),
        ("requester", {"title": "开通账号", "kind": "request", "severity": "P4", "business_system": systems["own_normal"].pk}),
        ("requester", {"title": "扩容内存", "kind": "resource", "severity": "P3", "business_system": systems["own"].pk,
                       "resource": "memory", "direction": "increase", "amount_before": "32", "amount_after": "64.5"}),
        ("engineer", {"title": "电话报障：网站打不开", "kind": "security", "severity": "P2", "channel": "phone",
                      "business_system": systems["own"].pk, "requester": users["approver"].pk, "reported_at": earlier}),
        ("engineer", {"title": "监控告警", "kind": "fault", "severity": "P3", "channel": "monitoring",
                      "business_system": systems["own_normal"].pk}),
    ]


def test_the_created_answer_is_what_a_get_shows(api, users, systems):
    for who, body in _shapes(users, systems):
        client = api(users[who])
        created = client.post("/api/v1/tickets/", body, format="json")
        assert created.status_code == 201, created.json()
        shown = client.get(f"/api/v1/tickets/{created.json()['id']}/")
        assert shown.status_code == 200
        answer, stored = created.json(), shown.json()
        # The clocks run on between the two requests: remaining/elapsed minutes may tick by one.
        for figures in (answer["sla"], stored["sla"]):
            for clock in figures.values():
                for moving in ("elapsed_minutes", "remaining", "remaining_minutes"):
                    clock.pop(moving)
        assert answer == stored, body["title"]
        assert answer["sla"], body["title"]


def test_the_created_answer_carries_hosts_clocks_and_no_rating(api, users, systems):
    body = _shapes(users, systems)[0][1]
    answer = api(users["requester"]).post("/api/v1/tickets/", body, format="json").json()
    ticket = Ticket.objects.get(pk=answer["id"])
    assert answer["title"] == "平台无法登录" == ticket.title
    assert answer["hosts"] == [systems["host"].pk]
    assert list(answer["sla"]) == [c.name for c in ticket.clocks.order_by("pk")]
    assert answer["next_due_at"] is not None
    assert timezone.localtime(ticket.next_due_at).isoformat() == answer["next_due_at"]
    assert answer["rated"] is False


@pytest.mark.parametrize(("kind", "severity", "expected"), [("request", "P4", 11), ("fault", "P3", 22)])
def test_creation_costs_a_fixed_number_of_queries(api, users, systems, kind, severity, expected):
    """The user and roles are force_authenticate's here. A service request (working hours, no host):
    the business system with its organisation, savepoint, SLA policies, the calendar year, number,
    INSERT ticket with its next_due_at, its audit row, INSERT clocks, the timeline event and its audit
    row, release — no UPDATE for next_due_at and nothing read back. A fault (7×24: no calendar) adds the
    notice to the people on duty (tests/tickets/test_new_incident_notice.py): the roster, the duty
    leaders (nobody is on duty here), and per person told an inbox row and an e-mail in the outbox, each
    with its audit row."""
    client = api(users["requester"])
    body = {"title": "工单", "kind": kind, "severity": severity, "business_system": systems["own"].pk}
    client.post("/api/v1/tickets/", body, format="json")
    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            assert client.post("/api/v1/tickets/", body, format="json").status_code == 201
        counts.append(len(ctx.captured_queries))
        assert not any('FROM "tickets_ticket"' in q["sql"] and q["sql"].startswith("SELECT") for q in ctx.captured_queries)
    assert counts == [counts[0]] * 3
    assert counts[0] == expected, "\n".join(q["sql"][:120] for q in ctx.captured_queries)


def test_several_hosts_come_back_in_the_same_order_as_a_get_shows(api, users, systems):
    """Hosts are put in order by Ticket.host_list() on every path, not by the database's collation."""
    from tickets.models import Host

    names = ["b-host", "A-host", "主机-1", "a-host", "Z-host"]
    hosts = [Host.objects.create(name=n, business_system=systems["own"], vcpu=2, memory_gb=4, os_family="open_source",
                                 ip_address=f"10.2.0.{i}") for i, n in enumerate(names, start=1)]
    client = api(users["requester"])
    created = client.post("/api/v1/tickets/", {
        "title": "多台主机", "kind": "fault", "severity": "P3", "business_system": systems["own"].pk,
        "hosts": [h.pk for h in reversed(hosts)],
    }, format="json").json()
    shown = client.get(f"/api/v1/tickets/{created['id']}/").json()
    listed = next(t for t in client.get("/api/v1/tickets/", {"fields": "full"}).json()["results"] if t["id"] == created["id"])
    expected = [h.pk for h in sorted(hosts, key=lambda h: (h.name, h.pk))]
    assert created["hosts"] == shown["hosts"] == listed["hosts"] == expected
