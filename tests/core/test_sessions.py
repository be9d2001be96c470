"""A forged session cookie (NUL byte, non-ASCII, over-long) is an anonymous visitor, never a 500; with a
cache that every process shares (Redis, as in production), sessions are read through it and a logout
ends the session in every process."""

import os

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

REDIS = os.environ.get("OPSDESK_TEST_REDIS", "redis://127.0.0.1:6379")


@pytest.mark.parametrize("cookie", ["abc\x00def12345", "é" * 32, "a" * 200, "0"])
def test_malformed_session_cookie_is_treated_as_no_session(client, cookie):
    client.cookies["sessionid"] = cookie
    assert client.get("/api/v1/users/me/").status_code == 403
    assert client.get("/").status_code == 302


def test_a_real_session_still_works(client, users):
    client.force_login(users["engineer"])
    assert client.get("/api/v1/users/me/").status_code == 200


def _shared_cache():
    """A Redis database of this test process's own (xdist workers apart), emptied before and after."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                         "LOCATION": f"{REDIS}/{12 - int(worker)}", "KEY_PREFIX": "opsdesk-test-sessions"}}
    return override_settings(CACHES=cache, SESSION_ENGINE="core.sessions_cached")


@pytest.fixture
def shared_cache():
    from django.core.cache import cache

    with _shared_cache():
        try:
            cache.clear()
        except Exception as exc:  # noqa: BLE001 - the message names what is missing
            pytest.fail(f"Redis is needed for this test ({REDIS}): {exc}")
        yield cache
        cache.clear()


@pytest.mark.parametrize("cookie", ["abc\x00def12345", "é" * 32, "a" * 200])
def test_malformed_cookie_is_refused_before_the_cache_too(shared_cache, client, cookie):
    client.cookies["sessionid"] = cookie
    assert client.get("/api/v1/users/me/").status_code == 403


def test_cached_session_is_read_without_a_query_and_ends_everywhere_at_logout(shared_cache, users):
    browser = Client()
    browser.force_login(users["engineer"])
    key = browser.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()  # still stored in the database
    assert browser.get("/api/v1/users/me/").status_code == 200  # the first request notes the activity time

    # The same cookie in another process (another client, nothing cached in it): the cache answers,
    # the session table is not read.
    other = Client()
    other.cookies["sessionid"] = key
    with CaptureQueriesContext(connection) as ctx:
        assert other.get("/api/v1/users/me/").status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"]]

    # A cache emptied (a Redis restart) falls back to the database.
    shared_cache.clear()
    assert other.get("/api/v1/users/me/").status_code == 200

    # Logging out in one ends the session for the other: gone from the cache and the database.
    browser.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert other.get("/api/v1/users/me/").status_code == 403


@pytest.fixture
def unreachable_cache(settings):
    """A Redis cache nobody listens for: every call fails within the socket timeout."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    settings.SESSION_ENGINE = "core.sessions_cached"


def test_a_failing_cache_costs_a_query_never_a_request(unreachable_cache, client, users):
    """Redis down: signing in, every request and signing out still work, from the database."""
    from django.contrib.auth import SESSION_KEY

    user = users["engineer"]
    user.set_password("a-long-password-1")
    user.save(update_fields=["password"])
    assert client.post("/accounts/login/", {"username": user.username, "password": "a-long-password-1"}).status_code == 302
    key = client.cookies["sessionid"].value
    assert Session.objects.get(session_key=key).get_decoded()[SESSION_KEY] == str(user.pk)
    assert client.get("/api/v1/users/me/").status_code == 200
    assert client.get("/tickets/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/api/v1/users/me/").status_code == 403


def test_a_cached_session_is_kept_minutes_not_hours(shared_cache, users):
    """A copy lives CACHE_SECONDS at most (a logout whose cache delete failed ends within that), then the
    database is read again."""
    from core.sessions_cached import CACHE_SECONDS

    browser = Client()
    browser.force_login(users["engineer"])
    key = browser.cookies["sessionid"].value
    ttl = shared_cache._cache.get_client(write=False).ttl(shared_cache.make_and_validate_key(
        "django.contrib.sessions.cached_db" + key))
    assert 0 < ttl <= CACHE_SECONDS
