import pytest

from reports.selectors.periods import parse_month
from reports.services.monthly import monthly_report_issue, monthly_report_request
from tickets.models import Contract

from .conftest import EVAL_AT

pytestmark = pytest.mark.django_db

KEYS = {"response_rate", "response_time", "resolve_time", "restore_time", "resource_on_time", "availability",
        "major_incidents", "onboarding_rate", "satisfaction_rate", "reopened"}


def test_kpi_api_keys_and_shapes(october, contract, users, api, purchaser, time_machine):
    time_machine.move_to(EVAL_AT, tick=False)
    response = api(users["approver"]).get("/api/v1/reports/kpis/", {"month": "2026-10"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == KEYS | {"months"}
    assert [m["month"] for m in body["months"]] == ["2026-10"] and set(body["months"][0]) == KEYS | {"month", "first_day", "last_day"}
    assert body["months"][0]["response_time"]["count"] == body["response_time"]["count"]
    assert body["response_time"]["value"] == 0.6 and body["response_time"]["p90_minutes"] == 20
    assert {"value", "target", "met", "count", "within_target", "mean_minutes", "p90_minutes", "max_minutes"} <= set(body["resolve_time"])
    assert {"downtime_minutes", "by_system"} <= set(body["availability"])
    assert set(body["availability"]["by_system"][0]) == {"business_system", "value", "downtime_minutes", "excluded_minutes", "met"}
    assert {"rated", "satisfied"} <= set(body["satisfaction_rate"])
    assert body["major_incidents"]["value"] == 1
    # The contract's service year (the renewal from 2026-06-27) to the end of October: T7 only.
    assert (body["major_incidents"]["year_to_date"], body["major_incidents"]["service_year"]) == (1, "2026-06-27..2027-06-26")
    assert "/tickets/" in body["response_time"]["tickets_url"]


def test_kpi_api_permissions(october, users, api, other_purchaser, purchaser):
    assert api(users["requester"]).get("/api/v1/reports/kpis/", {"month": "2026-10"}).status_code == 403
    assert api(users["approver"]).get("/api/v1/reports/kpis/", {"month": "2026-10", "organization": other_purchaser.pk}).status_code == 404
    other_system = api(users["approver"]).get("/api/v1/reports/kpis/", {"month": "2026-10", "business_system": 999999})
    assert other_system.status_code == 404
    mine = api(users["other_approver"]).get("/api/v1/reports/kpis/", {"month": "2026-10"}).json()
    assert mine["response_time"]["count"] == 0  # sees only its own organisation
    for role in ("engineer", "auditor"):
        assert api(users[role]).get("/api/v1/reports/kpis/", {"month": "2026-10", "organization": purchaser.pk}).status_code == 200
    bad = api(users["engineer"]).get("/api/v1/reports/kpis/", {"month": "2026-13"})
    assert bad.status_code == 400 and bad.json()["code"] == "validation_failed" and "month" in bad.json()["fields"]


@pytest.fixture
def issued(users, purchaser, django_capture_on_commit_callbacks):
    import datetime as dt

    first = Contract.objects.get(purchaser=purchaser)
    contract = Contract.objects.create(name=first.name, code="R-2026", purchaser=purchaser, provider=first.provider,
                                       start_date=dt.date(2026, 6, 27), end_date=dt.date(2027, 6, 26))
    with django_capture_on_commit_callbacks(execute=True):
        report = monthly_report_request(actor=users["project_manager"], contract=contract, period=parse_month("2026-10"), now=EVAL_AT)
    return monthly_report_issue(actor=users["project_manager"], report_id=report.pk)


def test_monthly_report_api_permissions_and_download(issued, users, api, django_assert_num_queries):
    assert api(users["requester"]).get("/api/v1/reports/monthly/").status_code == 403
    assert api(users["other_approver"]).get(f"/api/v1/reports/monthly/{issued.pk}/").status_code == 404
    assert api(users["other_approver"]).get("/api/v1/reports/monthly/").json()["count"] == 0
    approver = api(users["approver"])
    listing = approver.get("/api/v1/reports/monthly/", {"month": "2026-10"}).json()
    assert listing["count"] == 1 and listing["results"][0]["status"] == "issued"
    download = approver.get(f"/api/v1/reports/monthly/{issued.pk}/download/")
    assert download.status_code == 200 and download["X-Content-SHA256"] == issued.sha256
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    auditor = api(users["auditor"])
    assert auditor.post("/api/v1/reports/monthly/", {"month": "2026-10"}).status_code == 403
    assert auditor.post(f"/api/v1/reports/monthly/{issued.pk}/issue/").status_code == 403
    assert api(users["project_manager"]).post(f"/api/v1/reports/monthly/{issued.pk}/issue/").status_code == 409
    pm = api(users["project_manager"])
    pm.get("/api/v1/reports/monthly/")  # warm the role cache path
    with django_assert_num_queries(2):  # count + one page (select_related); roles cached on the user
        pm.get("/api/v1/reports/monthly/")


def test_downtime_report_pdf_route(october, users, api):
    t3 = october["t3"]
    response = api(users["approver"]).get(f"/api/v1/tickets/{t3.pk}/downtime-report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert api(users["other_approver"]).get(f"/api/v1/tickets/{t3.pk}/downtime-report.pdf").status_code == 404
    assert api(users["requester"]).get(f"/api/v1/tickets/{t3.pk}/downtime-report.pdf").status_code == 403
    assert api(users["engineer"]).get(f"/api/v1/tickets/{october['t1'].pk}/downtime-report.pdf").status_code == 404  # not P1


def test_dashboard_page(october, users, client, django_assert_max_num_queries):
    client.force_login(users["approver"])
    with django_assert_max_num_queries(30):
        response = client.get("/reports/")
    assert response.status_code == 200 and "服务绩效指标" in response.content.decode()
    client.force_login(users["requester"])
    assert client.get("/reports/").status_code == 403
