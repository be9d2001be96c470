import datetime as dt

import pytest

from core.exceptions import PermissionDenied, ValidationFailed
from roster.services.periods import period_create, period_propose

pytestmark = pytest.mark.django_db


def test_2026_proposal_matches_the_official_holiday_ranges():
    proposed = period_propose(year=2026, lead_days=0, trail_days=0)

    by_kind = {p["kind"]: p for p in proposed}
    assert (by_kind["spring_festival"]["start"], by_kind["spring_festival"]["end"]) == (dt.date(2026, 2, 15), dt.date(2026, 2, 23))
    assert (by_kind["national_day"]["start"], by_kind["national_day"]["end"]) == (dt.date(2026, 10, 1), dt.date(2026, 10, 7))
    assert (by_kind["two_sessions"]["start"], by_kind["two_sessions"]["end"]) == (dt.date(2026, 3, 3), dt.date(2026, 3, 12))
    assert [p["kind"] for p in proposed] == ["spring_festival", "two_sessions", "national_day"]


def test_lead_and_trail_days_widen_the_runs_and_default_from_settings(settings):
    settings.ROSTER_PROPOSE_LEAD_DAYS = 2
    settings.ROSTER_PROPOSE_TRAIL_DAYS = 1
    by_kind = {p["kind"]: p for p in period_propose(year=2026)}
    assert (by_kind["spring_festival"]["start"], by_kind["spring_festival"]["end"]) == (dt.date(2026, 2, 13), dt.date(2026, 2, 24))
    assert (by_kind["national_day"]["start"], by_kind["national_day"]["end"]) == (dt.date(2026, 9, 29), dt.date(2026, 10, 8))


def test_2025_national_day_run_includes_mid_autumn():
    by_kind = {p["kind"]: p for p in period_propose(year=2025, lead_days=0, trail_days=0)}
    assert (by_kind["national_day"]["start"], by_kind["national_day"]["end"]) == (dt.date(2025, 10, 1), dt.date(2025, 10, 8))
    assert (by_kind["spring_festival"]["start"], by_kind["spring_festival"]["end"]) == (dt.date(2025, 1, 28), dt.date(2025, 2, 4))


def test_a_year_without_calendar_data_is_refused_naming_the_year():
    with pytest.raises(ValidationFailed) as err:
        period_propose(year=2027)
    assert "2027" in str(err.value.message) and "year" in err.value.fields


def test_two_sessions_window_is_configurable(settings):
    settings.ROSTER_TWO_SESSIONS_WINDOW = "03-01..03-15"
    two = next(p for p in period_propose(year=2026) if p["kind"] == "two_sessions")
    assert (two["start"], two["end"]) == (dt.date(2026, 3, 1), dt.date(2026, 3, 15))


def test_only_managers_create_periods(users):
    with pytest.raises(PermissionDenied):
        period_create(actor=users["engineer"], name="x", kind="meeting", start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 2))
    with pytest.raises(ValidationFailed) as err:
        period_create(actor=users["duty_leader"], name="x", kind="meeting", start=dt.date(2026, 5, 2), end=dt.date(2026, 5, 1))
    assert "end" in err.value.fields
