import re

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_token_obtain_and_use(api, users):
    user = users["engineer"]
    response = api().post("/api/v1/auth/token/", {"username": user.username, "password": "pw-Opsdesk-2026"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/users/me/").json()["username"] == user.username


def test_bad_credentials_answer_400_with_the_error_shape(api, users):
    response = api().post("/api/v1/auth/token/", {"username": users["engineer"].username, "password": "wrong"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid_credentials"


def test_validation_errors_carry_field_messages(api):
    response = api().post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed"
    assert set(body["fields"]) == {"username", "password"}


def test_not_found_and_unauthenticated_use_the_error_shape(api, users):
    body = api(users["engineer"]).get("/api/v1/hosts/999999/").json()
    assert body["code"] == "not_found" and body["message"]
    anon = api().get("/api/v1/hosts/")
    assert anon.status_code in (401, 403) and set(anon.json()) == {"code", "message", "fields"}


def test_datetimes_are_iso_with_the_shanghai_offset(api, users):
    from core.services import notification_send

    notification_send(recipients=[users["engineer"]], kind="test", title="测试通知")
    row = api(users["engineer"]).get("/api/v1/notifications/").json()["results"][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00", row["created_at"]), row["created_at"]
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"


def test_schema_and_swagger_are_public_and_served_without_cdn(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/business-systems/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger" in html.lower()
    assert not re.search(r"(src|href)=\"https?://", html), "Swagger UI must load every asset from the site"
