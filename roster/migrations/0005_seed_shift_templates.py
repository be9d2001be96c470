"""The shift patterns every roster starts from: day 08:30–17:30, night 17:30–08:30 next day, 24 h
on-call 08:30–08:30. Staff may add more in the admin."""

import datetime as dt

from django.db import migrations

TEMPLATES = [
    ("day", "白班", dt.time(8, 30), 9 * 60, False),
    ("night", "夜班", dt.time(17, 30), 15 * 60, True),
    ("full", "24小时班", dt.time(8, 30), 24 * 60, True),
]


def seed(apps, schema_editor):
    ShiftTemplate = apps.get_model("roster", "ShiftTemplate")
    for code, name, start, minutes, night in TEMPLATES:
        ShiftTemplate.objects.get_or_create(
            code=code, defaults={"name": name, "start_time": start, "duration_minutes": minutes, "is_night": night}
        )


class Migration(migrations.Migration):
    dependencies = [("roster", "0004_rosters_shifts_swaps_logs")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
