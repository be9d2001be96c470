"""The intake: accept fast, never drop, dedup, group, one ticket, recovery, flap, silence, storm."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail  # noqa: F401 - the locmem outbox of notices

from core.models import Notification
from monitoring.models import Alert, AlertBatch, AlertGroup
from monitoring.services.intake import alert_batch_process, alert_batches_pending
from monitoring.tasks import alert_batches_sweep
from roster.models import HeavyProtectionPeriod
from tickets.models import DowntimeRecord, Ticket, TicketEvent
from tickets.services.tickets import ticket_acknowledge, ticket_resolve

from .conftest import am_alert, am_payload

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0, ss=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=SH)


# ---------------------------------------------------------------- answers


def test_accepts_with_202_and_stores_the_raw_body(integration, post):
    payload = am_payload(am_alert())
    r = post(integration, payload, process=False)
    assert r.status_code == 202
    assert r.json()["alerts"] == 1
    batch = AlertBatch.objects.get()
    assert json.loads(batch.body) == payload and batch.status == "pending"


@pytest.mark.parametrize(("raw", "field"), [
    (b"{not json", "body"),
    (b'{"alerts": "x"}', "alerts"),
    (b'{"alerts": [{"status": "burning", "labels": {}}]}', "alerts"),
    ("中文".encode("gb18030"), "body"),
])
def test_malformed_is_400_with_a_message_and_stores_nothing(integration, post, raw, field):
    r = post(integration, None, raw=raw)
    assert r.status_code == 400
    assert r.json()["message"] and field in r.json()["fields"]
    assert not AlertBatch.objects.exists()


def test_wrong_token_or_kind_is_404_and_stores_nothing(integration, post):
    assert post(integration, am_payload(am_alert()), token="x" * 43).status_code == 404
    assert post(integration, am_payload(am_alert()), kind="zabbix").status_code == 404
    assert not AlertBatch.objects.exists()


def test_over_the_size_limit_is_413(integration, post, settings):
    settings.MONITORING_MAX_BODY_BYTES = 2048
    big = am_payload(*[am_alert(f"A{i}") for i in range(40)])
    assert len(json.dumps(big)) > 2048
    assert post(integration, big).status_code == 413
    assert not AlertBatch.objects.exists()
    assert post(integration, am_payload(am_alert())).status_code == 202


def test_the_intake_limit_not_the_site_wide_one_decides(integration, post, settings):
    """RequestBodyGuardMiddleware (OPSDESK_REQUEST_MAX_BYTES) leaves the intake's body to the intake:
    a batch over the site-wide limit but within MONITORING_MAX_BODY_BYTES is stored; over the intake's
    own limit it is the intake's 413."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    settings.MONITORING_MAX_BODY_BYTES = 64 * 1024
    big = am_payload(*[am_alert(f"A{i}") for i in range(40)])
    assert 2048 < len(json.dumps(big)) < 64 * 1024
    assert post(integration, big).status_code == 202
    settings.MONITORING_MAX_BODY_BYTES = 1024
    response = post(integration, big)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert AlertBatch.objects.count() == 1


def test_a_disabled_integration_refuses(integration, post):
    integration.enabled = False
    integration.save(update_fields=["enabled"])
    assert post(integration, am_payload(am_alert())).status_code == 403
    assert not AlertBatch.objects.exists()


def test_get_is_not_allowed(integration, client):
    assert client.get(f"/api/v1/integrations/{integration.token}/alertmanager/").status_code == 405


# ---------------------------------------------------------------- dedup, grouping, one ticket


def test_a_resent_firing_is_a_receipt_not_a_new_alert(integration, post):
    for _ in range(3):
        post(integration, am_payload(am_alert()))
    alert = Alert.objects.get()
    assert alert.receipts == 3
    assert Ticket.objects.count() == 1
    assert AlertBatch.objects.filter(status="processed").count() == 3


