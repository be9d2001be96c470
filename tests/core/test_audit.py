"""The audit trail: captured changes, logins, explicit events, append-only, retention, who may read it."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Organization
from accounts.roles import Role
from core.audit import audit_context, audit_purge_expired, audit_record, audit_retention_days
from core.models import AuditLog, AuditLogImmutable, OutboxMessage
from tests.append_only import assert_orm_refuses_rewrites

pytestmark = pytest.mark.django_db


def entries(**filters):
    return list(AuditLog.objects.filter(**filters).order_by("pk"))


# --- automatic capture -------------------------------------------------------------------------


def test_create_update_and_delete_are_recorded_with_the_changed_fields(users):
    with audit_context(actor=users["project_manager"], ip="10.0.0.5", source="test"):
        org = Organization.objects.create(name="测试审计局", short_name="审计局", kind="purchaser")
        org = Organization.objects.get(pk=org.pk)
        org.short_name = "审计"
        org.save()
        org_pk = org.pk
        org.delete()
    created, updated, deleted = entries(object_type="accounts.organization", object_id=str(org_pk))
    assert created.action == "create" and created.changes["name"] == [None, "测试审计局"]
    assert updated.action == "update" and updated.changes == {"short_name": ["审计局", "审计"]}
    assert deleted.action == "delete" and deleted.changes["short_name"] == ["审计", None]
    for e in (created, updated, deleted):
        assert e.actor == users["project_manager"] and str(e.ip) == "10.0.0.5" and e.source == "test"
        assert "测试用户" in e.actor_label


def test_a_json_value_changed_in_place_after_loading_is_recorded_with_its_loaded_value(users):
    """The snapshot taken on loading copies JSON values (core.audit.capture: only models with JSON or
    array columns are scanned), so a list changed in place still shows its value as loaded."""
    from roster.models import DutyMember

    member = DutyMember.objects.create(user=users["engineer"], positions=["engineer"])
    member = DutyMember.objects.get(pk=member.pk)
    member.positions.append("leader")
    member.save()
    updated = entries(object_type="roster.dutymember", object_id=str(member.pk), action="update")
    assert [e.changes for e in updated] == [{"positions": [["engineer"], ["engineer", "leader"]]}]


def test_a_save_that_changes_nothing_writes_nothing_and_an_update_costs_one_insert(users, django_assert_num_queries):
    org = Organization.objects.get(pk=users["requester"].organization_id)
    before = AuditLog.objects.count()
    with django_assert_num_queries(1):  # the UPDATE; no snapshot SELECT, no audit INSERT
        org.save()
    assert AuditLog.objects.count() == before
    org.title = "x"  # not a field: ignored
    org.short_name = "改名"
    with django_assert_num_queries(2):  # UPDATE + audit INSERT, no extra SELECT
        org.save()
    assert AuditLog.objects.latest("pk").changes == {"short_name": ["信息中心", "改名"]}


def test_update_fields_limit_the_diff_and_a_second_save_diffs_against_the_first(users):
    org = Organization.objects.get(pk=users["requester"].organization_id)
    org.short_name = "一"
    org.save(update_fields=["short_name"])
    org.short_name = "二"
    org.save()
    first, second = entries(object_type="accounts.organization", action="update")[-2:]
    assert first.changes == {"short_name": ["信息中心", "一"]}
    assert second.changes == {"short_name": ["一", "二"]}


def test_a_status_change_is_a_state_change(users):
    message = OutboxMessage.objects.create(
        channel="email", recipient="a@example.test", subject="s", body="b",
        next_attempt_at=timezone.now(), created_at=timezone.now(),
    )
    message = OutboxMessage.objects.get(pk=message.pk)
    message.status = OutboxMessage.Status.SENT
    message.save(update_fields=["status"])
    entry = AuditLog.objects.filter(object_type="core.outboxmessage").latest("pk")
    assert entry.action == "state_change" and entry.changes == {"status": ["pending", "sent"]}


def test_secrets_are_masked_and_last_login_is_not_noise(users):
    user = users["engineer"]
    user.set_password("another-Secret-2026")
    user.save()
    entry = AuditLog.objects.filter(object_type="accounts.user", object_id=str(user.pk)).latest("pk")
    assert entry.changes == {"password": ["******", "******"]}
    count = AuditLog.objects.count()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert AuditLog.objects.count() == count


def test_role_changes_are_recorded_as_relation_changes(users):
    from django.contrib.auth.models import Group

    user = users["engineer"]
    group = Group.objects.get(name=Role.DUTY_LEADER)
    user.groups.add(group)
    entry = AuditLog.objects.filter(action="relation").latest("pk")
    assert entry.object_type == "accounts.user" and entry.object_id == str(user.pk)
    assert entry.changes == {"groups": {"added": [group.pk]}}


def test_an_instance_saved_without_being_loaded_is_diffed_against_the_stored_row(users):
    org = users["requester"].organization
    fresh = Organization(pk=org.pk, name=org.name, short_name="手工", kind=org.kind, parent_id=org.parent_id, created_at=org.created_at)
    fresh.save()
    assert AuditLog.objects.latest("pk").changes == {"short_name": ["信息中心", "手工"]}


def test_rolled_back_changes_leave_no_entry(users):
    count = AuditLog.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        Organization.objects.create(name="回滚局", kind="purchaser")
        raise RuntimeError
    assert AuditLog.objects.count() == count


# --- requests: actor and IP from the middleware; logins ---------------------------------------


def test_login_logout_and_failed_login_are_recorded_with_the_ip(client, users):
    user = users["engineer"]
    client.post("/accounts/login/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR="192.0.2.7")
    client.post("/accounts/login/", {"username": user.username, "password": "pw-Opsdesk-2026"}, REMOTE_ADDR="192.0.2.8")
    client.post("/accounts/logout/", REMOTE_ADDR="192.0.2.8")
    failed, login, logout = entries(action__in=["login_failed", "login", "logout"])
    assert (failed.action, failed.actor, str(failed.ip), failed.object_repr) == ("login_failed", None, "192.0.2.7", user.username)
    assert (login.action, login.actor, str(login.ip)) == ("login", user, "192.0.2.8")
    assert (logout.action, logout.actor, str(logout.ip)) == ("logout", user, "192.0.2.8")


def test_api_token_login_and_failure_are_recorded(api, users):
    user = users["requester"]
    assert api().post("/api/v1/auth/token/", {"username": user.username, "password": "nope"}).status_code == 400
    assert api().post("/api/v1/auth/token/", {"username": user.username, "password": "pw-Opsdesk-2026"}).status_code == 200
    failed, login = entries(action__in=["login_failed", "login"])
    assert failed.action == "login_failed" and failed.source == "api"
    assert login.action == "login" and login.actor == user and login.detail == "API 令牌"


def test_changes_made_through_a_request_carry_the_user_and_ip(client, users):
    user = users["engineer"]
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": "pw-Opsdesk-2026", "new_password1": "Changed-Pw-2026x", "new_password2": "Changed-Pw-2026x"},
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 302
    entry = AuditLog.objects.filter(object_type="accounts.user", object_id=str(user.pk), action="update").latest("pk")
    assert entry.actor == user and str(entry.ip) == "198.51.100.9" and entry.source == "web"
    assert entry.changes == {"password": ["******", "******"]}


# --- explicit events ----------------------------------------------------------------------------


def test_audit_record_for_an_export_uses_the_current_context(users):
    with audit_context(actor=users["auditor"], ip="203.0.113.1", source="command:export"):
        entry = audit_record(actor=None, action=AuditLog.Action.EXPORT, obj=users["auditor"].organization, detail="月报 PDF")
    assert entry.actor == users["auditor"] and str(entry.ip) == "203.0.113.1"
    assert entry.object_type == "accounts.organization" and entry.detail == "月报 PDF"


def test_object_text_never_costs_a_query(users):
    class Chatty(Organization):
        class Meta:
            proxy = True
            app_label = "accounts"

        def __str__(self):
            return Organization.objects.get(pk=self.pk).name  # would query

    obj = Chatty.objects.get(pk=users["requester"].organization_id)
    executed = []

    def record(execute, sql, params, many, context):
        result = execute(sql, params, many, context)  # raises if refused before reaching the database
        executed.append(sql)
        return result

    with connection.execute_wrapper(record):
        entry = audit_record(actor=users["auditor"], action=AuditLog.Action.DOWNLOAD, obj=obj)
    assert len(executed) == 1 and executed[0].startswith("INSERT")
    assert entry.object_repr == f"组织 #{obj.pk}"


# --- append-only --------------------------------------------------------------------------------


def test_entries_cannot_be_changed_or_deleted_through_the_orm(users):
    entry = audit_record(actor=users["auditor"], action=AuditLog.Action.EXPORT, detail="x")
    assert_orm_refuses_rewrites(entry, error=AuditLogImmutable, detail="tampered")
    assert AuditLog.objects.get(pk=entry.pk).detail == "x"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_the_database_refuses_update_and_delete_except_for_the_purge(users):
    from django.db import DatabaseError

    entry = audit_record(actor=users["auditor"], action=AuditLog.Action.EXPORT, detail="x")
    for sql in ("UPDATE core_auditlog SET detail = 'tampered' WHERE id = %s", "DELETE FROM core_auditlog WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditLog.objects.get(pk=entry.pk).detail == "x"


# --- retention ----------------------------------------------------------------------------------


def _old_entry(days: int) -> AuditLog:
    return AuditLog.objects.create(at=timezone.now() - timedelta(days=days), action="export", detail=f"{days}d")


def test_retention_is_at_least_six_months(settings):
    settings.OPSDESK_AUDIT_RETENTION_DAYS = 30
    assert audit_retention_days() == 183
    settings.OPSDESK_AUDIT_RETENTION_DAYS = 400
    assert audit_retention_days() == 400


def test_purge_removes_only_entries_older_than_the_retention_in_batches_and_is_idempotent(settings):
    settings.OPSDESK_AUDIT_RETENTION_DAYS = 190
    kept = [_old_entry(d) for d in (1, 100, 189)]
    for _ in range(5):
        _old_entry(191)
    _old_entry(400)
    assert audit_purge_expired(batch_size=2) == 6
    remaining = set(AuditLog.objects.exclude(action="purge").values_list("detail", flat=True))
    assert {e.detail for e in kept} <= remaining and "191d" not in remaining and "400d" not in remaining
    purge = AuditLog.objects.get(action="purge")
    assert "6 条" in purge.detail
    assert audit_purge_expired() == 0  # idempotent
    assert AuditLog.objects.filter(action="purge").count() == 1


def test_purge_stops_after_the_bounded_number_of_batches():
    for _ in range(5):
        _old_entry(300)
    assert audit_purge_expired(batch_size=2, max_batches=2) == 4
    assert AuditLog.objects.filter(detail="300d").count() == 1


def test_the_purge_is_a_periodic_task():
    from core.tasks import audit_purge_expired_task

    entry = settings.CELERY_BEAT_SCHEDULE["core.audit_purge_expired"]
    assert entry["task"] == audit_purge_expired_task.name
    _old_entry(365)
    assert audit_purge_expired_task() == 1
    assert AuditLog.objects.get(action="purge").source == "task:core.audit_purge_expired"


# --- who may read it ----------------------------------------------------------------------------


@pytest.mark.parametrize("role,status", [("auditor", 200), ("project_manager", 200), ("engineer", 403), ("duty_leader", 403), ("requester", 403), ("approver", 403)])
def test_audit_api_and_pages_are_for_auditors_and_project_managers(api, client, users, role, status):
    assert api(users[role]).get("/api/v1/audit-log/").status_code == status
    assert api(users[role]).get("/api/v1/audit-log/login-attempts/").status_code == status
    client.force_login(users[role])
    assert client.get("/audit-log/").status_code == status
    assert client.get("/audit-log/login-attempts/").status_code == status


def test_anonymous_gets_no_audit_log(api, client):
    assert api().get("/api/v1/audit-log/").status_code in (401, 403)
    assert client.get("/audit-log/").status_code == 302


def test_audit_api_filters(api, users):
    with audit_context(actor=users["engineer"], ip="10.9.8.7"):
        audit_record(action=AuditLog.Action.DOWNLOAD, object_type="tickets.attachment", object_id="42", detail="附件")
    audit_record(actor=users["approver"], action=AuditLog.Action.EXPORT, detail="其他")
    client = api(users["provider_auditor"])  # the provider's auditor reads every entry
    today = timezone.localdate().isoformat()
    for query in [
        f"actor={users['engineer'].username}", "action=download", "object_type=tickets.attachment&object_id=42",
        "ip=10.9.8.7", f"date_from={today}&date_to={today}&action=download",
    ]:
        body = client.get(f"/api/v1/audit-log/?{query}").json()
        assert [r["detail"] for r in body["results"]] == ["附件"], query
    assert client.get("/api/v1/audit-log/?ip=not-an-ip").json()["count"] == 0
    assert client.get("/api/v1/audit-log/?date_from=2000-01-01&date_to=2000-01-02").json()["count"] == 0
    assert client.get("/api/v1/audit-log/?action=nonsense").status_code == 400


@pytest.mark.parametrize("side", ["purchaser", "provider"])
def test_audit_api_and_page_query_counts_do_not_grow_with_rows(api, client, users, side, django_assert_num_queries):
    for i in range(3):
        audit_record(actor=users["engineer" if side == "provider" else "requester"], action=AuditLog.Action.EXPORT,
                     detail=f"e{i}")
    auditor = users["auditor" if side == "purchaser" else "provider_auditor"]
    client.force_login(auditor)

    def measure():
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as api_q:
            assert api(auditor).get("/api/v1/audit-log/").status_code == 200
        with CaptureQueriesContext(connection) as page_q:
            assert client.get("/audit-log/?action=export").status_code == 200
        return len(api_q), len(page_q)

    measure()  # warm the per-user role cache
    first = measure()
    for i in range(30):
        audit_record(actor=users["engineer" if side == "provider" else "requester"], action=AuditLog.Action.EXPORT,
                     detail=f"more{i}")
    assert measure() == first
    with django_assert_num_queries(first[0]):
        api(auditor).get("/api/v1/audit-log/")


def test_audit_page_shows_changes_escaped(client, users):
    Organization.objects.create(name="<script>alert(1)</script>局", kind="purchaser")
    client.force_login(users["provider_auditor"])  # another purchaser's entry
    html = client.get("/audit-log/?object_type=accounts.organization").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in html and "<script>alert(1)" not in html
    assert "审计日志" in html and 'name="date_from"' in html
