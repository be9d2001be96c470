"""Backups (4.2.5, 4.2.6, 8.2.7): policies, runs reported by the backup system or imported, restore
tests, and the watch that opens one fault ticket per policy for a failed run or an uncovered day.

Runs are recorded per row: a list is all or nothing unless `partial`, and reporting the same job again
(the backup system retrying) changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_provider_staff
from core.exceptions import PermissionDenied, ValidationFailed
from core.tabular import parse_choice, parse_moment, read_table
from tickets.models.reference import BusinessSystem
from tickets.selectors.tickets import ticket_is_open
from tickets.services.comments import ticket_comment
from tickets.services.tickets import ticket_create

from ..models import BackupAlert, BackupObject, BackupPolicy, BackupRun, BackupType, RestoreTest
from .access import may_report_backups, require_provider_staff

# ---------------------------------------------------------------- policies

POLICY_FIELDS = ("name", "backup_object", "backup_type", "schedule", "owner", "start_date", "active")


def _check_policy(*, business_system: BusinessSystem | None, data: dict) -> None:
    errors: dict[str, list[str]] = {}
    if business_system is None:
        errors["business_system"] = [_("请选择业务系统")]
    if "name" in data and not str(data["name"]).strip():
        errors["name"] = [_("请填写策略名称")]
    if "backup_object" in data and data["backup_object"] not in BackupObject.values:
        errors["backup_object"] = [_("备份对象无效")]
    if "backup_type" in data and data["backup_type"] not in BackupType.values:
        errors["backup_type"] = [_("备份方式无效")]
    owner = data.get("owner")
    if "owner" in data and (owner is None or not user_is_provider_staff(owner)):
        errors["owner"] = [_("负责人须为服务商人员")]
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def backup_policy_create(*, actor: User, business_system: BusinessSystem, name: str, backup_object: str, backup_type: str,
                         schedule: str, owner: User, start_date: dt.date, active: bool = True,
                         now: dt.datetime | None = None) -> BackupPolicy:
    require_provider_staff(actor)
    data = {"name": name, "backup_object": backup_object, "backup_type": backup_type, "owner": owner}
    _check_policy(business_system=business_system, data=data)
    if BackupPolicy.objects.filter(business_system=business_system, name=name.strip()).exists():
        raise ValidationFailed(fields={"name": [_("该业务系统已有同名策略")]})
    return BackupPolicy.objects.create(
        business_system=business_system, name=name.strip(), backup_object=backup_object, backup_type=backup_type,
        schedule=schedule, owner=owner, start_date=start_date, active=active, created_at=now or timezone.now(),
    )


@transaction.atomic
def backup_policy_update(*, actor: User, policy: BackupPolicy, **changes) -> BackupPolicy:
    require_provider_staff(actor)
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [_("不能修改")] for name in sorted(unknown)})
    _check_policy(business_system=policy.business_system, data=changes)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if BackupPolicy.objects.filter(business_system=policy.business_system, name=changes["name"]).exclude(pk=policy.pk).exists():
            raise ValidationFailed(fields={"name": [_("该业务系统已有同名策略")]})
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.save(update_fields=list(changes) or None)
    return policy


# ---------------------------------------------------------------- runs

RUN_COLUMNS = {
    "policy": ("策略", "备份策略", "策略编号"),
    "job_id": ("作业编号", "job"),
    "backup_type": ("备份方式", "type"),
    "started_at": ("开始时间", "start"),
    "ended_at": ("结束时间", "end"),
    "result": ("结果",),
    "size_bytes": ("备份量（字节）", "备份量", "size"),
    "message": ("信息", "说明"),
}


@dataclass
class RowOutcome:
    row: int  # the index in the list (API) or the spreadsheet row (import)
    status: str  # created / unchanged / rejected
    run: BackupRun | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class BatchResult:
    rows: list[RowOutcome]
    stored: bool  # False: nothing was written (errors, all or nothing)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"created": 0, "unchanged": 0, "rejected": 0}
        for outcome in self.rows:
            counts[outcome.status] += 1
        return counts


def _policies_for(items: list[dict]) -> dict[str, BackupPolicy]:
    """The policies the items name (by id, or as "业务系统/策略名称"), in two queries at most."""
    ids = {str(item.get("policy")).strip() for item in items if str(item.get("policy") or "").strip().isdigit()}
    found: dict[str, BackupPolicy] = {}
    if ids:
        for policy in BackupPolicy.objects.select_related("business_system__organization", "owner").filter(pk__in=ids):
            found[str(policy.pk)] = policy
    names = {str(item.get("policy")).strip() for item in items if "/" in str(item.get("policy") or "")}
    if names:
        systems = {name.split("/", 1)[0].strip() for name in names}
        for policy in BackupPolicy.objects.select_related("business_system__organization", "owner").filter(
            business_system__name__in=systems
        ):
            found.setdefault(f"{policy.business_system.name}/{policy.name}", policy)
    return found


def _parse_run(item: dict, policies: dict[str, BackupPolicy], now: dt.datetime) -> tuple[dict, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    key = str(item.get("policy") or "").strip()
    key = "/".join(part.strip() for part in key.split("/", 1)) if "/" in key else key
    policy = policies.get(key)
    if policy is None:
        errors["policy"] = [_("备份策略不存在")]
    job_id = str(item.get("job_id") or "").strip()
    if not job_id:
        errors["job_id"] = [_("请填写作业编号")]
    elif len(job_id) > 100:
        errors["job_id"] = [_("作业编号最长 100 个字符")]
    backup_type = parse_choice(item.get("backup_type"), BackupType)
    if backup_type is None:
        errors["backup_type"] = [_("备份方式须为 full（全量）、differential（差异）或 incremental（增量）")]
    started_at, ended_at = parse_moment(item.get("started_at")), parse_moment(item.get("ended_at"))
    if started_at is None:
        errors["started_at"] = [_("请填写有效的开始时间")]
    if ended_at is None:
        errors["ended_at"] = [_("请填写有效的结束时间")]
    if started_at and ended_at:
        if ended_at < started_at:
            errors["ended_at"] = [_("结束时间不能早于开始时间")]
        elif ended_at > now + dt.timedelta(minutes=5):
            errors["ended_at"] = [_("结束时间不能晚于当前时间")]
    result = parse_choice(item.get("result"), BackupRun.Result)
    if result is None:
        errors["result"] = [_("结果须为 success（成功）、failed（失败）或 partial（部分成功）")]
    size = item.get("size_bytes")
    if size in (None, ""):
        size = None
    else:
        try:
            size = int(float(size)) if not isinstance(size, bool) else None
            if size is None or size < 0 or size >= 2**63:
                raise ValueError
        except (TypeError, ValueError):
            errors["size_bytes"] = [_("备份量须为非负整数（字节）")]
    message = str(item.get("message") or "")[:5000]
    data = {"policy": policy, "job_id": job_id, "backup_type": backup_type, "started_at": started_at,
            "ended_at": ended_at, "result": result, "size_bytes": size, "message": message}
    return data, errors


def _same(run: BackupRun, data: dict) -> bool:
    return all(getattr(run, name) == data[name] for name in ("backup_type", "started_at", "ended_at", "result", "size_bytes"))


def backup_runs_record(*, actor: User, items: list[dict], source: str = BackupRun.Source.API, partial: bool = False,
                       numbers: list[int] | None = None, now: dt.datetime | None = None) -> BatchResult:
    """Record runs. Each item: policy (id or "系统/策略"), job_id, backup_type, started_at, ended_at,
    result, size_bytes, message. A job already recorded with the same content is `unchanged`; with
    different content it is rejected (the backup system's record of a finished job does not change).
    With errors and not `partial`, nothing is stored. Failed and partial runs raise the policy's
    alert; a success is noted on an open alert ticket. `numbers`: row numbers to report (import)."""
    now = now or timezone.now()
    if not may_report_backups(actor):
        raise PermissionDenied(_("只有服务商人员或备份系统账号可以上报备份结果"))
    numbers = numbers or list(range(len(items)))
    policies = _policies_for(items)
    parsed = [_parse_run(item, policies, now) for item in items]
    wanted = {(d["policy"].pk, d["job_id"]) for d, e in parsed if not e}
    existing = {}
    if wanted:
        policy_ids = {p for p, _j in wanted}
        for run in BackupRun.objects.filter(policy_id__in=policy_ids, job_id__in={j for _p, j in wanted}):
            existing[(run.policy_id, run.job_id)] = run
    outcomes: list[RowOutcome] = []
    seen: dict[tuple[int, str], dict] = {}
    for number, (data, errors) in zip(numbers, parsed, strict=True):
        if not errors:
            key = (data["policy"].pk, data["job_id"])
            earlier = existing.get(key)
            if earlier is not None:
                if _same(earlier, data):
                    outcomes.append(RowOutcome(row=number, status="unchanged", run=earlier))
                    continue
                errors = {"job_id": [_("该作业编号已登记，内容不同")]}
            elif key in seen:
                if all(seen[key][n] == data[n] for n in ("backup_type", "started_at", "ended_at", "result", "size_bytes")):
                    outcomes.append(RowOutcome(row=number, status="unchanged"))
                    continue
                errors = {"job_id": [_("同一作业编号在本批中出现两次，内容不同")]}
        if errors:
            outcomes.append(RowOutcome(row=number, status="rejected", errors=errors))
            continue
        seen[(data["policy"].pk, data["job_id"])] = data
        outcomes.append(RowOutcome(row=number, status="created", run=BackupRun(**data)))
    rejected = any(o.status == "rejected" for o in outcomes)
    if rejected and not partial:
        for outcome in outcomes:
            if outcome.status == "created":
                outcome.run = None
        return BatchResult(rows=outcomes, stored=False)
    with transaction.atomic():
        for outcome in outcomes:
            if outcome.status != "created":
                continue
            run = outcome.run
            run.source, run.reported_by, run.reported_at = source, actor, now
            run.save(force_insert=True)
        for outcome in sorted((o for o in outcomes if o.status == "created"), key=lambda o: o.run.started_at):
            _watch_run(outcome.run, now=now)
    return BatchResult(rows=outcomes, stored=True)


RUN_IMPORT_TEMPLATE = ["策略", "作业编号", "备份方式", "开始时间", "结束时间", "结果", "备份量（字节）", "信息"]


def backup_runs_import(*, actor: User, name: str, data: bytes, partial: bool = False, now: dt.datetime | None = None) -> BatchResult:
    """Import runs from a CSV or xlsx register (columns as RUN_IMPORT_TEMPLATE), reported per row."""
    if not may_report_backups(actor):
        raise PermissionDenied(_("只有服务商人员或备份系统账号可以上报备份结果"))
    rows = read_table(name=name, data=data, columns=RUN_COLUMNS)
    return backup_runs_record(
        actor=actor, items=[values for _n, values in rows], numbers=[n for n, _v in rows], source=BackupRun.Source.IMPORT,
        partial=partial, now=now,
    )


# ---------------------------------------------------------------- restore tests


@transaction.atomic
def restore_test_record(*, actor: User, policy: BackupPolicy, tested_at: dt.datetime, result: str,
                        run: BackupRun | None = None, duration_minutes: int | None = None, notes: str = "",
                        now: dt.datetime | None = None) -> RestoreTest:
    require_provider_staff(actor)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if result not in RestoreTest.Result.values:
        errors["result"] = [_("结果无效")]
    if tested_at > now + dt.timedelta(minutes=5):
        errors["tested_at"] = [_("测试时间不能晚于当前时间")]
    if run is not None and run.policy_id != policy.pk:
        errors["run"] = [_("所选备份不属于该策略")]
    if run is not None and run.started_at > tested_at:
        errors["run"] = [_("不能恢复测试时间之后的备份")]
    if result == RestoreTest.Result.FAILED and not notes.strip():
        errors["notes"] = [_("未通过时请说明原因")]
    if errors:
        raise ValidationFailed(fields=errors)
    return RestoreTest.objects.create(
        policy=policy, run=run, tested_at=tested_at, result=result, duration_minutes=duration_minutes, notes=notes,
        performed_by=actor, created_at=now,
    )


# ---------------------------------------------------------------- the watch


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _open_alert_ticket(policy: BackupPolicy):
    """The policy's fault ticket still being worked on, or None."""
    opened = (
        BackupAlert.objects.filter(policy=policy, kind=BackupAlert.Kind.OPENED).select_related("ticket").order_by("-at", "-pk").first()
    )
    if opened is not None and ticket_is_open(opened.ticket):
        return opened.ticket
    return None


def _alert(*, policy: BackupPolicy, key: str, note: str, now: dt.datetime, run: BackupRun | None = None,
           day: dt.date | None = None) -> BackupAlert | None:
    """Open the policy's P3 fault ticket (channel 监控告警, recorded in the name of the policy's owner,
    announced to the people on duty by the tickets app), or note the cause on the one still open.
    Once per key."""
    if BackupAlert.objects.filter(key=key).exists():
        return None
    ticket = _open_alert_ticket(policy)
    if ticket is not None:
        ticket_comment(actor=policy.owner, ticket=ticket, body=note, now=now)
        return BackupAlert.objects.create(
            policy=policy, ticket=ticket, kind=BackupAlert.Kind.FAILURE_NOTED, key=key, run=run, day=day, note=note, at=now
        )
    with translation.override(settings.LANGUAGE_CODE):
        title = _("备份异常：%(policy)s") % {"policy": policy}
        description = _("%(note)s\n\n备份策略：%(policy)s（%(object)s，%(schedule)s）。本策略后续的失败、漏备份和恢复成功记在本工单上。") % {
            "note": note, "policy": policy, "object": policy.get_backup_object_display(), "schedule": policy.schedule,
        }
    ticket = ticket_create(
        actor=policy.owner, title=title, kind="fault", severity="P3", business_system=policy.business_system,
        description=description, channel="monitoring", now=now,
    )
    return BackupAlert.objects.create(
        policy=policy, ticket=ticket, kind=BackupAlert.Kind.OPENED, key=key, run=run, day=day, note=note, at=now
    )


def _run_line(run: BackupRun) -> str:
    return _("作业 %(job)s（%(type)s）%(start)s 开始，%(end)s 结束，结果：%(result)s。%(message)s") % {
        "job": run.job_id, "type": run.get_backup_type_display(),
        "start": f"{timezone.localtime(run.started_at):%Y-%m-%d %H:%M}", "end": f"{timezone.localtime(run.ended_at):%Y-%m-%d %H:%M}",
        "result": run.get_result_display(), "message": run.message[:500],
    }


def _watch_run(run: BackupRun, *, now: dt.datetime) -> None:
    policy = run.policy
    with translation.override(settings.LANGUAGE_CODE):
        if run.result != BackupRun.Result.SUCCESS:
            _alert(policy=policy, key=f"run:{run.pk}", note=_("备份未成功。") + _run_line(run), now=now, run=run)
            return
        ticket = _open_alert_ticket(policy)
        if ticket is None:
            return
        last = BackupAlert.objects.filter(policy=policy, ticket=ticket).order_by("-pk").first()
        if last is None or last.kind == BackupAlert.Kind.SUCCESS_NOTED or run.started_at < last.at - dt.timedelta(days=1):
            return  # told already, or an old run reported late says nothing about now
        note = _("其后备份成功。") + _run_line(run)
        ticket_comment(actor=policy.owner, ticket=ticket, body=note, now=now)
        BackupAlert.objects.create(
            policy=policy, ticket=ticket, kind=BackupAlert.Kind.SUCCESS_NOTED, key=f"success:{run.pk}", run=run, note=note, at=now
        )


def backup_day_check(*, policy_id: int, day: dt.date, now: dt.datetime | None = None) -> BackupAlert | None:
    """A day of an active policy without a successful run raises the policy's alert (once per day)."""
    now = now or timezone.now()
    policy = BackupPolicy.objects.select_related("business_system__organization", "owner").filter(pk=policy_id).first()
    if policy is None or not policy.active or day < policy.start_date:
        return None
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    covered = BackupRun.objects.filter(
        policy=policy, result=BackupRun.Result.SUCCESS, started_at__gte=start, started_at__lt=start + dt.timedelta(days=1)
    ).exists()
    if covered:
        return None
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        note = _("%(day)s 没有成功的备份（每日至少一次增量或以上备份，4.2.6）。") % {"day": f"{day:%Y-%m-%d}"}
        return _alert(policy=policy, key=f"day:{policy.pk}:{day.isoformat()}", note=note, now=now, day=day)


def backup_day_check_due(*, now: dt.datetime) -> tuple[dt.date, list[int]]:
    """The day to check now (yesterday once the grace hours for late reports have passed) and the
    active policies that had started by then."""
    grace = dt.timedelta(hours=settings.ROUTINE_BACKUP_REPORT_GRACE_HOURS)
    day = _local_day(now - grace) - dt.timedelta(days=1)
    ids = list(BackupPolicy.objects.filter(active=True, start_date__lte=day).order_by("pk").values_list("pk", flat=True))
    return day, ids
