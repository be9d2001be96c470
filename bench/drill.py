"""Fault drills against the production stack (`make drill`; not part of `make test`).

Starts, all on 127.0.0.1 and each remembered by PID: its own redis-server on a free port, gunicorn
(2 workers, production settings), one Celery worker and beat, against its own PostgreSQL database
(DRILL_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/opsdesk_drill: created, migrated and
loaded with the demo data when missing). Then runs each drill with bounded requests:

  broker     tickets created with Redis up, then with Redis stopped; Redis started again
             → every creation 201, latency with Redis down within 20 % of Redis up, every
               notification delivered once by the minute sweep
  worker     a monthly report whose worker is SIGKILLed mid-way, a new worker started
             → the same version finished within REPORTS_STALE_RUNNING_MINUTES + 2 min, one version, one file
  database   50 API GETs while the database backends are terminated every 10 requests
             → only 200 and clean 503s, the last requests 200 again
  input      odd JSON bodies, 50 000-deep nesting, 5 MB bodies, ids beyond 64 bits
             → 400/413 with the error shape, never 5xx or a reset connection
  claims     20 parallel claims of one new ticket, 3 rounds
             → exactly one winner and one claim event per round

prints a table (drill, what was done, figures, verdict), writes bench/results/drill.json and stops
everything it started, by PID. Exit status 1 when a drill failed.

    .venv/bin/python bench/drill.py [--only broker,worker] [--keep-logs]
"""

# ruff: noqa: S603 - a drill driver: fixed commands, our own database, prints a report
from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import (
    PY,
    ROOT,
    Proc,
    RedisServer,
    celery_beat,
    celery_worker,
    free_port,
    port_open,
    wait_for,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/opsdesk_drill"
STALE_MINUTES = 3


class Http:
    def __init__(self, base: str) -> None:
        self.base = base

    def call(self, method: str, path: str, *, token: str | None = None, body: bytes | str | dict | None = None,
             content_type: str = "application/json", timeout: float = 60) -> tuple[int, dict | str, float]:
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        request = urllib.request.Request(self.base + path, data=body, method=method)  # noqa: S310 - http://127.0.0.1 only
        if body is not None:
            request.add_header("Content-Type", content_type)
        if token:
            request.add_header("Authorization", f"Token {token}")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (ConnectionError, urllib.error.URLError) as error:
            return -1, f"{type(error).__name__}: {error}", time.perf_counter() - started
        elapsed = time.perf_counter() - started
        try:
            return status, json.loads(raw), elapsed
        except ValueError:
            return status, raw.decode(errors="replace")[:200], elapsed


class Stack:
    def __init__(self, database_url: str, log_dir: Path) -> None:
        self.database_url = database_url
        self.log_dir = log_dir
        self.media = log_dir / "media"
        self.redis = RedisServer(log_dir=log_dir)
        self.port = free_port()
        self.web: Proc | None = None
        self.worker: Proc | None = None
        self.beat: Proc | None = None
        self.workers_started = 0

    @property
    def env(self) -> dict:
        return {
            "DJANGO_SETTINGS_MODULE": "opsdesk.settings.production",
            "SECRET_KEY": self.secret,
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": self.redis.url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "MEDIA_ROOT": str(self.media),
            "LOG_LEVEL": "INFO",
            "AXES_FAILURE_LIMIT": "1000",
        }

    def manage(self, *args: str) -> None:
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env={**os.environ, **self.env}, check=True,
                       stdout=subprocess.DEVNULL)

    def prepare(self) -> None:
        import psycopg

        self.secret = secrets.token_urlsafe(50)
        base, name = self.database_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("seed_demo")

    def start(self) -> None:
        self.redis.start()
        self.web = Proc("gunicorn", [str(ROOT / ".venv" / "bin" / "gunicorn"), "opsdesk.wsgi", "-w", "2", "-b",
                                     f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "5"],
                        env=self.env, log_dir=self.log_dir).start()
        self.start_worker()
        self.beat = celery_beat(self.env, log_dir=self.log_dir)
        if not wait_for(lambda: port_open(self.port), 60):
            raise RuntimeError(f"gunicorn did not start: {self.web.tail()}")

    def start_worker(self) -> Proc:
        self.workers_started += 1
        self.worker = celery_worker(f"drill{self.workers_started}", self.env, log_dir=self.log_dir, pool="prefork")
        return self.worker

    def stop(self) -> None:
        for proc in (self.beat, self.worker, self.web):
            if proc is not None:
                proc.stop()
        self.redis.stop()

    def sql(self, query: str, params: list | None = None) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            cursor = conn.execute(query, params or [])
            return cursor.fetchall() if cursor.description else []


