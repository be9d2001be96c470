"""On PostgreSQL the database itself refuses to change or delete an issued report or a built package,
so that not even a raw SQL statement or a bulk update can rewrite the archive."""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION reports_monthly_report_frozen() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'issued' THEN
    RAISE EXCEPTION 'issued monthly report %% is immutable', OLD.id;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER reports_monthly_report_frozen BEFORE UPDATE OR DELETE ON reports_monthlyreport
  FOR EACH ROW EXECUTE FUNCTION reports_monthly_report_frozen();

CREATE OR REPLACE FUNCTION reports_acceptance_package_frozen() RETURNS trigger AS $$
BEGIN
  IF OLD.task_state = 'done' THEN
    RAISE EXCEPTION 'built acceptance package %% is immutable', OLD.id;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER reports_acceptance_package_frozen BEFORE UPDATE OR DELETE ON reports_acceptancepackage
  FOR EACH ROW EXECUTE FUNCTION reports_acceptance_package_frozen();
"""

DROP = """
DROP TRIGGER IF EXISTS reports_monthly_report_frozen ON reports_monthlyreport;
DROP FUNCTION IF EXISTS reports_monthly_report_frozen();
DROP TRIGGER IF EXISTS reports_acceptance_package_frozen ON reports_acceptancepackage;
DROP FUNCTION IF EXISTS reports_acceptance_package_frozen();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_archive")]

    operations = [migrations.RunPython(forwards, backwards)]
