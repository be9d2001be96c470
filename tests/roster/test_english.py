"""The roster services' errors follow the user's language; the reasons stored on seats stay Chinese."""

import datetime as dt

import pytest
from django.utils import translation

from core.exceptions import ValidationFailed
from roster.services.calendar_file import calendar_file_parse
from roster.services.rules import Rules, Slot, rule_message


def test_calendar_file_errors_in_english():
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        calendar_file_parse(text="2027-01-01,holiday,元旦\n2026-13-01,holiday", year=2026)
    assert [str(m) for m in exc.value.fields["text"]] == [
        "Line 1: 2027-01-01 does not belong to 2026",
        'Line 2: the date "2026-13-01" must be YYYY-MM-DD',
    ]
    with pytest.raises(ValidationFailed) as exc:
        calendar_file_parse(text="2027-01-01,holiday,元旦", year=2026)
    assert exc.value.fields["text"] == ["第 1 行：2027-01-01 不属于 2026 年"]


def test_rule_message_translated_only_when_asked():
    start = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
    slot = Slot(key=1, shift_key=1, start=start, end=start + dt.timedelta(hours=12), date=start.date(), is_night=False,
                position="engineer", qualification="CISP")
    rules = Rules(min_rest=dt.timedelta(hours=11))
    with translation.override("en"):
        assert rule_message("rest", slot=slot, rules=rules, translated=True) == "less than 11 hours' rest from an adjacent shift"
        assert rule_message("rest", slot=slot, rules=rules) == "与相邻班次间隔不足 11 小时"
