"""Alert-storm benchmark (issue 16, "Speed"): on PostgreSQL with gunicorn (2 workers), one Celery worker
and a private Redis, 20 000 Alertmanager alerts from 2 000 fingerprints in 200 groups are sent as
webhook batches over 60 s; then the same firings are re-sent as fast as 4 connections go (the accept
capacity); then the ticket-creation API path is measured in the same run for comparison.

Checks: every alert received is stored (the batches' alert counts and the alerts' receipts add up to
what was sent), exactly 200 tickets, no 4xx/5xx; reports accepted alerts/s, accept latency p50/p99, and
how long after the storm's end the backlog (pending batches) is processed.

    .venv/bin/python bench/storm.py [--seconds 60] [--burst-connections 4]

Uses (and recreates) the database opsdesk_bench_storm. Not part of `make test`. Every process it
starts is stopped by its PID.
"""

# ruff: noqa: S603, S607 - a benchmark driver: fixed commands
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BENCH_ENV, PG, PY, ROOT, _psql, machine
from stack import Proc, RedisServer, celery_worker, free_port, port_open, wait_for

DB = "opsdesk_bench_storm"
GROUPS, PER_GROUP, ROUNDS = 200, 10, 10  # 200 groups × 10 fingerprints = 2 000; × 10 sends = 20 000 alerts

SETUP = r"""
import json
from accounts.models import Organization
from accounts.roles import Role
from accounts.services import user_create
from rest_framework.authtoken.models import Token
from tickets.models import BusinessSystem
from monitoring.services.integrations import integration_create
org = Organization.objects.filter(kind="purchaser", parent__isnull=True).order_by("pk").first()
provider = Organization.objects.filter(kind="provider").order_by("pk").first()
system = BusinessSystem.objects.create(name="压测系统", organization=org, importance="normal")
pm = user_create(username="bench-pm", real_name="压测经理", organization=provider, roles=[Role.PROJECT_MANAGER], password="x-Bench-2026")
eng = user_create(username="bench-eng", real_name="压测工程师", organization=provider, roles=[Role.ENGINEER], password="x-Bench-2026")
integration, token = integration_create(actor=pm, name="storm", kind="alertmanager", organization=org, default_business_system=system)
print("SETUP " + json.dumps({"token": token, "system": system.pk, "api_token": Token.objects.get_or_create(user=eng)[0].key}))
"""

COUNT = r"""
import json
from django.db.models import Sum
from monitoring.models import Alert, AlertBatch, AlertGroup
from tickets.models import Ticket
print("COUNT " + json.dumps({
    "batches": AlertBatch.objects.count(), "pending": AlertBatch.objects.filter(status="pending").count(),
    "failed": AlertBatch.objects.filter(status="failed").count(),
    "received": AlertBatch.objects.aggregate(n=Sum("alert_count"))["n"] or 0,
    "alerts": Alert.objects.count(), "receipts": Alert.objects.aggregate(n=Sum("receipts"))["n"] or 0,
    "groups": AlertGroup.objects.count(), "monitor_tickets": Ticket.objects.filter(channel="monitoring").count(),
}))
"""


def _env(broker: str) -> dict:
    return {**os.environ, **BENCH_ENV, "DATABASE_URL": f"{PG}/{DB}", "CELERY_BROKER_URL": broker,
            "MONITORING_STORM_GROUPS": "10"}


