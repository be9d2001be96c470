"""Entering a year of the working-day calendar: the State Council's notice and CSV read into a plan,
every bad line named, nothing saved on an error, and every write an append-only history row."""

import datetime as dt
from pathlib import Path

import pytest

from accounts.roles import Role
from core.exceptions import PermissionDenied, ValidationFailed
from core.models import AppendOnlyError
from roster.models import CalendarDay, CalendarYearEvent
from roster.selectors.calendar import WorkingDays
from roster.services.calendar import calendar_year_enter, calendar_year_set, package_year_data
from roster.services.calendar_file import calendar_csv_template
from roster.services.calendar_notice import calendar_import_parse, calendar_notice_parse
from roster.services.periods import period_propose

pytestmark = pytest.mark.django_db

NOTICES = Path(__file__).resolve().parents[1] / "data" / "calendar"


def notice(year: int) -> str:
    return (NOTICES / f"notice_{year}.txt").read_text(encoding="utf-8")


def _days_off(year: int, holidays, makeup) -> set[dt.date]:
    day, out = dt.date(year, 1, 1), set()
    while day.year == year:
        if day in holidays or (day.weekday() >= 5 and day not in makeup):
            out.add(day)
        day += dt.timedelta(days=1)
    return out


@pytest.mark.parametrize("year", [2025, 2026], ids=["notice-2025", "notice-2026"])
def test_a_published_notice_gives_the_same_days_off_and_make_up_days_as_the_official_data(year):
    plan = calendar_notice_parse(text=notice(year))
    official_off, official_makeup = package_year_data(year)
    assert plan.year == year
    assert set(plan.makeup_workdays) == set(official_makeup)
    assert _days_off(year, plan.holidays, plan.makeup_workdays) == _days_off(year, official_off, official_makeup)


def test_the_notice_is_read_item_by_item_with_names_ranges_and_make_up_days():
    plan = calendar_notice_parse(text=notice(2026))
    festivals = {f["name"]: f for f in plan.festivals()}
    assert list(festivals) == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    spring = festivals["春节"]
    assert (spring["start"], spring["end"], spring["days"]) == (dt.date(2026, 2, 15), dt.date(2026, 2, 23), 9)
    assert spring["makeup"] == [dt.date(2026, 2, 14), dt.date(2026, 2, 28)]
    assert plan.makeup_workdays[dt.date(2026, 1, 4)] == "调休上班（元旦）"
    # "国庆节、中秋节" of 2025 is one item; a one-day holiday "放假1天，不调休" has no make-up day
    plan_2025 = calendar_notice_parse(text=notice(2025))
    assert plan_2025.holidays[dt.date(2025, 10, 8)] == "国庆节、中秋节"
    assert plan_2025.festivals()[0] == {"name": "元旦", "start": dt.date(2025, 1, 1), "end": dt.date(2025, 1, 1), "days": 1, "makeup": []}


def test_an_item_broken_over_two_lines_is_read_as_one():
    plan = calendar_notice_parse(text=notice(2027))  # 春节 is split after "至" in the fixture
    assert [d for d, name in plan.holidays.items() if name == "春节"] == [dt.date(2027, 2, d) for d in range(5, 14)]


def test_the_year_comes_from_the_notice_or_is_checked_against_it():
    assert calendar_notice_parse(text=notice(2027), year=2027).year == 2027
    with pytest.raises(ValidationFailed) as wrong:
        calendar_notice_parse(text=notice(2027), year=2028)
    assert "2027 年" in wrong.value.fields["year"][0]
    body = "\n".join(line for line in notice(2027).splitlines() if line.startswith(("一、", "二、", "13日")))
    with pytest.raises(ValidationFailed) as missing:
        calendar_notice_parse(text=body)
    assert "请填写年份" in missing.value.fields["year"][0]
    assert calendar_notice_parse(text=body, year=2027).holidays[dt.date(2027, 1, 1)] == "元旦"


def test_every_bad_line_has_its_own_message():
    text = "\n".join([
        "国务院办公厅关于2027年部分节假日安排的通知",
        "一、元旦：1月1日（周四）至3日（周日）放假，共3天。",  # 2027-01-01 is a Friday
        "二、春节：2月5日（周五）至13日（周六）放假调休，共8天。2月20日（周六）上班。",  # 9 days, not 8
        "三、清明节：4月31日至5月1日放假。",  # no 31 April
        "四、劳动节：全体放假。",  # no date
        "五、端午节：6月9日（周三）放假，共1天。6月9日（周三）上班。",  # both
    ])
    with pytest.raises(ValidationFailed) as bad:
        calendar_notice_parse(text=text)
    messages = bad.value.fields["text"]
    assert [m.split("：")[0] for m in messages] == ["第 2 行", "第 3 行", "第 4 行", "第 5 行", "第 6 行"]
    assert "2027-01-01 是周五，通知写周四" in messages[0]
    assert "是 9 天，通知写“共8天”" in messages[1]
    assert "“4月31日”不存在" in messages[2]
    assert "没有日期" in messages[3] or "未找到放假日期" in messages[3]
    assert "2027-06-09 已在第 6 行出现" in messages[4]


