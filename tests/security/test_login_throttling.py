"""Login throttling (django-axes): lockout by username + IP on the login page and the token API,
a Chinese message, visible to the auditor; password validators; idle timeout."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from core.models import AuditLog

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Opsdesk-2026"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None  # rebuilt with the test settings
    yield
    AxesProxyHandler.implementation = None


def _page_login(client, username, password, ip):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_locks_a_username_ip_pair_after_repeated_failures(client, users, axes_on):
    user = users["engineer"]
    for _ in range(2):
        assert _page_login(client, user.username, "wrong", "192.0.2.1").status_code == 200  # form again
    locked = _page_login(client, user.username, "wrong", "192.0.2.1")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "账号已临时锁定" in html and "分钟后再试" in html
    # Even the right password is refused from that IP while locked.
    assert _page_login(client, user.username, PASSWORD, "192.0.2.1").status_code == 429
    # The same user from another IP, and another user from the same IP, are not locked.
    assert _page_login(client, user.username, PASSWORD, "192.0.2.2").status_code == 302
    client.logout()
    assert _page_login(client, users["requester"].username, PASSWORD, "192.0.2.1").status_code == 302


def test_token_api_locks_out_with_a_json_429(api, users, axes_on):
    user = users["requester"]
    client = api()
    for _ in range(2):
        response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "x"}, REMOTE_ADDR="198.51.100.1")
        assert response.status_code == 400 and response.json()["code"] == "invalid_credentials"
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "x"}, REMOTE_ADDR="198.51.100.1")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out" and "锁定" in body["message"] and body["fields"] == {}
    right = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.1")
    assert right.status_code == 429
    other_ip = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.2")
    assert other_ip.status_code == 200 and other_ip.json()["token"]


def test_lockouts_are_visible_to_the_auditor_and_the_project_manager_unlocks(client, users, axes_on):
    user = users["engineer"]
    for _ in range(3):
        _page_login(client, user.username, "wrong", "192.0.2.9")
    lockout = AuditLog.objects.get(action="lockout")
    assert lockout.object_repr == user.username and str(lockout.ip) == "192.0.2.9"
    assert AuditLog.objects.filter(action="login_failed", object_repr=user.username).count() == 3

    # A purchaser's auditor does not see the provider engineer's attempts; the provider's auditor does.
    client.force_login(users["auditor"])
    assert user.username not in client.get("/audit-log/login-attempts/").content.decode()
    client.force_login(users["provider_auditor"])
    html = client.get("/audit-log/login-attempts/").content.decode()
    assert user.username in html and "192.0.2.9" in html and "已锁定" in html
    assert "解除锁定" not in html  # auditors only read
    api_rows = client.get("/api/v1/audit-log/login-attempts/").json()["results"]
    assert [(r["username"], r["failures_since_start"], r["locked"]) for r in api_rows] == [(user.username, 3, True)]
    attempt_id = api_rows[0]["id"]
    assert client.post(f"/audit-log/login-attempts/{attempt_id}/reset/").status_code == 403

    client.force_login(users["project_manager"])
    assert "解除锁定" in client.get("/audit-log/login-attempts/").content.decode()
    assert client.post(f"/audit-log/login-attempts/{attempt_id}/reset/").status_code == 302
    client.logout()
    assert _page_login(client, user.username, PASSWORD, "192.0.2.9").status_code == 302
    assert AuditLog.objects.filter(detail__startswith="解除登录锁定", actor=users["project_manager"]).exists()


def test_login_attempts_page_query_count_is_constant(client, users, axes_on, django_assert_max_num_queries):
    for i in range(4):
        _page_login(client, f"nobody{i}", "wrong", f"192.0.2.{i + 20}")
    client.force_login(users["auditor"])
    client.get("/audit-log/login-attempts/")
    with django_assert_max_num_queries(10):
        assert client.get("/audit-log/login-attempts/").status_code == 200


@pytest.mark.parametrize(
    "password",
    ["short1A", "1234567890123", "password123", "测试用户1password"],
)
def test_weak_passwords_are_refused(users, password):
    user = users["engineer"]
    user.username = "password123"
    with pytest.raises(ValidationError):
        validate_password(password, user=user)


def test_a_strong_password_is_accepted(users):
    validate_password("Ops-Desk-值班-2026!", user=users["engineer"])


def test_password_change_page_shows_validator_errors_in_chinese(client, users):
    client.force_login(users["engineer"])
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "密码" in html and ("太短" in html or "至少" in html)


def test_idle_session_ends_but_an_active_one_continues(client, users, settings):
    client.force_login(users["engineer"])
    assert client.get("/").status_code == 200
    session = client.session
    session["_opsdesk_last_seen"] = time.time() - (settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 - 60)  # 1 min left
    session.save()
    assert client.get("/").status_code == 200  # activity refreshes the clock
    session = client.session
    assert time.time() - session["_opsdesk_last_seen"] < 5
    session["_opsdesk_last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert AuditLog.objects.filter(action="logout", actor=users["engineer"]).exists()
