"""The handover's open items (交接班): the roster page asks tickets.selectors.handover through
the registry roster.selectors.handover offers and TicketsConfig.ready fills; remaining time comes from the one SLA function."""

import datetime as dt

import pytest

from roster.models import Assignment
from tests.roster.conftest import make_roster, manager, team  # noqa: F401 (the roster fixtures, reused)
from tickets.selectors.handover import handover_open_items
from tickets.services.tickets import ticket_acknowledge, ticket_assign, ticket_claim, ticket_resolve

pytestmark = pytest.mark.django_db


def _seat(shift, position):
    return Assignment.objects.filter(shift=shift, position=position).select_related("member__user").order_by("seat").first().member.user


@pytest.fixture
def shift(make_roster):  # noqa: F811
    roster = make_roster(dt.date(2026, 5, 11), dt.date(2026, 5, 12))
    return roster.shifts.order_by("start").first()


def test_the_registered_provider_is_the_tickets_selector():
    from roster.selectors.handover import HANDOVER_OPEN_ITEMS

    assert HANDOVER_OPEN_ITEMS.by_owner() == [("tickets", (handover_open_items,))]


def test_the_handover_page_shows_an_open_ticket_with_its_remaining_time(client, users, new_ticket, shift, time_machine):
    engineer = _seat(shift, "engineer")
    start = shift.end - dt.timedelta(minutes=20)
    time_machine.move_to(start, tick=False)
    open_ticket = new_ticket(title="数据库主从延迟")
    ticket_acknowledge(actor=engineer, ticket=open_ticket)  # the response clock stops; resolve (30 min) runs
    done = new_ticket(title="已解决的工单")
    ticket_acknowledge(actor=engineer, ticket=done)
    ticket_resolve(actor=engineer, ticket=done, resolution="已处理")
    time_machine.move_to(start + dt.timedelta(minutes=10), tick=False)

    client.force_login(engineer)
    page = client.get(f"/roster/handover/?shift={shift.pk}").content.decode()

    assert open_ticket.number in page and "数据库主从延迟" in page and "剩余 20 分" in page
    assert done.number not in page
    response = client.post("/roster/handover/", {"form": "submit", "shift": shift.pk, "manual_items": "", "notes": ""})
    assert response.status_code == 302
    shift.refresh_from_db()
    [item] = shift.handover.open_items
    assert item["ticket"] == open_ticket.number and item["remaining_minutes"] == 20 and "解决时限计时中" in item["note"]


def test_engineers_hand_over_their_shift_s_tickets_and_unclaimed_ones_the_leader_the_whole_desk(
    users, make_user, new_ticket, shift, time_machine
):
    time_machine.move_to(shift.start + dt.timedelta(hours=1), tick=False)
    engineer, leader = _seat(shift, "engineer"), _seat(shift, "leader")
    mine = new_ticket(title="本班工单")
    ticket_claim(actor=engineer, ticket=mine)
    unclaimed = new_ticket(title="无人认领")
    elsewhere = new_ticket(title="他人工单")
    ticket_assign(actor=users["duty_leader"], ticket=elsewhere, assignee=users["engineer2"])

    engineer_rows = {row["ticket"] for row in handover_open_items(user=engineer, shift=shift)}
    leader_rows = {row["ticket"] for row in handover_open_items(user=leader, shift=shift)}

    assert engineer_rows == {mine.number, unclaimed.number}
    assert leader_rows == {mine.number, unclaimed.number, elsewhere.number}


def test_breached_tickets_show_negative_remaining_and_come_first(users, new_ticket, shift, time_machine):
    time_machine.move_to(shift.start + dt.timedelta(hours=1), tick=False)
    old = new_ticket(title="早报故障")
    time_machine.move_to(shift.start + dt.timedelta(hours=2), tick=False)
    new = new_ticket(title="新报故障")
    time_machine.move_to(shift.start + dt.timedelta(hours=2, minutes=5), tick=False)
    rows = handover_open_items(user=_seat(shift, "leader"), shift=shift)
    assert [r["ticket"] for r in rows] == [old.number, new.number]
    assert rows[0]["remaining_minutes"] == 15 - 65 and "已超时" in rows[0]["note"]
    assert rows[1]["remaining_minutes"] == 10  # the response clock (15 min) is the tightest


def test_constant_queries_in_the_number_of_tickets(users, new_ticket, shift, time_machine, django_assert_num_queries):
    time_machine.move_to(shift.start + dt.timedelta(hours=1), tick=False)
    engineer = _seat(shift, "engineer")
    new_ticket()
    handover_open_items(user=engineer, shift=shift)  # warm the role cache and the calendar
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        handover_open_items(user=engineer, shift=shift)
    for i in range(4):
        ticket_claim(actor=engineer, ticket=new_ticket(title=f"更多{i}", severity="P1"))
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert len(handover_open_items(user=engineer, shift=shift)) == 5
