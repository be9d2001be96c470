"""Authentication (accounts.authentication): the API token and the session's model backend, each reading
the user, the organisation and the roles in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.authentication import ModelBackend, TokenAuthentication
from accounts.roles import Role
from accounts.selectors import user_is_provider_staff, user_roles, user_tenant_id
from accounts.services import user_set_roles

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
        assert user_roles(found) == {Role.REQUESTER}
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


def test_the_session_user_comes_with_organisation_and_roles_in_one_query(users):
    user = users["tech_lead"]
    with CaptureQueriesContext(connection) as ctx:
        found = ModelBackend().get_user(user.pk)
        assert user_roles(found) == {Role.TECH_LEAD, Role.ENGINEER}
        assert user_tenant_id(found) == user.organization.tenant_id
    assert found.pk == user.pk and len(ctx.captured_queries) == 1
    # A user without any role: no role, still one row.
    user_set_roles(user=user, roles=[])
    found = ModelBackend().get_user(user.pk)
    assert found.pk == user.pk and user_roles(found) == frozenset()


def test_the_session_user_is_refused_when_missing_or_inactive(users):
    assert ModelBackend().get_user(10**9) is None
    assert ModelBackend().get_user("not-an-id") is None
    user = users["engineer"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert ModelBackend().get_user(user.pk) is None


def test_roles_and_logout_take_effect_on_the_next_request(client, users):
    """Nothing is kept between requests: a role taken away counts at once, a logged-out session is gone."""
    user = users["engineer"]
    client.force_login(user)
    assert client.get("/tickets/queue/unassigned/").status_code == 200
    user_set_roles(user=user, roles=[Role.REQUESTER])
    assert not user_is_provider_staff(ModelBackend().get_user(user.pk))
    assert client.get("/tickets/queue/unassigned/").status_code == 403
    client.post("/accounts/logout/")
    res = client.get("/tickets/")
    assert res.status_code == 302 and "login" in res["Location"]


def _fields(user) -> dict:
    return {f.attname: getattr(user, f.attname) for f in type(user)._meta.concrete_fields}


def test_the_compiled_session_query_builds_the_user_the_orm_builds(users):
    """On PostgreSQL the session user's SQL is compiled once (accounts.authentication._session_user_query);
    the user it builds is the queryset's, field by field, with its organisation, state and roles."""
    from accounts import authentication
    from accounts.models import User

    if connection.vendor != "postgresql":
        assert authentication._session_user_query("default") is None  # SQLite: the queryset, every time
        return
    compiled = authentication._session_user_query("default")
    assert compiled is not None
    nobody = User.objects.create_user(username="no-org", password=None)  # e.g. createsuperuser's: no organisation
    for user in (users["tech_lead"], users["requester"], nobody):
        orm = list(authentication._session_user_queryset("default", user.pk))
        with CaptureQueriesContext(connection) as ctx:
            rows = compiled.read("default", user.pk)
            built = rows[0][0]
            organization = built.organization  # joined: no second query
        assert len(ctx.captured_queries) == 1
        assert _fields(built) == _fields(orm[0]) and not built._state.adding and built._state.db == "default"
        assert sorted(name or "" for _u, name in rows) == sorted(row.opsdesk_role_name or "" for row in orm)
        assert (organization and _fields(organization)) == (orm[0].organization and _fields(orm[0].organization))
        found = ModelBackend().get_user(str(user.pk))
        assert _fields(found) == _fields(orm[0]) and user_roles(found) == user_roles(user)
        assert found.get_session_auth_hash() == user.get_session_auth_hash()
    assert compiled.read("default", 10**9) == []


@pytest.mark.parametrize("value", [None, "", "1e3", "-1", "0", str(2**63), str(10**30), "１２"])
def test_a_session_id_that_names_no_user_is_nobody(users, value):
    assert ModelBackend().get_user(value) is None


def test_without_the_compiled_query_the_queryset_reads_the_same_user(users, monkeypatch):
    """The path SQLite takes (and any database whose values need converting), run here too."""
    from accounts import authentication

    monkeypatch.setitem(authentication._COMPILED, "default", None)
    user = users["tech_lead"]
    with CaptureQueriesContext(connection) as ctx:
        found = ModelBackend().get_user(str(user.pk))
        assert user_roles(found) == {Role.TECH_LEAD, Role.ENGINEER}
        assert user_tenant_id(found) == user.organization.tenant_id
    assert _fields(found) == _fields(user) and len(ctx.captured_queries) == 1
    assert ModelBackend().get_user("not-an-id") is None and ModelBackend().get_user(10**9) is None
