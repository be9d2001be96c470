import pytest
from django.core.management import call_command

from accounts.models import User

pytestmark = pytest.mark.django_db

DEMO_USERS = ["pm", "lead", "eng1", "req1", "appr1", "req2", "audit"]


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_login_page_is_chinese_and_posts_username_and_password(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert 'name="username"' in html and 'name="password"' in html and "登录" in html


def test_login_with_a_demo_account_and_logout(client, demo):
    response = client.post("/accounts/login/", {"username": "req1", "password": "opsdesk-demo"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_page_in_the_navigation_renders_for_every_role(client, demo, username):
    client.force_login(User.objects.get(username=username))
    home = client.get("/")
    assert home.status_code == 200
    nav = home.context["nav_items"]
    assert nav, "every role has somewhere to go"
    for item in nav:
        response = client.get(item["url"])
        assert response.status_code == 200, (item, response.status_code)
    for path in ["/accounts/profile/", "/notifications/", "/accounts/password/"]:
        assert client.get(path).status_code == 200


def test_main_navigation_is_a_nav_landmark_of_plain_links(client, demo):
    client.force_login(User.objects.get(username="pm"))
    html = client.get("/").content.decode()
    assert '<nav class="mainnav" aria-label=' in html


def test_language_switch_to_english(client, demo):
    client.force_login(User.objects.get(username="pm"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html


def test_idle_session_times_out(client, demo, settings):
    import time

    client.force_login(User.objects.get(username="pm"))
    assert client.get("/").status_code == 200
    session = client.session
    session["_opsdesk_last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 - 5
    session.save()
    assert client.get("/").status_code == 302


def test_activity_is_recorded_at_most_once_a_minute(client, demo, settings):
    """A page view within a minute of the last recorded one writes no session row; an older stamp is
    renewed, so an active user is never logged out."""
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(User.objects.get(username="pm"))
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]
    session = client.session
    stale = time.time() - 120
    session["_opsdesk_last_seen"] = stale
    session.save()
    assert client.get("/").status_code == 200
    assert client.session["_opsdesk_last_seen"] > stale + 100


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_chinese_is_shown_whatever_the_browser_asks_for(client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html
