"""Demo data: one Alertmanager integration of 市城管执法局 and a few alerts through the real intake
(stored, then processed), so the page, the alerts API and a monitoring ticket have something to show.
Idempotent: does nothing once the demo integration exists. Its secret URL is not printed: rotate the
token on the page to get one."""

import datetime as dt
import json

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from tickets.models.reference import BusinessSystem
from tickets.services.notify import ticket_notifications_suppressed

from .models import Integration
from .services.intake import alert_batch_process, alert_batch_receive
from .services.integrations import integration_create

NAME = "演示 Prometheus（城管执法局）"


def _alert(name, status, instance, starts, ends=None, severity="warning", summary=""):
    return {"status": status, "labels": {"alertname": name, "instance": instance, "severity": severity,
                                         "business_system": "城市管理综合执法大数据平台"},
            "annotations": {"summary": summary or name}, "startsAt": starts.isoformat(),
            "endsAt": ends.isoformat() if ends else "0001-01-01T00:00:00Z", "fingerprint": f"demo-{name}-{instance}"}


def seed() -> int:
    if Integration.objects.filter(name=NAME).exists():
        return 0
    pm = User.objects.filter(username="pm").first()
    org = Organization.objects.filter(name="北京市城市管理综合执法局").first()
    system = BusinessSystem.objects.filter(name="城市管理综合执法大数据平台").first()
    if pm is None or org is None or system is None:
        return 0  # accounts.demo / tickets.demo have not run
    integration, _token = integration_create(actor=pm, name=NAME, kind="alertmanager", organization=org,
                                             default_business_system=system)
    now = timezone.now()
    earlier = now - dt.timedelta(hours=2)
    batches = [
        [_alert("HostMemoryHigh", "firing", "bj-gov-01-02:9100", earlier, severity="warning", summary="内存使用率 93%")],
        [_alert("HostMemoryHigh", "firing", "bj-gov-01-02:9100", earlier, severity="warning", summary="内存使用率 93%"),
         _alert("HostMemoryHigh", "firing", "bj-gov-01-03:9100", earlier + dt.timedelta(minutes=3), summary="内存使用率 91%")],
        [_alert("HostMemoryHigh", "resolved", "bj-gov-01-02:9100", earlier, now - dt.timedelta(minutes=40), summary="内存使用率 93%"),
         _alert("HostMemoryHigh", "resolved", "bj-gov-01-03:9100", earlier + dt.timedelta(minutes=3), now - dt.timedelta(minutes=35),
                summary="内存使用率 91%")],
    ]
    with ticket_notifications_suppressed():  # history: nobody is told
        for payload in batches:
            body = json.dumps({"version": "4", "status": "firing", "alerts": payload}, ensure_ascii=False).encode()
            with transaction.atomic():  # processed here; the task queued after commit finds it done
                batch = alert_batch_receive(integration=integration, body=body)
                alert_batch_process(batch_id=batch.pk)
    return len(batches)