def test_alerts_group_by_system_and_alertname_into_one_ticket(integration, post, systems):
    post(integration, am_payload(am_alert("HostDown", instance="10.1.1.1:9100"), am_alert("DiskFull", instance="10.1.1.1:9100")))
    post(integration, am_payload(am_alert("HostDown", instance="t-host-01")))
    assert AlertGroup.objects.count() == 2
    tickets = {t.title: t for t in Ticket.objects.all()}
    assert len(tickets) == 2
    down = Alert.objects.filter(alertname="HostDown")
    assert down.count() == 2 and len({a.ticket_id for a in down}) == 1
    ticket = down.first().ticket
    assert ticket.channel == "monitoring" and ticket.kind == "fault" and ticket.severity == "P2"
    assert ticket.business_system == systems["own"] and [h.name for h in ticket.host_list()] == ["t-host-01"]
    assert ticket.reported_at == AlertBatch.objects.order_by("pk").first().received_at
    attached = ticket.events.filter(kind=TicketEvent.Kind.ALERTS_ATTACHED)
    assert attached.count() == 1 and "新增 1 条告警" in attached.get().note


def test_mapping_system_label_host_severity_and_security(make_integration, post, systems, purchaser):
    integration = make_integration("alertmanager", name="m", severity_mapping={"critical": "P1", "warning": "P3", "info": "P4"})
    post(integration, am_payload(
        am_alert("A", instance="10.1.1.1:9100", business_system=systems["own_normal"].name),  # host of another system: dropped
        am_alert("B", instance="unknown:1", severity="info"),
        am_alert("C", instance="t-host-01", opsdesk_severity="P3", opsdesk_kind="security"),
        am_alert("D", instance="x", business_system=str(systems["own"].pk)),
        am_alert("E", instance="x", business_system=systems["other"].name),  # another organisation's: the default
    ))
    got = {a.alertname: (a.business_system.name, a.host.name if a.host else None, a.severity, a.ticket.kind)
           for a in Alert.objects.select_related("ticket")}
    assert got == {
        "A": ("测试门户网站", None, "P1", "fault"),
        "B": ("测试门户网站", None, "P4", "fault"),
        "C": ("测试大数据平台", "t-host-01", "P3", "security"),
        "D": ("测试大数据平台", None, "P1", "fault"),
        "E": ("测试门户网站", None, "P1", "fault"),
    }
    p1 = Ticket.objects.get(title__startswith="【监控】A ")
    assert DowntimeRecord.objects.filter(ticket=p1, end__isnull=True).exists()


def test_heavy_protection_raises_the_severity_one_level(make_integration, post):
    today = dt.date.today()
    HeavyProtectionPeriod.objects.create(name="国庆", kind="national_day", start=today - dt.timedelta(days=1), end=today + dt.timedelta(days=1))
    raising = make_integration("alertmanager", name="raise", raise_in_heavy_protection=True)
    plain = make_integration("alertmanager", name="plain")
    post(raising, am_payload(am_alert("R", severity="warning"), am_alert("R2", opsdesk_severity="P4")))
    post(plain, am_payload(am_alert("P", severity="warning")))
    assert dict(Alert.objects.values_list("alertname", "severity")) == {"R": "P2", "R2": "P4", "P": "P3"}


# ---------------------------------------------------------------- recovery and flap


def _resolve_ticket(ticket, users, when):
    with time_machine.travel(when, tick=False):
        ticket_acknowledge(actor=users["engineer"], ticket=ticket)
        return ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="重启服务")


def test_recovery_is_recorded_not_assumed(make_integration, post, users):
    integration = make_integration("alertmanager", name="rec", severity_mapping={"critical": "P1"})
    start = at(2026, 12, 1, 8)
    with time_machine.travel(at(2026, 12, 1, 8, 1), tick=False):
        post(integration, am_payload(am_alert("Down", instance="a", starts=start), am_alert("Down", instance="b", starts=start)))
    ticket = Ticket.objects.get()
    with time_machine.travel(at(2026, 12, 1, 8, 20), tick=False):
        post(integration, am_payload(am_alert("Down", "resolved", instance="a", starts=start, ends=at(2026, 12, 1, 8, 15))))
    assert not ticket.events.filter(kind=TicketEvent.Kind.MONITOR_RECOVERED).exists()  # b still fires
    with time_machine.travel(at(2026, 12, 1, 8, 30), tick=False):
        post(integration, am_payload(am_alert("Down", "resolved", instance="b", starts=start, ends=at(2026, 12, 1, 8, 25))))
        post(integration, am_payload(am_alert("Down", "resolved", instance="b", starts=start, ends=at(2026, 12, 1, 8, 25))))
    event = ticket.events.get(kind=TicketEvent.Kind.MONITOR_RECOVERED)
    assert event.data["recovered_at"].startswith("2026-12-01T08:25")
    ticket.refresh_from_db()
    assert ticket.status == "new"  # an engineer still resolves it
    assert DowntimeRecord.objects.get(ticket=ticket).end == at(2026, 12, 1, 8, 25)
    assert Alert.objects.get(labels__instance="b").receipts == 3


