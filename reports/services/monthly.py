"""Generating, archiving and issuing the operations reports: the monthly report (运维月报), the
quarterly report and the service year's summary (年度运维服务总结), one model (`kind`) and one path.

A request makes a new numbered version (queued); the Celery task renders it (progress stored on the
row, committed step by step so the page can show it); the project manager issues a finished draft.
Issued versions are immutable; regenerating always makes a new version.
"""

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role
from accounts.selectors import user_has_role, user_is_manager, users_with_role
from core.db import after_commit, lock_one
from core.dispatch import enqueue
from core.exceptions import Conflict, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from core.heartbeat import heartbeat
from core.services import notification_send
from core.transitions import Transition, TransitionTable
from tickets.models.reference import Contract

from ..models import REPORT_TITLES, MonthlyReport, PeriodKind, TaskState
from ..selectors.periods import Period, month_of

logger = logging.getLogger(__name__)

ISSUE_DEADLINE_DAY = 15  # 验收 2.1: by the middle of the next month


def _enqueue_generation(report_id: int) -> None:
    from ..tasks import monthly_report_generate_task

    enqueue(monthly_report_generate_task, report_id)


def period_field(period: Period) -> str:
    """The input field a refusal about `period` names (the API's and the pages' `month`, `quarter`, `kind`)."""
    return {"month": "month", "quarter": "quarter"}.get(period.kind, "kind")


def check_report_period(contract: Contract, period: Period, now: dt.datetime) -> None:
    """A report covers a calendar month, a calendar quarter or the contract's service year (its start to
    its end date, issue 18 item 1); it must have begun and lie in the contract's term."""
    field = period_field(period)
    if period.kind not in PeriodKind.values:
        raise ValidationFailed(fields={"kind": [_("报告按月、季度或合同服务年度生成")]})
    if period.kind == PeriodKind.YEAR and (period.first_day, period.last_day) != (contract.start_date, contract.end_date):
        raise ValidationFailed(fields={"kind": [_("年度总结按合同服务年度（合同开始日至结束日）生成")]})
    if period.start > now:
        raise ValidationFailed(fields={field: [_("不能生成尚未开始的期间")]})
    if period.last_day < contract.start_date or period.first_day > contract.end_date:
        raise ValidationFailed(fields={field: [_("该期间不在合同服务期内")]})


@transaction.atomic
def monthly_report_request(
    *, actor, contract: Contract, period: Period, automatic: bool = False, now: dt.datetime | None = None
) -> MonthlyReport:
    """Clauses 8.2.9 and 验收 2.1, 2.2 (the monthly and quarterly materials, the final acceptance): Queue a
    new version of the period's report (a month, a quarter or the contract's service year, by
    period.kind). Provider managers (duty leader, project manager) may ask; the periodic job passes
    actor=None with automatic=True. Refuses while another version of the same period is still being
    generated."""
    now = now or timezone.now()
    if not automatic and not user_is_manager(actor):
        raise PermissionDenied(_("只有值班负责人或项目经理可以生成运维报告"))
    check_report_period(contract, period, now)
    lock_one(Contract.objects.all(), contract.pk)  # serialises version numbers of this contract
    existing = MonthlyReport.objects.filter(contract=contract, kind=period.kind, month=period.first_day)
    if existing.filter(task_state__in=(TaskState.QUEUED, TaskState.RUNNING)).exists():
        raise Conflict(_("该期报告正在生成，请稍候"))
    version = (existing.aggregate(v=Max("version"))["v"] or 0) + 1
    report = MonthlyReport.objects.create(
        contract=contract,
        kind=period.kind,
        month=period.first_day,
        last_day=period.last_day,
        version=version,
        automatic=automatic,
        generated_by=actor if not automatic else None,
        requested_at=now,
    )
    after_commit(lambda: _enqueue_generation(report.pk))
    return report


def _progress(report_id: int, percent: int, note: str) -> None:
    with transaction.atomic():
        MonthlyReport.objects.filter(pk=report_id, task_state=TaskState.RUNNING).update(
            progress=percent, progress_note=note, progress_at=timezone.now()
        )


def stale_before(now: dt.datetime) -> dt.datetime:
    """A `running` generation whose heartbeat (progress_at, touched every REPORTS_HEARTBEAT_SECONDS
    while it runs) is older than this lost its worker."""
    return now - dt.timedelta(minutes=settings.REPORTS_STALE_RUNNING_MINUTES)


def claimable(row, *, now: dt.datetime) -> bool:
    """A generation row a worker may (re)start: queued, or running but silent past the stale timeout
    (its worker was killed; acks_late redelivered the task, or the periodic sweep re-queued it)."""
    if row.task_state == TaskState.QUEUED:
        return True
    return row.task_state == TaskState.RUNNING and (row.progress_at is None or row.progress_at < stale_before(now))


