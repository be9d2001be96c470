"""Working-minute arithmetic on the seeded 2026 calendar (Asia/Shanghai)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from roster.models import CalendarDay
from roster.selectors.calendar import (
    CalendarDataMissing,
    WorkingDays,
    add_working_minutes,
    working_minutes_between,
)

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
WH = "working_hours"


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=BJ)


def test_24x7_counts_every_minute_across_midnight():
    assert working_minutes_between(at(2026, 3, 2, 23, 50), at(2026, 3, 3, 0, 20), "24x7") == 30
    assert add_working_minutes(at(2026, 3, 2, 23, 50), 30, "24x7") == at(2026, 3, 3, 0, 20)


def test_working_hours_across_midnight_skip_the_night():
    # Tue 17:30 + 60 working minutes: 30 min Tuesday, then Wednesday 09:00–09:30.
    assert add_working_minutes(at(2026, 3, 3, 17, 30), 60, WH) == at(2026, 3, 4, 9, 30)
    assert working_minutes_between(at(2026, 3, 3, 17, 30), at(2026, 3, 4, 9, 30), WH) == 60


def test_a_report_at_night_starts_counting_at_nine():
    assert add_working_minutes(at(2026, 3, 3, 22, 0), 30, WH) == at(2026, 3, 4, 9, 30)
    assert working_minutes_between(at(2026, 3, 3, 22, 0), at(2026, 3, 4, 8, 59), WH) == 0


def test_running_out_exactly_at_closing_time_is_due_at_closing_time():
    assert add_working_minutes(at(2026, 3, 3, 9, 0), 540, WH) == at(2026, 3, 3, 18, 0)


def test_working_hours_skip_a_weekend():
    # Friday 2026-03-06 16:00 + 540 (one working day) → Monday 2026-03-09 16:00.
    assert add_working_minutes(at(2026, 3, 6, 16, 0), 540, WH) == at(2026, 3, 9, 16, 0)
    assert working_minutes_between(at(2026, 3, 6, 16, 0), at(2026, 3, 9, 16, 0), WH) == 540


def test_spring_festival_block_and_the_make_up_workday():
    # Friday 2026-02-13 17:00 + 120: one hour Friday, then Saturday 2026-02-14 is a make-up workday.
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 14)).kind == CalendarDay.Kind.MAKEUP_WORKDAY
    assert add_working_minutes(at(2026, 2, 13, 17, 0), 120, WH) == at(2026, 2, 14, 10, 0)
    # From the make-up Saturday afternoon a whole working day runs past the 2026-02-15..23 break.
    assert add_working_minutes(at(2026, 2, 14, 17, 0), 540, WH) == at(2026, 2, 24, 17, 0)
    assert working_minutes_between(at(2026, 2, 14, 17, 0), at(2026, 2, 24, 17, 0), WH) == 540
    # Nothing counts during the holiday block.
    assert working_minutes_between(at(2026, 2, 15, 0, 0), at(2026, 2, 24, 0, 0), WH) == 0


def test_configurable_working_hours(settings):
    settings.OPSDESK_WORKDAY_START = "08:30"
    settings.OPSDESK_WORKDAY_END = "17:30"
    assert add_working_minutes(at(2026, 3, 3, 17, 0), 60, WH) == at(2026, 3, 4, 9, 0)


def test_a_year_without_calendar_data_raises_instead_of_guessing():
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    with pytest.raises(CalendarDataMissing) as missing:
        add_working_minutes(at(2026, 12, 31, 17, 0), 540, WH)
    assert missing.value.year == 2027
    with pytest.raises(CalendarDataMissing):
        working_minutes_between(at(2026, 12, 31, 9, 0), at(2027, 1, 4, 9, 0), WH)
    # 7×24 needs no calendar.
    assert add_working_minutes(at(2026, 12, 31, 23, 0), 120, "24x7") == at(2027, 1, 1, 1, 0)


def test_one_query_per_calendar_year_when_shared(django_assert_num_queries):
    days = WorkingDays()
    with django_assert_num_queries(1):
        for day in range(1, 28):
            add_working_minutes(at(2026, 3, day, 8, 0), 600, WH, days=days)


def test_calendar_set_year_command_enters_2027_from_a_file(tmp_path):
    source = tmp_path / "2027.csv"
    source.write_text(
        "# 2027 节假日安排（示例）\n2027-01-01,holiday,元旦\n2027-02-06,休,春节\n2027-02-07,holiday,春节\n"
        "2027-02-20,班,春节调休上班\n",
        encoding="utf-8",
    )
    call_command("calendar_set_year", "2027", "--file", str(source))
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 20)).is_working_day  # a Saturday made a workday
    assert not CalendarDay.objects.get(date=dt.date(2027, 1, 1)).is_working_day
    # Now the clock that warned can be computed: Thu 2026-12-31 17:00 + 540 → Mon 2027-01-04 17:00.
    assert add_working_minutes(at(2026, 12, 31, 17, 0), 540, WH) == at(2027, 1, 4, 17, 0)


def test_calendar_set_year_command_refuses_a_bad_file(tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("2027-13-01,holiday,?\n2026-10-01,holiday,国庆\n", encoding="utf-8")
    with pytest.raises(CommandError) as err:
        call_command("calendar_set_year", "2027", "--file", str(source))
    assert "第 1 行" in str(err.value) and "不属于 2027 年" in str(err.value)
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_calendar_api_lists_with_filters_and_only_the_pm_sets_a_year(api, users):
    listed = api(users["requester"]).get("/api/v1/calendar-days/", {"year": 2026, "kind": "makeup_workday"})
    assert listed.status_code == 200
    assert "2026-02-14" in [d["date"] for d in listed.json()["results"]]
    payload = {"year": 2027, "holidays": [{"date": "2027-01-01", "name": "元旦"}], "makeup_workdays": []}
    assert api(users["engineer"]).post("/api/v1/calendar-days/years/", payload, format="json").status_code == 403
    assert api(users["auditor"]).post("/api/v1/calendar-days/years/", payload, format="json").status_code == 403
    done = api(users["project_manager"]).post("/api/v1/calendar-days/years/", payload, format="json")
    assert done.status_code == 201 and done.json()["days"] == 365
    wrong = api(users["project_manager"]).post(
        "/api/v1/calendar-days/years/", {**payload, "holidays": [{"date": "2026-01-01"}]}, format="json"
    )
    assert wrong.status_code == 400 and "holidays" in wrong.json()["fields"]


def _walked(start, end, days):
    """The day-by-day definition: the overlap of [start, end) with each working day's window."""
    seconds, day = 0.0, start.astimezone(BJ).date()
    while day <= end.astimezone(BJ).date():
        if days.is_working_day(day):
            lo = max(start, dt.datetime.combine(day, dt.time(9), tzinfo=BJ))
            hi = min(end, dt.datetime.combine(day, dt.time(18), tzinfo=BJ))
            seconds += max(0.0, (hi - lo).total_seconds())
        day += dt.timedelta(days=1)
    return seconds / 60


