"""The move of the change models from `tickets` to `changes` loses no row (issue 14).

A database at the last pre-split migration (tickets.0014) is filled, through the historical models of
that state, with demo-like change data: changes at every stage, approvals, the append-only timeline,
linked tickets, hosts, implementers, a downtime record linked to a change's maintenance window, a day
counter; plus the approval chains and templates seeded by tickets.0004. It is then migrated to the
split (tickets.0015, changes.0001) and every row, every M2M pair and every foreign key is read back
through the new state's models. Runs on SQLite and PostgreSQL (the suite's DATABASE_URL)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction

from tests.migration_steps import migrate_to, migrations_restored

SH = ZoneInfo("Asia/Shanghai")
BEFORE = [("tickets", "0014_ticket_open_statistics"), ("changes", None)]  # None: the changes app unapplied
SPLIT = [("tickets", "0015_changes_moved_to_own_app"), ("changes", "0001_initial")]
MODELS = ("ApprovalChain", "ApprovalStep", "ChangeTemplate", "ChangeNumberCounter", "ChangeRequest", "ChangeApproval", "ChangeEvent")
M2M = ("business_systems", "hosts", "implementers", "linked_tickets")


def at(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SH)


def _snapshot(apps, label: str) -> dict:
    """Every row of the change models (all columns), the M2M pairs and the downtime links."""
    snap = {name: sorted(apps.get_model(label, name).objects.values_list(), key=repr) for name in MODELS}
    ChangeRequest = apps.get_model(label, "ChangeRequest")
    for name in M2M:
        through = ChangeRequest._meta.get_field(name).remote_field.through
        snap[name] = sorted(through.objects.values_list(), key=repr)
    DowntimeRecord = apps.get_model("tickets", "DowntimeRecord")
    snap["downtime"] = sorted(DowntimeRecord.objects.values_list("pk", "change_id", "planned"))
    return snap


def _fill_pre_split(apps) -> dict:
    """Demo-like change data written with the historical models of tickets.0014."""
    Organization = apps.get_model("accounts", "Organization")
    User = apps.get_model("accounts", "User")
    BusinessSystem = apps.get_model("tickets", "BusinessSystem")
    Host = apps.get_model("tickets", "Host")
    Ticket = apps.get_model("tickets", "Ticket")
    DowntimeRecord = apps.get_model("tickets", "DowntimeRecord")
    ChangeRequest = apps.get_model("tickets", "ChangeRequest")
    ChangeApproval = apps.get_model("tickets", "ChangeApproval")
    ChangeEvent = apps.get_model("tickets", "ChangeEvent")
    ChangeTemplate = apps.get_model("tickets", "ChangeTemplate")
    ApprovalChain = apps.get_model("tickets", "ApprovalChain")
    ChangeNumberCounter = apps.get_model("tickets", "ChangeNumberCounter")

    buyer = Organization.objects.create(name="迁移测试局", kind="purchaser")
    vendor = Organization.objects.create(name="迁移测试服务商", kind="provider")
    eng = User.objects.create(username="mig-eng", real_name="实施人", password="!", organization=vendor)
    lead = User.objects.create(username="mig-lead", real_name="技术负责人", password="!", organization=vendor)
    appr = User.objects.create(username="mig-appr", real_name="审批人", password="!", organization=buyer)
    system = BusinessSystem.objects.create(name="迁移测试平台", organization=buyer)
    other = BusinessSystem.objects.create(name="迁移测试门户", organization=buyer)
    host = Host.objects.create(name="mig-host-1", business_system=system, vcpu=4, memory_gb=8, storage_gb=100,
                               os_family="open_source", ip_address="10.7.7.7")
    ticket = Ticket.objects.create(number="GD-20260320-9001", title="平台中断", kind="fault", severity="P1",
                                   business_system=system, requester=eng, organization=buyer, reported_at=at(20, 22, 5),
                                   recorded_by=eng, created_at=at(20, 22, 5), updated_at=at(20, 22, 5))

    normal = ApprovalChain.objects.get(category="normal", risk="")
    template = ChangeTemplate.objects.get(name="SSL 证书到期更换")
    ChangeNumberCounter.objects.create(day=dt.date(2026, 3, 18), last=3)

    def change(number, status, **extra):
        return ChangeRequest.objects.create(
            number=number, title=f"迁移测试 {number}", status=status, requester=eng, chain=normal,
            reason="r", plan="p", rollback_plan="b", verification_plan="v", created_at=at(18, 9), updated_at=at(18, 9),
            **extra,
        )

    done = change("BG-20260318-0001", "reviewed", window_start=at(20, 22), window_end=at(21, 2),
                  expected_interruption_minutes=30, outcome="successful", completed_at=at(21, 1), reviewed_at=at(22, 10))
    emergency = change("BG-20260318-0002", "in_progress", category="emergency", risk="high", started_before_approval=True,
                       window_start=at(25, 1), window_end=at(25, 3))
    standard = change("BG-20260318-0003", "submitted", category="standard", risk="low", template=template)
    done.business_systems.set([system, other])
    done.hosts.set([host])
    done.implementers.set([eng])
    done.linked_tickets.set([ticket])
    emergency.business_systems.set([system])
    standard.business_systems.set([other])
    ChangeApproval.objects.create(change=done, position=1, label="服务商技术负责人审批", role="tech_lead",
                                  status="approved", decided_by=lead, decided_at=at(19, 10), comment="同意")
    ChangeApproval.objects.create(change=done, position=2, label="业务系统所属采购人审批", role="approver",
                                  organization=buyer, status="approved", decided_by=appr, decided_at=at(19, 11))
    ChangeApproval.objects.create(change=emergency, position=1, label="服务商技术负责人审批", role="tech_lead", status="approved",
                                  decided_by=lead, decided_at=at(25, 0, 50))
    ChangeApproval.objects.create(change=emergency, position=2, label="业务系统所属采购人审批", role="approver", organization=buyer,
                                  retrospective=True, due_at=at(26, 1))
    for c in (done, emergency, standard):
        ChangeEvent.objects.create(change=c, kind="created", actor=eng, at=at(18, 9), to_status="draft")
        ChangeEvent.objects.create(change=c, kind="submitted", actor=eng, at=at(18, 10), from_status="draft",
                                   to_status="submitted")
    ChangeEvent.objects.create(change=done, kind="downtime_linked", at=at(21, 1), data={"downtimes": [1]})
    linked = DowntimeRecord.objects.create(ticket=ticket, business_system=system, start=at(20, 22, 5), end=at(20, 22, 30),
                                           planned=True, change=done, created_at=at(20, 22, 5))
    unplanned = DowntimeRecord.objects.create(ticket=ticket, business_system=system, start=at(21, 3), end=at(21, 3, 20),
                                              created_at=at(21, 3))
    return {"done": done.pk, "ticket": ticket.pk, "system": system.pk, "linked": linked.pk, "unplanned": unplanned.pk}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_split_keeps_every_change_row_and_every_link():
    with migrations_restored():
        old = migrate_to(BEFORE)
        ids = _fill_pre_split(old)
        before = _snapshot(old, "tickets")
        seeded = sorted(old.get_model("tickets", "ApprovalChain").objects.values_list("name", flat=True))
        assert len(seeded) == 5 and old.get_model("tickets", "ApprovalStep").objects.count() == 10
        assert old.get_model("tickets", "ChangeTemplate").objects.count() == 3

        new = migrate_to(SPLIT)
        after = _snapshot(new, "changes")
        assert after == before
        assert all(before[name] for name in (*MODELS, *M2M)), "every table held rows"

        # Foreign keys in both directions resolve through the new state.
        ChangeRequest = new.get_model("changes", "ChangeRequest")
        done = ChangeRequest.objects.get(pk=ids["done"])
        assert list(done.linked_tickets.values_list("pk", flat=True)) == [ids["ticket"]]
        assert sorted(done.downtimes.values_list("pk", flat=True)) == [ids["linked"]]
        assert done.approvals.count() == 2 and done.events.count() == 3
        Ticket = new.get_model("tickets", "Ticket")
        assert list(Ticket.objects.get(pk=ids["ticket"]).changes.values_list("pk", flat=True)) == [ids["done"]]
        DowntimeRecord = new.get_model("tickets", "DowntimeRecord")
        assert DowntimeRecord.objects.get(pk=ids["linked"]).change.number == "BG-20260318-0001"
        assert sorted(new.get_model("changes", "ApprovalChain").objects.values_list("name", flat=True)) == seeded

        # The database still enforces the foreign key from tickets to the moved table.
        with pytest.raises(IntegrityError), transaction.atomic():
            DowntimeRecord.objects.filter(pk=ids["unplanned"]).update(change_id=10**9)
            connection.check_constraints(table_names=["tickets_downtimerecord"])  # the FK is deferred on both

        # The way back works too (state only: the same rows are read by the old models again).
        back = migrate_to(BEFORE)
        assert _snapshot(back, "tickets") == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_content_types_follow_the_moved_models():
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    moved = ContentType.objects.get(app_label="changes", model="changerequest")
    try:
        with migrations_restored():
            migrate_to(BEFORE)
            assert ContentType.objects.using(DEFAULT_DB_ALIAS).filter(pk=moved.pk, app_label="tickets").exists()
            migrate_to(SPLIT)
            assert ContentType.objects.filter(pk=moved.pk, app_label="changes", model="changerequest").exists()
            assert not ContentType.objects.filter(app_label="tickets", model__startswith="change").exists()
    finally:
        ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_planned_flags_become_computed_and_bare_claims_are_kept():
    """tickets.0016: `planned`/`change` go. A record planned through a change needs nothing kept (it is
    computed now); a record planned without a change keeps that as a claim for the purchaser."""
    computed = [("tickets", "0016_downtime_planned_computed")]
    with migrations_restored():
        ids = _fill_pre_split(migrate_to(BEFORE))
        old = migrate_to(SPLIT)
        DowntimeRecord = old.get_model("tickets", "DowntimeRecord")
        bare = DowntimeRecord.objects.create(business_system_id=ids["system"], start=at(22, 1), end=at(22, 2), planned=True,
                                             created_at=at(22, 3))
        before = sorted(DowntimeRecord.objects.values_list("pk", "business_system_id", "start", "end", "reason_corrected"))

        new = migrate_to(computed)
        DowntimeRecord = new.get_model("tickets", "DowntimeRecord")
        assert sorted(DowntimeRecord.objects.values_list("pk", "business_system_id", "start", "end", "reason_corrected")) == before
        claims = dict(DowntimeRecord.objects.values_list("pk", "claimed_planned"))
        assert claims == {ids["linked"]: False, ids["unplanned"]: False, bare.pk: True}
        assert "采购人确认" in DowntimeRecord.objects.get(pk=bare.pk).claim_reason
        fields = {f.name for f in DowntimeRecord._meta.get_fields()}
        assert "planned" not in fields and "change" not in fields

        back = migrate_to(SPLIT)  # and back: the bare claim is a planned flag again
        assert back.get_model("tickets", "DowntimeRecord").objects.get(pk=bare.pk).planned is True
