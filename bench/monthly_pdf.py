"""Benchmark: the monthly report PDF of a month of 10 000 tickets (target < 20 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsdesk_bench .venv/bin/python bench/monthly_pdf.py

Same synthetic month as bench/kpis.py; times data gathering and WeasyPrint rendering separately,
then rolls back.
"""

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kpis import EVAL_AT, MONTH, N, Rollback, build_month


def main() -> None:
    from django.core.management import call_command
    from django.db import transaction

    from reports.pdf import render_pdf
    from reports.selectors.monthly import monthly_report_data
    from reports.selectors.periods import month_period
    from tickets.models import Contract

    call_command("migrate", verbosity=0)
    try:
        with transaction.atomic():
            org = build_month()
            first = Contract.objects.get(purchaser=org)
            contract = Contract.objects.create(name=first.name, code="BENCH-2026", purchaser=org, provider=first.provider,
                                               start_date=dt.date(2026, 6, 27), end_date=dt.date(2027, 6, 26))
            t0 = time.perf_counter()
            data = monthly_report_data(contract=contract, period=month_period(MONTH), now=EVAL_AT)
            t1 = time.perf_counter()
            data.update(version=1, generated_at=EVAL_AT, generated_by_name="压测")
            pdf = render_pdf("reports/pdf/monthly.html", data)
            t2 = time.perf_counter()
            print(f"{N} tickets: data {t1 - t0:.2f} s, PDF {t2 - t1:.2f} s, total {t2 - t0:.2f} s, "
                  f"{len(pdf) / 1024:.0f} KiB, listed incidents {len(data['incidents']['rows'])}")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
