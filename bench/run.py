"""OpsDesk benchmark runner (`make bench ARGS="--sizes 100k,1m"`). Not part of `make test`.

For each size it uses the PostgreSQL database opsdesk_bench_<size> (created, migrated and filled by
`manage.py seed_bench` when missing and --seed is given), then measures, through the Django test
client with the full middleware stack and a logged-in engineer / duty leader:

  median and p95 latency and the query count of the engineer queue page (unassigned, breaching),
  the API ticket list (default; status+severity+system), the ticket detail page and API, the reports
  dashboard, on-duty-now (page and API), the KPIs of the last complete month (selector and API), the
  escalation scan (rolled back), roster generation (30 days, rolled back); the raw-SQL floor (the same
  first 25 rows of the API list fetched and serialised with psycopg alone) and the ratio to it;

and, with gunicorn (2 workers, 127.0.0.1) and wrk (bounded: a few connections, fixed duration),
requests per second of the queue page and of ticket creation through the API.

    .venv/bin/python bench/run.py --sizes 100k,1m [--seed] [--repeat 30] [--load-seconds 10] [--no-load]
    .venv/bin/python bench/run.py --month          # bench/kpis.py and bench/monthly_pdf.py (10 000 tickets)

Results: printed as Markdown and written to bench/results/<size>.json.
"""

# ruff: noqa: S603, S607, S608 - a benchmark driver: fixed commands and our own database names
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "opsdesk.settings.local",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    # As in production, tasks (notification delivery) go to a broker instead of running in the request.
    # Nobody consumes this Redis database: the runner empties it afterwards if it was empty before.
    "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/15"),
}


def _env(size: str) -> dict:
    return {**os.environ, **BENCH_ENV, "DATABASE_URL": f"{PG}/opsdesk_bench_{size}"}


def _psql(sql: str, db: str = "postgres") -> str:
    import psycopg

    with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else None


def ensure_database(size: str, seed: bool) -> bool:
    name = f"opsdesk_bench_{size}"
    if _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        return True
    if not seed:
        print(f"{name} missing (run with --seed to create it)")
        return False
    _psql(f'CREATE DATABASE "{name}"')
    env = _env(size)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    t0 = time.perf_counter()
    subprocess.run([PY, "manage.py", "seed_bench", "--tickets", str(SIZES[size])], cwd=ROOT, env=env, check=True)
    print(f"seeded {name} in {time.perf_counter() - t0:.0f} s")
    return True


# ---------------------------------------------------------------- in-process measurements (worker)


def _stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]  # nearest rank
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2), "n": len(ordered)}