def generation_claim(model, row_id: int, *, note: str):
    """Lock a queued generation (monthly report or acceptance package) with its contract and mark it
    running, or take over one whose worker went silent (claimable). None when the row is gone or not
    claimable: a re-run never makes another version. Commits, so the page shows the progress."""
    with transaction.atomic():
        try:
            row = lock_one(model.objects.select_related("contract__purchaser", "contract__provider"), row_id)
        except model.DoesNotExist:
            return None
        if not claimable(row, now=timezone.now()):
            return None
        if row.task_state == TaskState.RUNNING:
            logger.warning("%s %s: taking over a generation whose worker went silent", model._meta.model_name, row_id)
        row.task_state = TaskState.RUNNING
        row.progress, row.progress_note, row.progress_at = 5, note, timezone.now()
        row.save(update_fields=["task_state", "progress", "progress_note", "progress_at"])
    return row


def generation_heartbeat(model, row_id: int):
    """While a claimed generation works, touch its progress time every REPORTS_HEARTBEAT_SECONDS, so the
    minute sweep (reports.generations_resume) can tell a silent worker from a slow one."""
    return heartbeat(model.objects.filter(pk=row_id, task_state=TaskState.RUNNING), every=settings.REPORTS_HEARTBEAT_SECONDS)


def generation_failed(model, row_id: int, exc: Exception) -> None:
    """A generation (monthly report or acceptance package) failed: log it and keep the error on the row,
    in its own transaction, so the page shows it and a retry can start again."""
    logger.exception("%s %s failed", model._meta.model_name, row_id)
    with transaction.atomic():
        model.objects.filter(pk=row_id).update(
            task_state=TaskState.FAILED, error=f"{type(exc).__name__}: {exc}"[:4000], progress_note=_("生成失败")
        )


def generation_archive(model, row_id: int, *, name: str, content: bytes, **fields) -> tuple:
    """Lock a generation's row and, while it is still running, store its file with the SHA-256 and size,
    and `fields`, and mark it done. Returns (the row, whether this call archived it). Caller runs in a
    transaction."""
    row = lock_one(model.objects.all(), row_id)
    if row.task_state != TaskState.RUNNING:
        return row, False
    row.file.save(name, ContentFile(content), save=False)
    row.sha256 = hashlib.sha256(content).hexdigest()
    row.size = len(content)
    for field_name, value in fields.items():
        setattr(row, field_name, value)
    row.task_state, row.progress, row.progress_note = TaskState.DONE, 100, _("已完成")
    row.generated_at = timezone.now()
    row.save(update_fields=["file", "sha256", "size", *fields, "task_state", "progress", "progress_note", "generated_at"])
    return row, True


REPORT_FILE_PREFIX = {PeriodKind.MONTH: "monthly", PeriodKind.QUARTER: "quarterly", PeriodKind.YEAR: "annual"}


def monthly_report_generate(*, report_id: int, now: dt.datetime | None = None) -> MonthlyReport | None:
    """Render one requested version, finishing THAT row: a re-run never makes another version.
    Idempotent: returns quietly when the row is gone, done, failed, or running under a live worker;
    takes over a row left `running` by a killed worker once it is stale. Each step commits its
    progress (and heartbeat)."""
    from ..pdf import render_pdf
    from ..selectors.monthly import monthly_report_data
    from ..selectors.summary import period_report_data

    report = generation_claim(MonthlyReport, report_id, note=_("正在汇总数据"))
    if report is None:
        return None
    try:
        with generation_heartbeat(MonthlyReport, report_id):
            now = now or timezone.now()
            period = report.period
            if period.kind == PeriodKind.MONTH:
                data, template = monthly_report_data(contract=report.contract, period=period, now=now), "reports/pdf/monthly.html"
            else:
                data, template = period_report_data(contract=report.contract, period=period, now=now), "reports/pdf/summary.html"
            _progress(report_id, 50, _("正在排版 PDF"))
            data.update(
                title=report.title,
                version=report.version,
                generated_at=now,
                generated_by_name=report.generated_by.display_name if report.generated_by_id else "",
            )
            pdf = render_pdf(template, data)
            _progress(report_id, 90, _("正在归档"))
            snapshot = {"now": now.isoformat(), "figures": data["kpis"].as_api()}
    except Exception as exc:  # noqa: BLE001 (any failure is kept on the row; generation_failed logs it)
        generation_failed(MonthlyReport, report_id, exc)
        return None
    with transaction.atomic():
        report, archived = generation_archive(
            MonthlyReport, report_id, name=f"{REPORT_FILE_PREFIX[report.kind]}-{report.period_code}-v{report.version}.pdf",
            content=pdf, kpi_snapshot=snapshot,
        )
        if not archived:
            return report
        notification_send(
            recipients=users_with_role(Role.PROJECT_MANAGER),
            kind="report_ready",
            title=_("%(month)s %(title)s第 %(v)s 版已生成，待审阅签发") % {
                "month": report.period_code, "title": REPORT_TITLES[report.kind], "v": report.version},
            url=f"/reports/monthly/{report.pk}/",
            dedupe_key=f"report-ready:{report.pk}",
        )
    return report


def _issuable(user, report: MonthlyReport):
    if report.task_state != TaskState.DONE:
        return IllegalTransition(_("报告尚未生成完成，不能签发"))
    newer = MonthlyReport.objects.filter(
        contract_id=report.contract_id, kind=report.kind, month=report.month, version__gt=report.version,
        task_state=TaskState.DONE,
    )
    if newer.exists():
        return IllegalTransition(_("已有更新的版本，请签发最新版本"))
    return None


