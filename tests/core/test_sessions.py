"""A forged session cookie (NUL byte, non-ASCII, over-long) is an anonymous visitor, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cookie", ["abc\x00def12345", "é" * 32, "a" * 200, "0"])
def test_malformed_session_cookie_is_treated_as_no_session(client, cookie):
    client.cookies["sessionid"] = cookie
    assert client.get("/api/v1/users/me/").status_code == 403
    assert client.get("/").status_code == 302


def test_a_real_session_still_works(client, users):
    client.force_login(users["engineer"])
    assert client.get("/api/v1/users/me/").status_code == 200
