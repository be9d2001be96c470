"""The audit log as a reader's page: labels of models and fields, local times, values in words, filters,
system progress hidden by default, pages of 50; the API keeps the raw form."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from core.audit import audit_context, audit_record
from core.models import AuditLog
from roster.models import HeavyProtectionPeriod
from roster.services.periods import period_create, period_update

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row for row in body.split("<tr>")[1:] if "没有符合条件的记录" not in row]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def reader(client, users):
    client.force_login(users["provider_auditor"])
    return client


@pytest.fixture
def period(users):
    leader = users["duty_leader"]
    with audit_context(actor=leader, source="web"):  # as a page request would attribute it
        period = period_create(actor=leader, name="2027年春节重保", kind="spring_festival",
                               start=dt.date(2027, 2, 5), end=dt.date(2027, 2, 14), level=2)
        period_update(actor=leader, period=HeavyProtectionPeriod.objects.get(pk=period.pk), kind="national_day", level=1)
    return period


def test_model_and_field_labels_choices_and_foreign_keys_are_words(reader, users, period):
    html = reader.get("/audit-log/?object_type=roster.heavyprotectionperiod").content.decode()
    rows = _rows(html)
    assert len(rows) == 2
    update, create = (_text(r) for r in rows)
    assert "重保时期" in update and f"#{period.pk}" in update and "2027年春节重保" in update
    assert "类型 ： 春节 → 国庆" in update and "保障级别 ： 二级 → 一级" in update
    assert "spring_festival" not in html and "roster.heavyprotectionperiod #" not in html
    assert str(users["duty_leader"]) in create  # created_by: the user's text, not an id
    assert users["duty_leader"].real_name in update  # who


def test_times_inside_changes_are_local_and_never_iso(reader, users, period):
    created = HeavyProtectionPeriod.objects.get(pk=period.pk).created_at
    local = timezone.localtime(created).strftime("%Y-%m-%d %H:%M:%S")
    html = reader.get("/audit-log/?object_type=roster.heavyprotectionperiod&action=create").content.decode()
    assert local in html
    assert "+00:00" not in html and created.isoformat()[:19] not in html.replace(local, "")


def test_json_values_and_relation_changes_read_as_words(reader, users):
    audit_record(actor=users["project_manager"], action=AuditLog.Action.UPDATE, object_type="reports.monthlyreport",
                 object_id="7", object_repr="月报 2026-11 v1",
                 changes={"kpi_snapshot": [{}, {"availability": "99.995", "breaches": 0, "at": "2026-12-01T16:00:00+00:00"}],
                          "automatic": [False, True]})
    engineer = users["engineer"]
    engineer.groups.add(*users["tech_lead"].groups.all())  # a relation change, captured
    html = reader.get("/audit-log/").content.decode()
    text = _text(html)
    assert "运维月报" in text and "指标快照 ：" in text  # a JSON value as key：value (jsonb orders the keys)
    assert "availability：99.995" in text and "breaches：0" in text and "at：2026-12-02 00:00:00" in text
    assert "定时生成 ： 否 → 是" in text
    assert "{'" not in html and '{"' not in html and "&#x27;" not in html
    assert re.search(r"组 ：新增：\S*技术负责人", text)  # a role by its label, not its code "tech_lead"
    assert "groups: added auth.group" not in html


def test_system_progress_is_hidden_unless_asked_and_the_api_keeps_everything(reader, api, users):
    stamp = ["2026-12-05T02:00:00+00:00", "2026-12-05T02:00:05+00:00"]
    audit_record(action=AuditLog.Action.UPDATE, object_type="reports.monthlyreport", object_id="9",
                 changes={"task_state": ["queued", "running"], "progress_at": [None, stamp[0]]})
    audit_record(action=AuditLog.Action.UPDATE, object_type="reports.monthlyreport", object_id="9",
                 changes={"progress": [10, 40], "progress_note": ["", "汇总工单"], "progress_at": stamp})
    audit_record(action=AuditLog.Action.UPDATE, object_type="reports.monthlyreport", object_id="9",
                 changes={"task_state": ["running", "done"], "sha256": ["", "ab" * 32], "progress": [90, 100]})
    quiet = _rows(reader.get("/audit-log/?object_type=reports.monthlyreport").content.decode())
    assert len(quiet) == 1 and "生成中 → 已完成" in _text(quiet[0])
    everything = reader.get("/audit-log/?object_type=reports.monthlyreport&progress=1").content.decode()
    assert len(_rows(everything)) == 3 and "排队中 → 生成中" in _text(everything)
    assert "2026-12-05 10:00:05" in everything  # progress_at in Beijing time
    raw = api(users["provider_auditor"]).get("/api/v1/audit-log/?object_type=reports.monthlyreport").json()
    assert raw["count"] == 3 and raw["results"][2]["changes"]["task_state"] == ["queued", "running"]


def test_filters_who_what_kind_and_dates(reader, users, period):
    audit_record(actor=users["engineer"], action=AuditLog.Action.EXPORT, detail="导出工单清单")
    today = timezone.localdate().isoformat()
    by_actor = _rows(reader.get("/audit-log/", {"actor": users["engineer"].real_name}).content.decode())
    assert len(by_actor) == 1 and "导出工单清单" in by_actor[0]
    by_kind = _rows(reader.get("/audit-log/", {"action": "update", "object_type": "roster.heavyprotectionperiod"}).content.decode())
    assert len(by_kind) == 1
    assert _rows(reader.get("/audit-log/", {"date_from": "2000-01-01", "date_to": "2000-01-02"}).content.decode()) == []
    assert len(_rows(reader.get("/audit-log/", {"date_from": today, "date_to": today, "action": "export"}).content.decode())) == 1
    form = reader.get("/audit-log/").content.decode()
    assert '<option value="roster.heavyprotectionperiod">重保时期</option>' in form
    bad = reader.get("/audit-log/", {"object_type": "nonsense.model", "date_from": "2026-13-01"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()


def test_fifty_a_page_and_the_pager_keeps_the_filters(reader, users):
    for i in range(60):
        audit_record(actor=users["engineer"], action=AuditLog.Action.DOWNLOAD, detail=f"附件 {i}")
    first = reader.get("/audit-log/?action=download").content.decode()
    assert len(_rows(first)) == 50 and "第 1 / 2 页" in first
    assert 'href="?action=download&amp;page=2"' in first
    assert len(_rows(reader.get("/audit-log/?action=download&page=2").content.decode())) == 10


def test_the_page_costs_the_same_queries_for_more_rows(reader, users, django_assert_num_queries):
    def entries(n: int) -> None:
        for i in range(n):
            leader = users["duty_leader"]
            period = period_create(actor=leader, name=f"重保{i}", kind="meeting", start=dt.date(2027, 3, 1),
                                   end=dt.date(2027, 3, 2), level=3)
            period_update(actor=leader, period=HeavyProtectionPeriod.objects.get(pk=period.pk), level=2)
        users["engineer"].groups.add(*users["tech_lead"].groups.all())

    entries(1)
    reader.get("/audit-log/")  # the session's first request reads more
    # session, user, navigation; count, page: 2; the related objects named on the page, one query per
    # model: users (created_by), organisations (a user's), groups (roles): 3. 10 → 8 since the user comes
    # with the organisation and roles in one query (accounts.authentication): no roles' query, and the
    # reader's organisation no longer read apart.
    with django_assert_num_queries(8):
        assert reader.get("/audit-log/").status_code == 200
    entries(5)
    with django_assert_num_queries(8):
        assert reader.get("/audit-log/").status_code == 200


def test_a_purchaser_auditor_reads_the_page_for_its_purchaser_only(client, users):
    audit_record(actor=users["requester"], action=AuditLog.Action.EXPORT, detail="本单位导出")
    audit_record(actor=users["other_requester"], action=AuditLog.Action.EXPORT, detail="他单位导出")
    client.force_login(users["auditor"])
    html = client.get("/audit-log/?action=export").content.decode()
    assert "本单位导出" in html and "他单位导出" not in html