# A finished draft is issued by the project manager, once; only the newest finished version of a month.
MONTHLY_REPORT_TRANSITIONS = TransitionTable(
    [
        Transition(
            "issue", frozenset({MonthlyReport.Status.DRAFT}), MonthlyReport.Status.ISSUED,
            lambda user, report: user_has_role(user, Role.PROJECT_MANAGER), gettext_lazy("签发归档"), _issuable,
            denied=gettext_lazy("只有项目经理可以签发运维报告"), wrong_state=gettext_lazy("该版本已签发"),
        ),
    ],
)


def monthly_report_actions_for(*, user, report: MonthlyReport) -> list[str]:
    """What `user` may do with this version now; the page offers exactly these."""
    return MONTHLY_REPORT_TRANSITIONS.actions_for(user=user, obj=report)


@transaction.atomic
def monthly_report_issue(*, actor, report_id: int, now: dt.datetime | None = None) -> MonthlyReport:
    """The project manager issues a finished draft: it becomes the immutable archived version.
    Only the newest finished version of the month can be issued."""
    if not user_has_role(actor, Role.PROJECT_MANAGER):  # before looking the version up
        raise PermissionDenied(MONTHLY_REPORT_TRANSITIONS["issue"].denied)
    try:
        report = lock_one(MonthlyReport.objects.all(), report_id)
    except MonthlyReport.DoesNotExist:
        raise NotFound() from None
    report.status = MONTHLY_REPORT_TRANSITIONS.check(action="issue", user=actor, obj=report).target
    report.issued_by = actor
    report.issued_at = now or timezone.now()
    report.save(update_fields=["status", "issued_by", "issued_at"])
    return report


def monthly_report_retry_queued(*, now: dt.datetime | None = None, limit: int = 10) -> int:
    """Kept for the daily job: the minute sweep (`generations_resume`) does the same for every kind."""
    from .generations import generations_resume

    return generations_resume(now=now, limit=limit)["monthly"]


def monthly_report_draft_previous_month(*, now: dt.datetime | None = None) -> list[MonthlyReport]:
    """On the 1st (run daily; idempotent): queue a draft of the previous month for every contract in
    service then, unless a version of that month already exists."""
    now = now or timezone.now()
    previous = month_of(now).previous()
    created: list[MonthlyReport] = []
    contracts = Contract.objects.filter(start_date__lte=previous.last_day, end_date__gte=previous.first_day).order_by("pk")
    for contract in contracts:
        if MonthlyReport.objects.filter(contract=contract, kind=PeriodKind.MONTH, month=previous.first_day).exists():
            continue
        try:
            created.append(monthly_report_request(actor=None, contract=contract, period=previous, automatic=True, now=now))
        except (Conflict, ValidationFailed):
            continue
    return created


def report_status_for(*, contract: Contract, period: Period, now: dt.datetime) -> dict:
    """Where the month's report stands: for the dashboard and the reminder."""
    versions = list(MonthlyReport.objects.filter(contract=contract, kind=period.kind, month=period.first_day)
                    .order_by("-version")[:20])
    issued = next((r for r in versions if r.is_issued), None)
    latest = versions[0] if versions else None
    deadline = dt.datetime.combine(
        (period.last_day + dt.timedelta(days=ISSUE_DEADLINE_DAY)), dt.time.max, tzinfo=period.start.tzinfo
    )
    return {
        "period": period,
        "latest": latest,
        "issued": issued,
        "deadline": deadline,
        "overdue": issued is None and now > deadline,
        "due_soon": issued is None and period.end <= now <= deadline,
    }


def monthly_report_remind(*, now: dt.datetime | None = None) -> int:
    """验收 2.1 (by the middle of the next month): Daily: while last month's report is not issued, remind the
    project managers once a day; after the 15th, flag it overdue (also to the group webhook). Dedupe keys make
    reruns harmless."""
    now = now or timezone.now()
    previous = month_of(now).previous()
    today = timezone.localdate(now)
    sent = 0
    contracts = Contract.objects.filter(start_date__lte=previous.last_day, end_date__gte=previous.first_day).order_by("pk")
    for contract in contracts:
        status = report_status_for(contract=contract, period=previous, now=now)
        if status["issued"] is not None:
            continue
        overdue = status["overdue"]
        title = (
            _("%(month)s 运维月报已逾期未签发（应于次月 15 日前提交）") if overdue else _("%(month)s 运维月报尚未签发")
        ) % {"month": previous.code}
        with transaction.atomic():
            sent += len(
                notification_send(
                    recipients=users_with_role(Role.PROJECT_MANAGER),
                    kind="report_overdue" if overdue else "report_reminder",
                    title=title,
                    body=_("合同：%(c)s") % {"c": contract.name},
                    url="/reports/",
                    dedupe_key=f"report-{'overdue' if overdue else 'remind'}:{contract.pk}:{previous.code}:{today}",
                    webhook=overdue,
                )
            )
    return sent
