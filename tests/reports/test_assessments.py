"""The purchaser's receipt and assessment of an issued package and the remediation that follows (issue 18
item 3): who may (the owning purchaser's approver; the item's owner or the PM answers), when (409), what
is written (nothing on a refusal), the history, the evidence, the reminders and the list queries."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from core.exceptions import IllegalTransition, PermissionDenied, ValidationFailed
from core.models import Notification
from reports.models import Assessment, AssessmentEvent, RemediationAnswer, RemediationItem
from reports.selectors.periods import parse_month
from reports.services.assessments import (
    assessment_assess,
    assessment_receive,
    remediation_item_answer,
    remediation_item_close,
    remediation_item_return,
    remediation_remind,
)
from tickets.models import Contract

pytestmark = pytest.mark.django_db
MONTH = "2026-10"


@pytest.fixture
def renewal(purchaser):
    first = Contract.objects.get(purchaser=purchaser)
    return Contract.objects.create(name=first.name, code="R-2026", purchaser=purchaser, provider=first.provider,
                                   start_date=dt.date(2026, 6, 27), end_date=dt.date(2027, 6, 26), previous=first)


def _issued_package(contract, pm):
    from reports.services.monthly import monthly_report_generate, monthly_report_issue, monthly_report_request
    from reports.services.packages import acceptance_package_build, acceptance_package_request

    report = monthly_report_request(actor=pm, contract=contract, period=parse_month(MONTH))
    monthly_report_generate(report_id=report.pk)
    monthly_report_issue(actor=pm, report_id=report.pk)
    package = acceptance_package_request(actor=pm, contract=contract, period=parse_month(MONTH))
    return acceptance_package_build(package_id=package.pk)


@pytest.fixture
def package(renewal, users):
    return _issued_package(renewal, users["project_manager"])


def _written() -> tuple[int, int, int, int]:
    return (Assessment.objects.count(), AssessmentEvent.objects.count(), RemediationItem.objects.count(),
            Notification.objects.count())


def _items(users, *deadlines):
    return [{"title": f"补充第 {n} 项材料", "owner": users["engineer"].pk, "deadline": d}
            for n, d in enumerate(deadlines, start=1)]


@pytest.fixture
def assessed(package, users):
    """Received and assessed 需整改 with two items, due in 5 and 10 days."""
    today = timezone.localdate()
    assessment = assessment_receive(actor=users["approver"], package=package)
    return assessment_assess(actor=users["approver"], assessment=assessment, verdict="remediate", comments="台账不全",
                             items=_items(users, today + dt.timedelta(days=5), today + dt.timedelta(days=10)))


def test_receipt_only_by_the_owning_purchaser_and_nothing_written_otherwise(package, users, api):
    before = _written()
    body = {"package": package.pk, "received_on": timezone.localdate().isoformat()}
    for role, expected in (("project_manager", 403), ("engineer", 403), ("auditor", 403), ("provider_auditor", 403),
                           ("requester", 403), ("other_approver", 404), ("other_requester", 403)):
        response = api(users[role]).post("/api/v1/reports/assessments/", body, format="json")
        assert response.status_code == expected, (role, response.content)
        assert _written() == before, role
    response = api(users["approver"]).post("/api/v1/reports/assessments/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "received" and data["month"] == MONTH and data["received_by"]["id"] == users["approver"].pk
    again = api(users["approver"]).post("/api/v1/reports/assessments/", body, format="json")
    assert again.status_code == 409


def test_receipt_date_is_checked(package, users, api):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api(users["approver"]).post("/api/v1/reports/assessments/", {"package": package.pk, "received_on": tomorrow},
                                           format="json")
    assert response.status_code == 400 and "received_on" in response.json()["fields"]
    assert Assessment.objects.count() == 0


def test_a_package_around_a_draft_report_cannot_be_received(renewal, users, api):
    from reports.services.monthly import monthly_report_generate, monthly_report_request
    from reports.services.packages import acceptance_package_build, acceptance_package_request

    pm = users["project_manager"]
    report = monthly_report_request(actor=pm, contract=renewal, period=parse_month(MONTH))
    monthly_report_generate(report_id=report.pk)
    package = acceptance_package_build(package_id=acceptance_package_request(actor=pm, contract=renewal, period=parse_month(MONTH)).pk)
    # The purchaser does not see a draft's package at all; the service refuses it with 409 regardless.
    assert api(users["approver"]).post("/api/v1/reports/assessments/", {"package": package.pk}, format="json").status_code == 404
    with pytest.raises(IllegalTransition):
        assessment_receive(actor=users["approver"], package=package)


def test_assessment_only_by_the_owning_purchaser_with_its_rules(package, users, api):
    assessment = assessment_receive(actor=users["approver"], package=package)
    url = f"/api/v1/reports/assessments/{assessment.pk}/assess/"
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    body = {"verdict": "remediate", "comments": "巡检台账缺少 10 月 3 日", "items": [
        {"title": "补齐巡检台账", "owner": users["engineer"].pk, "deadline": deadline}]}
    before = _written()
    for role, expected in (("project_manager", 403), ("auditor", 403), ("requester", 403), ("other_approver", 404)):
        assert api(users[role]).post(url, body, format="json").status_code == expected, role
        assert _written() == before, role
    approver = api(users["approver"])
    no_items = approver.post(url, {"verdict": "remediate", "comments": "不全"}, format="json")
    assert no_items.status_code == 400 and "items" in no_items.json()["fields"]
    pass_with_items = approver.post(url, {**body, "verdict": "pass"}, format="json")
    assert pass_with_items.status_code == 400 and "items" in pass_with_items.json()["fields"]
    bad_owner = approver.post(url, {**body, "items": [{**body["items"][0], "owner": users["approver"].pk}]}, format="json")
    assert bad_owner.status_code == 400 and "责任人" in bad_owner.json()["fields"]["items"][0]
    no_comment = approver.post(url, {**body, "comments": ""}, format="json")
    assert no_comment.status_code == 400 and "comments" in no_comment.json()["fields"]
    assert _written() == before
    done = approver.post(url, body, format="json")
    assert done.status_code == 200, done.content
    data = done.json()
    assert data["state"] == "assessed" and data["verdict"] == "remediate" and len(data["items"]) == 1
    assert data["items"][0]["owner"]["id"] == users["engineer"].pk and data["items"][0]["state"] == "open"
    assert [e["kind"] for e in data["events"]] == ["received", "assessed", "item_raised"]
    assert Notification.objects.filter(recipient=users["engineer"], kind="remediation_raised").count() == 1
    assert approver.post(url, body, format="json").status_code == 409


def test_a_returned_item_reopens_and_the_history_is_kept(assessed, users):
    item = assessed.items.get(number=1)
    with pytest.raises(PermissionDenied):
        remediation_item_answer(actor=users["engineer2"], item=item, text="已补齐")
    with pytest.raises(PermissionDenied):
        remediation_item_answer(actor=users["approver"], item=item, text="已补齐")
    with pytest.raises(IllegalTransition):
        remediation_item_close(actor=users["approver"], item=item)
    remediation_item_answer(actor=users["engineer"], item=item, text="已补齐巡检台账")
    item.refresh_from_db()
    assert item.state == "answered"
    with pytest.raises(PermissionDenied):
        remediation_item_close(actor=users["project_manager"], item=item)
    with pytest.raises(ValidationFailed):
        remediation_item_return(actor=users["approver"], item=item, reason=" ")
    new_deadline = timezone.localdate() + dt.timedelta(days=20)
    remediation_item_return(actor=users["approver"], item=item, reason="缺少签字页", deadline=new_deadline)
    item.refresh_from_db()
    assert (item.state, item.returns, item.deadline) == ("open", 1, new_deadline)
    remediation_item_answer(actor=users["project_manager"], item=item, text="已补签字页")  # the PM answers for the team
    remediation_item_close(actor=users["approver"], item=item, note="确认")
    item.refresh_from_db()
    assert item.state == "closed" and item.closed_at is not None
    with pytest.raises(IllegalTransition):
        remediation_item_return(actor=users["approver"], item=item, reason="再看看")
    kinds = list(item.events.order_by("at", "pk").values_list("kind", "from_state", "to_state"))
    assert kinds == [("item_raised", "", "open"), ("answered", "open", "answered"), ("returned", "answered", "open"),
                     ("answered", "open", "answered"), ("closed", "answered", "closed")]
    assert RemediationAnswer.objects.filter(item=item).count() == 2


def test_answer_with_evidence_over_the_api(assessed, users, api, systems):
    from tickets.services.tickets import ticket_create

    item = assessed.items.get(number=1)
    ticket = ticket_create(actor=users["requester"], title="台账问题", kind="fault", severity="P3", business_system=systems["own"])
    other = ticket_create(actor=users["other_requester"], title="别家的", kind="fault", severity="P3", business_system=systems["other"])
    url = f"/api/v1/reports/remediation-items/{item.pk}/answer/"
    engineer = api(users["engineer"])
    wrong = engineer.post(url, {"text": "见工单", "tickets": [other.pk]}, format="multipart")
    assert wrong.status_code == 400 and "tickets" in wrong.json()["fields"]
    bad_file = io.BytesIO(b"<html><script>alert(1)</script>")
    bad_file.name = "evidence.pdf"
    refused = engineer.post(url, {"text": "见附件", "file": [bad_file]}, format="multipart")
    assert refused.status_code == 400 and "file" in refused.json()["fields"]
    assert RemediationAnswer.objects.count() == 0
    evidence = io.BytesIO(b"%PDF-1.4 evidence")
    evidence.name = "巡检台账.pdf"
    response = engineer.post(url, {"text": "已补齐，见附件与工单", "tickets": [ticket.pk], "file": [evidence]}, format="multipart")
    assert response.status_code == 200, response.content
    answer = response.json()["answers"][0]
    assert answer["tickets"][0]["number"] == ticket.number and answer["attachments"][0]["name"] == "巡检台账.pdf"
    assert response.json()["state"] == "answered"
    download = api(users["approver"]).get(answer["attachments"][0]["download_url"])
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store" and "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    assert api(users["other_approver"]).get(answer["attachments"][0]["download_url"]).status_code == 404
    assert api(users["requester"]).get(answer["attachments"][0]["download_url"]).status_code == 403
    # The purchaser decides over the API: returning needs a reason; then the item is open again.
    approver = api(users["approver"])
    assert approver.post(f"/api/v1/reports/remediation-items/{item.pk}/return/", {}, format="json").status_code == 400
    returned = approver.post(f"/api/v1/reports/remediation-items/{item.pk}/return/", {"reason": "附件不清晰"}, format="json")
    assert returned.status_code == 200 and returned.json()["state"] == "open" and returned.json()["returns"] == 1
    assert approver.post(f"/api/v1/reports/remediation-items/{item.pk}/close/", {}, format="json").status_code == 409


def test_lists_are_scoped_and_their_queries_fixed(assessed, users, api, django_assert_num_queries):
    pm, approver = api(users["project_manager"]), api(users["approver"])
    assert api(users["other_approver"]).get("/api/v1/reports/remediation-items/").json()["count"] == 0
    assert api(users["other_approver"]).get("/api/v1/reports/assessments/").json()["count"] == 0
    assert api(users["requester"]).get("/api/v1/reports/remediation-items/").status_code == 403
    assert approver.get("/api/v1/reports/remediation-items/", {"open": "true"}).json()["count"] == 2
    assert approver.get("/api/v1/reports/remediation-items/", {"overdue": "true"}).json()["count"] == 0
    pm.get("/api/v1/reports/remediation-items/")  # warm the role cache path
    with django_assert_num_queries(2):  # count + one page (select_related)
        listing = pm.get("/api/v1/reports/remediation-items/").json()
    assert listing["count"] == 2 and listing["results"][0]["month"] == MONTH
    pm.get("/api/v1/reports/assessments/")
    with django_assert_num_queries(2):  # count + one page (annotated with the open items)
        listing = pm.get("/api/v1/reports/assessments/").json()
    assert listing["results"][0]["open_items"] == 2 and listing["results"][0]["item_count"] == 2


def test_deadlines_remind_both_sides_once_a_day(assessed, users, time_machine):
    item = assessed.items.get(number=1)  # due in 5 days
    due = item.deadline
    Notification.objects.all().delete()
    assert remediation_remind() == 0  # nothing within three days yet
    time_machine.move_to(dt.datetime.combine(due - dt.timedelta(days=2), dt.time(9), tzinfo=timezone.get_current_timezone()))
    sent = remediation_remind()
    recipients = set(Notification.objects.filter(kind="remediation_due").values_list("recipient__username", flat=True))
    assert users["engineer"].username in recipients and users["project_manager"].username in recipients
    assert users["approver"].username not in recipients and sent == len(recipients)
    assert remediation_remind() == 0  # idempotent the same day
    time_machine.move_to(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(9), tzinfo=timezone.get_current_timezone()))
    remediation_remind()
    overdue = set(Notification.objects.filter(kind="remediation_overdue").values_list("recipient__username", flat=True))
    assert {users["engineer"].username, users["project_manager"].username, users["approver"].username} <= overdue
    assert users["other_approver"].username not in overdue
    assert remediation_remind() == 0
    # An answered item is the purchaser's turn: no more reminders to the provider.
    remediation_item_answer(actor=users["engineer"], item=item, text="已整改")
    time_machine.move_to(dt.datetime.combine(due + dt.timedelta(days=2), dt.time(9), tzinfo=timezone.get_current_timezone()))
    remediation_remind()
    assert not Notification.objects.filter(dedupe_key__startswith=f"remediation_overdue:{item.pk}:",
                                           dedupe_key__endswith=(due + dt.timedelta(days=2)).isoformat()).exists()


def test_history_rows_are_append_only(assessed):
    from core.models import AppendOnlyError

    event = AssessmentEvent.objects.first()
    event.note = "改写"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_a_final_acceptance_judges_the_service_years_package_only(package, users, purchaser, api):
    first = Contract.objects.filter(purchaser=purchaser).order_by("start_date").first()
    body = {"kind": "final", "contract": first.pk, "package": package.pk}  # a month package of another contract
    response = api(users["approver"]).post("/api/v1/reports/assessments/", body, format="json")
    assert response.status_code == 400 and "package" in response.json()["fields"]
    assert Assessment.objects.count() == 0
    assert api(users["project_manager"]).post("/api/v1/reports/assessments/", {"kind": "final", "contract": first.pk},
                                              format="json").status_code == 403
    assert api(users["other_approver"]).post("/api/v1/reports/assessments/", {"kind": "final", "contract": first.pk},
                                             format="json").status_code == 404
    created = api(users["approver"]).post("/api/v1/reports/assessments/", {"kind": "final", "contract": first.pk}, format="json")
    assert created.status_code == 201 and created.json()["kind"] == "final" and created.json()["round"] == 1
