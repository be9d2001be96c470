"""Free text has a maximum length, decided in the services (core/limits.py) and shown by the API
serializers and the page forms: each limit accepted at its edge, refused one character beyond."""

import pytest

from core.exceptions import ValidationFailed
from core.limits import DESCRIPTION_MAX_LENGTH, NOTE_MAX_LENGTH, REASON_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from tickets.services import comments as comment_svc
from tickets.services import downtime as downtime_svc
from tickets.services import exclusions as exclusion_svc
from tickets.services import tickets as svc

pytestmark = pytest.mark.django_db


def _fields(excinfo) -> set[str]:
    return set(excinfo.value.fields)


def test_the_limits_fit_their_purpose():
    assert (TITLE_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, TEXT_MAX_LENGTH, NOTE_MAX_LENGTH, REASON_MAX_LENGTH) == (
        200, 20_000, 8_000, 4_000, 2_000)


@pytest.mark.parametrize(("field", "limit"), [("title", TITLE_MAX_LENGTH), ("description", DESCRIPTION_MAX_LENGTH)])
def test_ticket_create_through_the_api_at_the_edge(api, users, systems, field, limit):
    client = api(users["requester"])
    body = {"kind": "fault", "severity": "P3", "title": "标题", "description": "", "business_system": systems["own"].pk}
    accepted = client.post("/api/v1/tickets/", {**body, field: "长" * limit}, format="json")
    assert accepted.status_code == 201, accepted.content
    refused = client.post("/api/v1/tickets/", {**body, field: "长" * (limit + 1)}, format="json")
    assert refused.status_code == 400 and field in refused.json()["fields"]


@pytest.mark.parametrize(("field", "limit"), [("title", TITLE_MAX_LENGTH), ("description", DESCRIPTION_MAX_LENGTH)])
def test_ticket_create_service_at_the_edge(users, systems, field, limit):
    base = {"actor": users["requester"], "kind": "fault", "severity": "P3", "business_system": systems["own"], "title": "标题"}
    assert len(getattr(svc.ticket_create(**{**base, field: "x" * limit}), field)) == limit
    with pytest.raises(ValidationFailed) as excinfo:
        svc.ticket_create(**{**base, field: "x" * (limit + 1)})
    assert _fields(excinfo) == {field}


def test_ticket_update_json_and_form_at_the_edge(api, users, new_ticket):
    ticket = new_ticket(severity="P3")
    client = api(users["requester"])
    url = f"/api/v1/tickets/{ticket.pk}/"
    assert client.patch(url, {"description": "d" * DESCRIPTION_MAX_LENGTH}, format="json").status_code == 200
    refused = client.patch(url, {"description": "d" * (DESCRIPTION_MAX_LENGTH + 1)}, format="json")
    assert refused.status_code == 400 and "description" in refused.json()["fields"]
    # The requester's form-encoded PATCH (which once stored 5 242 880 characters).
    refused = client.patch(url, f"description={'e' * (DESCRIPTION_MAX_LENGTH + 1)}", content_type="application/x-www-form-urlencoded")
    assert refused.status_code == 400 and "description" in refused.json()["fields"]
    ticket.refresh_from_db()
    assert len(ticket.description) == DESCRIPTION_MAX_LENGTH
    with pytest.raises(ValidationFailed) as excinfo:
        svc.ticket_update(actor=users["requester"], ticket=ticket, title="t" * (TITLE_MAX_LENGTH + 1))
    assert _fields(excinfo) == {"title"}


def test_comment_at_the_edge(api, users, new_ticket):
    ticket = new_ticket()
    client = api(users["requester"])
    url = f"/api/v1/tickets/{ticket.pk}/comments/"
    assert client.post(url, {"body": "评" * TEXT_MAX_LENGTH}, format="json").status_code == 201
    refused = client.post(url, {"body": "评" * (TEXT_MAX_LENGTH + 1)}, format="json")
    assert refused.status_code == 400 and "body" in refused.json()["fields"]
    with pytest.raises(ValidationFailed) as excinfo:
        comment_svc.ticket_comment(actor=users["engineer"], ticket=ticket, body="x" * (TEXT_MAX_LENGTH + 1))
    assert _fields(excinfo) == {"body"}


def _edge(call, field: str, limit: int) -> None:
    """`call(text)` succeeds with `limit` characters; with one more it raises a field error first."""
    with pytest.raises(ValidationFailed) as excinfo:
        call("y" * (limit + 1))
    assert _fields(excinfo) == {field}
    call("y" * limit)


def test_lifecycle_reasons_at_the_edge(users, new_ticket):
    engineer = users["engineer"]
    ticket = new_ticket(kind="request", severity="P3")
    svc.ticket_acknowledge(actor=engineer, ticket=ticket)
    _edge(lambda text: svc.ticket_pend(actor=engineer, ticket=ticket, reason=text), "reason", REASON_MAX_LENGTH)
    _edge(lambda text: svc.ticket_resume(actor=engineer, ticket=ticket, note=text), "note", REASON_MAX_LENGTH)
    _edge(lambda text: svc.ticket_resolve(actor=engineer, ticket=ticket, resolution=text), "resolution", TEXT_MAX_LENGTH)
    _edge(lambda text: svc.ticket_reopen(actor=users["requester"], ticket=ticket, reason=text), "reason", REASON_MAX_LENGTH)
    fresh = new_ticket(kind="request", severity="P3")
    _edge(lambda text: exclusion_svc.ticket_cancel(actor=users["requester"], ticket=fresh, reason=text), "reason", REASON_MAX_LENGTH)


def test_fault_conclusions_at_the_edge(users, new_ticket):
    engineer = users["engineer"]
    ticket = new_ticket(severity="P1")
    svc.ticket_acknowledge(actor=engineer, ticket=ticket)
    _edge(lambda text: svc.ticket_locate(actor=engineer, ticket=ticket, note=text), "note", NOTE_MAX_LENGTH)
    incident = new_ticket(kind="security", severity="P1")
    # A major-incident classification is a consent request (issue 15 item 9): the consent reason's limit.
    _edge(lambda text: exclusion_svc.ticket_mark_major(actor=users["approver"], ticket=incident, reason=text), "reason", REASON_MAX_LENGTH)
    _edge(lambda text: downtime_svc.ticket_downtime_report_update(actor=engineer, ticket=ticket, root_cause=text),
          "root_cause", TEXT_MAX_LENGTH)


def test_api_action_reason_beyond_the_limit_is_a_field_error(api, users, new_ticket):
    ticket = new_ticket(kind="request", severity="P3")
    response = api(users["requester"]).post(f"/api/v1/tickets/{ticket.pk}/cancel/", {"reason": "r" * (REASON_MAX_LENGTH + 1)}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_the_submit_page_shows_the_description_limit(client, users, systems):
    client.force_login(users["requester"])
    page = client.get("/tickets/new/")
    assert f'maxlength="{DESCRIPTION_MAX_LENGTH}"' in page.content.decode()
    response = client.post("/tickets/new/", {
        "kind": "fault", "severity": "P3", "business_system": systems["own"].pk, "title": "页面提交",
        "description": "页" * (DESCRIPTION_MAX_LENGTH + 1),
    })
    assert response.status_code in (200, 400)
    assert response.context["form"].errors.get("description")
