"""End to end with the real Debian `prometheus` and `prometheus-alertmanager` (E2E=1 bash
scripts/os_deps.sh installs them): Prometheus scrapes a small HTTP target this test starts and stops,
an `up == 0` rule fires, Alertmanager's webhook reaches a live OpsDesk, a fault ticket appears with the
right system and host, the target comes back, the ticket shows the recovery.

Everything on 127.0.0.1 with free ports and one-second intervals; every wait is bounded; the two
processes are stopped by their PIDs."""

import http.server
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tickets.models import BusinessSystem, Host

PROMETHEUS = shutil.which("prometheus")
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not (PROMETHEUS and ALERTMANAGER),
                       reason="prometheus / prometheus-alertmanager not installed (E2E=1 bash scripts/os_deps.sh)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Metrics(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"# TYPE e2e_target_ok gauge\ne2e_target_ok 1\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Target:
    """The scraped service: started, stopped and started again on the same port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.server = None

    def start(self) -> None:
        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), _Metrics)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def opsdesk_url():
    """A live OpsDesk on a free port, serving one request at a time: with the suite's in-memory SQLite
    database two concurrent requests collide on its table locks (pytest-django's live_server is
    threaded and shared by the whole session)."""
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application
    from django.db import connections

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", _free_port(), get_wsgi_application(), server_class=WSGIServer, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    connections.close_all()


def _wait(what: str, check, timeout: float = 90.0, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class Api:
    """The live OpsDesk read over HTTP: the test thread never touches the database while the server
    thread writes (an in-memory SQLite database is shared between them)."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.token = self._call("POST", "/api/v1/auth/token/", {"username": username, "password": password})["token"]

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(self.base + path, method=method, data=json.dumps(body).encode() if body else None,
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": f"Token {self.token}"} if getattr(self, "token", None) else {})})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def get(self, path: str) -> dict:
        return self._call("GET", path)


def _start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(args, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_prometheus_and_alertmanager_open_a_ticket_and_record_the_recovery(opsdesk_url, make_integration, systems, users):
    system = BusinessSystem.objects.get(pk=systems["own"].pk)
    host = Host.objects.create(name="e2e-target-01", business_system=system, vcpu=2, memory_gb=4, os_family="open_source",
                               ip_address="127.0.0.1")
    integration = make_integration("alertmanager", name="e2e", default_business_system=systems["own_normal"])
    webhook = f"{opsdesk_url}/api/v1/integrations/{integration.token}/alertmanager/"
    target_port, prom_port, am_port = _free_port(), _free_port(), _free_port()
    target = Target(target_port)
    target.start()
    work = Path(tempfile.mkdtemp(prefix="opsdesk-e2e-prom-"))
    (work / "rules.yml").write_text(
        "groups:\n- name: e2e\n  interval: 1s\n  rules:\n"
        "  - alert: TargetDown\n    expr: up{job=\"e2e\"} == 0\n    for: 0s\n"
        "    labels: {severity: critical}\n    annotations: {summary: \"e2e 目标不可达\"}\n"
    )
    (work / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms}\n"
        f"rule_files: [{work / 'rules.yml'}]\n"
        f"alerting: {{alertmanagers: [{{static_configs: [{{targets: ['127.0.0.1:{am_port}']}}]}}]}}\n"
        "scrape_configs:\n- job_name: e2e\n"
        f"  static_configs: [{{targets: ['127.0.0.1:{target_port}'], labels: {{business_system: '{system.name}'}}}}]\n"
    )
    (work / "alertmanager.yml").write_text(
        "route: {receiver: opsdesk, group_by: [business_system, alertname], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}\n"
        f"receivers:\n- name: opsdesk\n  webhook_configs: [{{url: '{webhook}', send_resolved: true}}]\n"
    )
    api = Api(opsdesk_url, users["engineer"].username, "pw-Opsdesk-2026")
    procs = []
    try:
        procs.append(_start([ALERTMANAGER, f"--config.file={work / 'alertmanager.yml'}", f"--storage.path={work / 'am'}",
                             f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="], work / "am.log"))
        procs.append(_start([PROMETHEUS, f"--config.file={work / 'prometheus.yml'}", f"--storage.tsdb.path={work / 'tsdb'}",
                             f"--web.listen-address=127.0.0.1:{prom_port}", "--rules.alert.resend-delay=1s"], work / "prom.log"))
        time.sleep(3)  # a few healthy scrapes first
        assert api.get("/api/v1/tickets/")["count"] == 0

        target.stop()
        ticket = _wait("the fault ticket", lambda: next(iter(api.get("/api/v1/tickets/?fields=full")["results"]), None))
        assert ticket["kind"] == "fault" and ticket["severity"] == "P2" and ticket["channel"] == "monitoring"
        assert ticket["business_system"] == system.pk and ticket["hosts"] == [host.pk]
        alerts = api.get(f"/api/v1/tickets/{ticket['id']}/alerts/")["results"]
        assert [(a["alertname"], a["labels"]["instance"], a["status"]) for a in alerts] == [
            ("TargetDown", f"127.0.0.1:{target_port}", "firing")]

        target.start()
        _wait("the recovery", lambda: any(e["kind"] == "monitor_recovered"
                                          for e in api.get(f"/api/v1/tickets/{ticket['id']}/events/")["results"]))
        alerts = api.get(f"/api/v1/tickets/{ticket['id']}/alerts/")["results"]
        assert [(a["status"], a["ends_at"] is not None) for a in alerts] == [("resolved", True)]
        after = api.get(f"/api/v1/tickets/{ticket['id']}/")
        assert after["status"] == "new"  # the engineer still resolves it
        assert api.get("/api/v1/tickets/")["count"] == 1
    except AssertionError:
        for name in ("prom.log", "am.log"):
            print(f"--- {name}\n" + (work / name).read_text(errors="replace")[-3000:])
        raise
    finally:
        for proc in reversed(procs):
            _stop(proc)
        target.stop()
        shutil.rmtree(work, ignore_errors=True)


def test_utilisation_is_pulled_from_the_real_prometheus(settings, users):
    """Item 8: Prometheus scrapes itself; its own metrics, through one PromQL expression per metric, give
    the day's average and P95 of the host whose IP is the `instance` label's (port stripped). A re-run
    replaces the day's rows; a memory figure over a one-day threshold opens a finding."""
    from django.utils import timezone

    from monitoring.models import OptimisationFinding, UtilisationSample, UtilisationThreshold
    from monitoring.services.utilisation import utilisation_pull
    from tickets.models import BusinessSystem

    system = BusinessSystem.objects.create(name="监控平台", organization=users["approver"].organization.parent
                                           or users["approver"].organization)
    host = Host.objects.create(name="prom-self", business_system=system, vcpu=2, memory_gb=4, os_family="open_source",
                               ip_address="127.0.0.1")
    port = _free_port()
    work = Path(tempfile.mkdtemp(prefix="opsdesk-e2e-util-"))
    (work / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms}\n"
        f"scrape_configs:\n- job_name: self\n  static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n"
    )
    settings.OPSDESK_PROMETHEUS_URL = f"http://127.0.0.1:{port}"
    queries = {
        "cpu": '100 * rate(process_cpu_seconds_total{job="self"}[5s])',
        "memory": '0 * up{job="self"} + 42',  # a known figure, with the `instance` label
        "storage": '100 * process_open_fds{job="self"} / process_max_fds{job="self"}',
    }
    proc = _start([PROMETHEUS, f"--config.file={work / 'prometheus.yml'}", f"--storage.tsdb.path={work / 'tsdb'}",
                   f"--web.listen-address=127.0.0.1:{port}"], work / "prom.log")

    def scraped() -> bool:
        url = f"http://127.0.0.1:{port}/api/v1/query?query=" + urllib.parse.quote('count_over_time(up{job="self"}[1m])')
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                result = json.loads(answer.read())["data"]["result"]
        except OSError:
            return False
        return bool(result) and float(result[0]["value"][1]) >= 20

    try:
        _wait("twenty scrapes", scraped, timeout=90)
        now = timezone.now()
        day = timezone.localdate()
        UtilisationThreshold.objects.filter(metric="memory", direction="high").update(percent=40, days=1)
        assert utilisation_pull(day=day, now=now, queries=queries, step_seconds=1) == 3
        rows = {s.metric: s for s in UtilisationSample.objects.filter(host=host, day=day)}
        assert set(rows) == {"cpu", "memory", "storage"} and all(s.source == "prometheus" for s in rows.values())
        assert rows["memory"].average == rows["memory"].p95 == 42
        assert 0 <= rows["cpu"].average <= rows["cpu"].p95 <= 100
        assert 0 < rows["storage"].average <= 100
        assert utilisation_pull(day=day, now=timezone.now(), queries=queries, step_seconds=1) == 3  # re-run: replaced
        assert UtilisationSample.objects.filter(host=host, day=day).count() == 3
        finding = OptimisationFinding.objects.get(host=host)
        assert (finding.metric, finding.direction, finding.peak) == ("memory", "high", 42)
    except AssertionError:
        print("--- prom.log\n" + (work / "prom.log").read_text(errors="replace")[-3000:])
        raise
    finally:
        _stop(proc)
        shutil.rmtree(work, ignore_errors=True)
