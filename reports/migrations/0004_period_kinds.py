"""One report model and one package model for every period (issue 18 item 2): `kind` (month, quarter,
service year) and `last_day` (inclusive) beside `month` (the first day). Existing rows are months: they
become kind=month with last_day the end of their month. Issued reports and built packages are frozen by
triggers on PostgreSQL (0002); filling the new column is the one write they are opened for, inside this
migration's transaction."""

import calendar

import django.db.models.deletion
from django.db import migrations, models

FILL = {
    "reports_monthlyreport": "reports_monthly_report_frozen",
    "reports_acceptancepackage": "reports_acceptance_package_frozen",
}


def fill_last_day(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for model_name in ("MonthlyReport", "AcceptancePackage"):
        model = apps.get_model("reports", model_name)
        table = model._meta.db_table
        if postgres:
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {FILL[table]}")
            schema_editor.execute(
                f"UPDATE {table} SET last_day = (date_trunc('month', month) + interval '1 month - 1 day')::date, "
                "kind = 'month' WHERE last_day IS NULL"
            )
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {FILL[table]}")
            continue
        for pk, first in model.objects.filter(last_day__isnull=True).values_list("pk", "month"):
            last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
            model.objects.filter(pk=pk).update(last_day=last, kind="month")


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0003_report_progress_heartbeat"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="acceptancepackage", name="acceptance_package_unique_version"),
        migrations.RemoveConstraint(model_name="monthlyreport", name="monthly_report_unique_version"),
        migrations.AddField(
            model_name="acceptancepackage",
            name="kind",
            field=models.CharField(choices=[("month", "月度"), ("quarter", "季度"), ("year", "服务年度")], default="month",
                                   max_length=10, verbose_name="期间类型"),
        ),
        migrations.AddField(
            model_name="monthlyreport",
            name="kind",
            field=models.CharField(choices=[("month", "月度"), ("quarter", "季度"), ("year", "服务年度")], default="month",
                                   max_length=10, verbose_name="期间类型"),
        ),
        migrations.AddField(
            model_name="acceptancepackage",
            name="last_day",
            field=models.DateField(null=True, help_text="期间的最后一天（含）", verbose_name="期间结束日"),
        ),
        migrations.AddField(
            model_name="monthlyreport",
            name="last_day",
            field=models.DateField(null=True, help_text="期间的最后一天（含）", verbose_name="期间结束日"),
        ),
        migrations.RunPython(fill_last_day, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="acceptancepackage",
            name="last_day",
            field=models.DateField(help_text="期间的最后一天（含）", verbose_name="期间结束日"),
        ),
        migrations.AlterField(
            model_name="monthlyreport",
            name="last_day",
            field=models.DateField(help_text="期间的最后一天（含）", verbose_name="期间结束日"),
        ),
        migrations.AlterField(
            model_name="acceptancepackage",
            name="month",
            field=models.DateField(help_text="月份、季度或服务年度的第一天", verbose_name="期间起始日"),
        ),
        migrations.AlterField(
            model_name="monthlyreport",
            name="month",
            field=models.DateField(help_text="月份、季度或服务年度的第一天", verbose_name="期间起始日"),
        ),
        migrations.AlterField(
            model_name="acceptancepackage",
            name="report",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="packages", to="reports.monthlyreport", verbose_name="所含报告"),
        ),
        migrations.AlterModelOptions(
            name="acceptancepackage",
            options={"ordering": ["-month", "kind", "-version"], "verbose_name": "阶段查验材料包",
                     "verbose_name_plural": "阶段查验材料包"},
        ),
        migrations.AlterModelOptions(
            name="monthlyreport",
            options={"ordering": ["-month", "kind", "-version"], "verbose_name": "运维报告", "verbose_name_plural": "运维报告"},
        ),
        migrations.AddConstraint(
            model_name="acceptancepackage",
            constraint=models.UniqueConstraint(fields=("contract", "kind", "month", "version"), name="acceptance_package_unique_version"),
        ),
        migrations.AddConstraint(
            model_name="monthlyreport",
            constraint=models.UniqueConstraint(fields=("contract", "kind", "month", "version"), name="monthly_report_unique_version"),
        ),
        migrations.AddConstraint(
            model_name="acceptancepackage",
            constraint=models.CheckConstraint(condition=models.Q(last_day__gte=models.F("month")), name="acceptance_package_period_order"),
        ),
        migrations.AddConstraint(
            model_name="monthlyreport",
            constraint=models.CheckConstraint(condition=models.Q(last_day__gte=models.F("month")), name="monthly_report_period_order"),
        ),
    ]
