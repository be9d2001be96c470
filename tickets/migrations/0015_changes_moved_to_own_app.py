"""The change-request models left tickets for the `changes` app (issue 14): removed from the tickets
state only. Their tables and rows stay where they are (changes.0001 takes them over by name), and
DowntimeRecord.change now points at changes.ChangeRequest, the same table as before."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('changes', '0001_initial'),
        ('tickets', '0014_ticket_open_statistics'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='changerequest',
                    name='chain',
                ),
                migrations.RemoveField(
                    model_name='approvalstep',
                    name='chain',
                ),
                migrations.RemoveField(
                    model_name='changeapproval',
                    name='change',
                ),
                migrations.RemoveField(
                    model_name='changeapproval',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='changeapproval',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='changeevent',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='changeevent',
                    name='change',
                ),
                migrations.DeleteModel(
                    name='ChangeNumberCounter',
                ),
                migrations.RemoveField(
                    model_name='changerequest',
                    name='business_systems',
                ),
                migrations.RemoveField(
                    model_name='changerequest',
                    name='hosts',
                ),
                migrations.RemoveField(
                    model_name='changerequest',
                    name='implementers',
                ),
                migrations.RemoveField(
                    model_name='changerequest',
                    name='linked_tickets',
                ),
                migrations.RemoveField(
                    model_name='changerequest',
                    name='requester',
                ),
                migrations.RemoveField(
                    model_name='changerequest',
                    name='template',
                ),
                migrations.AlterField(
                    model_name='downtimerecord',
                    name='change',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='downtimes', to='changes.changerequest', verbose_name='计划维护（变更）'),
                ),
                migrations.DeleteModel(
                    name='ApprovalChain',
                ),
                migrations.DeleteModel(
                    name='ApprovalStep',
                ),
                migrations.DeleteModel(
                    name='ChangeApproval',
                ),
                migrations.DeleteModel(
                    name='ChangeEvent',
                ),
                migrations.DeleteModel(
                    name='ChangeTemplate',
                ),
                migrations.DeleteModel(
                    name='ChangeRequest',
                ),
            ],
        ),
    ]
