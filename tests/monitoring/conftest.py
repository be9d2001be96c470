"""Fixtures of the monitoring tests: an integration created through the service, and a poster."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from monitoring.services.integrations import integration_create


@pytest.fixture
def make_integration(users, systems, purchaser):
    def make(kind: str = "alertmanager", **options):
        options.setdefault("name", f"{kind}-{len(options)}-{timezone.now().timestamp()}")
        integration, token = integration_create(
            actor=users["project_manager"], kind=kind, organization=purchaser,
            default_business_system=options.pop("default_business_system", systems["own_normal"]), **options,
        )
        integration.token = token
        return integration

    return make


@pytest.fixture
def integration(make_integration):
    return make_integration("alertmanager", name="Prometheus 生产")


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """post(integration, payload, token=None) -> response of the intake URL (no session); the processing
    queued after commit runs before it returns (process=False: left pending, as if the task was lost)."""
    client = Client()

    def send(integration, payload, *, token: str | None = None, kind: str | None = None, raw: bytes | None = None,
             process: bool = True):
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        url = f"/api/v1/integrations/{token or integration.token}/{kind or integration.kind}/"
        with django_capture_on_commit_callbacks(execute=process):
            return client.post(url, data=body, content_type="application/json")

    return send


def am_alert(name="HostDown", status="firing", *, instance="10.1.1.1:9100", starts=None, ends=None, fingerprint=None,
             severity="critical", **labels):
    starts = starts or dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    alert = {
        "status": status,
        "labels": {"alertname": name, "instance": instance, "severity": severity, **labels},
        "annotations": {"summary": f"{name} on {instance}"},
        "startsAt": starts.isoformat().replace("+00:00", "Z"),
        "endsAt": (ends.isoformat().replace("+00:00", "Z") if ends else "0001-01-01T00:00:00Z"),
        "fingerprint": fingerprint or f"fp-{name}-{instance}",
    }
    return alert


def am_payload(*alerts, status=None):
    return {
        "version": "4", "groupKey": "{}:{}", "truncatedAlerts": 0,
        "status": status or ("firing" if any(a["status"] == "firing" for a in alerts) else "resolved"),
        "receiver": "opsdesk", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093", "alerts": list(alerts),
    }
