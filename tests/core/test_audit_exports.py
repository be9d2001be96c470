"""Every file that leaves OpsDesk leaves a row in the audit trail (clause 6.2.9): report and package
downloads, ticket attachments (page and API), the downtime report, roster CSV/PDF and the iCal feeds."""

import pytest
from django.test import Client

from core.models import AuditLog
from tests.security.matrix_objects import MatrixObjects

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _consume(response) -> None:
    assert response.status_code == 200, response
    if response.streaming:
        b"".join(response.streaming_content)


def test_every_download_and_export_is_audited(users, systems, purchaser, other_purchaser):
    objects = MatrixObjects(users, systems, purchaser, other_purchaser)
    manager, requester, leader = users["project_manager"], users["requester"], users["duty_leader"]
    roster = objects["roster"]
    member_token, roster_token = objects["member_token"], objects["roster_token"]
    feed_owner = objects._seats()[0].member
    cases = [
        (manager, f"/api/v1/reports/monthly/{objects['own_report']}/download/", AuditLog.Action.DOWNLOAD,
         "reports.monthlyreport", objects["own_report"], "运维月报"),
        (manager, f"/api/v1/reports/packages/{objects['own_package']}/download/", AuditLog.Action.DOWNLOAD,
         "reports.acceptancepackage", objects["own_package"], "阶段查验材料"),
        (requester, f"/tickets/{objects['own_ticket']}/attachments/{objects['own_attachment']}/download/",
         AuditLog.Action.DOWNLOAD, "tickets.ticketattachment", objects["own_attachment"], "日志.log"),
        (requester, f"/api/v1/tickets/{objects['own_ticket']}/attachments/{objects['own_attachment']}/download/",
         AuditLog.Action.DOWNLOAD, "tickets.ticketattachment", objects["own_attachment"], "（API）"),
        (manager, f"/api/v1/tickets/{objects['own_p1_ticket']}/downtime-report.pdf", AuditLog.Action.EXPORT,
         "tickets.ticket", objects["own_p1_ticket"], "宕机报告 PDF"),
        (leader, f"/roster/rosters/{roster}/roster.csv", AuditLog.Action.EXPORT, "roster.roster", roster, "值班表 CSV"),
        (leader, f"/roster/rosters/{roster}/roster.pdf", AuditLog.Action.EXPORT, "roster.roster", roster, "值班表 PDF"),
        (None, f"/roster/feeds/member/{member_token}.ics", AuditLog.Action.EXPORT, "roster.dutymember",
         feed_owner.pk, feed_owner.user.username),
        (None, f"/roster/feeds/roster/{roster_token}.ics", AuditLog.Action.EXPORT, "roster.roster", roster,
         leader.username),
    ]
    for user, path, action, object_type, object_id, detail in cases:
        before = AuditLog.objects.filter(action=action).count()
        _consume((_signed_in(user) if user else Client()).get(path))
        rows = list(AuditLog.objects.filter(action=action).order_by("-pk")[: AuditLog.objects.filter(action=action).count() - before])
        assert len(rows) == 1, (path, rows)
        row = rows[0]
        assert (row.object_type, row.object_id) == (object_type, str(object_id)), path
        assert detail in row.detail, (path, row.detail)
        if user is not None:
            assert row.actor_id == user.pk, path
    # The member feed is recorded under its owner; the roster feed has none (the issuer is in the detail).
    member_row, roster_row = AuditLog.objects.filter(object_type__in=["roster.dutymember", "roster.roster"],
                                                     detail__startswith="iCal").order_by("pk")
    assert member_row.actor_id == feed_owner.user_id
    assert roster_row.actor_id is None and roster_row.actor_label == "iCal 订阅"


def test_a_refused_download_is_not_recorded_as_one(users, systems, purchaser, other_purchaser, api):
    objects = MatrixObjects(users, systems, purchaser, other_purchaser)
    path = f"/api/v1/tickets/{objects['other_ticket']}/attachments/{objects['other_attachment']}/download/"
    before = AuditLog.objects.filter(action=AuditLog.Action.DOWNLOAD).count()
    assert api(users["requester"]).get(path).status_code == 404
    assert AuditLog.objects.filter(action=AuditLog.Action.DOWNLOAD).count() == before
