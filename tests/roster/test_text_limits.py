"""Duty-room free text has maximum lengths (core/limits.py), each accepted at its edge and refused beyond."""

import datetime as dt

import pytest

from core.exceptions import ValidationFailed
from core.limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from roster.models import Assignment
from roster.services.duty import duty_log_add, duty_report_submit, handover_submit
from roster.services.rosters import PositionSpec

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def shift_and_engineer(make_roster):
    roster = make_roster(dt.date(2026, 12, 1), dt.date(2026, 12, 2), positions=[PositionSpec("full", "engineer", 1)])
    shift = roster.shifts.order_by("start").first()
    seat = Assignment.objects.filter(shift=shift, position="engineer").select_related("member__user").first()
    return shift, seat.member.user


def _edge(call, field: str, limit: int) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        call("z" * (limit + 1))
    assert set(excinfo.value.fields) == {field}
    call("z" * limit)


def test_duty_log_report_and_handover_at_the_edge(shift_and_engineer, time_machine):
    shift, engineer = shift_and_engineer
    time_machine.move_to(local(2026, 12, 1, 10))
    _edge(lambda text: duty_log_add(actor=engineer, shift_id=shift.pk, kind="note", text=text), "text", NOTE_MAX_LENGTH)
    _edge(lambda text: duty_report_submit(actor=engineer, shift_id=shift.pk, kind="events", summary=text), "summary", TEXT_MAX_LENGTH)
    _edge(lambda text: handover_submit(actor=engineer, shift_id=shift.pk, notes=text), "notes", NOTE_MAX_LENGTH)
