"""Checks every cell of the access-control matrix (permission_matrix.py) and that every URL pattern
is in it."""

import json
import os

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from core.models import AuditLog

from .matrix_objects import MatrixObjects
from .permission_matrix import EXEMPT, MATRIX, ROLES, TENANT_LISTS, Entry

pytestmark = pytest.mark.django_db


def all_routes(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every URL pattern of the project as its full route string, e.g. 'api/v1/hosts/<int:pk>/'."""
    resolver = resolver or get_resolver()
    routes = []
    for item in resolver.url_patterns:
        route = prefix + str(item.pattern)
        if isinstance(item, URLResolver):
            routes.extend(all_routes(item, route))
        elif isinstance(item, URLPattern):
            routes.append(route)
    return routes


def test_every_url_pattern_is_in_the_permission_matrix():
    covered = {entry.route for entry in MATRIX}
    missing = sorted(
        {r for r in all_routes() if r not in covered and not any(r.startswith(p) for p in EXEMPT)}
    )
    assert not missing, (
        "These URL patterns are not in tests/security/permission_matrix.py MATRIX; add an Entry with the "
        "expected status for every role (and own/other organisation for object routes):\n  "
        + "\n  ".join(missing)
    )


def test_matrix_entries_name_every_role_and_resolve_to_their_route():
    for entry in MATRIX:
        assert set(entry.statuses) == set(ROLES), entry
        assert entry.route in set(all_routes()), f"stale entry: {entry.route}"


@pytest.fixture
def objects(users, systems, purchaser, other_purchaser) -> MatrixObjects:
    """Values for the {placeholders} in MATRIX paths, built through the services when first named."""
    return MatrixObjects(users, systems, purchaser, other_purchaser)


def _client_for(role: str, users: dict) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    return client


def _request(client: Client, entry: Entry, path: str, data: dict):
    if entry.method == "GET":
        return client.get(path)
    if entry.method == "POST":
        return client.post(path, data)
    return client.generic(entry.method, path, json.dumps(data), content_type="application/json")


WRITES = (AuditLog.Action.CREATE, AuditLog.Action.UPDATE, AuditLog.Action.STATE_CHANGE, AuditLog.Action.DELETE,
          AuditLog.Action.RELATION)
DISCOVER = os.environ.get("OPSDESK_MATRIX_DISCOVER")  # a file: write the actual statuses there instead of failing


@pytest.mark.parametrize("entry", MATRIX, ids=lambda e: f"{e.method} {e.path}")
def test_permission_matrix(entry: Entry, users, objects):
    path = entry.path.format_map(objects)
    # Text values of the body may name objects too (e.g. the ticket a merge points at).
    data = {key: value.format_map(objects) if isinstance(value, str) else value for key, value in entry.data.items()}
    assert resolve(path.split("?")[0]).route == entry.route, f"{path} does not resolve to {entry.route}"
    wrong, actual = {}, {}
    for role in ROLES:
        client = _client_for(role, users)
        # Each role meets the objects as the fixture built them: a write is rolled back afterwards.
        with transaction.atomic():
            writes_before = AuditLog.objects.filter(action__in=WRITES).count()
            status = _request(client, entry, path, data).status_code
            wrote = AuditLog.objects.filter(action__in=WRITES).count() - writes_before
            transaction.set_rollback(True)
        actual[role] = status
        if status != entry.statuses[role]:
            wrong[role] = f"expected {entry.statuses[role]}, got {status}"
        elif entry.method != "GET" and wrote and role not in entry.may_write():
            wrong[role] = f"answered {status} but wrote {wrote} audited change(s)"
    if DISCOVER and wrong:
        with open(DISCOVER, "a") as out:
            out.write(f"{entry.method} {entry.path}: {actual} WRONG {wrong}\n")
        return
    assert not wrong, f"{entry.method} {path}: {wrong}"


@pytest.mark.parametrize("route", sorted(TENANT_LISTS))
def test_lists_never_show_another_purchasers_rows(route, users, objects):
    path, own_key, other_key = TENANT_LISTS[route]
    own, other = objects[own_key], objects[other_key]
    expected = {
        "requester": (True, False), "approver": (True, False), "other_requester": (False, True),
        "engineer": (True, True), "project_manager": (True, True), "auditor": (True, False),
        "provider_auditor": (True, True),
    }
    for role, (sees_own, sees_other) in expected.items():
        ids = {r["id"] for r in _client_for(role, users).get(path + "?page_size=200").json()["results"]}
        assert (own in ids, other in ids) == (sees_own, sees_other), (role, path, ids)


def test_admin_is_for_staff_only(client, users):
    assert client.get("/admin/").status_code == 302
    client.force_login(users["project_manager"])  # not is_staff
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
