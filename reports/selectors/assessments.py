"""Reading the purchaser's assessments, the remediation items and the package pipeline, with the access
rule of the reports (reports.selectors.access) applied once: provider staff and the provider's auditors
read every purchaser's; a purchaser's approvers and auditors their own contracts'; requesters nothing.

Who may do what is one transition table per kind (REMEDIATION_TRANSITIONS, ASSESSMENT_TRANSITIONS):
the services check it, pages and the API ask `*_actions_for` for the buttons they offer."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from accounts.selectors import user_has_role, user_is_provider_staff, user_sees_all_tenants, user_tenant_id
from core.transitions import Transition, TransitionTable
from tickets.models.reference import Contract

from ..models import (
    AcceptancePackage,
    Assessment,
    AssessmentEvent,
    MonthlyReport,
    PeriodKind,
    RemediationAnswer,
    RemediationAttachment,
    RemediationItem,
    TaskState,
)
from .access import _one, contract_list_for_reports, require_report_reader
from .periods import Period, month_of

ISSUE_DEADLINE_DAY = 15  # 验收 2.1: a month's materials by the 15th of the next month
DUE_SOON_DAYS = 3  # reminders start this many days before an item's deadline
PIPELINE_MONTHS = 6


# --- who may ------------------------------------------------------------------------------------------
def user_is_purchaser_approver(user) -> bool:
    """A purchaser's approver (never provider staff; auditors read only): the one who receives, assesses
    and opens the final acceptance, each on its own purchaser's contracts."""
    return (
        user is not None
        and user.is_authenticated
        and not user_is_provider_staff(user)
        and user_has_role(user, Role.APPROVER)
    )


def user_is_owning_purchaser(user, contract_purchaser_id: int) -> bool:
    """The purchaser's voice on its own contract: an approver of that purchaser."""
    return user_is_purchaser_approver(user) and user_tenant_id(user) == contract_purchaser_id


def _purchaser_of_assessment(user, assessment: Assessment) -> bool:
    return user_is_owning_purchaser(user, assessment.contract.purchaser_id)


def _purchaser_of_item(user, item: RemediationItem) -> bool:
    return user_is_owning_purchaser(user, item.assessment.contract.purchaser_id)


def _answerer(user, item: RemediationItem) -> bool:
    """The provider answers: the item's owner, or the project manager for anyone of the team."""
    return user_is_provider_staff(user) and (user.pk == item.owner_id or user_has_role(user, Role.PROJECT_MANAGER))


S = RemediationItem.State
REMEDIATION_TRANSITIONS = TransitionTable(
    [
        Transition("answer", frozenset({S.OPEN}), S.ANSWERED, _answerer, _("提交整改答复"),
                   denied=_("只有整改项的责任人或项目经理可以答复")),
        Transition("close", frozenset({S.ANSWERED}), S.CLOSED, _purchaser_of_item, _("确认关闭"),
                   denied=_("只有本合同采购人的审批人可以关闭整改项")),
        Transition("return", frozenset({S.ANSWERED}), S.OPEN, _purchaser_of_item, _("退回重改"),
                   denied=_("只有本合同采购人的审批人可以退回整改项")),
    ],
    state_of=lambda item: item.state,
    state_label=lambda state: str(S(state).label),
)

ASSESSMENT_TRANSITIONS = TransitionTable(
    [
        Transition("assess", frozenset({Assessment.State.RECEIVED}), Assessment.State.ASSESSED, _purchaser_of_assessment,
                   _("评定"), denied=_("只有本合同采购人的审批人可以评定")),
    ],
    state_of=lambda assessment: assessment.state,
    state_label=lambda state: str(Assessment.State(state).label),
)


def remediation_item_actions_for(*, user, item: RemediationItem) -> list[str]:
    return REMEDIATION_TRANSITIONS.actions_for(user=user, obj=item)


def assessment_actions_for(*, user, assessment: Assessment) -> list[str]:
    return ASSESSMENT_TRANSITIONS.actions_for(user=user, obj=assessment)


def package_is_issued(package: AcceptancePackage) -> bool:
    """A package the purchaser receives: built, around an issued report."""
    return package.task_state == TaskState.DONE and package.report_id is not None and package.report.is_issued


