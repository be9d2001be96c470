"""The list's rows and the full ticket (detail, action answers, `fields=full`) are written by
tickets.apis.ticket_row_data and ticket_data, not by DRF's fields: the same keys, in the same order, with
the same values as TicketRowSerializer and TicketSerializer (the documented shapes) for every kind of
ticket and clock; the clocks as SlaClockFiguresSerializer writes them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tickets.apis import (
    SlaClockFiguresSerializer,
    TicketRowSerializer,
    TicketSerializer,
    _clock_data,
    ticket_data,
    ticket_row_data,
)
from tickets.selectors.sla import sla_working_days_for, ticket_sla
from tickets.selectors.tickets import ticket_get_for_user, ticket_list_for_user
from tickets.services import tickets as svc
from tickets.services.satisfaction import ticket_rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets_in_every_state(users, systems, new_ticket):
    """New (running clocks), claimed and acknowledged, paused, breached (reported two days ago by phone),
    resolved and rated, a resource adjustment (working-hours clock), a request."""
    engineer, requester = users["engineer"], users["requester"]
    late = new_ticket("fault", "P2", title="超时", actor=engineer, requester=requester, channel="phone",
                      reported_at=timezone.now() - dt.timedelta(days=2))
    svc.ticket_claim(actor=engineer, ticket=late)
    svc.ticket_acknowledge(actor=engineer, ticket=late)
    new_ticket("fault", "P1", title="新报")
    claimed = new_ticket("fault", "P2", title="认领")
    svc.ticket_claim(actor=engineer, ticket=claimed)
    svc.ticket_acknowledge(actor=engineer, ticket=claimed)
    paused = new_ticket("request", "P3", title="暂停")
    svc.ticket_claim(actor=engineer, ticket=paused)
    svc.ticket_acknowledge(actor=engineer, ticket=paused)
    svc.ticket_start(actor=engineer, ticket=paused)
    svc.ticket_pend(actor=engineer, ticket=paused, reason="等用户")
    done = new_ticket("security", "P3", title="已解决")
    svc.ticket_claim(actor=engineer, ticket=done)
    svc.ticket_acknowledge(actor=engineer, ticket=done)
    svc.ticket_resolve(actor=engineer, ticket=done, resolution="已处理")
    ticket_rate(actor=requester, ticket=done, score=2, comment="慢")
    new_ticket("resource", "P3", title="扩容", actor=engineer, requester=requester, channel="phone",
               amount_before=Decimal("8"), amount_after=Decimal("12.5"), hosts=[systems["host"]])
    new_ticket("request", "P4", title="服务请求")


@pytest.mark.parametrize("who", ["engineer", "requester", "duty_leader", "auditor"])
def test_a_row_is_what_the_row_serializer_writes(rf, users, tickets_in_every_state, who):
    user = users[who]
    request = rf.get("/api/v1/tickets/")
    request.user = user
    now = timezone.now()
    tickets = list(ticket_list_for_user(user=user, for_rows=True).order_by("-reported_at", "-pk"))
    assert len(tickets) == 7 or who == "requester"
    days = sla_working_days_for(tickets, now=now)
    context = {"request": request, "now": now, "days": days}
    for tz in ("Asia/Shanghai", "UTC"):
        with timezone.override(tz):
            expected = TicketRowSerializer(tickets, many=True, context=context).data
            rows = [ticket_row_data(t, user=user, now=now, days=days, tz=timezone.get_current_timezone()) for t in tickets]
            assert [list(r) for r in rows] == [list(e) for e in expected]
            assert rows == [dict(e) for e in expected]
            assert any(r["sla"] for r in rows)


def test_every_clock_is_what_the_clock_serializer_writes(users, tickets_in_every_state):
    now = timezone.now()
    tickets = list(ticket_list_for_user(user=users["engineer"], for_rows=True))
    days = sla_working_days_for(tickets, now=now)
    states = set()
    tz = timezone.get_current_timezone()
    for ticket in tickets:
        for figures in ticket_sla(ticket, now=now, days=days).values():
            states.add(figures["state"])
            out = _clock_data(figures, tz)
            expected = SlaClockFiguresSerializer().to_representation(figures)
            assert list(out) == list(expected) and out == dict(expected)
    assert {"running", "paused", "met", "breached"} <= states
    # A clock whose calendar year is missing: no elapsed figures.
    figures = {**ticket_sla(tickets[0], now=now, days=days)["response"], "elapsed_minutes": None,
               "elapsed_seconds": None, "remaining_minutes": None, "state": "unknown", "calendar_warning": "缺 2031 年日历"}
    assert _clock_data(figures, tz) == dict(SlaClockFiguresSerializer().to_representation(figures))


@pytest.mark.parametrize("who", ["engineer", "requester", "project_manager"])
def test_a_full_ticket_is_what_the_ticket_serializer_writes(rf, users, tickets_in_every_state, who):
    user = users[who]
    request = rf.get("/api/v1/tickets/")
    request.user = user
    now = timezone.now()
    listed = list(ticket_list_for_user(user=user).order_by("-reported_at", "-pk"))
    one_by_one = [ticket_get_for_user(user=user, ticket_id=t.pk) for t in listed]
    days = sla_working_days_for(listed, now=now)
    context = {"request": request, "now": now, "days": days}
    amounts = set()
    for tickets in (listed, one_by_one):
        expected = TicketSerializer(tickets, many=True, context=context).data
        full = [ticket_data(t, user=user, now=now, days=days, tz=timezone.get_current_timezone()) for t in tickets]
        assert [list(f) for f in full] == [list(e) for e in expected]
        assert full == [dict(e) for e in expected]
        amounts |= {(f["amount_before"], f["amount_after"]) for f in full}
        assert any(f["hosts"] for f in full) and any(f["rated"] for f in full)
    assert ("8.00", "12.50") in amounts