def test_text_that_is_not_a_notice_is_refused():
    with pytest.raises(ValidationFailed) as bad:
        calendar_notice_parse(text="关于2027年部分节假日安排\n请大家注意休息。", year=2027)
    assert "请粘贴通知正文" in bad.value.fields["text"][0]
    with pytest.raises(ValidationFailed):
        calendar_import_parse(text="  ", fmt="notice")
    with pytest.raises(ValidationFailed) as fmt:
        calendar_import_parse(text="x", fmt="xlsx")
    assert "format" in fmt.value.fields


def test_csv_with_header_and_comments_reads_the_year_from_its_dates():
    plan = calendar_import_parse(text=calendar_csv_template(2027), fmt="csv")
    assert plan.year == 2027 and plan.source == "csv"
    assert plan.holidays == {dt.date(2027, 1, 1): "元旦", dt.date(2027, 10, 1): "国庆节"}
    assert plan.makeup_workdays == {dt.date(2027, 10, 9): "调休上班（国庆节）"}


def test_csv_bad_lines_each_get_a_message():
    text = "日期,类型,名称\n2027-01-01,休,元旦\n2027-13-01,休,x\n2027-02-05,放假\n2028-01-01,休,元旦\n2027-01-01,班,重复\nhello\n2027-02-06,午休"
    with pytest.raises(ValidationFailed) as bad:
        calendar_import_parse(text=text, fmt="csv")
    messages = bad.value.fields["text"]
    assert [m.split("：")[0] for m in messages] == ["第 3 行", "第 5 行", "第 6 行", "第 7 行", "第 8 行"]
    assert "2028-01-01 不属于 2027 年" in messages[1] and "已在第 2 行出现" in messages[2]
    assert "应为 休 或 班" in messages[4]


def test_nothing_is_saved_when_a_line_is_bad(make_user):
    leader = make_user(Role.DUTY_LEADER)
    with pytest.raises(ValidationFailed):
        plan = calendar_import_parse(text="2027-01-01,休,元旦\n2027-02-30,休,春节", fmt="csv")
        calendar_year_enter(actor=leader, year=plan.year, holidays=plan.holidays, makeup_workdays=plan.makeup_workdays)
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert not CalendarYearEvent.objects.exists()


@pytest.mark.parametrize("role", [Role.DUTY_LEADER, Role.PROJECT_MANAGER], ids=["duty_leader", "project_manager"])
def test_managers_enter_a_year_and_the_history_says_who_how_and_what_changed(make_user, role):
    actor = make_user(role)
    plan = calendar_notice_parse(text=notice(2027))
    assert calendar_year_enter(actor=actor, year=2027, holidays=plan.holidays, makeup_workdays=plan.makeup_workdays,
                               source=plan.source) == 365
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 20)).kind == "makeup_workday"
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 6)).kind == "holiday"
    assert WorkingDays().is_working_day(dt.date(2027, 2, 20)) and not WorkingDays().is_working_day(dt.date(2027, 2, 8))
    first = CalendarYearEvent.objects.get()
    assert (first.year, first.kind, first.actor, first.holidays, first.makeup_workdays) == (2027, "notice", actor, 29, 4)
    assert len(first.diff["added"]) == 33 and first.diff["removed"] == [] and first.diff["renamed"] == []

    # A correction: 端午 moves a day; the history keeps both writes.
    holidays = dict(plan.holidays)
    del holidays[dt.date(2027, 6, 9)]
    holidays[dt.date(2027, 6, 10)] = "端午节"
    calendar_year_enter(actor=actor, year=2027, holidays=holidays, makeup_workdays=plan.makeup_workdays)
    latest = CalendarYearEvent.objects.order_by("-pk").first()
    assert latest.kind == "manual"
    assert latest.diff["added"] == [["2027-06-10", "holiday", "端午节"]]
    assert latest.diff["removed"] == [["2027-06-09", "holiday", "端午节"]]
    assert CalendarYearEvent.objects.count() == 2


def test_the_history_is_append_only(make_user):
    calendar_year_set(year=2027, holidays={dt.date(2027, 1, 1): "元旦"}, makeup_workdays={})
    event = CalendarYearEvent.objects.get()
    assert event.actor is None  # a command or migration writes as the system
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        CalendarYearEvent.objects.all().delete()


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.AUDITOR, Role.REQUESTER], ids=["engineer", "auditor", "requester"])
def test_others_may_not_enter_a_year(make_user, role):
    with pytest.raises(PermissionDenied):
        calendar_year_enter(actor=make_user(role), year=2027, holidays={dt.date(2027, 1, 1): "元旦"}, makeup_workdays={})
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_after_the_notice_is_entered_the_heavy_protection_proposal_for_that_year_works(make_user):
    with pytest.raises(ValidationFailed) as missing:
        period_propose(year=2027, lead_days=0, trail_days=0)
    assert missing.value.code == "calendar_missing" and "/roster/calendar/?year=2027" in str(missing.value.message)
    plan = calendar_notice_parse(text=notice(2027))
    calendar_year_enter(actor=make_user(Role.PROJECT_MANAGER), year=2027, holidays=plan.holidays,
                        makeup_workdays=plan.makeup_workdays, source=plan.source)
    proposals = {p["kind"]: p for p in period_propose(year=2027, lead_days=0, trail_days=0)}
    assert (proposals["spring_festival"]["start"], proposals["spring_festival"]["end"]) == (dt.date(2027, 2, 5), dt.date(2027, 2, 14))
    assert (proposals["national_day"]["start"], proposals["national_day"]["end"]) == (dt.date(2027, 10, 1), dt.date(2027, 10, 7))
