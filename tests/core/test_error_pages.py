"""Issue 19 item 7: Chinese 403/404/500 pages inside the site's frame (navigation included); a refused
object is the same plain 404 page in every mode, DEBUG included (no URLconf listing)."""

import pytest
from django.db import OperationalError
from django.test import RequestFactory, override_settings

from core.views import server_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_ticket(users, systems):
    from tickets.services.tickets import ticket_create

    def make(*, actor):
        return ticket_create(actor=actor, title="他局工单标题", kind="fault", severity="P2", business_system=systems["own"])

    return make


@pytest.mark.parametrize("debug", [False, True])
def test_another_organisations_ticket_is_a_plain_chinese_404_with_navigation(client, users, new_ticket, debug):
    ticket = new_ticket(actor=users["requester"])
    client.force_login(users["other_requester"])
    with override_settings(DEBUG=debug):
        response = client.get(f"/tickets/{ticket.pk}/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and 'class="mainnav"' in html and "返回首页" in html
    assert "URLconf" not in html and "Traceback" not in html and ticket.title not in html


def test_a_requester_opening_reports_gets_the_chinese_403_page(client, users):
    client.force_login(users["requester"])
    response = client.get("/reports/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html and 'class="mainnav"' in html and "403 Forbidden" not in html


def test_api_404_stays_json(api, users, new_ticket):
    ticket = new_ticket(actor=users["requester"])
    response = api(users["other_requester"]).get(f"/api/v1/tickets/{ticket.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def _raised(exc, path="/tickets/", user=None):
    request = RequestFactory().get(path)
    if user is not None:
        request.user = user
    try:
        raise exc
    except Exception:  # noqa: BLE001
        return server_error(request)


def test_500_page_is_chinese_with_the_navigation(users):
    response = _raised(ValueError("boom"), user=users["engineer"])
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in html and "服务器内部错误" in html and 'class="mainnav"' in html and "boom" not in html


def test_503_while_the_database_is_down_renders_without_touching_it(users, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = _raised(OperationalError("gone"), user=users["engineer"])
    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "系统暂时不可用" in html and "数据库暂时不可用" in html and 'class="mainnav"' not in html


def test_api_500_stays_json(users):
    response = _raised(ValueError("boom"), path="/api/v1/tickets/", user=users["engineer"])
    assert response.status_code == 500 and b'"server_error"' in response.content
