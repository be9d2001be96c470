"""Quarterly and service-year reports through the API and the pages (issue 18 item 2), and the dashboard's
service year to date beside the month (item 4)."""

import datetime as dt

import pytest

from .conftest import SH

pytestmark = pytest.mark.django_db

AFTER_Q4 = dt.datetime(2027, 1, 10, 9, tzinfo=SH)


def test_api_requests_a_quarter_and_the_service_year_and_refuses_bad_kinds(users, api, contract, time_machine,
                                                                           django_capture_on_commit_callbacks):
    time_machine.move_to(AFTER_Q4, tick=False)
    client = api(users["project_manager"])
    with django_capture_on_commit_callbacks(execute=False):
        quarter = client.post("/api/v1/reports/monthly/", {"kind": "quarter", "quarter": "2026-q4", "contract": contract.pk},
                              format="json")
        assert quarter.status_code == 202, quarter.json()
        body = quarter.json()
        assert (body["kind"], body["period"], body["first_day"], body["last_day"], body["title"]) == (
            "quarter", "2026-Q4", "2026-10-01", "2026-12-31", "季度运维报告")
        year = client.post("/api/v1/reports/monthly/", {"kind": "year", "contract": contract.pk}, format="json")
        assert year.status_code == 202, year.json()
        assert (year.json()["period"], year.json()["last_day"]) == ("2026-06-27..2027-06-26", "2027-06-26")
        package = client.post("/api/v1/reports/packages/", {"kind": "quarter", "quarter": "2026-Q4", "contract": contract.pk},
                              format="json")
        assert package.status_code == 400 and "quarter" in package.json()["fields"]  # no finished quarterly report yet
    for bad, field in (({"kind": "quarter", "quarter": "2026-Q5"}, "quarter"), ({"kind": "quarter"}, "quarter"),
                       ({"kind": "week", "month": "2026-10"}, "kind"), ({"kind": "month", "month": "2026-13"}, "month")):
        response = client.post("/api/v1/reports/monthly/", {**bad, "contract": contract.pk}, format="json")
        assert response.status_code == 400 and field in response.json()["fields"], (bad, response.json())
    listed = client.get("/api/v1/reports/monthly/", {"kind": "quarter"}).json()
    assert [r["period"] for r in listed["results"]] == ["2026-Q4"]
    assert api(users["approver"]).post("/api/v1/reports/monthly/", {"kind": "year"}, format="json").status_code == 403


def test_pages_generate_and_list_every_kind(users, client, contract, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(AFTER_Q4, tick=False)
    client.force_login(users["project_manager"])
    page = client.get("/reports/monthly/").content.decode()
    assert "生成季度报告" in page and "生成年度运维服务总结" in page and 'value="2026-Q4"' in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/reports/monthly/generate/", {"kind": "year", "contract": contract.pk})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "2026-06-27..2027-06-26 年度运维服务总结 v1" in detail and "2026-06-27 至 2027-06-26" in detail
    refused = client.post("/reports/monthly/generate/", {"kind": "quarter", "quarter": "2027-Q3", "contract": contract.pk},
                          follow=True)
    refused_page = refused.content.decode()
    assert not refused.redirect_chain and refused.status_code == 200  # the page again, input kept
    assert refused_page.count("不能生成尚未开始的期间") == 1 and 'value="2027-Q3"' in refused_page
    assert '<label for="g-quarter">季度（YYYY-Qn）</label>' in refused_page and ":</label>" not in refused_page
    crafted = client.post("/reports/monthly/generate/", {"kind": "week", "month": "2026-10", "contract": contract.pk})
    assert crafted.status_code == 200 and "期间类型应为" in crafted.content.decode()  # not read as a month
    malformed = client.post("/reports/monthly/generate/", {"kind": "month", "month": "2026-13", "contract": contract.pk})
    assert malformed.status_code == 200 and 'class="field required has-error">\n<label for="g-month">' in malformed.content.decode()
    listing = client.get("/reports/monthly/").content.decode()
    assert "年度运维服务总结" in listing and "2026-06-27..2027-06-26" in listing
    packages = client.get("/reports/packages/").content.decode()
    assert "生成年度验收材料包" in packages


def test_dashboard_shows_the_service_year_to_date_beside_the_month(october, contract, users, client, time_machine,
                                                                   django_assert_num_queries):
    time_machine.move_to(dt.datetime(2026, 11, 5, 10, tzinfo=SH), tick=False)
    client.force_login(users["approver"])
    # The session and the user (with their organisation and roles: one query, accounts.authentication;
    # 49 → 47 queries), the month's KPIs, the service year (one query) and its KPIs (the same
    # computation), the clocks at risk and the breaches, who is on duty, the next heavy-protection period,
    # last month's report for the contract whose service period covers it, the package pipeline (its
    # contracts, reports and packages; their assessments once a package is issued), the open remediation
    # items and the running P1 clocks of the month and of the service year (the longest counts toward the
    # maximum): a constant number whatever the tickets.
    with django_assert_num_queries(47):
        response = client.get("/reports/")
    html = response.content.decode()
    assert response.status_code == 200 and "服务年度至今" in html and "服务年度 2026-06-27 至 2027-06-26" in html
    rows = {row["key"]: row for row in response.context["kpi_rows"]}
    # November so far: nothing counted; the service year to date holds October's figures, T7 among them.
    assert rows["major_incidents"]["value"] == 0 and rows["major_incidents"]["year"]["value"] == 1
    assert rows["response_time"]["year"]["count"] == 5 and rows["response_time"]["count"] == 0
    assert "1 次（目标 0）" in html
