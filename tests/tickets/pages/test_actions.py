"""Acting on a ticket from its page and in place from a queue row."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.models import Ticket, TicketComment
from tickets.services.tickets import ticket_acknowledge, ticket_claim, ticket_resolve

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_claim_in_place_answers_with_the_refreshed_row(login, users, new_ticket):
    ticket = new_ticket()
    response = login(users["engineer"]).post(f"/tickets/{ticket.pk}/do/claim/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<tr id="ticket-row-{ticket.pk}"') and "<html" not in html
    assert "已认领" in html and users["engineer"].display_name in html
    assert f"/tickets/{ticket.pk}/do/claim/" not in html  # nothing left to claim
    ticket.refresh_from_db()
    assert ticket.assignee == users["engineer"] and ticket.status == Ticket.Status.NEW  # claim changes no status


def test_a_lost_claim_race_shows_who_won_not_an_error_page(login, users, new_ticket):
    ticket = new_ticket()
    ticket_claim(actor=users["engineer2"], ticket=ticket)  # somebody else clicked first
    response = login(users["engineer"]).post(f"/tickets/{ticket.pk}/do/claim/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html and f"工单已由{users['engineer2'].display_name}认领" in html
    ticket.refresh_from_db()
    assert ticket.assignee == users["engineer2"]


def test_a_lost_claim_race_without_htmx_shows_the_page_with_the_message(login, users, new_ticket):
    ticket = new_ticket()
    ticket_claim(actor=users["engineer2"], ticket=ticket)
    response = login(users["engineer"]).post(f"/tickets/{ticket.pk}/do/claim/")
    assert response.status_code == 200
    assert "认领" in response.content.decode() and "操作未完成" in response.content.decode()


def test_acknowledge_from_the_page_redirects_with_a_message(login, users, new_ticket):
    ticket = new_ticket()
    client = login(users["engineer"])
    response = client.post(f"/tickets/{ticket.pk}/do/acknowledge/", follow=True)
    assert response.redirect_chain[-1][0] == f"/tickets/{ticket.pk}/"
    assert "已响应" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.ACKNOWLEDGED


def test_an_illegal_move_shows_a_chinese_message_and_keeps_the_input(login, users, new_ticket):
    """The page offered "resolve", but meanwhile the ticket was resolved by someone else."""
    ticket = new_ticket()
    ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    ticket_resolve(actor=users["engineer2"], ticket=ticket, resolution="别人先解决了")
    response = login(users["engineer"]).post(f"/tickets/{ticket.pk}/do/resolve/", {"resolution": "我写的解决说明"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "不能执行" in html and "我写的解决说明" in html


def test_a_missing_reason_shows_the_field_error_with_the_form_open(login, users, new_ticket):
    ticket = new_ticket()
    ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    response = login(users["engineer"]).post(f"/tickets/{ticket.pk}/do/pend/", {"reason": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "该字段是必填项。" in html and "<details class=\"action-panel\" open>" in html


def test_auditors_change_nothing_even_by_posting(login, users, new_ticket):
    ticket = new_ticket()
    response = login(users["auditor"]).post(f"/tickets/{ticket.pk}/do/acknowledge/")
    assert response.status_code == 403 and "权限" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW


def test_managers_assign_anything_and_engineers_only_to_themselves_or_their_own(login, users, new_ticket):
    ticket = new_ticket()
    response = login(users["duty_leader"]).post(f"/tickets/{ticket.pk}/do/assign/", {"assignee": users["engineer2"].pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == users["engineer2"]
    # engineer2's ticket: the engineer cannot hand it to a third colleague, but may take it over
    refused = login(users["engineer"]).post(f"/tickets/{ticket.pk}/do/assign/", {"assignee": users["tech_lead"].pk})
    assert refused.status_code == 403 and "改派" in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee == users["engineer2"]
    taken = login(users["engineer"]).post(f"/tickets/{ticket.pk}/do/assign/", {"assignee": users["engineer"].pk})
    assert taken.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == users["engineer"]


def test_assigning_to_a_purchaser_is_refused_on_the_field(login, users, new_ticket):
    ticket = new_ticket()
    response = login(users["project_manager"]).post(f"/tickets/{ticket.pk}/do/assign/", {"assignee": users["requester"].pk})
    assert response.status_code == 200 and response.context["action_forms"]["assign"].errors["assignee"]


def test_the_requester_confirms_and_rates_once(login, users, new_ticket):
    ticket = new_ticket()
    ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="已恢复")
    client = login(users["requester"])
    assert client.post(f"/tickets/{ticket.pk}/do/close/").status_code == 302
    assert client.post(f"/tickets/{ticket.pk}/do/rate/", {"score": "5", "comment": "满意"}).status_code == 302
    again = client.post(f"/tickets/{ticket.pk}/do/rate/", {"score": "1", "comment": "再评一次"})
    assert again.status_code == 200 and "已评价" in again.content.decode() and "再评一次" not in Ticket.objects.get(pk=ticket.pk).satisfaction.comment
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED and ticket.satisfaction.score == 5


def test_a_score_out_of_range_keeps_the_comment(login, users, new_ticket):
    ticket = new_ticket()
    ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="已恢复")
    response = login(users["requester"]).post(f"/tickets/{ticket.pk}/do/rate/", {"score": "9", "comment": "我的评价"})
    assert response.status_code == 200 and "我的评价" in response.content.decode()


def test_the_requester_reopens_with_a_reason(login, users, new_ticket):
    ticket = new_ticket()
    ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="已恢复")
    assert login(users["requester"]).post(f"/tickets/{ticket.pk}/do/reopen/", {"reason": "又坏了"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS


def test_comments_internal_only_for_staff(login, users, new_ticket):
    ticket = new_ticket()
    login(users["requester"]).post(f"/tickets/{ticket.pk}/do/comment/", {"body": "补充信息", "internal": "on"})
    comment = TicketComment.objects.get()
    assert comment.body == "补充信息" and comment.internal is False  # the requester's form has no such box
    login(users["engineer"]).post(f"/tickets/{ticket.pk}/do/comment/", {"body": "内部", "internal": "on"})
    assert TicketComment.objects.get(body="内部").internal is True


def test_an_attachment_of_a_refused_type_shows_the_reason(login, users, new_ticket):
    ticket = new_ticket()
    response = login(users["requester"]).post(
        f"/tickets/{ticket.pk}/do/attach/", {"file": SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")}
    )
    assert response.status_code == 200 and "不支持的文件类型" in response.content.decode()


def test_an_unknown_action_is_404_and_get_is_refused(login, users, new_ticket):
    ticket = new_ticket()
    client = login(users["engineer"])
    assert client.post(f"/tickets/{ticket.pk}/do/explode/").status_code == 404
    assert client.get(f"/tickets/{ticket.pk}/do/claim/").status_code == 405


def test_downtime_correction_of_a_p1(login, users, new_ticket):
    ticket = new_ticket(severity="P1")
    ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="已恢复")
    client = login(users["engineer"])
    record = ticket.downtimes.get()
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "停机记录" in html and "更正停机时间" in html
    response = client.post(f"/tickets/{ticket.pk}/do/downtime/", {"record": record.pk, "start": "", "end": "", "reason": ""})
    assert response.status_code == 200
    start = record.start.astimezone().strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/tickets/{ticket.pk}/do/downtime/", {"record": record.pk, "start": start, "end": "", "reason": "监控显示更早"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.reason_corrected == "监控显示更早"
    # Purchaser staff see the record but cannot correct it.
    requester_html = login(users["requester"]).get(f"/tickets/{ticket.pk}/").content.decode()
    # (the correction itself is on their timeline; the form is not on their page)
    assert "停机记录" in requester_html and f"/tickets/{ticket.pk}/do/downtime/" not in requester_html


def test_a_refused_action_on_the_ticket_page_says_its_reason_once(client, users, new_ticket):
    """Before: the page's alert and the action form's own alert both carried the refusal."""
    from tickets.services import tickets as svc

    ticket = new_ticket()
    svc.ticket_acknowledge(actor=users["engineer"], ticket=ticket)
    svc.ticket_resolve(actor=users["engineer"], ticket=ticket, resolution="已修复")
    client.force_login(users["engineer"])
    response = client.post(f"/tickets/{ticket.pk}/do/pend/", {"reason": "请提供日志"})
    assert response.status_code == 200  # re-rendered with the refusal (core.exceptions.page_status)
    html = response.content.decode()
    assert html.count("不能执行“待用户反馈”") == 1


def test_an_engineer_raises_severity_at_once_and_a_lowering_waits_for_the_purchaser(login, users, new_ticket):
    """Issue 19 item 10 with the regrade rules (tickets.services.regrade): raising is the engineer's right;
    lowering a fault is a downgrade request the purchaser's approver decides."""
    from tickets.models import Exclusion

    ticket = new_ticket("fault", "P3")
    client = login(users["engineer"])
    raised = client.post(f"/tickets/{ticket.pk}/do/regrade/", {"severity": "P2", "reason": ""}, follow=True)
    assert "级别已调整" in raised.content.decode()
    ticket.refresh_from_db()
    assert ticket.severity == "P2"
    lowered = client.post(f"/tickets/{ticket.pk}/do/regrade/", {"severity": "P4", "reason": "影响很小"}, follow=True)
    assert "降级申请已提交" in lowered.content.decode()
    ticket.refresh_from_db()
    assert ticket.severity == "P2"
    assert Exclusion.objects.get(ticket=ticket).state == "requested"
