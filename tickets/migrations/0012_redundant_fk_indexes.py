"""Drop six indexes that others already cover (bench/README.md, "Indexes"): the single-column indexes of
the foreign keys business_system, organization and requester of a ticket and of ticket on clocks and
events, each the leading column of a composite index; and ticket_reported_idx, which ticket_newest_idx
(reported_at DESC, id DESC) serves in either direction. Every ticket, clock and event written kept
them up to date for nothing.

Only the indexes are dropped: an AlterField would also drop and re-add (and re-validate) each
foreign-key constraint, minutes on a large table. Django names these indexes the same way on
PostgreSQL and SQLite."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FK_INDEXES = [
    ("tickets_slaclock_ticket_id_3a7b2be6", "tickets_slaclock", "ticket_id"),
    ("tickets_ticket_business_system_id_ef30c46f", "tickets_ticket", "business_system_id"),
    ("tickets_ticket_organization_id_7128da48", "tickets_ticket", "organization_id"),
    ("tickets_ticket_requester_id_2072a2f2", "tickets_ticket", "requester_id"),
    ("tickets_ticketevent_ticket_id_b572d14b", "tickets_ticketevent", "ticket_id"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_roles"),
        ("tickets", "0011_sla_clock_calendar_wait_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="ticket", name="ticket_reported_idx"),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{name}"', f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')
                for name, table, column in FK_INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="slaclock",
                    name="ticket",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="clocks", to="tickets.ticket"),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="business_system",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="tickets", to="tickets.businesssystem", verbose_name="业务系统"),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="organization",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="tickets", to="accounts.organization", verbose_name="采购人"),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="requester",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="requested_tickets", to=settings.AUTH_USER_MODEL, verbose_name="报障人"),
                ),
                migrations.AlterField(
                    model_name="ticketevent",
                    name="ticket",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="events", to="tickets.ticket"),
                ),
            ],
        ),
    ]
