"""Seed the working-day calendar for the years the `holidays` package has official data for, from
the contract's start (2025) on. Later years are entered by staff when the State Council announces them."""

import datetime as dt

from django.db import migrations

YEARS = (2024, 2025, 2026)


def seed(apps, schema_editor):
    from roster.services.calendar import package_year_data

    CalendarDay = apps.get_model("roster", "CalendarDay")
    for year in YEARS:
        if CalendarDay.objects.filter(date__year=year).exists():
            continue
        days_off, makeup = package_year_data(year)
        rows = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            if day in days_off:
                kind, working, name = "holiday", False, days_off[day]
            elif day in makeup:
                kind, working, name = "makeup_workday", True, makeup[day]
            elif day.weekday() >= 5:
                kind, working, name = "weekend", False, ""
            else:
                kind, working, name = "workday", True, ""
            rows.append(CalendarDay(date=day, kind=kind, is_working_day=working, name=name, source="holidays"))
            day += dt.timedelta(days=1)
        CalendarDay.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("roster", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
