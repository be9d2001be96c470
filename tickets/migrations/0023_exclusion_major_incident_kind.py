"""Issue 15 item 9: a major liability incident counts only with the purchaser's consent. The kind joins
the exclusion ledger, and every ticket the project manager marked major alone before becomes what
such a mark is now: a request waiting for the purchaser's approver (the ticket's mark is cleared until
it is confirmed)."""

from django.db import migrations, models


def marks_to_requests(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Exclusion = apps.get_model("tickets", "Exclusion")
    ConsentEvent = apps.get_model("core", "ConsentEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    marked = list(Ticket.objects.filter(major_incident=True).exclude(
        pk__in=Exclusion.objects.filter(kind="major_incident").values("ticket_id")).order_by("pk"))
    if not marked:
        return
    content_type, _created = ContentType.objects.get_or_create(app_label="tickets", model="exclusion")
    for ticket in marked:
        by = ticket.major_marked_by_id or ticket.recorded_by_id
        at = ticket.major_marked_at or ticket.updated_at
        reason = ticket.major_incident_reason or "（迁移前由项目经理认定）"
        exclusion = Exclusion.objects.create(
            organization_id=ticket.organization_id, state="requested", reason=reason, requested_by_id=by,
            requested_at=at, kind="major_incident", ticket_id=ticket.pk, business_system_id=ticket.business_system_id,
            effective_at=ticket.reported_at,
        )
        ConsentEvent.objects.create(content_type=content_type, object_id=exclusion.pk, action="open", from_state="",
                                    to_state="requested", actor_id=by, note=reason, at=at)
    Ticket.objects.filter(pk__in=[t.pk for t in marked]).update(major_incident=False)


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0022_clock_names_one_map'),
        ('core', '0003_consent'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterField(
            model_name='exclusion',
            name='kind',
            field=models.CharField(choices=[('cancellation', '取消工单'), ('duplicate', '重复工单合并'), ('planned', '计划维护'), ('force_majeure', '不可抗力'), ('pause', '合同时钟暂停'), ('downgrade', '降低级别'), ('major_incident', '重大责任安全事件认定')], max_length=20, verbose_name='类型'),
        ),
        migrations.RunPython(marks_to_requests, migrations.RunPython.noop),
    ]
