"""Issue 15 item 10: an auditor reads what its organisation may see. A purchaser's auditor (its 审计处)
reads that purchaser's records only; the provider's quality auditor reads everything. One rule:
accounts.selectors.user_sees_all_tenants."""

import pytest

from accounts.models import User
from accounts.selectors import user_is_provider_auditor, user_sees_all_tenants
from core.audit.selectors import audit_log_list, login_attempt_list
from core.models import AuditLog
from tickets.selectors.tickets import follow_up_list, ticket_list_for_user
from tickets.services.tickets import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider_auditor(users):
    return users["provider_auditor"]


@pytest.fixture
def tickets(users, systems):
    own = ticket_create(actor=users["requester"], title="本局故障", kind="fault", severity="P3", business_system=systems["own"])
    other = ticket_create(actor=users["other_requester"], title="他局故障", kind="fault", severity="P3",
                          business_system=systems["other"])
    return own, other


def test_the_rule_follows_the_auditors_organisation(users, provider_auditor):
    assert not user_sees_all_tenants(users["auditor"]) and not user_is_provider_auditor(users["auditor"])
    assert user_sees_all_tenants(provider_auditor) and user_is_provider_auditor(provider_auditor)
    assert user_sees_all_tenants(users["engineer"]) and not user_is_provider_auditor(users["engineer"])
    assert not user_sees_all_tenants(users["requester"])


def test_a_purchaser_auditor_reads_its_purchasers_tickets_only(users, provider_auditor, tickets):
    own, other = tickets
    assert set(ticket_list_for_user(user=users["auditor"]).values_list("pk", flat=True)) == {own.pk}
    assert set(ticket_list_for_user(user=provider_auditor).values_list("pk", flat=True)) == {own.pk, other.pk}


def test_ticket_pages_and_api_answer_404_to_another_purchasers_auditor(api, client, users, provider_auditor, tickets):
    own, other = tickets
    assert api(users["auditor"]).get(f"/api/v1/tickets/{own.pk}/").status_code == 200
    assert api(users["auditor"]).get(f"/api/v1/tickets/{other.pk}/").status_code == 404
    assert api(provider_auditor).get(f"/api/v1/tickets/{other.pk}/").status_code == 200
    client.force_login(users["auditor"])
    assert client.get(f"/tickets/{other.pk}/").status_code == 404
    # Still read-only: a write on its own purchaser's ticket is refused and changes nothing.
    before = AuditLog.objects.count()
    assert api(users["auditor"]).patch(f"/api/v1/tickets/{own.pk}/", {"title": "改"}, format="json").status_code == 403
    assert AuditLog.objects.count() == before


def test_follow_ups_are_scoped_too(users, systems, purchaser, other_purchaser, provider_auditor):
    from tests.security.matrix_objects import MatrixObjects

    objects = MatrixObjects(users, systems, purchaser, other_purchaser)
    own, other = objects["own_follow_up"], objects["other_follow_up"]
    assert set(follow_up_list(user=users["auditor"]).values_list("pk", flat=True)) == {own}
    assert set(follow_up_list(user=provider_auditor).values_list("pk", flat=True)) == {own, other}


def test_audit_entries_about_another_purchaser_are_not_shown_to_a_purchaser_auditor(users, provider_auditor, tickets):
    own, other = tickets

    def about(user, ticket):
        return audit_log_list(user=user).filter(object_type="tickets.ticket", object_id=str(ticket.pk)).exists()

    assert about(users["auditor"], own) and not about(users["auditor"], other)
    assert about(provider_auditor, own) and about(provider_auditor, other)
    # Its own people's acts (the other purchaser's requester's are not).
    from core.audit import audit_record

    for who in ("requester", "other_requester", "engineer"):
        audit_record(actor=users[who], action=AuditLog.Action.EXPORT, detail="导出")
    actors = set(audit_log_list(user=users["auditor"]).filter(action="export").values_list("actor_id", flat=True))
    assert users["other_requester"].pk not in actors and users["requester"].pk in actors


def test_audit_api_for_a_purchaser_auditor(api, users, provider_auditor, tickets):
    own, other = tickets
    ids = {r["object_id"] for r in api(users["auditor"]).get("/api/v1/audit-log/?object_type=tickets.ticket&page_size=200")
           .json()["results"]}
    assert str(own.pk) in ids and str(other.pk) not in ids
    ids = {r["object_id"] for r in api(provider_auditor).get("/api/v1/audit-log/?object_type=tickets.ticket&page_size=200")
           .json()["results"]}
    assert {str(own.pk), str(other.pk)} <= ids


def test_login_attempts_of_another_purchasers_people_are_not_shown(users, provider_auditor):
    from axes.models import AccessAttempt
    from django.utils import timezone

    for user in (users["requester"], users["other_requester"]):
        AccessAttempt.objects.create(username=user.username, ip_address="10.0.0.1", user_agent="t", failures_since_start=1,
                                     attempt_time=timezone.now(), get_data="", post_data="")
    seen = set(login_attempt_list(user=users["auditor"]).values_list("username", flat=True))
    assert seen == {users["requester"].username}
    assert set(login_attempt_list(user=provider_auditor).values_list("username", flat=True)) == {
        users["requester"].username, users["other_requester"].username}


def test_a_purchaser_auditor_reads_its_own_monitoring_and_reports(client, api, users, systems, purchaser, other_purchaser):
    from monitoring.services.integrations import integration_create

    own, _ = integration_create(actor=users["project_manager"], name="本局监控", kind="alertmanager", organization=purchaser,
                                default_business_system=systems["own"])
    other, _ = integration_create(actor=users["project_manager"], name="他局监控", kind="alertmanager",
                                  organization=other_purchaser, default_business_system=systems["other"])
    client.force_login(users["auditor"])
    page = client.get("/monitoring/integrations/")
    assert page.status_code == 200 and "本局监控" in page.content.decode() and "他局监控" not in page.content.decode()
    assert client.get(f"/monitoring/integrations/{other.pk}/").status_code == 404
    assert client.get(f"/monitoring/integrations/{own.pk}/").status_code == 200
    kpis = "/api/v1/reports/kpis/?month=2026-10&organization="
    assert api(users["auditor"]).get(f"{kpis}{purchaser.pk}").status_code == 200
    assert api(users["auditor"]).get(f"{kpis}{other_purchaser.pk}").status_code == 404
    assert api(users["provider_auditor"]).get(f"{kpis}{other_purchaser.pk}").status_code == 200


def test_demo_audit_sees_purchaser_a_only_and_qa_sees_all():
    from accounts import demo

    demo.seed()
    audit, qa = User.objects.get(username="audit"), User.objects.get(username="qa")
    assert not user_sees_all_tenants(audit) and audit.organization.tenant_id == demo_org(demo.PURCHASER_1)
    assert user_sees_all_tenants(qa) and qa.organization.kind == "provider"


def demo_org(name: str) -> int:
    from accounts.models import Organization

    return Organization.objects.get(name=name).pk
