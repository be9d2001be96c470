"""Benchmark: the monthly report PDF of a month of 10 000 tickets (target < 20 s, peak RSS < 500 MB).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsdesk_bench .venv/bin/python bench/monthly_pdf.py [--realistic] [--out f.pdf]

Same synthetic month as bench/kpis.py: by default the pathological one (about half the clocks
breached, 8 % of the tickets still in progress), with --realistic seed_bench's shares. Every row is
listed. Times data gathering (monthly_report_data), the HTML (template and listings) and WeasyPrint
separately, prints pages, listed rows and the process's peak RSS, then rolls back.
"""

import argparse
import datetime as dt
import io
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kpis import EVAL_AT, MONTH, N, Rollback, build_month


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--realistic", action="store_true", help="seed_bench's shares instead of the pathological month")
    parser.add_argument("--out", help="also write the PDF here")
    args = parser.parse_args()

    import weasyprint  # noqa: F401 (imported before timing, as in a running worker)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.urls import get_resolver
    from pypdf import PdfReader

    from reports.pdf import html_to_pdf, render_html
    from reports.selectors.monthly import monthly_report_data
    from reports.selectors.periods import month_period
    from tickets.models import Contract

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        # Every run inserts 10 000 tickets and rolls them back: dead rows. Where autovacuum is off (as on
        # the development server) they pile up and slow the next runs' scans (and trigger JIT).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM tickets_ticket, tickets_slaclock, tickets_satisfactionrating, tickets_downtimerecord,"
                           " tickets_businesssystem, accounts_user")
    # A running worker has imported the URLconf (the KPI links reverse URLs) before its report; a cold
    # process's first report adds that import, about 1 s here.
    get_resolver().url_patterns  # noqa: B018
    try:
        with transaction.atomic():
            org = build_month(realistic=args.realistic)
            first = Contract.objects.get(purchaser=org)
            contract = Contract.objects.create(name=first.name, code="BENCH-2026", purchaser=org, provider=first.provider,
                                               start_date=dt.date(2026, 6, 27), end_date=dt.date(2027, 6, 26))
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")  # as production tables are; the rows are not committed
            t0 = time.perf_counter()
            data = monthly_report_data(contract=contract, period=month_period(MONTH), now=EVAL_AT)
            t1 = time.perf_counter()
            data.update(version=1, generated_at=EVAL_AT, generated_by_name="压测")
            html = render_html("reports/pdf/monthly.html", data)  # reports.pdf.render_pdf, in its two steps
            t2 = time.perf_counter()
            pdf = html_to_pdf(html)
            t3 = time.perf_counter()
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            listed = {
                "incidents": data["incidents"]["total"],
                "breached": data["incidents"]["breached"],
                "resources": data["resources"]["count"],
                "open": data["open_issues"]["count"],
                "downtime": len(data["downtimes"]),
                "low ratings": len(data["satisfaction"]["low"]),
            }
            print(f"{N} tickets ({'realistic' if args.realistic else 'pathological'}): data {t1 - t0:.2f} s, "
                  f"HTML {t2 - t1:.2f} s, WeasyPrint {t3 - t2:.2f} s, total {t3 - t0:.2f} s; "
                  f"{pages} pages, {len(pdf) / 1024:.0f} KiB, peak RSS {rss:.0f} MiB")
            print("listed rows: " + ", ".join(f"{k} {v}" for k, v in listed.items()))
            if args.out:
                Path(args.out).write_bytes(pdf)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