def test_long_intervals_count_whole_days_exactly_as_walking_them():
    """Counting the days between (bisection) equals walking them, over spans from minutes to three
    years, crossing the seeded years' holidays and make-up workdays (working_minutes_between walks only
    the first and the last day)."""
    import random

    days = WorkingDays()
    rnd = random.Random(5)
    years = sorted(CalendarDay.objects.dates("date", "year"))
    first, last = at(years[0].year, 1, 1), at(years[-1].year, 12, 31, 23, 0)
    span = (last - first).total_seconds()
    for _ in range(300):
        start = first + dt.timedelta(seconds=rnd.uniform(0, span))
        end = start + dt.timedelta(minutes=rnd.choice([rnd.uniform(0, 600), rnd.uniform(0, 20000), rnd.uniform(0, 10**6)]))
        end = min(end, last)
        assert working_minutes_between(start, end, WH, days=days) == pytest.approx(_walked(start, end, days), abs=1e-6)
    assert days.count(dt.date(2026, 2, 14), dt.date(2026, 2, 14)) == 1  # the Spring Festival make-up Saturday
    assert days.count(dt.date(2026, 2, 15), dt.date(2026, 2, 23)) == 0  # the holiday block
    assert days.count(dt.date(2026, 3, 2), dt.date(2026, 3, 1)) == 0


def test_load_years_reads_several_years_in_one_query_and_remembers_missing_ones(django_assert_num_queries):
    seeded = sorted({d.year for d in CalendarDay.objects.dates("date", "year")})
    first, last = seeded[0], seeded[-1]
    days = WorkingDays()
    with django_assert_num_queries(1):
        days.load_years(first, last + 1)  # the year after the seeded ones has no rows
        assert all(days.has_year(year) for year in seeded)
        assert not days.has_year(last + 1)
        assert days.is_working_day(dt.date(2026, 3, 2)) and not days.is_working_day(dt.date(2026, 3, 1))
        with pytest.raises(CalendarDataMissing):
            days.is_working_day(dt.date(last + 1, 3, 2))
    one_by_one = WorkingDays()
    for year in seeded:
        assert one_by_one.count(dt.date(year, 1, 1), dt.date(year, 12, 31)) == days.count(dt.date(year, 1, 1), dt.date(year, 12, 31))
    with django_assert_num_queries(0):
        days.load_years(first, last)  # nothing left to read
