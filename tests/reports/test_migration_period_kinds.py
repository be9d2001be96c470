"""reports.0004_period_kinds keeps every report and package (issue 18 item 2): an issued monthly
report and a built package (both frozen by the PostgreSQL triggers of 0002) and a draft become
kind=month with last_day the end of their month, nothing else of them changes, and the triggers still
refuse to change the issued report afterwards. Runs on SQLite and PostgreSQL (the suite's DATABASE_URL)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from tests.migration_steps import migrate_to, migrations_restored

SH = ZoneInfo("Asia/Shanghai")
BEFORE = [("reports", "0003_report_progress_heartbeat")]
AFTER = [("reports", "0004_period_kinds")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_rows_become_months_ending_with_their_month():
    with migrations_restored():
        old = migrate_to(BEFORE)
        Contract = old.get_model("tickets", "Contract")
        Report = old.get_model("reports", "MonthlyReport")
        Package = old.get_model("reports", "AcceptancePackage")
        contract = Contract.objects.get(code="BJCG-ZWY-2025")
        when = dt.datetime(2026, 3, 2, 9, tzinfo=SH)
        draft = Report.objects.create(contract=contract, month=dt.date(2026, 1, 1), version=1, requested_at=when)
        issued = Report.objects.create(contract=contract, month=dt.date(2026, 2, 1), version=1, status="issued",
                                       task_state="done", sha256="a" * 64, size=10, requested_at=when, issued_at=when)
        Package.objects.create(contract=contract, month=dt.date(2026, 2, 1), version=1, report=issued,
                                         task_state="done", sha256="b" * 64, size=20, requested_at=when)
        before = {
            "reports": sorted(Report.objects.values_list("pk", "month", "version", "status", "sha256")),
            "packages": sorted(Package.objects.values_list("pk", "month", "version", "report_id", "sha256")),
        }

        new = migrate_to(AFTER)
        Report = new.get_model("reports", "MonthlyReport")
        Package = new.get_model("reports", "AcceptancePackage")
        assert sorted(Report.objects.values_list("pk", "month", "version", "status", "sha256")) == before["reports"]
        assert sorted(Package.objects.values_list("pk", "month", "version", "report_id", "sha256")) == before["packages"]
        assert dict(Report.objects.values_list("pk", "last_day")) == {draft.pk: dt.date(2026, 1, 31), issued.pk: dt.date(2026, 2, 28)}
        assert set(Report.objects.values_list("kind", flat=True)) == {"month"}
        assert list(Package.objects.values_list("kind", "last_day")) == [("month", dt.date(2026, 2, 28))]
        # A quarter may share its first day with a month now; the same version of the same kind may not.
        Report.objects.create(contract_id=contract.pk, kind="quarter", month=dt.date(2026, 1, 1), last_day=dt.date(2026, 3, 31),
                              version=1, requested_at=when)
        if connection.vendor == "postgresql":  # the triggers came back on
            with pytest.raises(Exception, match="immutable"), transaction.atomic():
                Report.objects.filter(pk=issued.pk).update(last_day=dt.date(2026, 3, 1))