def test_fires_again_within_the_flap_window_reopens_later_opens_a_linked_ticket(integration, post, users):
    with time_machine.travel(at(2026, 12, 1, 8, 0), tick=False):
        post(integration, am_payload(am_alert(starts=at(2026, 12, 1, 7, 59))))
    with time_machine.travel(at(2026, 12, 1, 8, 5), tick=False):
        post(integration, am_payload(am_alert(status="resolved", starts=at(2026, 12, 1, 7, 59), ends=at(2026, 12, 1, 8, 4))))
    first = Ticket.objects.get()
    _resolve_ticket(first, users, at(2026, 12, 1, 8, 10))
    with time_machine.travel(at(2026, 12, 1, 8, 39), tick=False):  # 29 minutes after the resolve
        post(integration, am_payload(am_alert(starts=at(2026, 12, 1, 8, 38))))
    first.refresh_from_db()
    assert Ticket.objects.count() == 1 and first.status == "in_progress"
    assert first.events.filter(kind=TicketEvent.Kind.REOPENED).count() == 1
    assert Alert.objects.filter(ticket=first).count() == 2
    with time_machine.travel(at(2026, 12, 1, 8, 45), tick=False):
        post(integration, am_payload(am_alert(status="resolved", starts=at(2026, 12, 1, 8, 38), ends=at(2026, 12, 1, 8, 44))))
    _resolve_ticket_again = ticket_resolve
    with time_machine.travel(at(2026, 12, 1, 8, 50), tick=False):
        _resolve_ticket_again(actor=users["engineer"], ticket=first, resolution="再次处理")
    with time_machine.travel(at(2026, 12, 1, 9, 21), tick=False):  # 31 minutes after
        post(integration, am_payload(am_alert(starts=at(2026, 12, 1, 9, 20))))
    assert Ticket.objects.count() == 2
    second = Ticket.objects.exclude(pk=first.pk).get()
    assert f"前序工单：{first.number}" in second.description
    first.refresh_from_db()
    assert first.status == "resolved"


def test_a_late_copy_of_a_resolved_firing_opens_nothing(integration, post, users):
    start = at(2026, 12, 1, 7, 0)
    post(integration, am_payload(am_alert(starts=start)))
    post(integration, am_payload(am_alert(status="resolved", starts=start, ends=at(2026, 12, 1, 7, 30))))
    post(integration, am_payload(am_alert(starts=start)))  # out of order: the old firing again
    assert Alert.objects.count() == 1 and Alert.objects.get().status == "resolved"
    assert Ticket.objects.count() == 1


# ---------------------------------------------------------------- silence


@pytest.fixture
def approved_change(users, systems):
    from changes.services import change_approve, change_create, change_submit

    with time_machine.travel(at(2026, 3, 1, 10), tick=False):
        change = change_create(actor=users["engineer"], data={
            "title": "数据库升级", "category": "normal", "risk": "medium", "business_systems": [systems["own"].pk],
            "hosts": [systems["host"].pk], "reason": "修复缺陷", "plan": "升级", "rollback_plan": "回滚",
            "verification_plan": "拨测", "expected_interruption_minutes": 30,
            "window_start": at(2026, 3, 20, 22), "window_end": at(2026, 3, 21, 2),
            "internet_remote_access": False, "implementers": [users["engineer"].pk],
        })
        change_submit(actor=users["engineer"], change_id=change.pk)
        change_approve(actor=users["tech_lead"], change_id=change.pk)
        change_approve(actor=users["approver"], change_id=change.pk)
    change.refresh_from_db()
    assert change.status == "approved"
    return change


