"""Security self-checks (8.2.5, 6.2.8, 6.1.5, 8.2.6): activities, findings tracked to closure with a
due date by severity in calendar days, imports from a CSV template and from a Greenbone/OpenVAS XML
report, antivirus sweeps, security warnings, and the purchaser's consent to an accepted risk
(core.consent)."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, User
from accounts.selectors import user_is_provider_staff
from core.consent import consent_open
from core.db import lock_one
from core.exceptions import ValidationFailed
from core.tabular import parse_choice, parse_day, read_table
from core.transitions import Transition, TransitionTable
from core.uploads import ALLOWED, CheckedUpload, UploadRejected, upload_check
from tickets.models.reference import BusinessSystem, Host

from ..models import AntivirusSweep, Finding, FindingEvent, RiskAcceptance, SecurityActivity, SecurityWarning, Severity3
from .access import require_provider_staff

CVE_RE = re.compile(r"^CVE-\d{4}-\d{4,7}$")
F = Finding.Status


def finding_due_on(*, severity: str, found_on: dt.date) -> dt.date:
    """Calendar days (not working days) from the day it was found: settings.ROUTINE_FINDING_DUE_DAYS."""
    return found_on + dt.timedelta(days=settings.ROUTINE_FINDING_DUE_DAYS[severity])


# ---------------------------------------------------------------- activities


@transaction.atomic
def security_activity_create(*, actor: User, kind: str, title: str, organization: Organization, scope: str,
                             started_on: dt.date, ended_on: dt.date, people: str, systems: list[BusinessSystem] | None = None,
                             report=None, now: dt.datetime | None = None) -> SecurityActivity:
    require_provider_staff(actor)
    errors: dict[str, list[str]] = {}
    if kind not in SecurityActivity.Kind.values:
        errors["kind"] = [_("类型无效")]
    if not title.strip():
        errors["title"] = [_("请填写名称")]
    if ended_on < started_on:
        errors["ended_on"] = [_("结束日期不能早于开始日期")]
    if any(s.organization_id != organization.pk for s in systems or []):
        errors["systems"] = [_("业务系统须属于该采购人")]
    checked = None
    if report is not None:
        try:
            checked = report_check(report)
        except UploadRejected as exc:
            errors["report"] = exc.fields["file"]
    if errors:
        raise ValidationFailed(fields=errors)
    activity = SecurityActivity.objects.create(
        kind=kind, title=title.strip(), organization=organization, scope=scope, started_on=started_on, ended_on=ended_on,
        people=people, lead=actor, created_at=now or timezone.now(),
    )
    if checked is not None:
        activity.report.save(checked.name, checked.file, save=False)
        activity.save(update_fields=["report"])
    if systems:
        activity.systems.set(systems)
    return activity


REPORT_EXTENSIONS = {"pdf", "docx", "xlsx", "zip"}


def report_check(upload) -> CheckedUpload:
    """A self-check report: PDF, docx, xlsx or zip whose content matches its name, within the attachment
    size limit (core.uploads, as ticket attachments). Raises UploadRejected (field "file")."""
    return upload_check(upload, allowed=REPORT_EXTENSIONS, max_bytes=settings.OPSDESK_ATTACHMENT_MAX_BYTES)


def security_activity_report_content_type(activity: SecurityActivity) -> str:
    """The stored report's media type, from its checked extension."""
    return ALLOWED.get(activity.report.name.rpartition(".")[2].lower(), ("application/octet-stream",))[0]


@transaction.atomic
def security_activity_report_attach(*, actor: User, activity_id: int, upload) -> SecurityActivity:
    """Attach (or replace) the activity's report. Provider staff; the file is checked as above."""
    require_provider_staff(actor)
    checked = report_check(upload)
    activity = lock_one(SecurityActivity.objects.all(), activity_id)
    activity.report.save(checked.name, checked.file, save=False)
    activity.save(update_fields=["report"])
    return activity


# ---------------------------------------------------------------- findings


def _staff(user, finding) -> bool:
    return user_is_provider_staff(user)


def _not_who_fixed(user, finding) -> str | None:
    if finding.fixed_by_id == user.pk:
        return _("整改人不能验证自己整改的问题，请由其他工程师验证")
    return None


FINDING_TRANSITIONS = TransitionTable(
    [
        Transition("start", frozenset({F.OPEN}), F.FIXING, _staff, gettext_lazy("开始整改")),
        Transition("fix", frozenset({F.OPEN, F.FIXING}), F.FIXED, _staff, gettext_lazy("整改完成")),
        Transition("verify", frozenset({F.FIXED}), F.VERIFIED, _staff, gettext_lazy("验证通过"), guard=_not_who_fixed),
        Transition("reopen", frozenset({F.FIXED}), F.FIXING, _staff, gettext_lazy("验证未通过")),
    ],
    state_label=lambda state: str(F(state).label),
)


