"""Enter a newly announced year of the working-day calendar (holidays and make-up workdays).

    manage.py calendar_set_year 2027 --file 2027.csv      # see roster/services/calendar_file.py
    manage.py calendar_set_year 2027 --notice notice.txt  # the State Council's notice as text
    manage.py calendar_set_year 2026 --from-package       # years the `holidays` package knows officially
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ValidationFailed
from roster.services.calendar import calendar_year_import_from_package, calendar_year_set
from roster.services.calendar_notice import calendar_import_parse


class Command(BaseCommand):
    help = "Write every day of a year into the working-day calendar from a file of holidays and make-up workdays."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--file", type=Path, help="lines of date,kind,name (kind: holiday/休 or makeup/班)")
        source.add_argument("--notice", type=Path, help="the State Council's notice (国务院办公厅关于…节假日安排的通知) as text")
        source.add_argument("--from-package", action="store_true", help="use the holidays package's official data")

    def handle(self, *args, year: int, file: Path | None = None, notice: Path | None = None, from_package: bool = False,
               **options):
        try:
            if from_package:
                written = calendar_year_import_from_package(year=year)
            else:
                path = notice or file
                try:
                    text = path.read_text(encoding="utf-8")
                except OSError as exc:
                    raise CommandError(f"cannot read {path}: {exc}") from exc
                plan = calendar_import_parse(text=text, fmt="notice" if notice else "csv", year=year)
                written = calendar_year_set(year=year, holidays=plan.holidays, makeup_workdays=plan.makeup_workdays,
                                            source="notice" if notice else "file")
        except ValidationFailed as exc:
            details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {details}") from exc
        self.stdout.write(self.style.SUCCESS(f"{year}: {written} days written"))