def package_may_be_received(*, user, package: AcceptancePackage) -> bool:
    """Whether the page offers 签收 for the package (the service decides: assessment_receive)."""
    return (
        package_is_issued(package)
        and user_is_owning_purchaser(user, package.contract.purchaser_id)
        and not Assessment.objects.filter(package=package, kind=Assessment.Kind.STAGE).exists()
    )


# --- reading ------------------------------------------------------------------------------------------
def _tenant_filter(qs: QuerySet, *, user, path: str) -> QuerySet:
    require_report_reader(user)
    if user_sees_all_tenants(user):
        return qs
    return qs.filter(**{path: user_tenant_id(user)})


def assessment_list_for_user(*, user) -> QuerySet[Assessment]:
    qs = Assessment.objects.select_related(
        "contract__purchaser", "package__report", "received_by", "assessed_by"
    ).annotate(
        open_items=Count("items", filter=~Q(items__state=S.CLOSED)),
        item_count=Count("items"),
    )
    return _tenant_filter(qs, user=user, path="contract__purchaser_id")


def assessment_get_for_user(*, user, assessment_id) -> Assessment:
    return _one(assessment_list_for_user(user=user), assessment_id)


def assessment_for_package(*, user, package: AcceptancePackage) -> Assessment | None:
    """The stage assessment of a package the user has read (package_get_for_user)."""
    return assessment_list_for_user(user=user).filter(package=package, kind=Assessment.Kind.STAGE).first()


def assessment_events(*, assessment: Assessment) -> QuerySet[AssessmentEvent]:
    return assessment.events.select_related("actor", "item").order_by("at", "pk")


def remediation_item_list_for_user(*, user) -> QuerySet[RemediationItem]:
    qs = RemediationItem.objects.select_related("assessment__contract__purchaser", "assessment__package", "owner")
    return _tenant_filter(qs, user=user, path="assessment__contract__purchaser_id")


def remediation_items_open(qs: QuerySet[RemediationItem]) -> QuerySet[RemediationItem]:
    return qs.exclude(state=S.CLOSED)


def remediation_items_overdue(qs: QuerySet[RemediationItem], *, today: dt.date) -> QuerySet[RemediationItem]:
    """Overdue: still waiting for the provider's answer after its deadline (an answered item waits for the
    purchaser, not the provider)."""
    return qs.filter(state=S.OPEN, deadline__lt=today)


def remediation_item_overdue(item: RemediationItem, *, today: dt.date) -> bool:
    return item.state == S.OPEN and item.deadline < today


def remediation_item_get_for_user(*, user, item_id) -> RemediationItem:
    return _one(remediation_item_list_for_user(user=user), item_id)


def remediation_answers(*, item: RemediationItem) -> QuerySet[RemediationAnswer]:
    """The answers of an item, oldest first, with their evidence (four queries whatever their number)."""
    return item.answers.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=RemediationAttachment.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")),
        "tickets",
        "changes",
    ).order_by("at", "pk")


def remediation_attachment_get_for_user(*, user, item_id, attachment_id) -> RemediationAttachment:
    item = remediation_item_get_for_user(user=user, item_id=item_id)
    return _one(RemediationAttachment.objects.filter(answer__item=item), attachment_id)


def remediation_history(*, contract: Contract) -> QuerySet[RemediationItem]:
    """Every remediation item of the contract with its answers and history: the final opinion quotes it."""
    return (
        RemediationItem.objects.filter(assessment__contract=contract)
        .select_related("assessment__package", "owner")
        .prefetch_related(
            Prefetch("answers", queryset=RemediationAnswer.objects.select_related("author").order_by("at", "pk")),
            Prefetch("events", queryset=AssessmentEvent.objects.select_related("actor").order_by("at", "pk")),
        )
        .order_by("assessment__received_at", "assessment_id", "number")
    )


# --- the pipeline -------------------------------------------------------------------------------------
def package_deadline(period: Period) -> dt.datetime:
    """验收 2.1: the month's materials are due by the end of the 15th of the next month."""
    return dt.datetime.combine(period.last_day + dt.timedelta(days=ISSUE_DEADLINE_DAY), dt.time.max, tzinfo=period.start.tzinfo)


