"""Query counts of the new routine pages: the same whatever the number of rows."""

import datetime as dt

import pytest
import time_machine

from routine.services.inspections import inspection_schedule_create, inspection_template_create
from routine.services.security import finding_create, security_activity_create

from .conftest import local

pytestmark = pytest.mark.django_db

# session, user with organisation and groups (one query: accounts.authentication) and the
# unread-notification badge (3) are on every page; the organisation the access rule narrows a
# purchaser's pages to comes with the user (it was a fourth and a fifth query). The rest is the page's own.
SETUP_QUERIES = 3 + 3  # templates, their items (one prefetch), schedules with template and system
ACTIVITY_QUERIES = 3 + 3  # the activity, its systems, its findings (with system, activity and people)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(local(2026, 10, 20, 10), tick=False):
        yield


def _checklists(users, systems, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        template = inspection_template_create(actor=users["engineer"], name=f"巡检表 {i}", scope="system", items=[
            {"label": "服务状态", "kind": "check"}, {"label": "磁盘", "kind": "number", "max_value": 85, "unit": "%"}])
        inspection_schedule_create(actor=users["engineer"], template=template, business_system=systems["own"],
                                   frequency="daily", time_of_day=dt.time(9), start_date=dt.date(2026, 10, 1))


@pytest.mark.parametrize("who", ["engineer", "requester"])
def test_inspection_setup_page(client, users, systems, django_assert_num_queries, who):
    client.force_login(users[who])
    _checklists(users, systems, 2)
    client.get("/routine/inspections/setup/")  # warm the session and the caches
    with django_assert_num_queries(SETUP_QUERIES):
        assert client.get("/routine/inspections/setup/").status_code == 200
    _checklists(users, systems, 5, start=2)
    with django_assert_num_queries(SETUP_QUERIES):
        html = client.get("/routine/inspections/setup/").content.decode()
    assert html.count("服务状态") == 7


def test_security_activity_page(client, users, systems, purchaser, django_assert_num_queries):
    activity = security_activity_create(actor=users["engineer"], kind="vuln_scan", title="扫描", organization=purchaser,
                                        scope="全部", started_on=dt.date(2026, 10, 1), ended_on=dt.date(2026, 10, 2),
                                        people="张三", systems=[systems["own"], systems["own_normal"]])

    def findings(n):
        for i in range(n):
            finding_create(actor=users["engineer"], activity=activity, business_system=systems["own"], title=f"问题 {i}",
                           severity="medium", found_on=dt.date(2026, 10, 2))

    client.force_login(users["engineer"])
    findings(1)
    client.get(f"/routine/security/activities/{activity.pk}/")
    with django_assert_num_queries(ACTIVITY_QUERIES):
        client.get(f"/routine/security/activities/{activity.pk}/")
    findings(6)
    with django_assert_num_queries(ACTIVITY_QUERIES):
        html = client.get(f"/routine/security/activities/{activity.pk}/").content.decode()
    assert html.count("/routine/security/findings/") - html.count("/routine/security/findings/new/") == 7
