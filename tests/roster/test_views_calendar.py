"""The 节假日日历 page and its API: everyone reads; duty leaders and project managers import a notice or
CSV, see the preview, and only the confirmation saves; every message about missing data links here."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from roster.models import CalendarDay, CalendarYearEvent

pytestmark = pytest.mark.django_db

NOTICE_2027 = (Path(__file__).resolve().parents[1] / "data" / "calendar" / "notice_2027.txt").read_text(encoding="utf-8")


@pytest.fixture
def leader(make_user):
    return make_user(Role.DUTY_LEADER, Role.ENGINEER)


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.AUDITOR, Role.REQUESTER, Role.PROJECT_MANAGER],
                         ids=["engineer", "auditor", "requester", "project_manager"])
def test_everyone_signed_in_reads_a_year(client, make_user, role):
    client.force_login(make_user(role))
    page = client.get("/roster/calendar/?year=2026").content.decode()
    assert "2026 年放假安排" in page and "春节" in page and "2月16日" in page and "国庆节" in page
    assert ("录入或导入" in page) is (role == Role.PROJECT_MANAGER)


def test_the_seeded_years_read_as_the_notice_names_them(client, make_user):
    client.force_login(make_user(Role.ENGINEER))
    page = client.get("/roster/calendar/?year=2026").content.decode()
    # One row per break: 春节 from 除夕 to the last day off, weekends inside it included, with its
    # make-up workdays; no "休息日（由 … 调休）" or "农历除夕" rows from the package's own naming.
    assert re.search(r"春节</td>\s*<td[^>]*>2月16日（[^）]+）\s*至\s*2月23日（[^）]+）</td>\s*<td[^>]*>8</td>\s*"
                     r"<td[^>]*>2月14日（[^）]+）、2月28日（[^）]+）</td>", page)
    assert "休息日（由" not in page and "农历除夕" not in page and "（补假）" not in page
    assert CalendarDay.objects.get(date=dt.date(2026, 1, 4)).name == "调休上班（元旦）"


def test_a_missing_year_says_so_and_who_enters_it(client, make_user):
    client.force_login(make_user(Role.ENGINEER))
    page = client.get("/roster/calendar/?year=2027").content.decode()
    assert "2027 年尚未录入节假日安排" in page and "请联系值班负责人或项目经理录入" in page


def test_preview_saves_nothing_and_confirm_saves_the_same_text(client, leader):
    client.force_login(leader)
    preview = client.post("/roster/calendar/", {"format": "notice", "text": NOTICE_2027, "year": "", "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "预览：2027 年放假安排（尚未保存）" in html and "共 29 天放假、4 天调休上班" in html
    assert "该年尚无数据：以上日期全部为新增" in html
    assert not CalendarDay.objects.filter(date__year=2027).exists() and not CalendarYearEvent.objects.exists()

    saved = client.post("/roster/calendar/?year=2027", {"format": "notice", "text": NOTICE_2027, "year": "2027", "confirm": "1"})
    assert saved.status_code == 302 and saved["Location"] == "/roster/calendar/?year=2027"
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    page = client.get(saved["Location"]).content.decode()
    assert "2027 年节假日安排已保存：29 天放假，4 天调休上班" in page
    assert "导入国务院通知" in page and leader.display_name in page  # the history row


def test_bad_lines_are_shown_beside_the_text_and_nothing_is_saved(client, leader):
    client.force_login(leader)
    text = NOTICE_2027.replace("共9天", "共8天").replace("4月3日（周六）", "4月3日（周五）")
    response = client.post("/roster/calendar/", {"format": "notice", "text": text, "confirm": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "是 9 天，通知写“共8天”" in html and "2027-04-03 是周六，通知写周五" in html
    assert "预览：" not in html
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_a_csv_file_upload_is_previewed_and_its_text_carried_to_the_confirmation(client, leader):
    client.force_login(leader)
    body = "日期,类型,名称\n2027-01-01,休,元旦\n2027-10-09,班,调休上班（国庆节）\n".encode("gb18030")  # Excel's Chinese CSV
    upload = SimpleUploadedFile("2027.csv", body, content_type="text/csv")
    html = client.post("/roster/calendar/", {"format": "csv", "text": "", "file": upload}).content.decode()
    assert "共 1 天放假、1 天调休上班" in html and "2027-10-09,班,调休上班（国庆节）" in html
    assert client.post("/roster/calendar/", {"format": "csv", "text": "2027-01-01,休,元旦\n2027-10-09,班,调休上班（国庆节）", "confirm": "1"}).status_code == 302
    assert CalendarYearEvent.objects.get().kind == "csv"


def test_the_csv_template_downloads_for_the_year(client, make_user):
    client.force_login(make_user(Role.ENGINEER))
    response = client.get("/roster/calendar/template.csv?year=2027")
    assert response["Content-Type"].startswith("text/csv") and "holidays-2027.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert text.startswith("日期,类型,名称") and "2027-01-01,休,元旦" in text


def test_editing_a_year_starts_from_its_days_as_csv_and_the_preview_shows_the_changes(client, leader):
    client.force_login(leader)
    html = client.get("/roster/calendar/?year=2026&edit=1").content.decode()
    assert "2026-02-14,班,调休上班" in html and "2026-01-01,休,元旦" in html
    text = html.split('name="text"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    lines = [line for line in text.replace("&quot;", '"').splitlines() if not line.startswith("2026-06-19")]
    lines.append("2026-06-22,休,端午节")  # 端午 moved by a day: one removed, one added
    preview = client.post("/roster/calendar/?year=2026", {"format": "csv", "text": "\n".join(lines)}).content.decode()
    assert "删除 2026-06-19 放假 端午节" in preview and "新增 2026-06-22 放假 端午节" in preview


def test_posting_is_for_managers_only(client, make_user):
    client.force_login(make_user(Role.ENGINEER))
    assert client.post("/roster/calendar/", {"format": "notice", "text": NOTICE_2027, "confirm": "1"}).status_code == 403
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_the_period_proposal_for_a_missing_year_links_to_the_calendar_and_works_once_entered(client, leader):
    client.force_login(leader)
    missing = client.get("/roster/periods/", {"propose": 1, "year": 2027}).content.decode()
    assert '<a href="/roster/calendar/?year=2027">录入 2027 年节假日安排</a>' in missing
    client.post("/roster/calendar/", {"format": "notice", "text": NOTICE_2027, "confirm": "1"})
    page = client.get("/roster/periods/", {"propose": 1, "year": 2027, "lead_days": 0, "trail_days": 0}).content.decode()
    assert "2027年春节重保" in page and "2027-02-05" in page and "2027-02-14" in page


# session, user with roles (one query: accounts.authentication; 7 → 6), navigation; the year's days, the
# years' summary, the history with its actors
PAGE_QUERIES = 6


def test_the_page_costs_the_same_queries_whatever_the_history(client, leader, django_assert_num_queries):
    from roster.services.calendar import calendar_year_set

    client.force_login(leader)
    calendar_year_set(year=2027, holidays={dt.date(2027, 1, 1): "元旦"}, makeup_workdays={}, actor=leader)
    client.get("/roster/calendar/?year=2026")  # the first request of a session also reads its settings
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get("/roster/calendar/?year=2027").status_code == 200
    for last in (2, 3, 4):
        calendar_year_set(year=2027, holidays={dt.date(2027, 1, d): "元旦" for d in range(1, last + 1)},
                          makeup_workdays={}, actor=leader)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get("/roster/calendar/?year=2027").status_code == 200


# ---------------------------------------------------------------- API


def test_api_import_previews_then_saves(api, make_user):
    client = api(make_user(Role.PROJECT_MANAGER))
    preview = client.post("/api/v1/calendar-days/import/", {"format": "notice", "text": NOTICE_2027}, format="json")
    assert preview.status_code == 200
    body = preview.json()
    assert body["year"] == 2027 and len(body["holidays"]) == 29
    assert {"date": "2027-02-20", "name": "调休上班（春节）"} in body["makeup_workdays"]
    assert len(body["changes"]["added"]) == 33
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    saved = client.post("/api/v1/calendar-days/import/", {"format": "notice", "text": NOTICE_2027, "confirm": True}, format="json")
    assert saved.status_code == 201 and saved.json() == {"year": 2027, "days": 365, "holidays": 29, "makeup_workdays": 4}
    history = client.get("/api/v1/calendar-days/history/?year=2027").json()
    assert history["count"] == 1 and history["results"][0]["kind"] == "notice"


def test_api_import_bad_lines_are_400_with_each_line(api, make_user):
    client = api(make_user(Role.DUTY_LEADER))
    response = client.post("/api/v1/calendar-days/import/", {"format": "csv", "text": "2027-01-01,休,元旦\n2027-02-30,休,春节\nx"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["text"] == ["第 2 行：日期“2027-02-30”应为 YYYY-MM-DD", "第 3 行：需要“日期,类型[,名称]”"]
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_api_year_set_is_for_duty_leaders_too_and_records_history(api, make_user):
    leader = make_user(Role.DUTY_LEADER)
    response = api(leader).post("/api/v1/calendar-days/years/", {"year": 2027, "holidays": [{"date": "2027-01-01", "name": "元旦"}]}, format="json")
    assert response.status_code == 201
    event = CalendarYearEvent.objects.get()
    assert (event.kind, event.actor) == ("manual", leader)
    assert api(make_user(Role.ENGINEER)).post("/api/v1/calendar-days/import/", {"format": "csv", "text": "2027-01-01,休"}, format="json").status_code == 403
