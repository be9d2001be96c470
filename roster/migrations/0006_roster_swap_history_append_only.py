"""Roster and swap history append-only like the ticket and change timelines: PROTECT instead of
CASCADE / SET NULL (a deleted roster, swap or user must not take or rewrite its history), and on
PostgreSQL a trigger that refuses UPDATE and DELETE of the rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


TABLES = ("roster_rosterevent", "roster_swapevent")

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {table}_append_only();
"""


def _on_each_table(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in TABLES:
                schema_editor.execute(sql.format(table=table))

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('roster', '0005_seed_shift_templates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='rosterevent',
            name='actor',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='rosterevent',
            name='roster',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='roster.roster'),
        ),
        migrations.AlterField(
            model_name='swapevent',
            name='actor',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='swapevent',
            name='swap',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='roster.swaprequest'),
        ),
        migrations.RunPython(_on_each_table(TRIGGER_SQL), _on_each_table(DROP_SQL)),
    ]