def worker(repeat: int) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt

    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from tickets.models import Ticket

    # Fresh planner statistics: each load run adds ~1 000 tickets, and autovacuum (which would analyze
    # them) may be off, as on the machine of bench/README.md.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket, tickets_slaclock, tickets_ticketevent, core_auditlog")
    eng = User.objects.get(username="bench-eng-0")
    lead = User.objects.get(username="bench-lead-0")
    results: dict = {"tickets": Ticket.objects.count(),
                     "open_tickets": Ticket.objects.filter(status__in=["new", "acknowledged", "in_progress", "located", "pending"]).count()}

    def measure(name, fn, n=repeat, warm=3):
        for _ in range(warm):
            fn()
        samples = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        with CaptureQueriesContext(connection) as ctx:
            out = fn()
        results[name] = {**_stats(samples), "queries": len(ctx.captured_queries)}
        return out

    def page(client, url, expect=200):
        def go():
            response = client.get(url)
            assert response.status_code == expect, (url, response.status_code)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            return response
        return go

    ce, cl = Client(), Client()
    ce.force_login(eng)
    cl.force_login(lead)
    busy = (Ticket.objects.filter(status="in_progress", severity="P3").values("business_system_id")
            .order_by().annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id")).order_by("-n").first())
    system = busy["business_system_id"] if busy else 0
    latest = Ticket.objects.filter(status__in=["in_progress", "located", "acknowledged"]).order_by("-pk").first() or Ticket.objects.order_by("-pk").first()

    measure("queue_unassigned_page", page(ce, "/tickets/queue/unassigned/"))
    measure("queue_breaching_page", page(ce, "/tickets/queue/breaching/"))
    measure("api_list_default", page(ce, "/api/v1/tickets/"))
    measure("api_list_filtered", page(ce, f"/api/v1/tickets/?status=in_progress&severity=P3&business_system={system}"))
    measure("api_queue_unassigned", page(ce, "/api/v1/tickets/?queue=unassigned"))
    measure("ticket_detail_page", page(ce, f"/tickets/{latest.pk}/"))
    measure("ticket_detail_api", page(ce, f"/api/v1/tickets/{latest.pk}/"))
    measure("dashboard_page", page(cl, "/reports/"), n=max(5, repeat // 3))
    measure("on_duty_page", page(ce, "/roster/on-duty/"))
    measure("on_duty_api", page(ce, "/api/v1/roster/on-duty/"))

    from reports.selectors.kpis import Scope, kpis_compute
    from reports.selectors.periods import month_period

    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    period = month_period(last_month)
    results["kpi_month"] = f"{last_month:%Y-%m}"
    results["kpi_month_tickets"] = Ticket.objects.filter(reported_at__gte=period.start, reported_at__lt=period.end).count()
    now = timezone.now()
    measure("kpis_month_selector", lambda: kpis_compute(period=period, scope=Scope(), now=now), n=max(5, repeat // 3))
    measure("kpis_month_api", page(cl, f"/api/v1/reports/kpis/?month={last_month:%Y-%m}"), n=max(5, repeat // 3))

    from tickets.services.escalation import sla_escalate, sla_escalation_due_ids

    class Rollback(Exception):
        pass

    def scan(offset_minutes):
        def go():
            try:
                with transaction.atomic():
                    sla_escalate(now=timezone.now() + dt.timedelta(minutes=offset_minutes))
                    raise Rollback
            except Rollback:
                pass
        return go

    # The clocks that came due since the data was seeded are announced once, for real, as the minute
    # task would have done; then the scan is timed as it runs every minute (a handful due at most), and
    # an hour ahead (rolled back) for the cost of announcing many at once.
    results["escalation_backlog_announced"] = sla_escalate(now=timezone.now())
    results["escalation_due_clocks_now+60min"] = len(sla_escalation_due_ids(now=timezone.now() + dt.timedelta(minutes=60)))
    measure("escalation_scan_now", scan(0))
    measure("escalation_scan_now+60min", scan(60), n=max(5, repeat // 3))

    from roster.models import DutyMember
    from roster.services.rosters import PositionSpec, roster_create, roster_generate

    member_ids = list(DutyMember.objects.values_list("pk", flat=True))

    def roster_gen():
        try:
            with transaction.atomic():
                start = today + dt.timedelta(days=400)
                roster = roster_create(
                    actor=lead, name="压测排班", start_date=start, end_date=start + dt.timedelta(days=29),
                    positions=[PositionSpec("day", "leader", 1), PositionSpec("day", "engineer", 2),
                               PositionSpec("night", "leader", 1), PositionSpec("night", "engineer", 2)],
                    member_ids=member_ids,
                )
                t0 = time.perf_counter()
                roster_generate(actor=lead, roster_id=roster.pk)
                results.setdefault("_roster_generate", []).append(time.perf_counter() - t0)
                raise Rollback
        except Rollback:
            pass

    if member_ids and _calendar_has(today + dt.timedelta(days=430)):
        measure("roster_create_and_generate_30d", roster_gen, n=5, warm=1)
        results["roster_generate_30d"] = _stats(results.pop("_roster_generate"))

    # The floor: the API's first page (25 newest tickets with their clocks) with psycopg alone.
    import psycopg

    dsn = os.environ["DATABASE_URL"]

    def floor():
        with psycopg_conn.cursor() as cur:
            cur.execute(FLOOR_SQL)
            cols = [c.name for c in cur.description]
            rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
            cur.execute(FLOOR_CLOCKS_SQL, ([r["id"] for r in rows],))
            clocks: dict = {}
            for c in cur.fetchall():
                clocks.setdefault(c[0], []).append({"name": c[1], "target_minutes": c[2], "due_at": c[3], "stopped_at": c[4],
                                                    "elapsed_minutes": c[5], "breached": c[6]})
            for r in rows:
                r["sla"] = clocks.get(r["id"], [])
            return json.dumps({"count": None, "results": rows}, default=str)

    with psycopg.connect(dsn) as psycopg_conn:
        measure("raw_sql_floor_first_page", floor)
    for key in ("api_list_default", "queue_unassigned_page"):
        results[f"ratio_{key}_to_floor"] = round(results[key]["p50_ms"] / results["raw_sql_floor_first_page"]["p50_ms"], 1)

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    requester = User.objects.filter(username__startswith="bench-req-0-").first()
    token, _ = Token.objects.get_or_create(user=requester)
    session = SessionStore()
    session[SESSION_KEY] = str(eng.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = eng.get_session_auth_hash()
    session.create()
    from tickets.models import BusinessSystem

    results["_load"] = {
        "token": token.key, "session": session.session_key,
        "system": BusinessSystem.objects.filter(organization=requester.organization, onboarding_status="in_cloud").first().pk,
    }
    return results


def _calendar_has(day) -> bool:
    from roster.models import CalendarDay

    return CalendarDay.objects.filter(date__year=day.year).exists()


FLOOR_SQL = """
SELECT t.id, t.number, t.title, t.description, t.kind, t.severity, t.status, t.business_system_id,
       bs.name AS business_system_name, t.service_item_id, t.organization_id, t.channel, t.reported_at,
       json_build_object('id', rq.id, 'name', rq.real_name) AS requester,
       json_build_object('id', rb.id, 'name', rb.real_name) AS recorded_by,
       CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object('id', a.id, 'name', a.real_name) END AS assignee,
       t.acknowledged_at, t.started_at, t.located_at, t.pending_since, t.resolved_at, t.closed_at, t.cancelled_at,
       t.resolution, t.cancel_reason, t.resource, t.direction, t.amount_before, t.amount_after, t.major_incident,
       t.major_incident_reason, t.major_marked_at, t.next_due_at, t.created_at, t.updated_at,
       (sr.id IS NOT NULL) AS rated,
       ARRAY(SELECT host_id FROM tickets_ticket_hosts h WHERE h.ticket_id = t.id) AS hosts
FROM tickets_ticket t
JOIN tickets_businesssystem bs ON bs.id = t.business_system_id
JOIN accounts_user rq ON rq.id = t.requester_id
JOIN accounts_user rb ON rb.id = t.recorded_by_id
LEFT JOIN accounts_user a ON a.id = t.assignee_id
LEFT JOIN tickets_satisfactionrating sr ON sr.ticket_id = t.id
ORDER BY t.reported_at DESC, t.id DESC
LIMIT 25
"""
FLOOR_CLOCKS_SQL = """
SELECT ticket_id, name, target_minutes, due_at, stopped_at, elapsed_minutes, breached
FROM tickets_slaclock WHERE ticket_id = ANY(%s) ORDER BY id
"""


# ---------------------------------------------------------------- load (gunicorn + wrk)

POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token {token}"
wrk.body = '{{"title": "\\\\u538b\\\\u6d4b\\\\u5de5\\\\u5355 wrk", "kind": "request", "severity": "P4", "business_system": {system}}}'
"""


def _cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the gunicorn processes (the server's session), the PostgreSQL
    processes and wrk: where a load run's two cores went."""
    ticks: dict[str, int] = {"gunicorn": 0, "postgres": 0, "wrk": 0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        used = int(fields[11]) + int(fields[12])  # utime + stime
        if int(fields[3]) == server_pid:  # session id: gunicorn was started in a session of its own
            ticks["gunicorn"] += used
        elif comm.startswith("postgres"):
            ticks["postgres"] += used
        elif comm.startswith("wrk"):
            ticks["wrk"] += used
    return {name: value / os.sysconf("SC_CLK_TCK") for name, value in ticks.items()}


def _wrk(args: list[str], server_pid: int | None = None) -> dict:
    before = _cpu_seconds(server_pid) if server_pid else None
    started = time.perf_counter()
    out = subprocess.run(["wrk", *args], capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - started
    cpu = {}
    if before is not None:
        after = _cpu_seconds(server_pid)
        # wrk has exited by now: its own share is not in the second reading.
        cpu = {name: round(100 * (after[name] - before[name]) / elapsed) for name in ("gunicorn", "postgres")}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    lat = {m.group(1): m.group(2) for m in re.finditer(r"^\s+(50|90|99)%\s+(\S+)", out, re.M)}
    total = int(re.search(r"(\d+) requests in", out).group(1))
    result = {"rps": rps, "requests": total, "non_2xx": int(bad.group(1)) if bad else 0,
              "socket_errors": errors.group(1) if errors else "", "latency": lat}
    if cpu:
        result["cpu_percent_of_one_core"] = cpu
        result["cpu_ms_per_request"] = {name: round(10 * share / rps, 2) for name, share in cpu.items()}
    return result


def _broker_keys() -> int:
    import redis

    return redis.Redis.from_url(BENCH_ENV["CELERY_BROKER_URL"]).dbsize()


def load(size: str, info: dict, seconds: int, connections: int) -> dict:
    empty_before = _broker_keys() == 0
    try:
        return _load(size, info, seconds, connections)
    finally:
        if empty_before:
            import redis

            redis.Redis.from_url(BENCH_ENV["CELERY_BROKER_URL"]).flushdb()


def _free_port() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def _load(size: str, info: dict, seconds: int, connections: int) -> dict:
    port = _free_port()  # never a port someone else's server may be using
    env = _env(size)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "opsdesk.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--access-logfile", "-", "--error-logfile", "-", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        import urllib.request

        for _ in range(150):
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited: {server.stderr.read().decode()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        common = ["-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "--latency"]
        out = {}
        out["queue_page"] = _wrk([*common, "-H", f"Cookie: sessionid={info['session']}", f"{base}/tickets/queue/unassigned/"],
                                 server.pid)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(POST_LUA.format(token=info["token"], system=info["system"]))
        out["api_create"] = _wrk([*common, "-s", script.name, f"{base}/api/v1/tickets/"], server.pid)
        os.unlink(script.name)
        return out
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))) // 1024
    pg = _psql("SHOW server_version")[0][0]
    load_avg = os.getloadavg()
    return (f"{os.cpu_count()} CPU ({cpu}), {mem} MiB RAM, Python {platform.python_version()}, PostgreSQL {pg}, "
            f"load average at start {load_avg[0]:.1f}")


def markdown(size: str, r: dict) -> str:
    lines = [f"### {size}: {r['tickets']} tickets ({r['open_tickets']} open)", "",
             "| measurement | p50 ms | p95 ms | queries |", "| --- | ---: | ---: | ---: |"]
    for key, value in r.items():
        if isinstance(value, dict) and "p50_ms" in value:
            lines.append(f"| {key} | {value['p50_ms']} | {value['p95_ms']} | {value.get('queries', '')} |")
    for key, value in r.items():
        if not isinstance(value, dict) and key not in ("tickets", "open_tickets"):
            lines.append(f"\n{key}: {value}")
    if "load" in r:
        for name, w in r["load"].items():
            lines.append(f"\nload {name}: {w['rps']:.0f} req/s ({w['requests']} requests, non-2xx {w['non_2xx']}, "
                         f"latency p50/p90/p99 {w['latency'].get('50')}/{w['latency'].get('90')}/{w['latency'].get('99')}"
                         + (f"; CPU per request: gunicorn {w['cpu_ms_per_request']['gunicorn']} ms, PostgreSQL "
                            f"{w['cpu_ms_per_request']['postgres']} ms" if "cpu_ms_per_request" in w else "") + ")")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100k")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", action="store_true", help="create and seed missing databases")
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--month", action="store_true", help="also run bench/kpis.py and bench/monthly_pdf.py")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print("RESULT " + json.dumps(worker(args.repeat), default=str))
        return
    print(f"machine: {machine()}; {time.strftime('%Y-%m-%d %H:%M %Z')}")
    # DEBUG is off (as in production): the manifest static storage needs collected files.
    if not (ROOT / "var" / "staticfiles" / "staticfiles.json").exists():
        subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                       env={**os.environ, **BENCH_ENV}, check=True)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    for size in args.sizes.split(","):
        if size not in SIZES or not ensure_database(size, args.seed):
            continue
        proc = subprocess.run([PY, __file__, "--worker", "--repeat", str(args.repeat)], cwd=ROOT, env=_env(size),
                              capture_output=True, text=True)
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            print(proc.stdout[-3000:], proc.stderr[-5000:])
            raise SystemExit(f"worker for {size} failed")
        result = json.loads(line[len("RESULT "):])
        info = result.pop("_load")
        if not args.no_load:
            result["load"] = load(size, info, args.load_seconds, args.connections)
        result["machine"] = machine()
        result["date"] = time.strftime("%Y-%m-%d %H:%M %Z")
        (results_dir / f"{size}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
        print(markdown(size, result))
    if args.month:
        month_env = {**os.environ, **BENCH_ENV, "DATABASE_URL": f"{PG}/opsdesk_bench_month"}
        if not _psql("SELECT 1 FROM pg_database WHERE datname = 'opsdesk_bench_month'"):
            _psql('CREATE DATABASE "opsdesk_bench_month"')
        for script in ("kpis.py", "monthly_pdf.py"):
            subprocess.run([PY, str(ROOT / "bench" / script)], cwd=ROOT, env=month_env, check=True)


if __name__ == "__main__":
    main()