def test_alerts_inside_an_approved_change_window_are_silenced(integration, post, approved_change, systems, api, users):
    with time_machine.travel(at(2026, 3, 20, 22, 30), tick=False):
        post(integration, am_payload(am_alert("Down", starts=at(2026, 3, 20, 22, 10)),
                                     am_alert("Other", instance="x", starts=at(2026, 3, 20, 22, 10))))
    with time_machine.travel(at(2026, 3, 21, 2, 5), tick=False):
        post(integration, am_payload(am_alert("Down", instance="t-host-01", starts=at(2026, 3, 21, 2, 1))))
    silenced = Alert.objects.get(starts_at=at(2026, 3, 20, 22, 10), alertname="Down")
    assert silenced.silenced_by_change == approved_change.pk and silenced.ticket is None
    assert silenced.silenced_by_change_number == approved_change.number
    other_system = Alert.objects.get(alertname="Other")  # own_normal is not in the change
    assert other_system.silenced_by_change is None and other_system.ticket is not None
    after = Alert.objects.get(starts_at=at(2026, 3, 21, 2, 1))
    assert after.silenced_by_change is None and after.ticket is not None
    rows = api(users["engineer"]).get("/api/v1/alerts/", {"integration": integration.pk}).json()["results"]
    assert {r["id"]: r["silenced_by_change"] for r in rows}[silenced.pk] == approved_change.pk


# ---------------------------------------------------------------- storm


def test_a_storm_sends_one_notice_instead_of_one_per_group(integration, post, users, settings):
    settings.MONITORING_STORM_GROUPS = 3
    duty = users["duty_leader"]  # nobody on a published roster: the duty leaders hear of new incidents
    with time_machine.travel(at(2026, 12, 1, 8, 0, 5), tick=False):
        for n in range(6):
            post(integration, am_payload(am_alert(f"Storm{n}")))
    assert Ticket.objects.count() == 6
    new_notices = Notification.objects.filter(recipient=duty, kind="ticket_new")
    storm = Notification.objects.filter(recipient=duty, kind="alert_storm")
    assert new_notices.count() == 3
    assert storm.count() == 1 and "告警风暴" in storm.get().title


# ---------------------------------------------------------------- never lost, never twice


def test_a_processor_killed_mid_batch_leaves_it_pending_and_the_sweep_does_it_once(integration, post, monkeypatch, settings):
    settings.MONITORING_SWEEP_AFTER_SECONDS = 0
    from monitoring.services import intake

    real = intake._process_group
    calls = {"n": 0}

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(intake, "_process_group", dying)
    post(integration, am_payload(am_alert("A"), am_alert("B"), am_alert("C")))
    batch = AlertBatch.objects.get()
    assert batch.status == "pending" and batch.attempts == 1 and "worker killed" in batch.error
    assert not Alert.objects.exists() and not Ticket.objects.exists()  # the first group's work rolled back
    monkeypatch.setattr(intake, "_process_group", real)
    assert alert_batches_pending() == [batch.pk]
    assert alert_batches_sweep() == 3
    assert alert_batches_sweep() == 0
    assert alert_batch_process(batch_id=batch.pk) == 0
    assert Alert.objects.count() == 3 and Ticket.objects.count() == 3
    assert all(a.receipts == 1 for a in Alert.objects.all())


def test_a_lost_task_is_picked_up_by_the_sweep(integration, post, settings):
    settings.MONITORING_SWEEP_AFTER_SECONDS = 15
    with time_machine.travel(at(2026, 12, 1, 8, 0), tick=False):
        post(integration, am_payload(am_alert()), process=False)
        assert alert_batches_pending() == []  # too fresh: its task may still be on the way
    with time_machine.travel(at(2026, 12, 1, 8, 0, 16), tick=False):
        assert alert_batches_sweep() == 1
    assert Ticket.objects.count() == 1


def test_a_batch_that_keeps_failing_is_marked_failed(integration, post, monkeypatch):
    from monitoring.services import intake

    monkeypatch.setattr(intake, "_process_group", lambda **kw: (_ for _ in ()).throw(ValueError("bad")))
    post(integration, am_payload(am_alert()))
    for _ in range(intake.MAX_ATTEMPTS):
        from monitoring.tasks import alert_batch_process_task

        alert_batch_process_task(AlertBatch.objects.get().pk)
    assert AlertBatch.objects.get().status == "failed"


def test_the_change_page_lists_the_alerts_it_silenced(integration, post, approved_change, client, users):
    with time_machine.travel(at(2026, 3, 20, 22, 30), tick=False):
        post(integration, am_payload(am_alert("DbRestart", starts=at(2026, 3, 20, 22, 10))))
    client.force_login(users["engineer"])
    html = client.get(f"/changes/{approved_change.pk}/").content.decode()
    assert "变更窗口内静默的告警" in html and "DbRestart" in html
