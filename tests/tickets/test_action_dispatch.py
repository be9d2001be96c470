"""One dispatcher from an action's name to its service, for the API and the pages (tickets.services.actions)."""

import pytest

from tickets.apis import ACTION_INPUTS
from tickets.forms import ACTION_FORMS
from tickets.services.actions import TICKET_ACTIONS, ticket_action_name, ticket_action_url_slug
from tickets.services.transitions import TRANSITIONS

pytestmark = pytest.mark.django_db


def test_one_name_per_action_everywhere():
    """The API's actions, the pages' forms and the dispatcher use the transition table's names; the
    API URL keeps its hyphenated spelling and maps back to the same name."""
    assert set(ACTION_INPUTS) <= set(TICKET_ACTIONS)
    assert set(ACTION_FORMS) <= set(TICKET_ACTIONS)
    assert set(TICKET_ACTIONS) - {"downtime_report"} <= {t.action for t in TRANSITIONS}
    for action in TICKET_ACTIONS:
        assert ticket_action_name(ticket_action_url_slug(action)) == action
    assert ticket_action_url_slug("mark_major") == "mark-major"


def test_mark_major_through_the_api_url_and_the_page_url(api, client, users, new_ticket):
    """Issue 15 item 9: the project manager's proposal waits for the purchaser's approver (202, the
    request); the approver's own classification counts at once (200, the ticket)."""
    by_api = new_ticket("security", "P2")
    response = api(users["project_manager"]).post(f"/api/v1/tickets/{by_api.pk}/mark-major/", {"reason": "数据泄露"}, format="json")
    assert response.status_code == 202, response.json()
    assert (response.json()["kind"], response.json()["state"]) == ("major_incident", "requested")
    by_api.refresh_from_db()
    assert not by_api.major_incident
    again = api(users["project_manager"]).post(f"/api/v1/tickets/{by_api.pk}/mark-major/", {"reason": "再次"}, format="json")
    assert again.status_code == 409 and again.json()["fields"] == {"state": ["requested"]}
    own = api(users["approver"]).post(f"/api/v1/tickets/{by_api.pk}/mark-major/", {"reason": "采购人认定"}, format="json")
    assert own.status_code == 200 and own.json()["major_incident"] is True

    by_page = new_ticket("fault", "P2")
    client.force_login(users["approver"])
    response = client.post(f"/tickets/{by_page.pk}/do/mark_major/", {"reason": "数据泄露"})
    assert response.status_code == 302
    by_page.refresh_from_db()
    assert by_page.major_incident
    assert client.post(f"/tickets/{by_page.pk}/do/no_such_action/", {}).status_code == 404


def test_api_assign_to_an_unknown_user_is_a_field_error(api, users, new_ticket):
    ticket = new_ticket()
    response = api(users["duty_leader"]).post(f"/api/v1/tickets/{ticket.pk}/assign/", {"assignee": 999999}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"assignee": ["用户不存在"]}