def _token(http: Http, username: str) -> str:
    status, body, _ = http.call("POST", "/api/v1/auth/token/", body={"username": username,
                                                                    "password": os.environ.get("DEMO_PASSWORD", "opsdesk-demo")})
    if status != 200:
        raise RuntimeError(f"login {username}: {status} {body}")
    return body["token"]


def _system_id(http: Http, token: str) -> int:
    _status, body, _ = http.call("GET", "/api/v1/business-systems/?page_size=1", token=token)
    return body["results"][0]["id"]


def _new_ticket(http: Http, token: str, system: int, title: str, severity: str = "P2") -> tuple[int, float, int]:
    status, body, elapsed = http.call("POST", "/api/v1/tickets/", token=token, body={
        "kind": "fault", "severity": severity, "title": title, "description": "故障演练", "business_system": system})
    return status, elapsed, body.get("id") if isinstance(body, dict) else None


# --- drills -----------------------------------------------------------------------------------------


def drill_broker(stack: Stack, http: Http) -> dict:
    token = _token(http, "req1")
    system = _system_id(http, token)
    for i in range(3):  # warm-up: imports, connections in both gunicorn workers
        _new_ticket(http, token, system, f"预热 {i}")
    start_id = stack.sql("SELECT coalesce(max(id), 0) FROM core_outboxmessage")[0][0]
    up = [_new_ticket(http, token, system, f"代理正常 {i}") for i in range(10)]
    wait_for(lambda: not stack.sql("SELECT 1 FROM core_outboxmessage WHERE id > %s AND status = 'pending' LIMIT 1", [start_id]), 90, 1)
    down_from = stack.sql("SELECT coalesce(max(id), 0) FROM core_outboxmessage")[0][0]
    stack.redis.stop()
    down = [_new_ticket(http, token, system, f"代理宕机 {i}") for i in range(10)]
    kept = stack.sql("SELECT count(*) FROM core_outboxmessage WHERE id > %s AND status = 'pending'", [down_from])[0][0]
    stack.redis.start()
    back = time.monotonic()
    delivered = wait_for(lambda: not stack.sql(
        "SELECT 1 FROM core_outboxmessage WHERE id > %s AND status <> 'sent' LIMIT 1", [start_id]), 180, 1)
    recovery = time.monotonic() - back
    total, sent, max_attempts = stack.sql(
        "SELECT count(*), count(*) FILTER (WHERE status = 'sent'), coalesce(max(attempts), 0) FROM core_outboxmessage WHERE id > %s",
        [start_id])[0]
    up_ms = statistics.median(e for _, e, _ in up) * 1000
    down_ms = statistics.median(e for _, e, _ in down) * 1000
    statuses = sorted({s for s, _, _ in up + down})
    ok = statuses == [201] and down_ms <= up_ms * 1.2 + 10 and delivered and sent == total and max_attempts == 1 and kept > 0
    return {
        "drill": "broker down",
        "done": "10 tickets with Redis up, 10 with Redis stopped, Redis restarted",
        "figures": f"HTTP {statuses}; creation median {up_ms:.0f} ms up / {down_ms:.0f} ms down; {kept} messages kept; "
                   f"{sent}/{total} delivered {recovery:.0f} s after Redis came back; max attempts {max_attempts}",
        "ok": ok,
        "data": {"up_ms": up_ms, "down_ms": down_ms, "kept": kept, "sent": sent, "total": total, "recovery_s": recovery},
    }


