"""The Zabbix media type shipped in the repository and the generic (PagerDuty v2 shape) kind."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import timezone

from monitoring.models import Alert
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
ZABBIX = Path(settings.BASE_DIR) / "monitoring" / "zabbix"

SHIM = """
var sent = [];
function HttpRequest() { this.headers = []; }
HttpRequest.prototype.addHeader = function (h) { this.headers.push(h); };
HttpRequest.prototype.post = function (url, body) { sent.push({url: url, body: body, headers: this.headers}); return '{}'; };
HttpRequest.prototype.getStatus = function () { return 202; };
var Zabbix = { log: function () {} };
var value = process.argv[process.argv.length - 1];
var result = (function () { %s })();
console.log(JSON.stringify({result: result, sent: sent}));
"""


def _media_type() -> dict:
    return yaml.safe_load((ZABBIX / "opsdesk_media_type.yaml").read_text())["zabbix_export"]["media_types"][0]


def test_the_export_embeds_the_script_of_the_repository():
    media = _media_type()
    assert media["type"] == "WEBHOOK" and media["name"] == "OpsDesk"
    assert media["script"].strip() == (ZABBIX / "opsdesk.js").read_text().strip()
    names = {p["name"] for p in media["parameters"]}
    assert {"opsdesk_url", "event_id", "event_value", "severity", "host", "event_tags"} <= names


def _run_script(macros: dict) -> dict:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the Zabbix script is not run")
    media = _media_type()
    params = {p["name"]: macros.get(p["value"], p["value"]) for p in media["parameters"]}
    out = subprocess.run(["node", "-e", SHIM % media["script"], json.dumps(params)], capture_output=True, text=True,
                         timeout=30, check=True)
    return json.loads(out.stdout)


def test_problem_and_recovery_from_the_real_script_open_and_resolve_one_alert(make_integration, post, systems):
    integration = make_integration("zabbix", name="zbx")
    macros = {"{EVENT.ID}": "4711", "{EVENT.VALUE}": "1", "{EVENT.SEVERITY}": "High", "{HOST.HOST}": "t-host-01",
              "{HOST.IP}": "10.1.1.1", "{TRIGGER.NAME}": "Zabbix agent is not available", "{ALERT.SUBJECT}": "问题：agent 不可用",
              "{ALERT.MESSAGE}": "agent 不可用", "{EVENT.DATE}": "2026.12.01", "{EVENT.TIME}": "08:00:00",
              "{EVENT.TAGSJSON}": json.dumps([{"tag": "business_system", "value": systems["own"].name}])}
    run = _run_script(macros)
    assert run["result"] == "OK" and run["sent"][0]["url"].startswith("<")  # the URL parameter is left to fill in
    problem = json.loads(run["sent"][0]["body"])
    assert post(integration, problem).status_code == 202
    recovery = json.loads(_run_script({**macros, "{EVENT.VALUE}": "0", "{EVENT.RECOVERY.DATE}": "2026.12.01",
                                       "{EVENT.RECOVERY.TIME}": "08:12:30"})["sent"][0]["body"])
    assert post(integration, recovery).status_code == 202
    alert = Alert.objects.get()
    assert alert.fingerprint == "zabbix-4711" and alert.status == "resolved" and alert.receipts == 2
    assert alert.severity == "P2" and alert.host.name == "t-host-01" and alert.business_system == systems["own"]
    assert timezone.localtime(alert.starts_at).isoformat() == "2026-12-01T08:00:00+08:00"
    assert timezone.localtime(alert.ends_at).isoformat() == "2026-12-01T08:12:30+08:00"
    assert Ticket.objects.get().title == "【监控】问题：agent 不可用"


def test_zabbix_shape_errors_are_400(make_integration, post):
    integration = make_integration("zabbix", name="zbx")
    r = post(integration, {"status": "firing"})
    assert r.status_code == 400 and "event_id" in r.json()["fields"]


def test_generic_trigger_and_resolve(make_integration, post, systems):
    integration = make_integration("generic", name="gen")
    event = {"dedup_key": "disk-1", "event_action": "trigger",
             "payload": {"summary": "数据盘使用率 92%", "source": "10.1.1.1", "severity": "warning",
                         "timestamp": "2026-12-01T08:00:00+08:00", "custom_details": {"mount": "/data"}}}
    assert post(integration, event).status_code == 202
    assert post(integration, [event, {**event, "dedup_key": "disk-2"}]).status_code == 202  # a list works too
    assert post(integration, {"dedup_key": "disk-1", "event_action": "resolve",
                              "timestamp": "2026-12-01T08:30:00+08:00"}).status_code == 202
    one = Alert.objects.get(fingerprint="disk-1")
    assert (one.status, one.receipts, one.severity, one.host.name) == ("resolved", 3, "P3", "t-host-01")
    assert timezone.localtime(one.ends_at).isoformat() == "2026-12-01T08:30:00+08:00"
    assert one.labels["mount"] == "/data"
    assert Ticket.objects.count() == 1  # same system, same alertname (the summary): one group


@pytest.mark.parametrize("event", [
    {"event_action": "trigger", "summary": "x"},
    {"dedup_key": "a", "event_action": "acknowledge"},
    {"dedup_key": "a", "event_action": "trigger"},
    [],
])
def test_generic_shape_errors_are_400(make_integration, post, event):
    r = post(make_integration("generic", name="gen"), event)
    assert r.status_code == 400 and r.json()["message"]
