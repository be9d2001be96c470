"""Duty log, end-of-shift reports, handovers, and the sweep that flags what is missing."""

import datetime as dt

import pytest

from core.exceptions import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.models import Notification
from roster.models import Assignment, Handover
from roster.services.duty import duty_flags_sweep, duty_log_add, duty_report_submit, handover_sign, handover_submit
from roster.services.periods import period_create
from roster.services.rosters import PositionSpec
from roster.tasks import duty_flags_sweep as sweep_task

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(make_roster):
    return make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 3), positions=[PositionSpec("full", "leader", 1), PositionSpec("full", "engineer", 2)])


def _people(shift, position="engineer"):
    return [a.member.user for a in Assignment.objects.filter(shift=shift, position=position).select_related("member__user").order_by("seat")]


def test_log_entries_by_the_people_on_the_shift(roster, team, time_machine):
    shift = roster.shifts.order_by("start").first()
    time_machine.move_to(local(2026, 12, 1, 10))
    engineer = _people(shift)[0]
    entry = duty_log_add(actor=engineer, shift_id=shift.pk, kind="inspection", text="机房巡检正常", ticket_ref=" GD-2026-0001 ")
    assert entry.at == local(2026, 12, 1, 10) and entry.ticket_ref == "GD-2026-0001"
    outsider = next(m.user for k, m in team.items() if k.startswith("e") and m.user not in _people(shift))
    with pytest.raises(PermissionDenied):
        duty_log_add(actor=outsider, shift_id=shift.pk, kind="note", text="x")
    with pytest.raises(ValidationFailed) as err:
        duty_log_add(actor=engineer, shift_id=shift.pk, kind="gossip", text="", at=local(2026, 11, 1))
    assert set(err.value.fields) == {"kind", "text", "at"}


def test_reports_zero_or_events_once_per_shift(roster, time_machine):
    shift = roster.shifts.order_by("start").first()
    engineer = _people(shift)[0]
    time_machine.move_to(local(2026, 11, 30, 10))
    with pytest.raises(ValidationFailed):
        duty_report_submit(actor=engineer, shift_id=shift.pk, kind="zero")  # not started
    time_machine.move_to(local(2026, 12, 2, 8))
    with pytest.raises(ValidationFailed):
        duty_report_submit(actor=engineer, shift_id=shift.pk, kind="events", summary=" ")
    report = duty_report_submit(actor=engineer, shift_id=shift.pk, kind="zero")
    assert report.summary == "无情况报平安"
    with pytest.raises(Conflict):
        duty_report_submit(actor=engineer, shift_id=shift.pk, kind="zero")


def test_handover_with_open_items_and_sign_off_by_the_incoming_person(roster, time_machine):
    first, second = roster.shifts.order_by("start")[:2]
    time_machine.move_to(local(2026, 12, 2, 8, 20))
    outgoing = _people(first)[0]
    handover = handover_submit(
        actor=outgoing, shift_id=first.pk,
        open_items=[{"ticket": "GD-1", "title": "存储扩容", "remaining_minutes": "45", "note": "等待厂商"}],
        manual_items=["备份任务需复核", "  "], notes="无其他",
    )
    assert handover.next_shift == second and handover.open_items == [{"ticket": "GD-1", "title": "存储扩容", "remaining_minutes": 45, "note": "等待厂商"}]
    assert handover.manual_items == ["备份任务需复核"]
    with pytest.raises(PermissionDenied):
        handover_sign(actor=outgoing, handover_id=handover.pk)
    incoming = _people(second)[0]
    signed = handover_sign(actor=incoming, handover_id=handover.pk, note="收到")
    assert signed.status == Handover.Status.SIGNED and signed.to_user == incoming
    with pytest.raises(IllegalTransition):
        handover_sign(actor=incoming, handover_id=handover.pk)
    with pytest.raises(ValidationFailed):
        handover_submit(actor=_people(second)[0], shift_id=second.pk, open_items=[{"title": "no number"}])


def test_sweep_flags_missing_reports_and_unsigned_handovers_to_the_leader_once(roster, time_machine):
    first = roster.shifts.order_by("start").first()
    leader = _people(first, "leader")[0]
    time_machine.move_to(local(2026, 12, 2, 8, 40))  # first shift ended 10 minutes ago: within grace
    assert duty_flags_sweep() == 0
    time_machine.move_to(local(2026, 12, 2, 10))
    written = sweep_task()
    assert written == 2
    assert set(Notification.objects.filter(recipient=leader).exclude(kind="roster_version").values_list("kind", flat=True)) == {"duty_report_missing", "handover_unsigned"}
    assert sweep_task() == 0  # idempotent
    # Once reported and handed over (signed), a later shift is not flagged for those.
    second = roster.shifts.order_by("start")[1]
    time_machine.move_to(local(2026, 12, 3, 8, 0))
    duty_report_submit(actor=_people(second)[0], shift_id=second.pk, kind="zero")
    ho = handover_submit(actor=_people(second)[0], shift_id=second.pk)
    handover_sign(actor=_people(roster.shifts.order_by("start")[2])[0], handover_id=ho.pk)
    time_machine.move_to(local(2026, 12, 3, 10))
    assert duty_flags_sweep() == 0


def test_daily_reports_in_a_heavy_protection_period(make_roster, manager, time_machine, client):
    period = period_create(actor=manager, name="会议保障", kind="meeting", start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 2))
    roster = make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 3), period=period)
    time_machine.move_to(local(2026, 12, 2, 10))
    first = roster.shifts.order_by("start").first()
    duty_report_submit(actor=_people(first)[0], shift_id=first.pk, kind="zero")
    ho = handover_submit(actor=_people(first)[0], shift_id=first.pk)
    handover_sign(actor=_people(roster.shifts.order_by("start")[1])[0], handover_id=ho.pk)
    assert duty_flags_sweep() == 1  # 12-01 has no daily report
    notice = Notification.objects.filter(kind="daily_report_missing", dedupe_key=f"daily-report-missing:{roster.pk}:2026-12-01").first()
    # The notice opens the duty log of that day's first shift, where the daily report form is.
    assert notice is not None and notice.url == f"/roster/log/?shift={first.pk}"
    client.force_login(notice.recipient)
    page = client.get(notice.url)
    assert page.status_code == 200 and 'name="form" value="daily"' in page.content.decode()
    report = duty_report_submit(actor=manager, roster_id=roster.pk, day=dt.date(2026, 12, 2), kind="events", summary="重保期间一切正常，处理 1 起告警")
    assert report.day == dt.date(2026, 12, 2)
    with pytest.raises(ValidationFailed):
        duty_report_submit(actor=manager, roster_id=roster.pk, day=dt.date(2026, 12, 3), kind="zero")  # outside the period
