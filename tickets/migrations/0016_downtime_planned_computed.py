"""Planned downtime is computed, not stored (issue 14 item 2, issue 15 item 3).

`DowntimeRecord.planned` and `DowntimeRecord.change` go. A record linked to a change needs nothing
kept: whether its minutes were planned now follows from the change (approved, completed, within the
window and the expected interruption; changes.selectors.planned_spans_by_system). A record marked
planned WITHOUT a change was somebody's word only: that fact is kept as `claimed_planned` with a
`claim_reason`, so the exclusion ledger (issue 15) can turn it into a claim for the purchaser to
confirm; until then it counts as unplanned.

Backwards, `planned` is restored from `claimed_planned`; the change links are not (they are
recomputed on read by the code of that time only when a record's end is set again)."""

from django.db import migrations, models

MIGRATED_REASON = "迁移前已标记为计划内停机，但未关联任何变更；须采购人确认后方可从可用率中扣除。"


def keep_claims(apps, schema_editor):
    DowntimeRecord = apps.get_model("tickets", "DowntimeRecord")
    db = schema_editor.connection.alias
    DowntimeRecord.objects.using(db).filter(planned=True, change__isnull=True).update(
        claimed_planned=True, claim_reason=MIGRATED_REASON
    )


def restore_flags(apps, schema_editor):
    DowntimeRecord = apps.get_model("tickets", "DowntimeRecord")
    DowntimeRecord.objects.using(schema_editor.connection.alias).filter(claimed_planned=True).update(planned=True)


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0015_changes_moved_to_own_app'),
    ]

    operations = [
        migrations.AddField(
            model_name='downtimerecord',
            name='claimed_planned',
            field=models.BooleanField(default=False, verbose_name='申报计划内（待确认）'),
        ),
        migrations.AddField(
            model_name='downtimerecord',
            name='claim_reason',
            field=models.TextField(blank=True, verbose_name='申报理由'),
        ),
        migrations.RunPython(keep_claims, restore_flags),
        migrations.RemoveField(
            model_name='downtimerecord',
            name='change',
        ),
        migrations.RemoveField(
            model_name='downtimerecord',
            name='planned',
        ),
    ]