@dataclass(frozen=True)
class PipelineRow:
    period: Period
    report: MonthlyReport | None  # the newest finished version
    issued: MonthlyReport | None  # the issued version
    package: AcceptancePackage | None  # the newest built package around the issued report
    assessment: Assessment | None
    deadline: dt.datetime
    overdue: bool  # no issued package by the deadline

    @property
    def stage(self) -> str:
        if self.assessment is not None and self.assessment.state == Assessment.State.ASSESSED:
            return "assessed"
        if self.assessment is not None:
            return "received"
        if self.package is not None:
            return "issued"
        if self.report is not None:
            return "generated"
        return "missing"


def package_pipeline(*, user, now: dt.datetime, months: int = PIPELINE_MONTHS, contracts_limit: int = 5) -> list[dict]:
    """Per contract the user reads (at most `contracts_limit`), its last `months` months of service up to
    last month: report generated → issued (in a built package) → received → assessed, against the 15th
    deadline. Four queries whatever the numbers of contracts and months."""
    last = month_of(now).previous()
    contracts = list(contract_list_for_reports(user=user).filter(start_date__lte=last.last_day)[:contracts_limit])
    if not contracts:
        return []
    periods = [last]
    while len(periods) < months:
        periods.append(periods[-1].previous())
    firsts = [p.first_day for p in periods]
    ids = [c.pk for c in contracts]
    reports = MonthlyReport.objects.filter(
        contract_id__in=ids, kind=PeriodKind.MONTH, month__in=firsts, task_state=TaskState.DONE
    ).order_by("-version")
    newest, issued = {}, {}
    for report in reports:
        newest.setdefault((report.contract_id, report.month), report)
        if report.is_issued:
            issued.setdefault((report.contract_id, report.month), report)
    packages = {}
    for package in AcceptancePackage.objects.filter(
        contract_id__in=ids, kind=PeriodKind.MONTH, month__in=firsts, task_state=TaskState.DONE,
        report__status=MonthlyReport.Status.ISSUED,
    ).order_by("-version"):
        packages.setdefault((package.contract_id, package.month), package)
    assessments = {}
    for assessment in Assessment.objects.filter(
        kind=Assessment.Kind.STAGE, package__in=[p.pk for p in packages.values()]
    ).annotate(open_items=Count("items", filter=~Q(items__state=S.CLOSED))):
        assessments[assessment.package_id] = assessment
    out = []
    for contract in contracts:
        rows = []
        for period in periods:
            if period.last_day < contract.start_date or period.first_day > contract.end_date:
                continue
            key = (contract.pk, period.first_day)
            package = packages.get(key)
            deadline = package_deadline(period)
            rows.append(PipelineRow(
                period=period, report=newest.get(key), issued=issued.get(key), package=package,
                assessment=assessments.get(package.pk) if package else None, deadline=deadline,
                overdue=package is None and now > deadline,
            ))
        out.append({"contract": contract, "rows": rows})
    return out


def remediation_open_for_user(*, user, now: dt.datetime, limit: int = 10, owner_only: bool = False) -> dict:
    """Open remediation items (by deadline: the overdue come first) and the counts: the dashboard and
    the home panel (`owner_only`: an engineer's own). Two queries."""
    today = timezone.localdate(now)
    qs = remediation_items_open(remediation_item_list_for_user(user=user))
    if owner_only:
        qs = qs.filter(owner=user)
    counts = qs.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(state=S.OPEN, deadline__lt=today)),
                          answered=Count("pk", filter=Q(state=S.ANSWERED)))
    rows = list(qs.order_by("deadline", "pk")[:limit]) if counts["open"] else []
    return {"items": [{"item": item, "overdue": remediation_item_overdue(item, today=today)} for item in rows], "today": today,
            **counts}


def remediation_items_open_for_contract(*, contract_id: int) -> QuerySet[RemediationItem]:
    """The remediation items of a contract's assessments not yet closed by the purchaser (open or answered),
    oldest deadline first, for the quarterly and service-year reports (reports.selectors.summary). No
    access rule: the caller is the report generation, which reads the contract it was asked for. No query
    until evaluated."""
    return remediation_items_open(
        RemediationItem.objects.filter(assessment__contract_id=contract_id)
        .select_related("assessment__package", "owner").order_by("deadline", "pk")
    )
