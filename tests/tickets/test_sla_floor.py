"""Issue 15 item 5: the contract's targets are a floor. The PM tightens a contract policy at once; a
looser target is a version for one purchaser that counts only once its approver confirms, for tickets
reported from its date on; clocks keep the target they started with."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.exceptions import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from tickets.models import SlaPolicy, SlaPolicyChange
from tickets.services.policies import (
    sla_policy_change_decide,
    sla_policy_change_propose,
    sla_policy_create,
    sla_policy_update,
)

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
RESOLVE = "故障定位并排除 30 分钟"


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=BJ)


@pytest.fixture
def resolve_policy():
    return SlaPolicy.objects.get(name=RESOLVE)


def resolve_target(ticket) -> int:
    return ticket.clocks.get(name="resolve").target_minutes


def loosen(users, policy, purchaser, *, minutes=600, when=None, **more):
    return sla_policy_change_propose(
        actor=users["project_manager"], policy=policy, organization=purchaser, target_minutes=minutes,
        pausable=more.pop("pausable", False), active=more.pop("active", True),
        effective_from=when or at(2026, 4, 1), reason="采购人同意放宽", **more)


def test_the_seeded_contract_policies_keep_their_contract_figures():
    policy = SlaPolicy.objects.get(name=RESOLVE)
    assert (policy.contract_target_minutes, policy.contract_pausable, policy.is_contract) == (30, False, True)
    assert SlaPolicy.objects.get(name="资源调整 4 小时").contract_pausable is True
    assert not SlaPolicy.objects.filter(contract_target_minutes__isnull=True).exists()  # all seeded


def test_the_pm_tightens_at_once_and_may_return_to_the_contract_figure(users, resolve_policy, purchaser, new_ticket):
    result = loosen(users, resolve_policy, purchaser, minutes=20)
    assert isinstance(result, SlaPolicy) and result.target_minutes == 20
    assert not SlaPolicyChange.objects.exists()
    assert resolve_target(new_ticket("fault", "P2")) == 20
    assert sla_policy_update(actor=users["project_manager"], policy=resolve_policy, target_minutes=30).target_minutes == 30


@pytest.mark.parametrize("change", [{"target_minutes": 31}, {"pausable": True}, {"active": False}, {"kind": "security"}])
def test_a_looser_or_reshaped_edit_of_a_contract_policy_is_refused_and_changes_nothing(users, resolve_policy, change):
    with pytest.raises(ValidationFailed):
        sla_policy_update(actor=users["project_manager"], policy=resolve_policy, **change)
    resolve_policy.refresh_from_db()
    assert (resolve_policy.target_minutes, resolve_policy.pausable, resolve_policy.active, resolve_policy.kind) == (
        30, False, True, "fault")


def test_the_api_patch_refuses_loosening(api, users, resolve_policy):
    response = api(users["project_manager"]).patch(f"/api/v1/sla-policies/{resolve_policy.pk}/", {"target_minutes": 600},
                                                   format="json")
    assert response.status_code == 400 and "target_minutes" in response.json()["fields"]
    resolve_policy.refresh_from_db()
    assert resolve_policy.target_minutes == 30


def test_a_policy_the_pm_adds_may_not_undercut_the_contract(users):
    with pytest.raises(ValidationFailed) as caught:
        sla_policy_create(actor=users["project_manager"], name="P3 故障 10 小时", kind="fault", severity="P3",
                          clock="resolve", target_minutes=600, stop_on="resolve")
    assert "target_minutes" in caught.value.fields
    tighter = sla_policy_create(actor=users["project_manager"], name="P4 故障 20 分钟", kind="fault", severity="P4",
                                clock="resolve", target_minutes=20, stop_on="resolve")
    assert tighter.pk and not tighter.is_contract


def test_a_looser_target_counts_only_after_the_purchasers_approver_confirms(
    users, resolve_policy, purchaser, new_ticket, systems, time_machine,
):
    time_machine.move_to(at(2026, 3, 20, 9), tick=False)
    change = loosen(users, resolve_policy, purchaser, when=at(2026, 4, 1))
    assert isinstance(change, SlaPolicyChange) and change.state == "requested"
    from core.models import Notification

    assert Notification.objects.filter(recipient=users["approver"], kind="consent_requested").exists()
    time_machine.move_to(at(2026, 4, 2, 9), tick=False)
    before_consent = new_ticket("fault", "P2")
    assert resolve_target(before_consent) == 30  # requested: counts as if it did not exist
    sla_policy_change_decide(actor=users["approver"], change=change, action="confirm")
    after = new_ticket("fault", "P2")
    assert resolve_target(after) == 600
    # Phoned in by another caller at 23:59 the day before, recorded now by the provider.
    reported_earlier = new_ticket("fault", "P2", actor=users["engineer"], requester=users["approver"], channel="phone",
                                  reported_at=at(2026, 3, 31, 23, 59))
    assert resolve_target(reported_earlier) == 30  # reported before the stated date
    other = new_ticket("fault", "P2", actor=users["other_requester"], system=systems["other"])
    assert resolve_target(other) == 30  # another purchaser never agreed
    assert resolve_target(before_consent) == 30  # clocks keep the target they started with
    # A dispute takes it back for tickets reported afterwards.
    sla_policy_change_decide(actor=users["approver"], change=change, action="dispute", note="执行不到位")
    assert resolve_target(new_ticket("fault", "P2")) == 30
    assert resolve_target(after) == 600


def test_deactivating_or_pausing_a_contract_clock_needs_consent_too(users, purchaser, new_ticket, time_machine):
    time_machine.move_to(at(2026, 3, 20, 9), tick=False)
    restore = SlaPolicy.objects.get(name="P1 宕机故障恢复 4 小时")
    off = loosen(users, restore, purchaser, minutes=240, active=False, when=at(2026, 3, 21))
    response = SlaPolicy.objects.get(name="故障响应 15 分钟")
    pause = loosen(users, response, purchaser, minutes=15, pausable=True, when=at(2026, 3, 21))
    assert isinstance(off, SlaPolicyChange) and isinstance(pause, SlaPolicyChange)
    time_machine.move_to(at(2026, 3, 22, 9), tick=False)
    assert "restore" in {c.name for c in new_ticket("fault", "P1").clocks.all()}
    for change in (off, pause):
        sla_policy_change_decide(actor=users["approver"], change=change, action="confirm")
    ticket = new_ticket("fault", "P1")
    assert "restore" not in {c.name for c in ticket.clocks.all()}
    assert ticket.clocks.get(name="response").pausable is True


def test_who_may_decide(users, resolve_policy, purchaser, time_machine):
    time_machine.move_to(at(2026, 3, 20, 9), tick=False)
    change = loosen(users, resolve_policy, purchaser)
    with pytest.raises(PermissionDenied):
        sla_policy_change_decide(actor=users["project_manager"], change=change, action="confirm")
    with pytest.raises(PermissionDenied):
        sla_policy_change_decide(actor=users["provider_auditor"], change=change, action="confirm")
    with pytest.raises(NotFound):
        sla_policy_change_decide(actor=users["other_approver"], change=change, action="confirm")
    change.refresh_from_db()
    assert change.state == "requested"
    sla_policy_change_decide(actor=users["approver"], change=change, action="reject", note="不同意")
    with pytest.raises(IllegalTransition):
        sla_policy_change_decide(actor=users["approver"], change=change, action="confirm")


def test_a_looser_proposal_needs_a_purchaser_and_a_date_not_in_the_past(users, resolve_policy, time_machine):
    time_machine.move_to(at(2026, 3, 20, 9), tick=False)
    with pytest.raises(ValidationFailed) as caught:
        loosen(users, resolve_policy, None, when=at(2026, 3, 1))
    assert {"organization", "effective_from"} <= set(caught.value.fields)
    with pytest.raises(PermissionDenied):
        sla_policy_change_propose(actor=users["engineer"], policy=resolve_policy, organization=None, target_minutes=20,
                                  pausable=False, active=True, effective_from=None, reason="")
    assert not SlaPolicyChange.objects.exists()


def test_the_api_proposes_lists_and_decides(api, users, resolve_policy, purchaser, time_machine):
    time_machine.move_to(at(2026, 3, 20, 9), tick=False)
    url = f"/api/v1/sla-policies/{resolve_policy.pk}/changes/"
    body = {"target_minutes": 600, "organization": purchaser.pk, "effective_from": "2026-04-01T00:00:00+08:00",
            "reason": "夜间人手不足"}
    assert api(users["engineer"]).post(url, body, format="json").status_code == 403
    created = api(users["project_manager"]).post(url, body, format="json")
    assert created.status_code == 202 and created.json()["state"] == "requested"
    assert created.json()["contract_target_minutes"] == 30
    pk = created.json()["id"]
    assert [r["id"] for r in api(users["approver"]).get("/api/v1/sla-policy-changes/").json()["results"]] == [pk]
    assert api(users["other_requester"]).get("/api/v1/sla-policy-changes/").json()["results"] == []
    assert api(users["approver"]).get("/api/v1/sla-policy-changes/?state=requested").json()["count"] == 1
    assert api(users["approver"]).get("/api/v1/sla-policy-changes/?state=bogus").status_code == 400
    assert api(users["other_approver"]).post(f"/api/v1/sla-policy-changes/{pk}/confirm/").status_code == 404
    assert api(users["engineer"]).post(f"/api/v1/sla-policy-changes/{pk}/confirm/").status_code == 403
    confirmed = api(users["approver"]).post(f"/api/v1/sla-policy-changes/{pk}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    again = api(users["approver"]).post(f"/api/v1/sla-policy-changes/{pk}/confirm/")
    assert again.status_code == 409
    tightened = api(users["project_manager"]).post(url, {"target_minutes": 25}, format="json")
    assert tightened.status_code == 200 and tightened.json()["target_minutes"] == 25


def test_the_page_shows_contract_targets_and_the_requests(client, users, resolve_policy, purchaser, time_machine):
    time_machine.move_to(at(2026, 3, 20, 9), tick=False)
    loosen(users, resolve_policy, purchaser)
    client.force_login(users["approver"])
    html = client.get("/sla-policies/").content.decode()
    assert RESOLVE in html and "待采购人确认" in html and "确认" in html
    home = client.get("/").content.decode()  # the approver's inbox on the home page
    assert "SLA 目标放宽" in home and "/sla-policies/#change-" in home
    client.force_login(users["project_manager"])
    response = client.post("/sla-policies/", {"policy": resolve_policy.pk, "target_minutes": "25", "active": "on"})
    assert response.status_code == 302
    resolve_policy.refresh_from_db()
    assert resolve_policy.target_minutes == 25


def test_the_admin_cannot_loosen_a_contract_policy(client, users, resolve_policy):
    from django.contrib.admin.sites import site

    admin = site._registry[SlaPolicy]
    assert {"target_minutes", "pausable", "active", "contract_target_minutes"} <= set(
        admin.get_readonly_fields(None, resolve_policy))
    assert not admin.has_delete_permission(None, resolve_policy)


def test_the_report_prints_the_contract_target_and_lists_tickets_measured_against_another(
    users, resolve_policy, purchaser, new_ticket, time_machine,
):
    from types import SimpleNamespace

    from tickets.selectors.measures import clock_figure_targets
    from tickets.selectors.reporting import clocks_off_contract_target

    time_machine.move_to(at(2026, 3, 10, 9), tick=False)
    plain = new_ticket("fault", "P2", title="按合同目标")
    loosen(users, resolve_policy, purchaser, minutes=20)  # tightened at once
    tightened = new_ticket("fault", "P2", title="按收紧目标")
    assert clock_figure_targets()["resolve_time"] == 30  # the contract's, not the tightened 20
    period = SimpleNamespace(start=at(2026, 3, 1), end=at(2026, 4, 1))
    scope = SimpleNamespace(organization_id=purchaser.pk, business_system_id=None)
    rows = clocks_off_contract_target(period=period, scope=scope)
    assert [(r["ticket_id"], r["target_minutes"], r["contract_target_minutes"]) for r in rows] == [(tightened.pk, 20, 30)]
    assert plain.pk not in {r["ticket_id"] for r in rows}
    other_scope = SimpleNamespace(organization_id=purchaser.pk + 10_000, business_system_id=None)
    assert clocks_off_contract_target(period=period, scope=other_scope) == []


def test_the_list_api_and_the_page_take_the_same_queries_whatever_the_number_of_requests(
    api, client, users, purchaser, time_machine,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    time_machine.move_to(at(2026, 3, 20, 9), tick=False)
    reader = api(users["approver"])
    client.force_login(users["approver"])

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as api_q:
            assert reader.get("/api/v1/sla-policy-changes/").status_code == 200
        with CaptureQueriesContext(connection) as page_q:
            assert client.get("/sla-policies/").status_code == 200
        return len(api_q), len(page_q)

    loosen(users, SlaPolicy.objects.get(name=RESOLVE), purchaser)
    measure()  # warm the role cache and the session
    first = measure()
    for name in ("故障响应 15 分钟", "安全事件响应 15 分钟", "P1 宕机故障恢复 4 小时"):
        loosen(users, SlaPolicy.objects.get(name=name), purchaser, minutes=500)
    assert measure() == first
