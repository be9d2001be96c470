"""API token authentication (accounts.authentication.TokenAuthentication)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.authentication import TokenAuthentication

pytestmark = pytest.mark.django_db


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_valid_token_authenticates_and_brings_the_organisation(users, systems):
    user = users["requester"]
    token = Token.objects.create(user=user)
    with CaptureQueriesContext(connection) as ctx:
        found, auth = TokenAuthentication().authenticate_credentials(token.key)
        assert found.organization.tenant_id == user.organization.tenant_id
    assert (found.pk, auth.pk) == (user.pk, token.pk)
    assert len(ctx.captured_queries) == 1
    res = _client(token.key).get("/api/v1/tickets/")
    assert res.status_code == 200


def test_unknown_token_and_inactive_user_are_refused(users):
    """403, as before: SessionAuthentication comes first and sends no WWW-Authenticate challenge."""
    res = _client("0" * 40).get("/api/v1/tickets/")
    assert res.status_code == 403 and res.json()["code"] == "authentication_failed"
    user = users["engineer"]
    token = Token.objects.create(user=user)
    assert _client(token.key).get("/api/v1/tickets/").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    res = _client(token.key).get("/api/v1/tickets/")
    assert res.status_code == 403 and res.json()["code"] == "authentication_failed"