def _shell(env: dict, code: str, tag: str) -> dict:
    out = subprocess.run([PY, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith(tag + " "))
    return json.loads(line[len(tag) + 1:])


def _batch(group: int, send: int) -> bytes:
    alerts = [{
        "status": "firing",
        "labels": {"alertname": f"StormAlert{group:03d}", "instance": f"10.200.{group}.{i}:9100", "severity": "warning"},
        "annotations": {"summary": f"storm group {group} alert {i}"},
        "startsAt": "2026-12-05T08:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": f"storm-{group:03d}-{i:02d}",
    } for i in range(PER_GROUP)]
    return json.dumps({"version": "4", "status": "firing", "receiver": "opsdesk", "groupKey": f"g{group}:{send}",
                       "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am",
                       "truncatedAlerts": 0, "alerts": alerts}).encode()


class Client:
    """One keep-alive connection; records (latency, status) of each request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.results: list[tuple[float, int]] = []

    def post(self, path: str, body: bytes, headers: dict | None = None) -> None:
        t0 = time.perf_counter()
        try:
            self.conn.request("POST", path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
            answer = self.conn.getresponse()
            answer.read()
            code = answer.status
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            code = 599
        self.results.append((time.perf_counter() - t0, code))


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-int(p * 100) * len(ordered) // 10000) - 1)] * 1000 if ordered else float("nan")


def _summary(results: list[tuple[float, int]], seconds: float, alerts_per_request: int) -> dict:
    lat = [r[0] for r in results]
    bad = sum(1 for _l, code in results if code >= 400)
    return {"requests": len(results), "bad": bad, "codes": sorted({c for _l, c in results}), "seconds": round(seconds, 2),
            "alerts_per_s": round(len(results) * alerts_per_request / seconds), "requests_per_s": round(len(results) / seconds, 1),
            "p50_ms": round(statistics.median(lat) * 1000, 1), "p99_ms": round(_pct(lat, 99), 1), "max_ms": round(max(lat) * 1000, 1)}


def storm(port: int, token: str, seconds: float) -> tuple[dict, float]:
    """Each group's 10 alerts as one Alertmanager batch, the 200 groups × 10 sends spread evenly over
    `seconds` by 8 sender threads (Alertmanager sends concurrently)."""
    path = f"/api/v1/integrations/{token}/alertmanager/"
    plan = [(send, group) for send in range(ROUNDS) for group in range(GROUPS)]
    interval = seconds / len(plan)
    start = time.perf_counter() + 0.5
    threads, clients = [], [Client(port) for _ in range(8)]

    def run(k: int) -> None:
        for n in range(k, len(plan), len(clients)):
            delay = start + n * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            send, group = plan[n]
            clients[k].post(path, _batch(group, send))

    for k in range(len(clients)):
        threads.append(threading.Thread(target=run, args=(k,)))
        threads[-1].start()
    for t in threads:
        t.join()
    end = time.perf_counter()
    return _summary([r for c in clients for r in c.results], end - start, PER_GROUP), end


def burst(port: int, token: str, connections: int) -> dict:
    """The same 2 000 requests as fast as `connections` connections go: the accept capacity."""
    path = f"/api/v1/integrations/{token}/alertmanager/"
    bodies = [_batch(group, 100 + send) for send in range(ROUNDS) for group in range(GROUPS)]
    clients = [Client(port) for _ in range(connections)]
    t0 = time.perf_counter()
    threads = [threading.Thread(target=lambda k=k: [clients[k].post(path, bodies[n]) for n in range(k, len(bodies), connections)])
               for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return _summary([r for c in clients for r in c.results], time.perf_counter() - t0, PER_GROUP)


def ticket_create_path(port: int, api_token: str, system: int, connections: int, n: int = 400) -> dict:
    """POST /api/v1/tickets/ (a P4 service request, like bench/run.py's wrk script), same connections."""
    body = json.dumps({"title": "压测工单", "kind": "request", "severity": "P4", "business_system": system}).encode()
    clients = [Client(port) for _ in range(connections)]
    headers = {"Authorization": f"Token {api_token}"}
    t0 = time.perf_counter()
    threads = [threading.Thread(target=lambda k=k: [clients[k].post("/api/v1/tickets/", body, headers) for _ in range(k, n, connections)])
               for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return _summary([r for c in clients for r in c.results], time.perf_counter() - t0, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--burst-connections", type=int, default=4)
    args = parser.parse_args()
    print(f"machine: {machine()}; {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    if not (ROOT / "var" / "staticfiles" / "staticfiles.json").exists():
        subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env={**os.environ, **BENCH_ENV}, check=True)
    _psql(f'DROP DATABASE IF EXISTS "{DB}"')
    _psql(f'CREATE DATABASE "{DB}"')
    log_dir = Path(tempfile.mkdtemp(prefix="opsdesk-storm-"))
    redis = RedisServer(log_dir=log_dir).start()
    env = _env(redis.url)
    procs: list[Proc] = []
    try:
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        info = _shell(env, SETUP, "SETUP")
        port = free_port()
        gunicorn = Proc("gunicorn", [str(ROOT / ".venv" / "bin" / "gunicorn"), "opsdesk.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
                                     "--log-level", "warning"], env=env, log_dir=log_dir).start()
        procs.append(gunicorn)
        procs.append(celery_worker("storm", env, log_dir=log_dir))
        if not wait_for(lambda: port_open(port), 60):
            raise SystemExit(f"gunicorn did not start: {gunicorn.tail()}")
        time.sleep(3)  # workers import the app
        result = {"machine": machine()}
        result["storm"], storm_end = storm(port, info["token"], args.seconds)
        backlog_start = time.perf_counter()

        def drained() -> bool:
            return _shell(env, COUNT, "COUNT")["pending"] == 0

        wait_for(drained, 600, interval=1)
        result["backlog_seconds_after_storm"] = round(time.perf_counter() - storm_end, 1)
        result["backlog_poll_overhead_s"] = round(time.perf_counter() - backlog_start, 1)
        result["after_storm"] = _shell(env, COUNT, "COUNT")
        result["burst"] = burst(port, info["token"], args.burst_connections)
        burst_end = time.perf_counter()
        wait_for(drained, 600, interval=1)
        result["backlog_seconds_after_burst"] = round(time.perf_counter() - burst_end, 1)
        result["after_burst"] = _shell(env, COUNT, "COUNT")
        result["ticket_create"] = ticket_create_path(port, info["api_token"], info["system"], args.burst_connections)
        result["uptime_after"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        print(json.dumps(result, indent=1, ensure_ascii=False))
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "storm.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    finally:
        for proc in reversed(procs):
            proc.stop()
        redis.stop()


if __name__ == "__main__":
    main()
