"""The roles of OpsDesk as Django groups. Each app's migrations grant its model permissions to them."""

from django.db import migrations

ROLES = ["requester", "approver", "engineer", "tech_lead", "duty_leader", "project_manager", "auditor"]


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
