"""OpsDesk benchmark runner (`make bench ARGS="--sizes 100k --peer"`). Not part of `make test`.

For each size it uses the PostgreSQL database <prefix>_<size> (BENCH_DB_PREFIX, default opsdesk_bench;
created, migrated and filled by `manage.py seed_bench` when missing and --seed is given), then measures,
through the Django test client with the full middleware stack and a logged-in engineer / duty leader:

  median and p95 latency and the query count of the engineer queue pages (unassigned, mine, breaching),
  the ticket list page, the API ticket list (default; status+severity+system; queue=unassigned), the
  ticket detail page and API, the cheapest authenticated API request (users/me, against the detail API's
  floor), the reports dashboard, on-duty-now (page and API), the KPIs of the last
  complete month (selector and API), the escalation scan (rolled back), roster generation (30 days,
  rolled back);

  for every page and API path, its raw-SQL floor (bench/floors.py: the same rows and every column the
  page shows, read with psycopg alone and written as JSON or HTML), timed in turns with the path, and
  the ratio of the two p50s, against the targets of bench/README.md;

  with --peer, django-helpdesk 2.6.1 (the Django peer; its own venv var/peer-venv, its own database
  <prefix>_peer_<size> on the same server, loaded with the same tickets by bench/peer/peer.py): its list
  JSON, ticket page and dashboard with the same client, and how many times faster OpsDesk is;

and, with gunicorn (2 workers, 127.0.0.1) and wrk (bounded: a few connections, fixed duration),
requests per second of the queue page, the API list and ticket creation through the API, with the
CPU time of gunicorn and PostgreSQL per request.

As in production, tasks go to a Redis broker (BENCH_BROKER, database 15) and the cache is a Redis database
every process shares (BENCH_CACHE, database 14: sessions and the drop-downs read through it).

    .venv/bin/python bench/run.py --sizes 100k,1m [--seed] [--peer] [--repeat 30] [--load-seconds 10] [--no-load]
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
# Database names start with this prefix (`opsdesk_bench_100k`, `opsdesk_bench_peer_100k`); a shared machine's
# engineers each give their own (BENCH_DB_PREFIX=opsdesk_h20_bench) so that no run drops another's data.
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "opsdesk_bench")
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "opsdesk.settings.local",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    # As in production, tasks (notification delivery) go to a broker instead of running in the request.
    # Nobody consumes this Redis database: the runner empties it afterwards if it was empty before.
    "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/15"),
    # As in production, a cache every process shares (sessions are read through it, core/sessions.py).
    "CACHE_URL": os.environ.get("BENCH_CACHE", "redis://127.0.0.1:6379/14"),
}


def _env(size: str) -> dict:
    return {**os.environ, **BENCH_ENV, "DATABASE_URL": f"{PG}/{DB_PREFIX}_{size}"}


def _psql(sql: str, db: str = "postgres") -> str:
    import psycopg

    with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else None


def ensure_database(size: str, seed: bool) -> bool:
    name = f"{DB_PREFIX}_{size}"
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

    # The floors (bench/floors.py): each page read with psycopg alone, on the same data. A path and its
    # floor are timed in turns, sample by sample, so that a change in the machine's load during the run
    # (it is shared) weighs on both alike and the ratio stays comparable.
    import psycopg

    from bench import floors
    from reports.selectors.periods import month_of
    from tickets.models import OPEN_STATUSES

    filtered = {"status": "in_progress", "severity": "P3", "system": system}
    params = {**filtered, "open": list(OPEN_STATUSES), "user": eng.pk}
    month = month_of(timezone.now())
    floor_conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)

    def measure_pair(name, fn, floor_fn, n=repeat, warm=3, block=5):
        # In blocks of `block` samples, each block after one unmeasured call: timed one call in turn, the
        # floor paid for coming second (its connection idle, the caches full of Django) and read up to
        # three times slower than alone, flattering the ratio.
        for _ in range(warm):
            fn()
            floor_fn()
        samples, floor_samples = [], []
        while len(samples) < n:
            k = min(block, n - len(samples))
            for target, out in ((fn, samples), (floor_fn, floor_samples)):
                target()
                for _ in range(k):
                    t0 = time.perf_counter()
                    target()
                    out.append(time.perf_counter() - t0)
        with CaptureQueriesContext(connection) as ctx:
            fn()
        results[name] = {**_stats(samples), "queries": len(ctx.captured_queries)}
        results[f"floor_{name}"] = _stats(floor_samples)  # psycopg alone: Django's count does not see its statements
        results[f"ratio_{name}_to_floor"] = round(results[name]["p50_ms"] / results[f"floor_{name}"]["p50_ms"], 1)

    measure_pair("queue_unassigned_page", page(ce, "/tickets/queue/unassigned/"),
                 lambda: floors.page_rows(floor_conn, "unassigned", params))
    measure_pair("queue_mine_page", page(ce, "/tickets/queue/mine/"), lambda: floors.page_rows(floor_conn, "mine", params))
    measure("queue_breaching_page", page(ce, "/tickets/queue/breaching/"))
    measure_pair("ticket_list_page", page(ce, "/tickets/"), lambda: floors.page_rows(floor_conn, "newest", params))
    measure_pair("api_list_default", page(ce, "/api/v1/tickets/"), lambda: floors.api_list(floor_conn, "newest", params))
    measure_pair("api_list_filtered", page(ce, f"/api/v1/tickets/?status=in_progress&severity=P3&business_system={system}"),
                 lambda: floors.api_list(floor_conn, "filtered", params))
    measure_pair("api_queue_unassigned", page(ce, "/api/v1/tickets/?queue=unassigned"),
                 lambda: floors.api_list(floor_conn, "unassigned", params))
    measure_pair("ticket_detail_page", page(ce, f"/tickets/{latest.pk}/"), lambda: floors.detail_page(floor_conn, latest.pk))
    measure_pair("ticket_detail_api", page(ce, f"/api/v1/tickets/{latest.pk}/"),
                 lambda: floors.api_detail(floor_conn, latest.pk))
    # The least an authenticated API request costs here (session, user and roles, one query of the user's
    # organisation, DRF, a few fields), against the same floor as the detail API: how much of the detail
    # API's ratio is the framework's, whatever the ticket's own work.
    measure_pair("api_users_me", page(ce, "/api/v1/users/me/"), lambda: floors.api_detail(floor_conn, latest.pk))
    measure_pair("dashboard_page", page(cl, "/reports/"),
                 lambda: floors.dashboard(floor_conn, month.start, month.end, timezone.now()), n=max(5, repeat // 3))
    floor_conn.close()
    results["detail_ticket"] = {"id": latest.pk, "title": latest.title, "reported_at": latest.reported_at.isoformat()}
    results["mine_open_tickets"] = Ticket.objects.filter(assignee=eng, status__in=OPEN_STATUSES).count()
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

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    requester = User.objects.filter(username__startswith="bench-req-0-").first()
    token, _ = Token.objects.get_or_create(user=requester)
    session = SessionStore()
    session[SESSION_KEY] = str(eng.pk)
    session[BACKEND_SESSION_KEY] = "accounts.authentication.ModelBackend"
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


# ---------------------------------------------------------------- the peer (django-helpdesk, its own venv)

PEER_VERSION = "2.6.1"
PEER_VENV = ROOT / "var" / "peer-venv"
PEER_PY = str(PEER_VENV / "bin" / "python")
PEER_DIR = ROOT / "bench" / "peer"


def _peer_env(size: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "VIRTUAL_ENV")}
    return {**env, "PEER_DB": f"{DB_PREFIX}_peer_{size}", "PEER_VAR": str(ROOT / "var")}


def peer_prepare(size: str) -> None:
    """django-helpdesk in var/peer-venv (never in .venv: it pins its own Django), its database on the same
    PostgreSQL server, migrated and loaded with the OpsDesk bench database's tickets (bench/peer/peer.py)."""
    if not Path(PEER_PY).exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([PEER_PY, "-m", "pip", "install", "-q", f"django-helpdesk=={PEER_VERSION}", "psycopg[binary]"],
                       check=True)
    name = f"{DB_PREFIX}_peer_{size}"
    if not _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        _psql(f'CREATE DATABASE "{name}"')
    env = _peer_env(size)
    subprocess.run([PEER_PY, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'settings'; django.setup(); "
                    "from django.core.management import call_command; call_command('migrate', verbosity=0)"],
                   cwd=PEER_DIR, env=env, check=True)
    subprocess.run([PEER_PY, "peer.py", "load", f"{PG}/{DB_PREFIX}_{size}"], cwd=PEER_DIR, env=env, check=True)


