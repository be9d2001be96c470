"""Input the database cannot take is refused with 400 before it reaches PostgreSQL (schemathesis
findings): NUL bytes in query/form fields, impossible years, UTC offsets beyond ±14:00."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_nul_byte_in_a_query_parameter_is_a_400_with_the_error_shape(api, users):
    response = api(users["engineer"]).get("/api/v1/tickets/", {"search": "a\x00b"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "validation_failed" and list(body["fields"]) == ["search"]


def test_nul_byte_in_a_form_field_is_a_400(api, users):
    response = api().post("/api/v1/auth/token/", {"username": "x\x00", "password": "y"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"username": [response.json()["message"]]}


def test_nul_byte_on_a_page_is_a_400(client: Client, users):
    client.force_login(users["engineer"])
    assert client.get("/tickets/", {"q": "\x00"}).status_code == 400
    assert client.get("/tickets/").status_code == 200


@pytest.mark.parametrize("year", ["0", "1899", "2101", "99999"])
def test_calendar_year_out_of_range_is_a_field_error(api, users, year):
    response = api(users["engineer"]).get("/api/v1/calendar-days/", {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()["fields"]


def test_calendar_year_in_range_still_filters(api, users):
    response = api(users["engineer"]).get("/api/v1/calendar-days/", {"year": "2025", "page_size": 1})
    assert response.status_code == 200 and response.json()["count"] == 365


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/changes/", "window_to"),
        ("/api/v1/changes/", "window_from"),
        ("/api/v1/roster/duty-logs/", "since"),
    ],
)
@pytest.mark.parametrize("value", ["2026-01-01T00:00:00+18:18", "2026-01-01T00:00:00-14:30", "0001-01-01T00:00:00", "9999-12-31T23:59:59+08:00"])
def test_datetime_filters_refuse_impossible_offsets_and_years(api, users, path, param, value):
    response = api(users["engineer"]).get(path, {param: value})
    assert response.status_code == 400, response.content
    assert param in response.json()["fields"]


@pytest.mark.parametrize(
    ("path", "param"),
    [("/api/v1/changes/", "window_to"), ("/api/v1/roster/duty-logs/", "since")],
)
def test_datetime_filters_accept_real_offsets(api, users, path, param):
    for value in ("2026-01-01T00:00:00+14:00", "2026-01-01T00:00:00-12:00", "2026-01-01T08:00:00"):
        assert api(users["engineer"]).get(path, {param: value}).status_code == 200


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/tickets/", "reported_from"),
        ("/api/v1/audit-log/", "date_from"),
        ("/api/v1/calendar-days/", "date_to"),
        ("/api/v1/roster/shifts/", "date_from"),
    ],
)
def test_date_filters_refuse_years_outside_the_range(api, users, path, param):
    client = api(users["project_manager"])
    assert client.get(path, {param: "0001-01-01"}).status_code == 400
    assert client.get(path, {param: "2026-01-01"}).status_code == 200


@pytest.mark.parametrize("body", [{"month": "0000-01"}, {"month": "2101-01"}])
def test_report_months_outside_the_range_are_field_errors(api, users, body):
    client = api(users["project_manager"])
    for path in ("/api/v1/reports/monthly/", "/api/v1/reports/packages/"):
        response = client.post(path, body, format="json")
        assert response.status_code == 400, (path, response.content)
        assert "month" in response.json()["fields"]


def test_the_package_list_has_no_report_status_filter(api, users):
    assert api(users["project_manager"]).get("/api/v1/reports/packages/", {"status": "issued"}).status_code == 200


@pytest.mark.parametrize("value", ["0239-02-23T03:12:39+02:53", "2026-01-01T00:00:00+18:18", "2026-13-01T00:00:00"])
def test_on_duty_at_refuses_impossible_datetimes(api, users, value):
    response = api(users["duty_leader"]).get("/api/v1/roster/on-duty/", {"at": value})
    assert response.status_code == 400 and "at" in response.json()["fields"]


def test_on_duty_at_takes_naive_and_offset_times(api, users):
    client = api(users["duty_leader"])
    assert client.get("/api/v1/roster/on-duty/", {"at": "2026-02-16T23:00:00"}).json()["at"].startswith("2026-02-16T23:00:00+08:00")
    assert client.get("/api/v1/roster/on-duty/", {"at": "2026-02-16T15:00:00+00:00"}).json()["at"].startswith("2026-02-16T23:00:00+08:00")