def drill_worker(stack: Stack, http: Http) -> dict:
    token = _token(http, "pm")
    contract = stack.sql("SELECT id, start_date FROM tickets_contract ORDER BY start_date LIMIT 1")[0]
    month = f"{contract[1].year + (contract[1].month // 12)}-{contract[1].month % 12 + 1:02d}"
    killed_at = None
    report_id = None
    for _attempt in range(3):
        status, body, _ = http.call("POST", "/api/v1/reports/monthly/", token=token, body={"contract": contract[0], "month": month})
        if status != 202 and status != 201:
            return {"drill": "worker killed", "done": "request a monthly report", "figures": f"HTTP {status} {body}", "ok": False}
        report_id = body["id"]

        def state(report_id=report_id) -> tuple:
            return stack.sql("SELECT task_state, progress FROM reports_monthlyreport WHERE id = %s", [report_id])[0]

        wait_for(lambda: state()[0] == "running" and state()[1] >= 50, 120, 0.05)
        if state()[0] == "running":
            stack.worker.kill9()
            killed_at = state()
            if killed_at[0] == "running":
                break
        wait_for(lambda: state()[0] == "done", 120, 0.5)
    if killed_at is None or killed_at[0] != "running":
        return {"drill": "worker killed", "done": "monthly report, SIGKILL mid-way", "figures": "the render finished before the kill",
                "ok": False}
    killed = time.monotonic()
    stack.start_worker()
    bound = (STALE_MINUTES + 2) * 60
    done = wait_for(lambda: stack.sql("SELECT task_state FROM reports_monthlyreport WHERE id = %s", [report_id])[0][0] == "done", bound, 1)
    recovery = time.monotonic() - killed
    rows = stack.sql("SELECT id, version, file, sha256 FROM reports_monthlyreport WHERE contract_id = %s AND month = %s::date "
                     "AND requested_at > now() - interval '30 minutes'", [contract[0], f"{month}-01"])
    row = next(r for r in rows if r[0] == report_id)
    folder = stack.media / Path(row[2]).parent if row[2] else None
    files = sorted(p.name for p in folder.glob(f"*-v{row[1]}.pdf")) if folder and folder.exists() else []
    ok = done and len(files) == 1 and bool(row[3]) and recovery <= bound
    return {
        "drill": "worker killed mid-report",
        "done": f"monthly report v{row[1]}, worker SIGKILLed at {killed_at[1]} %, new worker started",
        "figures": f"done {recovery:.0f} s after the kill (bound {bound} s); versions of this request 1; files {len(files)}",
        "ok": ok,
        "data": {"killed_at_percent": killed_at[1], "recovery_s": recovery, "files": files},
    }


def drill_database(stack: Stack, http: Http) -> dict:
    token = _token(http, "eng1")
    name = stack.database_url.rsplit("/", 1)[1]
    statuses = []
    for i in range(50):
        if i and i % 10 == 0:
            stack.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                      "AND application_name NOT LIKE 'psql%%'", [name])
        statuses.append(http.call("GET", "/api/v1/tickets/?page_size=5", token=token)[0])
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    ok = set(statuses) <= {200, 503} and statuses[-5:] == [200] * 5
    return {"drill": "database connections terminated", "done": "50 API GETs, backends terminated 4 times",
            "figures": f"HTTP {counts}", "ok": ok, "data": counts}


def drill_input(stack: Stack, http: Http) -> dict:
    token = _token(http, "req1")
    system = _system_id(http, token)
    _status, _elapsed, ticket = _new_ticket(http, token, system, "输入演练", severity="P3")
    bodies = {"null": "null", "true": "true", "0": "0", "1e999": "1e999", "list": "[]", "nested": "[[[]]]",
              "string": '"x"', "50 000 deep": "[" * 50_000 + "]" * 50_000}
    targets = [("POST", "/api/v1/tickets/"), ("PATCH", f"/api/v1/tickets/{ticket}/"), ("POST", f"/api/v1/tickets/{ticket}/comments/")]
    results = []
    for method, path in targets:
        for body in bodies.values():
            status, payload, _ = http.call(method, path, token=token, body=body)
            results.append((status, isinstance(payload, dict) and set(payload) == {"code", "message", "fields"}))
    big = "x" * (5 * 1024 * 1024)
    for method, path, body, content_type in [
        ("PATCH", f"/api/v1/tickets/{ticket}/", json.dumps({"description": big}), "application/json"),
        ("PATCH", f"/api/v1/tickets/{ticket}/", "description=" + big, "application/x-www-form-urlencoded"),
        ("POST", "/api/v1/tickets/", json.dumps({"title": big}), "application/json"),
    ]:
        status, payload, _ = http.call(method, path, token=token, body=body, content_type=content_type)
        results.append((status, isinstance(payload, dict) and payload.get("code") == "request_too_large"))
    for path in ("/api/v1/tickets/?business_system=" + "9" * 38, "/api/v1/tickets/" + "9" * 38 + "/",
                 "/api/v1/reports/kpis/?organization=" + "9" * 38):
        status, payload, _ = http.call("GET", path, token=token)
        results.append((status, isinstance(payload, dict) and set(payload) == {"code", "message", "fields"}))
    description = stack.sql("SELECT length(description) FROM tickets_ticket WHERE id = %s", [ticket])[0][0]
    counts: dict[int, int] = {}
    for status, _shape in results:
        counts[status] = counts.get(status, 0) + 1
    ok = set(counts) <= {400, 413} and all(shape for _s, shape in results) and description < 20_001
    return {"drill": "bad input", "done": f"{len(results)} odd bodies, 5 MB bodies and 38-digit ids",
            "figures": f"HTTP {counts}; error shape {sum(s for _, s in results)}/{len(results)}; stored description {description} chars",
            "ok": ok, "data": counts}