def peer_measure(size: str, repeat: int, detail: dict) -> dict:
    proc = subprocess.run([PEER_PY, "-W", "ignore", "peer.py", "measure", "--repeat", str(repeat),
                           "--ticket-title", detail["title"], "--ticket-reported", detail["reported_at"]],
                          cwd=PEER_DIR, env=_peer_env(size), capture_output=True, text=True)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        print(proc.stdout[-3000:], proc.stderr[-5000:])
        raise SystemExit(f"peer measurement for {size} failed")
    return json.loads(line[len("RESULT "):])


# ---------------------------------------------------------------- load (gunicorn + wrk)

POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token {token}"
wrk.body = '{{"title": "\\\\u538b\\\\u6d4b\\\\u5de5\\\\u5355 wrk", "kind": "request", "severity": "P4", "business_system": {system}}}'
"""


def _cpu_seconds(server_pid: int, database: str) -> dict[str, float]:
    """CPU seconds used so far by the gunicorn processes (the server's session), the PostgreSQL
    backends serving `database` (their process title names it: on a shared machine the other backends
    are other people's work) and wrk: where a load run's two cores went."""
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
        elif comm.startswith("postgres") and _serves(entry, database):
            ticks["postgres"] += used
        elif comm.startswith("wrk"):
            ticks["wrk"] += used
    return {name: value / os.sysconf("SC_CLK_TCK") for name, value in ticks.items()}


def _serves(proc: Path, database: str) -> bool:
    try:
        return f" {database} " in (proc / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


def _wrk(args: list[str], server_pid: int | None = None, database: str = "") -> dict:
    before = _cpu_seconds(server_pid, database) if server_pid else None
    started = time.perf_counter()
    out = subprocess.run(["wrk", *args], capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - started
    cpu = {}
    if before is not None:
        after = _cpu_seconds(server_pid, database)
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
        database = f"{DB_PREFIX}_{size}"
        common = ["-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "--latency"]
        out = {}
        out["queue_page"] = _wrk([*common, "-H", f"Cookie: sessionid={info['session']}", f"{base}/tickets/queue/unassigned/"],
                                 server.pid, database)
        out["api_list"] = _wrk([*common, "-H", f"Cookie: sessionid={info['session']}", f"{base}/api/v1/tickets/"],
                               server.pid, database)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(POST_LUA.format(token=info["token"], system=info["system"]))
        out["api_create"] = _wrk([*common, "-s", script.name, f"{base}/api/v1/tickets/"], server.pid, database)
        os.unlink(script.name)
        return out
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _uptime() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))) // 1024
    pg = _psql("SHOW server_version")[0][0]
    load_avg = os.getloadavg()
    return (f"{os.cpu_count()} CPU ({cpu}), {mem} MiB RAM, Python {platform.python_version()}, PostgreSQL {pg}, "
            f"load average at start {load_avg[0]:.1f}")


# The targets as ratios (issue 20): a path's p50 at most this many times its floor's p50, measured in the
# same run; and against the peer, OpsDesk at least this many times faster.
FLOOR_TARGETS = {
    "api_list_default": 8, "api_list_filtered": 8, "api_queue_unassigned": 8,
    "queue_unassigned_page": 12, "queue_mine_page": 12, "ticket_list_page": 12,
    "ticket_detail_page": 10, "ticket_detail_api": 6,
}
PEER_TARGETS = {  # OpsDesk path, peer path, at least this many times faster
    "list": ("api_list_default", "peer_list_json", 20),
    "detail page": ("ticket_detail_page", "peer_detail_page", 4),
    "dashboard": ("dashboard_page", "peer_dashboard", 100),
}


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def markdown(size: str, r: dict) -> str:
    lines = [f"### {size}: {r['tickets']} tickets ({r['open_tickets']} open); {r.get('machine', '')}", "",
             "| path | p50 ms | p95 ms | queries | floor p50 ms | × floor | target |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for key, value in r.items():
        if not (isinstance(value, dict) and "p50_ms" in value) or key.startswith(("floor_", "peer_")):
            continue
        floor = r.get(f"floor_{key}")
        ratio = r.get(f"ratio_{key}_to_floor")
        target = FLOOR_TARGETS.get(key)
        lines.append(f"| {key} | {value['p50_ms']} | {value['p95_ms']} | {value.get('queries', '')} | "
                     f"{floor['p50_ms'] if floor else ''} | {ratio if ratio is not None else ''} | "
                     + (f"≤ {target}× {_verdict(ratio <= target)}" if target and ratio is not None else "") + " |")
    if "peer" in r:
        peer = r["peer"]
        lines += ["", f"Peer (django-helpdesk {peer.get('version', '')}, {peer['tickets']} tickets, {peer['followups']} "
                      "follow-ups, same client, same PostgreSQL server), in this run:", "",
                  "| | OpsDesk p50 ms | peer p50 ms (p95) | peer queries | OpsDesk faster by | target |",
                  "| --- | ---: | ---: | ---: | ---: | --- |"]
        for label, (ours, theirs, target) in PEER_TARGETS.items():
            if theirs not in peer:
                continue
            times = round(peer[theirs]["p50_ms"] / r[ours]["p50_ms"], 1)
            lines.append(f"| {label} ({ours} / {theirs}) | {r[ours]['p50_ms']} | {peer[theirs]['p50_ms']} "
                         f"({peer[theirs]['p95_ms']}) | {peer[theirs]['queries']} | {times}× | ≥ {target}× {_verdict(times >= target)} |")
        if "peer_list_json_all" in peer:
            lines.append(f"| list, all tickets newest first (peer_list_json_all) | {r['api_list_default']['p50_ms']} | "
                         f"{peer['peer_list_json_all']['p50_ms']} ({peer['peer_list_json_all']['p95_ms']}) | "
                         f"{peer['peer_list_json_all']['queries']} | "
                         f"{round(peer['peer_list_json_all']['p50_ms'] / r['api_list_default']['p50_ms'], 1)}× | — |")
    for key, value in r.items():
        if not isinstance(value, dict) and key not in ("tickets", "open_tickets", "machine") and not key.startswith("ratio_"):
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
    parser.add_argument("--peer", action="store_true",
                        help=f"also install django-helpdesk {PEER_VERSION} (var/peer-venv), load it and measure it")
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
        if args.peer:
            peer_prepare(size)  # before the measurements: loading it keeps the cores busy for a minute
        uptime_before = _uptime()
        proc = subprocess.run([PY, __file__, "--worker", "--repeat", str(args.repeat)], cwd=ROOT, env=_env(size),
                              capture_output=True, text=True)
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            print(proc.stdout[-3000:], proc.stderr[-5000:])
            raise SystemExit(f"worker for {size} failed")
        result = json.loads(line[len("RESULT "):])
        result["uptime_before_opsdesk"] = uptime_before
        result["uptime_after_opsdesk"] = _uptime()
        info = result.pop("_load")
        if args.peer:
            result["peer"] = peer_measure(size, args.repeat, result["detail_ticket"])
            result["uptime_after_peer"] = _uptime()
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
