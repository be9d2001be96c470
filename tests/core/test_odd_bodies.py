"""Every write endpoint of the API refuses a body that is not a JSON object, and every integer path id
or query parameter beyond 64 bits, with a 400 in the error shape (issue 21 item 3, issue 19 item 11).

The endpoints are enumerated from the URL resolver and the OpenAPI schema, so a new endpoint is
covered without touching this file."""

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from core.parsers import MAX_JSON_DEPTH, BodyRejected, json_object_from_bytes

pytestmark = pytest.mark.django_db

ODD_BODIES = {
    "null": "null",
    "list": "[]",
    "list of objects": '[{"title": "x"}]',
    "string": '"text"',
    "true": "true",
    "zero": "0",
    "1e999": "1e999",
    "nested lists": "[[[[]]]]",
    "50 000 deep": "[" * 50_000 + "]" * 50_000,
    "50 000 deep in an object": '{"a": ' + "[" * 50_000 + "]" * 50_000 + "}",
    "too deep object": '{"a": ' + '{"a": ' * MAX_JSON_DEPTH + "1" + "}" * MAX_JSON_DEPTH + "}",
    "infinite number": '{"amount": 1e999}',
    "NaN": '{"amount": NaN}',
    "malformed": '{"title": ',
    "not UTF-8": b'{"title": "\xff"}',
}
BIG = "9" * 38  # beyond 64 bits


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def api_routes():
    """(route, view class) of every DRF view under /api/v1/."""
    for route, pattern in _walk(get_resolver().url_patterns):
        cls = getattr(pattern.callback, "cls", None)
        if route.startswith("api/v1/") and cls is not None:
            yield route, cls


def write_endpoints() -> list[tuple[str, str]]:
    """(method, path) of every write endpoint, path arguments replaced by 1."""
    found = []
    for route, cls in api_routes():
        path = "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)
        for method in ("post", "put", "patch"):
            if hasattr(cls, method):
                found.append((method, path))
    return sorted(set(found))


WRITE_ENDPOINTS = write_endpoints()


def test_the_enumeration_finds_the_write_endpoints():
    paths = {path for _method, path in WRITE_ENDPOINTS}
    assert len(WRITE_ENDPOINTS) >= 40
    assert {("post", "/api/v1/tickets/"), ("patch", "/api/v1/tickets/1/"), ("post", "/api/v1/tickets/1/comments/")} <= set(WRITE_ENDPOINTS)
    assert any(p.startswith("/api/v1/roster/") for p in paths) and any(p.startswith("/api/v1/reports/") for p in paths)


def _assert_error_shape(response, status=400):
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["message"] and isinstance(body["fields"], dict)
    return body


@pytest.mark.parametrize(("method", "path"), WRITE_ENDPOINTS)
def test_every_odd_body_on_every_write_endpoint_is_a_400(api, users, method, path):
    client = api(users["duty_leader"])
    for name, body in ODD_BODIES.items():
        response = getattr(client, method)(path, body, content_type="application/json")
        payload = _assert_error_shape(response)
        assert payload["code"] == "invalid_body", (name, payload)
        assert payload["fields"]["non_field_errors"], name


def test_an_odd_body_changes_nothing_on_a_real_ticket(api, users, systems):
    client = api(users["requester"])
    created = client.post(
        "/api/v1/tickets/",
        {"kind": "fault", "severity": "P3", "title": "网站打不开", "description": "首页 502", "business_system": systems["own"].pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    ticket_id = created.json()["id"]
    for body in ("null", "[]", '"x"', "true", "0", "1e999", "[" * 50_000 + "]" * 50_000):
        _assert_error_shape(client.patch(f"/api/v1/tickets/{ticket_id}/", body, content_type="application/json"))
        _assert_error_shape(client.post(f"/api/v1/tickets/{ticket_id}/comments/", body, content_type="application/json"))
    # An object still works, on the same endpoints.
    assert client.patch(f"/api/v1/tickets/{ticket_id}/", {"title": "网站仍打不开"}, format="json").status_code == 200
    assert client.post(f"/api/v1/tickets/{ticket_id}/comments/", {"body": "补充"}, format="json").status_code == 201
    assert client.get(f"/api/v1/tickets/{ticket_id}/").json()["title"] == "网站仍打不开"


def test_the_parser_takes_objects_of_bounded_depth():
    assert json_object_from_bytes(b'{"a": {"b": [1, 2.5, "x", null, true]}}') == {"a": {"b": [1, 2.5, "x", None, True]}}
    at_limit = '{"a": ' * (MAX_JSON_DEPTH - 1) + "{}" + "}" * (MAX_JSON_DEPTH - 1)
    assert json_object_from_bytes(at_limit.encode())
    with pytest.raises(BodyRejected):
        json_object_from_bytes(('{"a": ' * MAX_JSON_DEPTH + "{}" + "}" * MAX_JSON_DEPTH).encode())


def test_the_parser_applies_where_the_middleware_did_not(rf):
    """A JSON body the middleware did not see (e.g. a request built in-process) meets the same rules."""
    import io

    from core.parsers import JSONObjectParser

    with pytest.raises(BodyRejected):
        JSONObjectParser().parse(io.BytesIO(b"null"))
    assert JSONObjectParser().parse(io.BytesIO(json.dumps({"x": 1}).encode())) == {"x": 1}


# --- 64-bit ids -------------------------------------------------------------------------------------


def id_routes() -> list[tuple[str, str]]:
    """(method, path) of every API route with an integer path argument, the argument beyond 64 bits."""
    found = []
    for route, cls in api_routes():
        if "<int:" not in route:
            continue
        path = "/" + re.sub(r"<int:\w+>", BIG, re.sub(r"<(?!int:)(?:\w+:)?\w+>", "x", route))
        method = next(m for m in ("get", "post", "patch", "put", "delete") if hasattr(cls, m))
        found.append((method, path))
    return sorted(set(found))


@pytest.mark.parametrize(("method", "path"), id_routes())
def test_a_path_id_beyond_64_bits_is_a_400(api, users, method, path):
    response = getattr(api(users["duty_leader"]), method)(path, {}, format="json") if method != "get" else api(users["duty_leader"]).get(path)
    body = _assert_error_shape(response)
    assert body["code"] == "validation_failed" and body["fields"]


def integer_query_parameters() -> list[tuple[str, str]]:
    """(path, parameter) of every integer query parameter the OpenAPI schema documents on a GET."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            kind = parameter.get("schema", {}).get("type")
            if parameter["in"] == "query" and kind in ("integer", "number") and parameter["name"] not in ("page", "page_size"):
                found.append((path, parameter["name"]))
    return sorted(set(found))


INTEGER_PARAMETERS = integer_query_parameters()


def test_the_schema_lists_integer_query_parameters():
    assert ("/api/v1/tickets/", "business_system") in INTEGER_PARAMETERS
    assert ("/api/v1/reports/kpis/", "organization") in INTEGER_PARAMETERS
    assert len(INTEGER_PARAMETERS) >= 8


@pytest.mark.parametrize(("path", "name"), INTEGER_PARAMETERS)
def test_an_integer_query_parameter_beyond_64_bits_is_a_400(api, users, path, name):
    client = api(users["project_manager"])
    body = _assert_error_shape(client.get(path, {name: BIG}))
    assert name in body["fields"], body
    assert client.get(path, {name: "1"}).status_code < 500  # an ordinary id: a result, a 404 or "no such choice"


def test_the_largest_64_bit_id_is_a_plain_404(api, users):
    response = api(users["duty_leader"]).get(f"/api/v1/tickets/{2**63 - 1}/")
    assert response.status_code == 404