def _check_finding(*, activity: SecurityActivity, business_system: BusinessSystem | None, hosts: list[Host], title: str,
                   severity: str | None, cve: str, found_on: dt.date | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if business_system is None:
        errors["business_system"] = [_("请填写业务系统")]
    elif business_system.organization_id != activity.organization_id:
        errors["business_system"] = [_("业务系统不属于该次自查的采购人")]
    elif any(h.business_system_id != business_system.pk for h in hosts):
        errors["hosts"] = [_("主机不属于该业务系统")]
    if not title.strip():
        errors["title"] = [_("请填写问题")]
    if severity not in Severity3.values:
        errors["severity"] = [_("等级须为高危、中危或低危")]
    if cve and not CVE_RE.match(cve):
        errors["cve"] = [_("CVE 编号格式应为 CVE-年份-编号")]
    if found_on is None:
        errors["found_on"] = [_("请填写有效的发现日期")]
    elif found_on < activity.started_on - dt.timedelta(days=1) or found_on > timezone.localdate():
        errors["found_on"] = [_("发现日期须在自查开始之后、今天之前")]
    return errors


def _create_finding(*, actor: User, activity: SecurityActivity, business_system: BusinessSystem, hosts: list[Host], title: str,
                    severity: str, cve: str, found_on: dt.date, description: str, source_ref: str, now: dt.datetime) -> Finding:
    finding = Finding.objects.create(
        activity=activity, business_system=business_system, title=title.strip()[:300], severity=severity, cve=cve,
        description=description, found_on=found_on, due_on=finding_due_on(severity=severity, found_on=found_on),
        source_ref=source_ref, created_by=actor, created_at=now,
    )
    if hosts:
        finding.hosts.set(hosts)
    FindingEvent.objects.create(finding=finding, action="open", to_status=F.OPEN, actor=actor, at=now)
    return finding


@transaction.atomic
def finding_create(*, actor: User, activity: SecurityActivity, business_system: BusinessSystem | None, title: str, severity: str,
                   found_on: dt.date, hosts: list[Host] | None = None, cve: str = "", description: str = "",
                   now: dt.datetime | None = None) -> Finding:
    require_provider_staff(actor)
    hosts = list(hosts or [])
    cve = cve.strip().upper()
    errors = _check_finding(activity=activity, business_system=business_system, hosts=hosts, title=title, severity=severity,
                            cve=cve, found_on=found_on)
    if errors:
        raise ValidationFailed(fields=errors)
    return _create_finding(actor=actor, activity=activity, business_system=business_system, hosts=hosts, title=title,
                           severity=severity, cve=cve, found_on=found_on, description=description, source_ref="",
                           now=now or timezone.now())


@transaction.atomic
def finding_move(*, actor: User, finding_id: int, action: str, note: str = "", now: dt.datetime | None = None) -> Finding:
    """start / fix / verify / reopen, checked against FINDING_TRANSITIONS; a history row each."""
    now = now or timezone.now()
    finding = lock_one(Finding.objects.all(), finding_id)
    if action not in FINDING_TRANSITIONS:
        raise ValidationFailed(fields={"action": [_("操作无效")]})
    spec = FINDING_TRANSITIONS.check(action=action, user=actor, obj=finding)
    if action == "reopen" and not note.strip():
        raise ValidationFailed(fields={"note": [_("请说明验证未通过的原因")]})
    before = finding.status
    finding.status = spec.target
    fields = ["status"]
    if action == "fix":
        finding.fixed_by, finding.fixed_at = actor, now
        fields += ["fixed_by", "fixed_at"]
    if action == "verify":
        finding.verified_by, finding.verified_at = actor, now
        fields += ["verified_by", "verified_at"]
    finding.save(update_fields=fields)
    FindingEvent.objects.create(finding=finding, action=action, from_status=before, to_status=finding.status, actor=actor,
                                note=note, at=now)
    return finding


LIVE_ACCEPTANCE_STATES = ("requested", "confirmed", "disputed")


def finding_accept_risk_refusal(*, finding: Finding, live_request: bool) -> ValidationFailed | None:
    """Why no risk acceptance may be asked for `finding` now (verified, or a live request exists), or
    None: the service raises it and routine.selectors.permissions.finding_actions_for offers the button."""
    if finding.status == F.VERIFIED:
        return ValidationFailed(_("问题已整改验证，无需接受风险"), fields={"finding": [_("问题已整改验证，无需接受风险")]})
    if live_request:
        return ValidationFailed(_("该问题已有风险接受申请"), fields={"finding": [_("该问题已有风险接受申请")]})
    return None


@transaction.atomic
def finding_accept_risk_request(*, actor: User, finding_id: int, reason: str) -> RiskAcceptance:
    """Ask the purchaser's approver to accept the finding's risk (core.consent). One live request per
    finding; a verified finding needs none."""
    require_provider_staff(actor)
    finding = lock_one(Finding.objects.select_related("business_system"), finding_id)
    live = RiskAcceptance.objects.filter(finding=finding, state__in=LIVE_ACCEPTANCE_STATES).exists()
    refusal = finding_accept_risk_refusal(finding=finding, live_request=live)
    if refusal is not None:
        raise refusal
    request = RiskAcceptance(finding=finding, organization_id=finding.business_system.organization_id)
    request = consent_open(request, actor=actor, reason=reason)
    FindingEvent.objects.create(finding=finding, action="risk_requested", from_status=finding.status,
                                to_status=finding.status, actor=actor, note=request.reason, at=request.requested_at)
    return request


# ---------------------------------------------------------------- imports

FINDING_COLUMNS = {
    "business_system": ("业务系统",),
    "title": ("问题", "标题"),
    "severity": ("等级",),
    "hosts": ("主机",),
    "cve": ("CVE", "CVE 编号"),
    "found_on": ("发现日期",),
    "description": ("说明",),
}
FINDING_TEMPLATE = ["业务系统", "问题", "等级", "主机", "CVE 编号", "发现日期", "说明"]


def _import(*, actor: User, activity: SecurityActivity, rows: list[tuple[int, dict]], partial: bool, now: dt.datetime) -> dict:
    """rows: (row number, {business_system (name), title, severity, hosts (names or IPs), cve, found_on,
    description, source_ref}). All or nothing unless `partial`; an already imported source_ref is
    `unchanged`."""
    systems = {s.name: s for s in BusinessSystem.objects.filter(organization_id=activity.organization_id)}
    hosts_by = {}
    for host in Host.objects.filter(business_system__organization_id=activity.organization_id):
        hosts_by[host.name] = hosts_by[str(host.ip_address)] = host
    known = set(Finding.objects.filter(activity=activity).exclude(source_ref="").values_list("source_ref", flat=True))
    report, good = [], []
    for number, values in rows:
        host_names = [h.strip() for h in re.split(r"[,，;；\s]+", str(values.get("hosts") or "")) if h.strip()]
        hosts = [hosts_by[h] for h in host_names if h in hosts_by]
        errors: dict[str, list[str]] = {}
        if len(hosts) != len(host_names):
            errors["hosts"] = [_("主机不在登记中：%(names)s") % {"names": "、".join(h for h in host_names if h not in hosts_by)}]
        system = systems.get(str(values.get("business_system") or "").strip())
        if system is None and hosts:
            system = hosts[0].business_system
        source_ref = str(values.get("source_ref") or "")
        if source_ref and source_ref in known:
            report.append({"row": number, "status": "unchanged", "errors": {}})
            continue
        severity = parse_choice(values.get("severity"), Severity3)
        cve = str(values.get("cve") or "").strip().upper()
        found_on = parse_day(values.get("found_on")) or (None if values.get("found_on") else activity.ended_on)
        title = str(values.get("title") or "")
        errors.update(_check_finding(activity=activity, business_system=system, hosts=hosts, title=title, severity=severity,
                                     cve=cve, found_on=found_on))
        if errors:
            report.append({"row": number, "status": "rejected", "errors": errors})
            continue
        known.add(source_ref) if source_ref else None
        report.append({"row": number, "status": "created", "errors": {}})
        good.append(dict(business_system=system, hosts=hosts, title=title, severity=severity, cve=cve, found_on=found_on,
                         description=str(values.get("description") or ""), source_ref=source_ref))
    rejected = any(r["status"] == "rejected" for r in report)
    stored = not rejected or partial
    if stored:
        with transaction.atomic():
            for data in good:
                _create_finding(actor=actor, activity=activity, now=now, **data)
    counts = {k: sum(r["status"] == k for r in report) for k in ("created", "unchanged", "rejected")}
    return {"stored": stored, "counts": counts, "rows": report}


def findings_import_csv(*, actor: User, activity: SecurityActivity, name: str, data: bytes, partial: bool = False,
                        now: dt.datetime | None = None) -> dict:
    require_provider_staff(actor)
    rows = read_table(name=name, data=data, columns=FINDING_COLUMNS)
    return _import(actor=actor, activity=activity, rows=rows, partial=partial, now=now or timezone.now())


OPENVAS_THREATS = {"high": "high", "critical": "high", "medium": "medium", "low": "low"}


def findings_import_openvas(*, actor: User, activity: SecurityActivity, data: bytes, partial: bool = False,
                            now: dt.datetime | None = None) -> dict:
    """A Greenbone/OpenVAS XML report (GMP get_reports, <report> with <results><result>): each result of
    threat High/Medium/Low on a registered host's IP becomes a finding; Log/Debug results are skipped.
    Parsed with defusedxml (no entity expansion, no external entities). Re-importing the same report
    changes nothing (the result id is the finding's source_ref)."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    require_provider_staff(actor)
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        raise ValidationFailed(fields={"file": [_("无法解析 XML 报告")]}) from None
    results = root.findall(".//results/result")
    if not results and root.tag != "report" and root.find(".//report") is None:
        raise ValidationFailed(fields={"file": [_("不是 Greenbone/OpenVAS 报告")]})
    rows = []
    for number, result in enumerate(results, start=1):
        threat = (result.findtext("threat") or "").strip().lower()
        if threat not in OPENVAS_THREATS:
            continue
        host_ip = (result.findtext("host") or "").strip()
        cves = [ref.get("id", "") for ref in result.findall("./nvt/refs/ref") if ref.get("type", "").lower() == "cve"]
        if not cves:
            cves = [c.strip() for c in (result.findtext("./nvt/cve") or "").split(",") if c.strip().upper().startswith("CVE-")]
        port = (result.findtext("port") or "").strip()
        description = (result.findtext("description") or "").strip()
        solution = (result.findtext("./nvt/solution") or "").strip()
        rows.append((number, {
            "title": (result.findtext("name") or result.findtext("./nvt/name") or "").strip(),
            "severity": OPENVAS_THREATS[threat], "hosts": host_ip, "cve": cves[0] if cves else "",
            "found_on": activity.ended_on,
            "description": "\n".join(p for p in (f"端口：{port}" if port else "", f"严重度：{result.findtext('severity') or ''}",
                                                   description, f"修复建议：{solution}" if solution else "") if p),
            "source_ref": f"openvas:{result.get('id') or number}",
        }))
    return _import(actor=actor, activity=activity, rows=rows, partial=partial, now=now or timezone.now())


def findings_import(*, actor: User, activity: SecurityActivity, name: str, data: bytes, partial: bool = False,
                    now: dt.datetime | None = None) -> dict:
    """A Greenbone/OpenVAS XML report (.xml) or the CSV/xlsx template, by the file's name: the one entry
    the page and the API call."""
    if name.lower().endswith(".xml"):
        return findings_import_openvas(actor=actor, activity=activity, data=data, partial=partial, now=now)
    return findings_import_csv(actor=actor, activity=activity, name=name, data=data, partial=partial, now=now)


# ---------------------------------------------------------------- antivirus and warnings


@transaction.atomic
def antivirus_sweep_record(*, actor: User, host: Host, swept_at: dt.datetime, engine: str, threats_found: int = 0,
                           threats_cleaned: int = 0, notes: str = "", now: dt.datetime | None = None) -> AntivirusSweep:
    require_provider_staff(actor)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if swept_at > now + dt.timedelta(minutes=5):
        errors["swept_at"] = [_("查杀时间不能晚于当前时间")]
    if threats_cleaned > threats_found:
        errors["threats_cleaned"] = [_("已清除数不能大于发现数")]
    if threats_found > threats_cleaned and not notes.strip():
        errors["notes"] = [_("有未清除的威胁时请说明处置情况")]
    if not engine.strip():
        errors["engine"] = [_("请填写查杀软件及版本")]
    if errors:
        raise ValidationFailed(fields=errors)
    return AntivirusSweep.objects.create(host=host, swept_at=swept_at, engine=engine.strip(), threats_found=threats_found,
                                         threats_cleaned=threats_cleaned, notes=notes, recorded_by=actor, created_at=now)


@transaction.atomic
def security_warning_publish(*, actor: User, organization: Organization, audience: str, title: str, severity: str, content: str,
                             now: dt.datetime | None = None) -> SecurityWarning:
    """Record a warning published to the purchaser and tell its approvers in the inbox."""
    from accounts.roles import Role
    from accounts.selectors import users_with_role
    from core.services import notification_send

    require_provider_staff(actor)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("请填写标题")]
    if not content.strip():
        errors["content"] = [_("请填写内容")]
    if severity not in Severity3.values:
        errors["severity"] = [_("等级无效")]
    if organization.kind != Organization.Kind.PURCHASER:
        errors["organization"] = [_("通报对象须为采购人")]
    if errors:
        raise ValidationFailed(fields=errors)
    warning = SecurityWarning.objects.create(organization=organization, audience=audience or organization.name, title=title.strip(),
                                             severity=severity, content=content, published_at=now or timezone.now(),
                                             published_by=actor)
    readers = users_with_role(Role.APPROVER, Role.REQUESTER).filter(organization__in=[organization.pk, *organization.departments.values_list("pk", flat=True)])
    notification_send(recipients=readers, kind="security_warning", title=_("预警通报：%(title)s") % {"title": warning.title},
                      body=content[:1000], url="/routine/security/warnings/", dedupe_key=f"security-warning:{warning.pk}")
    return warning
