"""Benchmark: the service year's summary PDF (年度运维服务总结, issue 18 item 2) over a year of
seed_bench data (target < 60 s, peak RSS < 800 MB).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsdesk_bench .venv/bin/python manage.py seed_bench --tickets 500000 --years 1.45 --no-rosters
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsdesk_bench .venv/bin/python bench/annual_pdf.py [--all-purchasers] [--out f.pdf]

The service year is the seeded contract's (BJCG-ZWY-2025, 2025-06-27..2026-06-26), which 1.45 years of
history before today cover whole. The report is what the task renders (reports.selectors.summary.
period_report_data, then the template and WeasyPrint), timed in its steps, with the process's peak RSS.
seed_bench spreads the tickets over five purchasers; `--all-purchasers` first gives every ticket and
business system to the contract's purchaser (inside a transaction that is rolled back), so that the
one contract's report reads the whole year's tickets: the worst case.
"""

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsdesk.settings.local")


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--all-purchasers", action="store_true", help="the contract's purchaser holds every ticket")
    parser.add_argument("--out", help="also write the PDF here")
    parser.add_argument("--html", help="also write the HTML here")
    args = parser.parse_args()

    import django

    django.setup()
    import weasyprint  # noqa: F401 (imported before timing, as in a running worker)
    from django.db import connection, transaction
    from django.urls import get_resolver
    from django.utils import timezone
    from pypdf import PdfReader

    from reports.pdf import html_to_pdf, render_html
    from reports.selectors.periods import parse_period
    from reports.selectors.summary import period_report_data
    from tickets.models import BusinessSystem, Contract, Ticket

    get_resolver().url_patterns  # noqa: B018 (a running worker has imported the URLconf)
    contract = Contract.objects.select_related("purchaser", "provider").get(code="BJCG-ZWY-2025")
    period = parse_period(contract=contract)
    in_year = Ticket.objects.filter(reported_at__gte=period.start, reported_at__lt=period.end)
    now = timezone.now()
    try:
        with transaction.atomic():
            if args.all_purchasers:
                BusinessSystem.objects.exclude(organization_id=contract.purchaser_id).update(organization_id=contract.purchaser_id)
                Ticket.objects.exclude(organization_id=contract.purchaser_id).update(organization_id=contract.purchaser_id)
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE tickets_ticket, tickets_businesssystem")
            scoped = in_year.filter(organization_id=contract.purchaser_id).count()
            total = in_year.count()
            t0 = time.perf_counter()
            data = period_report_data(contract=contract, period=period, now=now)
            t1 = time.perf_counter()
            data.update(title="年度运维服务总结", version=1, generated_at=now, generated_by_name="压测")
            html = render_html("reports/pdf/summary.html", data)
            t2 = time.perf_counter()
            pdf = html_to_pdf(html)
            t3 = time.perf_counter()
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"service year {period.code}: {total} tickets in the year, {scoped} of the contract's purchaser; "
                  f"data {t1 - t0:.2f} s, HTML {t2 - t1:.2f} s, WeasyPrint {t3 - t2:.2f} s, total {t3 - t0:.2f} s; "
                  f"{pages} pages, {len(pdf) / 1024:.0f} KiB, peak RSS {rss:.0f} MiB; "
                  f"{len(data['exclusions'])} exclusions, {len(data['heavy_protection'])} heavy-protection periods, "
                  f"load average {os.getloadavg()[0]:.1f}")
            if args.out:
                Path(args.out).write_bytes(pdf)
            if args.html:
                Path(args.html).write_text(html)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
