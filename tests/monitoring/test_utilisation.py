"""Utilisation in (issue 16 item 8): the import (good file, bad rows, nothing half-imported), the
threshold → finding rule, finding → resource-adjustment ticket, dismissal with a reason, permissions,
the heavy-protection notice once, query counts of the list endpoints."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.exceptions import IllegalTransition, PermissionDenied, ValidationFailed
from core.models import Notification
from monitoring.models import FindingEvent, OptimisationFinding, UtilisationSample, UtilisationThreshold
from monitoring.services.utilisation import (
    finding_dismiss,
    finding_ticket,
    utilisation_evaluate,
    utilisation_import,
    utilisation_threshold_update,
)
from roster.services.periods import period_create

pytestmark = pytest.mark.django_db

D0 = dt.date(2026, 11, 1)
HEADER = "主机,日期,指标,日均值（%）,日 P95（%）\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8-sig")


def _days(host: str, metric: str, average: str, p95: str, n: int, start: dt.date = D0) -> list[str]:
    return [f"{host},{start + dt.timedelta(days=i)},{metric},{average},{p95}" for i in range(n)]


def _import(user, *rows: str):
    return utilisation_import(actor=user, name="u.csv", data=_csv(*rows))


def test_good_csv_and_xlsx_import_one_row_per_host_metric_day(users, systems, client):
    pm = users["project_manager"]
    assert _import(pm, "t-host-01,2026-11-01,CPU,35.2,71.8", "10.1.1.1,2026-11-01,内存,62,70.5%", "t-host-01,2026/11/02,存储,48.3,48.9") == 3
    # the same day again replaces its row (one per host × metric × day)
    assert _import(pm, "t-host-01,2026-11-01,cpu,40,80") == 1
    rows = {(s.metric, s.day): (s.average, s.p95) for s in UtilisationSample.objects.filter(host=systems["host"])}
    assert rows == {("cpu", D0): (Decimal("40.00"), Decimal("80.00")), ("memory", D0): (Decimal("62.00"), Decimal("70.50")),
                    ("storage", dt.date(2026, 11, 2)): (Decimal("48.30"), Decimal("48.90"))}
    # the downloadable template (xlsx) imports as it is, after the host names are filled in
    client.force_login(pm)
    answer = client.get("/monitoring/utilisation/template/?format=xlsx")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["主机", "日期", "指标", "日均值（%）", "日 P95（%）"]
    for row in sheet.iter_rows(min_row=2):
        row[0].value = "t-host-01"
    out = io.BytesIO()
    book.save(out)
    assert utilisation_import(actor=pm, name="t.xlsx", data=out.getvalue()) == 3


def test_bad_rows_are_named_one_by_one_and_nothing_is_imported(users, systems, api, client):
    bad = _csv("t-host-01,2026-11-01,CPU,35,70", "nohost,2026-11-01,CPU,1,2", "t-host-01,2026-13-01,GPU,abc,101",
               "t-host-01,2026-11-01,CPU,50,40", "t-host-01,2026-11-01,CPU,35,70")
    with pytest.raises(ValidationFailed) as caught:
        utilisation_import(actor=users["project_manager"], name="u.csv", data=bad)
    messages = caught.value.fields["file"]
    assert messages[0] == "第 3 行：主机：“nohost”不在主机台账中"
    assert messages[1].startswith("第 4 行：日期：") and "指标：应为 CPU、内存或存储" in messages[1] and "日均值：“abc”不是数字" in messages[1] \
        and "日 P95：应在 0–100 之间" in messages[1]
    assert messages[2] == "第 5 行：日 P95 不能小于日均值"
    assert messages[3] == "第 6 行：与第 2 行重复（同一主机、指标、日期）"
    assert UtilisationSample.objects.count() == 0
    # the API: 400 with the field messages
    upload = io.BytesIO(bad)
    upload.name = "u.csv"
    answer = api(users["duty_leader"]).post("/api/v1/utilisation/import/", {"file": upload}, format="multipart")
    assert answer.status_code == 400 and answer.json()["fields"]["file"] == messages
    # the page: the form shows them
    client.force_login(users["duty_leader"])
    upload = io.BytesIO(bad)
    upload.name = "u.csv"
    page = client.post("/monitoring/utilisation/import/", {"file": upload})
    html = page.content.decode()
    assert page.status_code == 200 and "第 3 行：主机：“nohost”不在主机台账中" in html and "4 行有错误，未导入任何数据" in html
    assert UtilisationSample.objects.count() == 0


def test_too_high_for_n_days_opens_one_finding_that_moves_on(users, systems):
    pm = users["project_manager"]
    _import(pm, *_days("t-host-01", "CPU", "50", "90", 2))
    assert not OptimisationFinding.objects.exists()  # 2 days of the 3
    _import(pm, *_days("t-host-01", "CPU", "50", "92", 1, D0 + dt.timedelta(days=2)))
    finding = OptimisationFinding.objects.get()
    assert (finding.metric, finding.direction, finding.state, finding.first_day, finding.last_day, finding.peak) == (
        "cpu", "high", "open", D0, D0 + dt.timedelta(days=2), Decimal("92.00"))
    # the next days, re-imports and re-evaluations: still one finding, its last day moves on
    _import(pm, *_days("t-host-01", "CPU", "50", "95", 3, D0 + dt.timedelta(days=3)))
    _import(pm, *_days("t-host-01", "CPU", "50", "95", 6))
    utilisation_evaluate(days=[D0 + dt.timedelta(days=i) for i in range(6)])
    finding = OptimisationFinding.objects.get()
    assert finding.last_day == D0 + dt.timedelta(days=5) and finding.peak == Decimal("95.00")
    assert FindingEvent.objects.filter(finding=finding).count() == 1


def test_too_low_for_14_days_and_a_dismissed_streak_is_not_reopened(users, systems):
    pm = users["project_manager"]
    _import(pm, *_days("t-host-01", "CPU", "5", "8", 13))
    assert not OptimisationFinding.objects.exists()
    _import(pm, *_days("t-host-01", "CPU", "5", "8", 1, D0 + dt.timedelta(days=13)))
    finding = OptimisationFinding.objects.get(direction="low")
    finding_dismiss(actor=users["duty_leader"], finding=finding, reason="季末批处理前保留容量")
    _import(pm, *_days("t-host-01", "CPU", "5", "8", 2, D0 + dt.timedelta(days=14)))  # the same streak goes on
    assert OptimisationFinding.objects.count() == 1
    # the condition breaks, then holds 14 days again: a new finding
    _import(pm, *_days("t-host-01", "CPU", "40", "60", 1, D0 + dt.timedelta(days=16)))
    _import(pm, *_days("t-host-01", "CPU", "5", "8", 14, D0 + dt.timedelta(days=17)))
    assert list(OptimisationFinding.objects.order_by("pk").values_list("state", flat=True)) == ["dismissed", "open"]


def test_finding_becomes_a_resource_adjustment_ticket_once(users, systems):
    _import(users["project_manager"], *_days("t-host-01", "内存", "70", "96", 3))
    finding = OptimisationFinding.objects.get()
    finding = finding_ticket(actor=users["duty_leader"], finding=finding)
    ticket = finding.ticket
    assert finding.state == "ticketed" and finding.decided_by == users["duty_leader"]
    assert (ticket.kind, ticket.resource, ticket.direction, ticket.business_system_id, ticket.amount_before) == (
        "resource", "memory", "increase", systems["own"].pk, Decimal("32"))
    assert list(ticket.hosts.all()) == [systems["host"]] and "t-host-01" in ticket.title
    with pytest.raises(IllegalTransition):
        finding_ticket(actor=users["duty_leader"], finding=finding)
    assert [e.kind for e in FindingEvent.objects.filter(finding=finding)] == ["opened", "ticketed"]


def test_dismiss_needs_a_reason_and_keeps_who_when_why(users, systems, api):
    _import(users["project_manager"], *_days("t-host-01", "存储", "86", "90", 3))
    finding = OptimisationFinding.objects.get()
    client = api(users["project_manager"])
    answer = client.post(f"/api/v1/optimisation-findings/{finding.pk}/dismiss/", {"reason": "  "}, format="json")
    assert answer.status_code == 400 and "reason" in answer.json()["fields"]
    answer = client.post(f"/api/v1/optimisation-findings/{finding.pk}/dismiss/", {"reason": "日志盘，按月归档清理"}, format="json")
    body = answer.json()
    assert answer.status_code == 200 and body["state"] == "dismissed" and body["dismiss_reason"] == "日志盘，按月归档清理"
    assert body["decided_by"] == users["project_manager"].pk and body["decided_at"] and body["actions"] == []
    event = FindingEvent.objects.get(finding=finding, kind="dismissed")
    assert event.actor == users["project_manager"] and event.note == "日志盘，按月归档清理"
    assert client.post(f"/api/v1/optimisation-findings/{finding.pk}/ticket/").status_code == 409


def test_permissions(users, systems, api, client):
    _import(users["project_manager"], *_days("t-host-01", "CPU", "50", "90", 3))
    UtilisationSample.objects.create(host=systems["other_host"], metric="cpu", day=D0, average=1, p95=2, source="import",
                                     recorded_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    finding = OptimisationFinding.objects.get()
    for who in ("engineer", "approver", "auditor", "requester"):
        with pytest.raises(PermissionDenied):
            utilisation_import(actor=users[who], name="u.csv", data=_csv("t-host-01,2026-11-01,CPU,1,2"))
        with pytest.raises(PermissionDenied):
            utilisation_threshold_update(actor=users[who], threshold=UtilisationThreshold.objects.first(), percent=50)
        assert api(users[who]).post(f"/api/v1/optimisation-findings/{finding.pk}/ticket/").status_code in (403, 404)
    assert api(users["engineer"]).get("/api/v1/utilisation/").json()["count"] == 4  # engineers read all
    assert api(users["engineer"]).get("/api/v1/optimisation-findings/").json()["results"][0]["actions"] == []
    assert api(users["project_manager"]).get("/api/v1/optimisation-findings/").json()["results"][0]["actions"] == ["ticket", "dismiss"]
    for who in ("approver", "auditor"):  # the purchaser's own systems only
        rows = api(users[who]).get("/api/v1/utilisation/").json()["results"]
        assert {r["host_name"] for r in rows} == {"t-host-01"}
        assert api(users[who]).get("/api/v1/optimisation-findings/").json()["count"] == 1
    rows = api(users["other_requester"]).get("/api/v1/utilisation/").json()["results"]
    assert [r["host_name"] for r in rows] == ["t-host-99"]  # another purchaser: its own host only
    assert api(users["other_requester"]).get("/api/v1/optimisation-findings/").json()["count"] == 0
    assert api(users["other_requester"]).post(f"/api/v1/optimisation-findings/{finding.pk}/dismiss/", {"reason": "x"}).status_code == 404
    # thresholds: PM / duty leader edit, others read
    threshold = UtilisationThreshold.objects.get(metric="cpu", direction="high")
    assert api(users["engineer"]).patch(f"/api/v1/utilisation/thresholds/{threshold.pk}/", {"percent": 80}).status_code == 403
    answer = api(users["duty_leader"]).patch(f"/api/v1/utilisation/thresholds/{threshold.pk}/", {"percent": "80", "days": 2}, format="json")
    assert answer.status_code == 200 and (answer.json()["percent"], answer.json()["days"]) == ("80.00", 2)
    assert answer.json()["updated_by"] == users["duty_leader"].pk
    # pages: purchasers read their own systems, only managers import
    client.force_login(users["approver"])
    html = client.get("/monitoring/utilisation/?month=2026-11").content.decode()
    assert "t-host-01" in html and "t-host-99" not in html and "导入利用率" not in html
    assert client.get("/monitoring/utilisation/import/").status_code == 403
    assert "t-host-01" in client.get("/monitoring/utilisation/findings/").content.decode()
    assert client.post(f"/monitoring/utilisation/findings/{finding.pk}/ticket/").status_code == 403


def test_the_pages_show_the_month_and_act_on_findings(users, systems, client):
    _import(users["project_manager"], *_days("t-host-01", "CPU", "50", "90", 3))
    finding = OptimisationFinding.objects.get()
    client.force_login(users["duty_leader"])
    html = client.get("/monitoring/utilisation/?month=2026-11").content.decode()
    assert "测试大数据平台" in html and "50.00%" in html and "90.00%" in html
    html = client.get("/monitoring/utilisation/?month=2026-99").content.decode()
    assert html.count("月份格式应为 YYYY-MM") == 1 and '<label for="id_month">月份</label>' in html  # this month meanwhile
    html = client.get("/monitoring/utilisation/findings/").content.decode()
    assert "转资源调整工单" in html and "忽略理由" in html
    answer = client.post(f"/monitoring/utilisation/findings/{finding.pk}/ticket/", follow=True)
    finding.refresh_from_db()
    assert finding.state == "ticketed" and finding.ticket.number in answer.content.decode()


def test_the_findings_forms_keep_input_and_say_why_beside_it(users, systems, client):
    """Issue 19 item 8: the row forms of the findings page use the one form look; a refused dismissal or
    threshold comes back with what was typed and the message beside its input, said once."""
    _import(users["project_manager"], *_days("t-host-01", "CPU", "50", "90", 3))
    finding = OptimisationFinding.objects.get()
    threshold = UtilisationThreshold.objects.get(metric="cpu", direction="high")
    client.force_login(users["duty_leader"])
    html = client.get("/monitoring/utilisation/findings/").content.decode()
    assert f'<div class="field required">\n<label for="f{finding.pk}-reason">忽略理由</label>' in html
    assert f'<label for="id_t{threshold.pk}-days">连续天数</label>' in html and ":</label>" not in html
    answer = client.post(f"/monitoring/utilisation/findings/{finding.pk}/dismiss/", {"reason": ""})
    html = answer.content.decode()
    assert answer.status_code == 200 and 'class="field required has-error">' in html
    finding.refresh_from_db()
    assert finding.state == "open"
    # Refused by its state (someone else dismissed it meanwhile): back to the tab it was sent from, the reason said.
    finding_dismiss(actor=users["project_manager"], finding=finding, reason="已按月清理")
    answer = client.post(f"/monitoring/utilisation/findings/{finding.pk}/dismiss/?state=all&page=1", {"reason": "重复"},
                         follow=True)
    assert answer.redirect_chain[-1][0] == "/monitoring/utilisation/findings/?state=all&page=1"
    assert "msg-error" in answer.content.decode()
    answer = client.post(f"/monitoring/utilisation/thresholds/{threshold.pk}/",
                         {f"t{threshold.pk}-statistic": "p95", f"t{threshold.pk}-percent": "180", f"t{threshold.pk}-days": "4"})
    html = answer.content.decode()
    assert answer.status_code == 200 and 'value="180"' in html and 'value="4"' in html
    assert html.count(f'has-error">\n<label for="id_t{threshold.pk}-percent">') == 1
    threshold.refresh_from_db()
    assert threshold.days != 4
    answer = client.post(f"/monitoring/utilisation/thresholds/{threshold.pk}/",
                         {f"t{threshold.pk}-statistic": "p95", f"t{threshold.pk}-percent": "80", f"t{threshold.pk}-days": "4",
                          f"t{threshold.pk}-enabled": "on"})
    assert answer.status_code == 302
    threshold.refresh_from_db()
    assert threshold.days == 4


def test_heavy_protection_tells_the_duty_leaders_once_per_host_metric_day(users, systems):
    period_create(actor=users["project_manager"], name="测试重保", kind="meeting", start=D0, end=D0 + dt.timedelta(days=5))
    _import(users["project_manager"], "t-host-01,2026-11-01,CPU,60,90")  # one day over 85 %: no finding yet, a notice
    _import(users["project_manager"], "t-host-01,2026-11-01,CPU,61,91")  # re-imported: not told again
    utilisation_evaluate(days=[D0])
    notices = Notification.objects.filter(kind="utilisation_heavy")
    assert [(n.recipient, n.title) for n in notices] == [
        (users["duty_leader"], "【重保】测试大数据平台 t-host-01 CPU 利用率 90.00% 超过阈值 85.00%（2026-11-01）")]
    # the next day is told; an unimportant system's host and a day outside the period are not
    from tickets.models import Host

    Host.objects.create(name="t-host-02", business_system=systems["own_normal"], vcpu=2, memory_gb=4, os_family="open_source",
                        ip_address="10.1.1.2")
    _import(users["project_manager"], "t-host-01,2026-11-02,CPU,60,90", "t-host-02,2026-11-02,CPU,60,99",
            "t-host-01,2026-11-10,CPU,60,99")
    assert Notification.objects.filter(kind="utilisation_heavy").count() == 2


def test_list_endpoints_query_counts_do_not_grow(users, systems, api, django_assert_num_queries):
    from tickets.models import Host

    for i in range(4):
        Host.objects.create(name=f"q-{i}", business_system=systems["own"], vcpu=2, memory_gb=4, os_family="open_source",
                            ip_address=f"10.2.0.{i}")
    rows = [r for i in range(4) for r in _days(f"q-{i}", "CPU", "50", "90", 3) + _days(f"q-{i}", "内存", "5", "9", 14)]
    _import(users["project_manager"], *rows)
    assert OptimisationFinding.objects.count() == 8
    client = api(users["project_manager"])
    client.get("/api/v1/utilisation/")
    with django_assert_num_queries(2):  # count, page (host and system joined)
        assert len(client.get("/api/v1/utilisation/").json()["results"]) == 25
    with django_assert_num_queries(2):  # count, page (host, system, ticket, decided_by joined)
        assert len(client.get("/api/v1/optimisation-findings/").json()["results"]) == 8
    with django_assert_num_queries(1):
        assert len(client.get("/api/v1/utilisation/thresholds/").json()) == 6
