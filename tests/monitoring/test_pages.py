"""The integrations page: list with counts, create (URL shown once), rotate, the set-up snippets."""

import re

import pytest

from monitoring.models import Integration

from .conftest import am_alert, am_payload

pytestmark = pytest.mark.django_db


def test_list_shows_counts_and_managers_create_with_the_url_once(client, users, integration, post, purchaser, systems):
    post(integration, am_payload(am_alert()))
    client.force_login(users["project_manager"])
    page = client.get("/monitoring/integrations/")
    html = page.content.decode()
    assert page.status_code == 200 and "Prometheus 生产" in html and "新增监控接入" in html
    r = client.post("/monitoring/integrations/", {
        "name": "Zabbix 一号", "kind": "zabbix", "organization": purchaser.pk, "default_business_system": systems["own"].pk,
        "severity_mapping": '{"critical": "P2", "warning": "P3", "info": "P4"}', "grouping_labels": '["business_system", "alertname"]',
        "flap_window_minutes": 30,
    })
    html = r.content.decode()
    assert r.status_code == 200
    url = re.search(r'id="secret-url">([^<]+)<', html).group(1)
    assert url.endswith("/zabbix/") and "opsdesk_media_type.yaml" in html
    created = Integration.objects.get(name="Zabbix 一号")
    detail = client.get(f"/monitoring/integrations/{created.pk}/").content.decode()
    assert url not in detail and "&lt;密钥&gt;" in detail


def test_bad_form_input_shows_field_errors(client, users, purchaser, systems):
    client.force_login(users["duty_leader"])
    r = client.post("/monitoring/integrations/", {"name": "x", "kind": "alertmanager", "organization": purchaser.pk,
                                                  "default_business_system": systems["other"].pk, "severity_mapping": "{",
                                                  "grouping_labels": "[]", "flap_window_minutes": 30})
    assert r.status_code == 200
    assert "JSON 格式错误" in r.content.decode()
    assert not Integration.objects.filter(name="x").exists()


def test_detail_shows_the_alertmanager_snippet_and_alerts_and_rotates(client, users, integration, post):
    post(integration, am_payload(am_alert()))
    client.force_login(users["engineer"])
    html = client.get(f"/monitoring/integrations/{integration.pk}/").content.decode()
    assert "send_resolved: true" in html and "HostDown" in html and "更换密钥" not in html
    assert client.post(f"/monitoring/integrations/{integration.pk}/", {"rotate": "1"}).status_code == 403
    client.force_login(users["project_manager"])
    r = client.post(f"/monitoring/integrations/{integration.pk}/", {"rotate": "1"})
    assert r.status_code == 200 and 'id="secret-url"' in r.content.decode()


def test_purchasers_do_not_get_the_page(client, users):
    client.force_login(users["approver"])
    assert client.get("/monitoring/integrations/").status_code == 403
