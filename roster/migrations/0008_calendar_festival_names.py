"""The years seeded from the `holidays` package (0002) named the days of one break apart (农历除夕, 春节,
休息日（由 2026-01-04 调休）, 清明节（补假）) and their make-up workdays 调休上班（休息日（由 … 调休））.
Name them as the State Council's notice does: each day off by the festival of its break, each make-up
workday 调休上班（<festival>）. Only rows still as the package wrote them (source "holidays") change."""

from django.db import migrations


def rename(apps, schema_editor):
    from roster.services.calendar import package_year_data

    CalendarDay = apps.get_model("roster", "CalendarDay")
    years = sorted({d.year for d in CalendarDay.objects.filter(source="holidays").dates("date", "year")})
    for year in years:
        try:
            days_off, makeup = package_year_data(year)
        except Exception:  # noqa: BLE001 - a year the package no longer knows keeps its names
            continue
        rows = CalendarDay.objects.filter(date__year=year, source="holidays", kind__in=["holiday", "makeup_workday"])
        for row in rows:
            name = days_off.get(row.date) if row.kind == "holiday" else makeup.get(row.date)
            if name and name != row.name:
                row.name = name
                row.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("roster", "0007_calendar_year_event")]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
