"""Integrations as data: who may create and change them, the secret URL, rotation."""

import pytest

from monitoring.models import AlertBatch, Integration

from .conftest import am_alert, am_payload

pytestmark = pytest.mark.django_db


def _body(purchaser, systems, **extra):
    return {"name": "Prometheus 一号", "kind": "alertmanager", "organization": purchaser.pk,
            "default_business_system": systems["own"].pk, **extra}


@pytest.mark.parametrize("role", ["project_manager", "duty_leader"])
def test_managers_create_and_the_answer_carries_the_url(api, users, purchaser, systems, role):
    r = api(users[role]).post("/api/v1/integrations/", _body(purchaser, systems), format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert data["url"].startswith("http://") and data["url"].endswith("/alertmanager/")
    token = data["url"].rstrip("/").split("/")[-2]
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    integration = Integration.objects.get(pk=data["id"])
    assert token not in integration.token_hash  # only the digest is stored
    assert data["severity_mapping"] == {"critical": "P2", "warning": "P3", "info": "P4"}
    assert data["grouping_labels"] == ["business_system", "alertname"]
    assert data["flap_window_minutes"] == 30
    # the list never shows it again
    listed = api(users["engineer"]).get("/api/v1/integrations/").json()["results"]
    assert [row["id"] for row in listed] == [data["id"]] and "url" not in listed[0]


@pytest.mark.parametrize("role", ["engineer", "tech_lead", "requester", "approver", "auditor"])
def test_others_cannot_create_or_change(api, users, purchaser, systems, integration, role):
    client = api(users[role])
    assert client.post("/api/v1/integrations/", _body(purchaser, systems), format="json").status_code == 403
    r = client.patch(f"/api/v1/integrations/{integration.pk}/", {"enabled": False}, format="json")
    assert r.status_code in (403, 404)  # purchasers of another organisation do not see it at all
    assert client.post(f"/api/v1/integrations/{integration.pk}/rotate/").status_code in (403, 404)
    integration.refresh_from_db()
    assert integration.enabled


def test_bad_input_is_400_with_fields(api, users, purchaser, systems):
    client = api(users["project_manager"])
    r = client.post("/api/v1/integrations/", _body(purchaser, systems, default_business_system=systems["other"].pk,
                                                    severity_mapping={"critical": "P9"}, grouping_labels=[]), format="json")
    assert r.status_code == 400
    assert set(r.json()["fields"]) >= {"default_business_system", "severity_mapping", "grouping_labels"}
    assert client.post("/api/v1/integrations/", {"kind": "nagios"}, format="json").status_code == 400
    assert not Integration.objects.exists()


def test_patch_changes_settings(api, users, integration, systems):
    r = api(users["duty_leader"]).patch(f"/api/v1/integrations/{integration.pk}/",
                                         {"flap_window_minutes": 10, "grouping_labels": ["alertname"]}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["flap_window_minutes"] == 10 and r.json()["grouping_labels"] == ["alertname"]
    assert "url" not in r.json()


def test_rotation_stops_the_old_url_at_once(api, users, integration, post):
    assert post(integration, am_payload(am_alert())).status_code == 202
    r = api(users["project_manager"]).post(f"/api/v1/integrations/{integration.pk}/rotate/")
    assert r.status_code == 200
    new_token = r.json()["url"].rstrip("/").split("/")[-2]
    assert new_token != integration.token
    before = AlertBatch.objects.count()
    old = post(integration, am_payload(am_alert()))
    assert old.status_code == 404 and AlertBatch.objects.count() == before
    assert post(integration, am_payload(am_alert()), token=new_token).status_code == 202


def test_purchasers_read_only_their_own(api, users, integration):
    assert [i["id"] for i in api(users["approver"]).get("/api/v1/integrations/").json()["results"]] == [integration.pk]
    assert api(users["other_approver"]).get("/api/v1/integrations/").json()["results"] == []
    assert api(users["other_approver"]).get(f"/api/v1/integrations/{integration.pk}/").status_code == 404


def test_list_is_one_query_whatever_the_number(api, users, make_integration, post, django_assert_num_queries):
    for n in range(3):
        post(make_integration("alertmanager", name=f"p{n}"), am_payload(am_alert(f"A{n}")))
    client = api(users["engineer"])
    client.get("/api/v1/integrations/")  # warm the role cache of the user object
    with django_assert_num_queries(2):  # count, page (the roles were read by the first call)
        rows = client.get("/api/v1/integrations/").json()["results"]
    assert [(r["alert_count"], r["firing_count"]) for r in rows] == [(1, 1)] * 3
    assert all(r["last_alert_at"] for r in rows)