def drill_claims(stack: Stack, http: Http) -> dict:
    requester = _token(http, "req1")
    engineers = [_token(http, name) for name in ("eng1", "eng2", "eng3", "eng4", "lead")]
    system = _system_id(http, requester)
    rounds = []
    for r in range(3):
        _s, _e, ticket = _new_ticket(http, requester, system, f"并发认领 {r}", severity="P3")
        barrier = threading.Barrier(20)

        def claim(i: int, ticket=ticket, barrier=barrier) -> int:
            barrier.wait()
            return http.call("POST", f"/api/v1/tickets/{ticket}/claim/", token=engineers[i % len(engineers)], body={})[0]

        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(claim, range(20)))
        events = stack.sql("SELECT count(*) FROM tickets_ticketevent WHERE ticket_id = %s AND kind = 'claimed'", [ticket])[0][0]
        rounds.append((statuses.count(200), sorted(set(statuses) - {200}), events))
    ok = all(w == 1 and others == [409] and e == 1 for w, others, e in rounds)
    return {"drill": "parallel claims", "done": "20 parallel claims of a new ticket × 3 rounds",
            "figures": "; ".join(f"winners {w}, others {o}, claim events {e}" for w, o, e in rounds), "ok": ok, "data": rounds}


DRILLS = {"broker": drill_broker, "worker": drill_worker, "database": drill_database, "input": drill_input, "claims": drill_claims}


def _table(results: list[dict]) -> str:
    lines = ["| drill | what was done | figures | verdict |", "| --- | --- | --- | --- |"]
    for r in results:
        lines.append(f"| {r['drill']} | {r['done']} | {r['figures']} | {'survived' if r['ok'] else 'FAILED'} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(DRILLS), help="comma-separated: " + ",".join(DRILLS))
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    log_dir = Path(tempfile.mkdtemp(prefix="opsdesk-drill-"))
    stack = Stack(os.environ.get("DRILL_DATABASE_URL", DEFAULT_DB), log_dir)
    results: list[dict] = []
    load = os.getloadavg()
    try:
        print(f"drill: preparing {stack.database_url} (migrate, demo data)…", flush=True)
        stack.prepare()
        stack.start()
        http = Http(f"http://127.0.0.1:{stack.port}")
        print(f"drill: gunicorn pid {stack.web.pid} :{stack.port}, worker pid {stack.worker.pid}, beat pid {stack.beat.pid}, "
              f"redis pid {stack.redis.proc.pid} :{stack.redis.port}; logs {log_dir}", flush=True)
        for name in args.only.split(","):
            started = time.monotonic()
            print(f"drill: {name}…", flush=True)
            try:
                result = DRILLS[name](stack, http)
            except Exception as exc:  # noqa: BLE001 - a drill that crashes is a failed drill, the others still run
                result = {"drill": name, "done": "crashed", "figures": f"{type(exc).__name__}: {exc}", "ok": False}
            result["seconds"] = round(time.monotonic() - started, 1)
            results.append(result)
            print(f"drill: {name}: {'survived' if result['ok'] else 'FAILED'} — {result['figures']}", flush=True)
    finally:
        stack.stop()
    load_after = os.getloadavg()
    print()
    print(_table(results))
    print(f"\nload average {load[0]:.1f} before, {load_after[0]:.1f} after (shared machine: figures vary with it)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "drill.json").write_text(json.dumps({"load_before": load, "load_after": load_after, "results": results},
                                               ensure_ascii=False, indent=2, default=str))
    if not args.keep_logs and all(r["ok"] for r in results):
        import shutil

        shutil.rmtree(log_dir, ignore_errors=True)
    else:
        print(f"logs: {log_dir}")
    return 0 if results and all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
