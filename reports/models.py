"""The reports archive: versions of the operations reports and of the acceptance packages.

One report model and one package model serve every period (issue 18 item 2): `kind` says whether a
row is a month's (运维月报), a quarter's (季度运维报告) or the contract's service year's (年度运维服务总结);
`month` is the period's first day and `last_day` its last (inclusive). Nothing else in OpsDesk is
written by this app. Each generation makes a new numbered version of the (contract, kind, first day)
triple; a version's file is written once. An issued report (and a built package) is
immutable: the model, its queryset and — on PostgreSQL — a trigger refuse to change or delete it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.reference import Contract


class ArchiveImmutable(Exception):
    """Raised when code tries to change or delete an archived (issued / built) row."""


class TaskState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("服务年度")


# What each kind of report is called (the PDF's title, the pages, the file names).
REPORT_TITLES = {
    PeriodKind.MONTH: _("运维月报"),
    PeriodKind.QUARTER: _("季度运维报告"),
    PeriodKind.YEAR: _("年度运维服务总结"),
}
PACKAGE_TITLES = {
    PeriodKind.MONTH: _("阶段查验材料"),
    PeriodKind.QUARTER: _("季度查验材料"),
    PeriodKind.YEAR: _("年度验收材料"),
}


class _PeriodRow(models.Model):
    """A report or a package of one period: its kind, first day (`month`, the name kept from the monthly
    archive) and last day."""

    kind = models.CharField(_("期间类型"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    month = models.DateField(_("期间起始日"), help_text=_("月份、季度或服务年度的第一天"))
    last_day = models.DateField(_("期间结束日"), help_text=_("期间的最后一天（含）"))

    class Meta:
        abstract = True

    @property
    def period(self):
        from .selectors.periods import Period

        return Period(self.kind, self.month, self.last_day)

    @property
    def period_code(self) -> str:
        return self.period.code


class _ArchiveQuerySet(models.QuerySet):
    frozen_q: models.Q

    def update(self, **kwargs):
        if self.filter(self.frozen_q).exists():
            raise ArchiveImmutable("archived versions cannot be changed")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(self.frozen_q).exists():
            raise ArchiveImmutable("archived versions cannot be deleted")
        return super().delete()


class MonthlyReportQuerySet(_ArchiveQuerySet):
    frozen_q = models.Q(status="issued")


class AcceptancePackageQuerySet(_ArchiveQuerySet):
    frozen_q = models.Q(task_state="done")


def _folder(instance: "_PeriodRow") -> str:
    if instance.kind == PeriodKind.MONTH:
        return f"{instance.month:%Y-%m}"
    return f"{instance.kind}-{instance.month:%Y-%m-%d}"


def monthly_report_upload_to(instance: "MonthlyReport", filename: str) -> str:
    return f"reports/monthly/{instance.contract_id}/{_folder(instance)}/{filename}"


def package_upload_to(instance: "AcceptancePackage", filename: str) -> str:
    return f"reports/packages/{instance.contract_id}/{_folder(instance)}/{filename}"


class MonthlyReport(_PeriodRow):
    """One version of an operations report of a contract for a period: the monthly report (运维月报),
    the quarterly report or the service year's summary (年度运维服务总结), by `kind`."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已签发")

    contract = models.ForeignKey(Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="monthly_reports")
    version = models.PositiveSmallIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    task_state = models.CharField(_("生成状态"), max_length=10, choices=TaskState.choices, default=TaskState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    progress_note = models.CharField(_("当前步骤"), max_length=100, blank=True)
    # When a worker last claimed or advanced the generation: a `running` row silent for longer than
    # REPORTS_STALE_RUNNING_MINUTES lost its worker and is taken over (redelivery, or the periodic sweep).
    progress_at = models.DateTimeField(_("进度更新时间"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    file = models.FileField(_("文件"), upload_to=monthly_report_upload_to, blank=True, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    kpi_snapshot = models.JSONField(_("指标快照"), default=dict, blank=True)
    automatic = models.BooleanField(_("定时生成"), default=False)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请生成时间"))
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("签发时间"), null=True, blank=True)

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("运维报告")
        verbose_name_plural = _("运维报告")
        ordering = ["-month", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind", "month", "version"], name="monthly_report_unique_version"),
            models.CheckConstraint(
                condition=~models.Q(status="issued") | (models.Q(task_state="done") & ~models.Q(sha256="")),
                name="monthly_report_issued_has_file",
            ),
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("month")), name="monthly_report_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.period_code} {REPORT_TITLES[self.kind]} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk and MonthlyReport.objects.filter(pk=self.pk, status=self.Status.ISSUED).exists():
            raise ArchiveImmutable("an issued monthly report cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == self.Status.ISSUED:
            raise ArchiveImmutable("an issued monthly report cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def title(self) -> str:
        return str(REPORT_TITLES[self.kind])

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED


class AcceptancePackage(_PeriodRow):
    """One version of the acceptance package of a period (阶段查验材料 of a month or a quarter, the
    service year's 年度验收材料): a zip with the period's report, its registers and a manifest."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="acceptance_packages"
    )
    version = models.PositiveSmallIntegerField(_("版本"))
    report = models.ForeignKey(
        MonthlyReport, verbose_name=_("所含报告"), null=True, blank=True, on_delete=models.PROTECT, related_name="packages"
    )
    task_state = models.CharField(_("生成状态"), max_length=10, choices=TaskState.choices, default=TaskState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    progress_note = models.CharField(_("当前步骤"), max_length=100, blank=True)
    # When a worker last claimed or advanced the generation: a `running` row silent for longer than
    # REPORTS_STALE_RUNNING_MINUTES lost its worker and is taken over (redelivery, or the periodic sweep).
    progress_at = models.DateTimeField(_("进度更新时间"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    file = models.FileField(_("文件"), upload_to=package_upload_to, blank=True, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    manifest = models.JSONField(_("清单"), default=list, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请生成时间"))
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    objects = AcceptancePackageQuerySet.as_manager()

    class Meta:
        verbose_name = _("阶段查验材料包")
        verbose_name_plural = _("阶段查验材料包")
        ordering = ["-month", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind", "month", "version"], name="acceptance_package_unique_version"),
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("month")), name="acceptance_package_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.period_code} {PACKAGE_TITLES[self.kind]} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk and AcceptancePackage.objects.filter(pk=self.pk, task_state=TaskState.DONE).exists():
            raise ArchiveImmutable("a built acceptance package cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.task_state == TaskState.DONE:
            raise ArchiveImmutable("a built acceptance package cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def title(self) -> str:
        return str(PACKAGE_TITLES[self.kind])


# --- The purchaser's assessment of what the provider delivered (验收 2.1–2.5) ---------------------------
# Written by the purchaser (receipt, assessment, closing or returning a remediation item) and by the
# provider (answering an item), each step checked by reports.services.assessments and kept as an
# append-only AssessmentEvent. An assessment points at the AcceptancePackage it judges (any period's
# package), so the same path serves the monthly, quarterly and final acceptance.

from core.models import AppendOnlyModel  # noqa: E402 (the archive above needs nothing of core)


class Verdict(models.TextChoices):
    PASS = "pass", _("合格")
    REMEDIATE = "remediate", _("需整改")
    FAIL = "fail", _("不合格")


class Assessment(models.Model):
    """The purchaser's receipt and assessment of one issued package (a stage), or of the service year (the
    final acceptance, 验收 2.2: with a written opinion document). A final acceptance that is not passed is
    followed by a re-acceptance (验收 2.5): the next `round`."""

    class Kind(models.TextChoices):
        STAGE = "stage", _("阶段查验")
        FINAL = "final", _("终验")

    class State(models.TextChoices):
        RECEIVED = "received", _("已签收，待评定")
        ASSESSED = "assessed", _("已评定")

    contract = models.ForeignKey(Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="assessments")
    package = models.ForeignKey(
        AcceptancePackage, verbose_name=_("查验材料包"), null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.STAGE)
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.RECEIVED)
    received_on = models.DateField(_("签收日期"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签收人"), on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("签收登记时间"))
    verdict = models.CharField(_("评定结论"), max_length=10, choices=Verdict.choices, blank=True)
    comments = models.TextField(_("评定意见"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评定人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("评定时间"), null=True, blank=True)
    # The final acceptance's written opinion (书面验收意见), rendered once after the assessment and kept.
    opinion_file = models.FileField(_("验收意见书"), upload_to="reports/opinions/", blank=True, max_length=300)
    opinion_sha256 = models.CharField(_("验收意见书 SHA-256"), max_length=64, blank=True)
    opinion_generated_at = models.DateTimeField(_("验收意见书生成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验收评定")
        verbose_name_plural = _("验收评定")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["package"], condition=models.Q(kind="stage"), name="assessment_one_per_package"),
            models.UniqueConstraint(fields=["contract", "round"], condition=models.Q(kind="final"), name="assessment_final_round"),
            models.CheckConstraint(
                condition=models.Q(kind="final") | models.Q(package__isnull=False), name="assessment_stage_has_package"
            ),
            models.CheckConstraint(
                condition=models.Q(state="received", verdict="") | (models.Q(state="assessed") & ~models.Q(verdict="")),
                name="assessment_verdict_when_assessed",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.FINAL:
            return f"{self.contract.code} 终验 第 {self.round} 轮"
        return f"{self.contract.code} 查验评定 #{self.pk}"


class RemediationItem(models.Model):
    """One thing the purchaser wants put right (整改项): what, the provider's owner, the deadline."""

    class State(models.TextChoices):
        OPEN = "open", _("待整改")
        ANSWERED = "answered", _("已答复，待采购人确认")
        CLOSED = "closed", _("已关闭")

    assessment = models.ForeignKey(Assessment, verbose_name=_("验收评定"), on_delete=models.PROTECT, related_name="items")
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("整改事项"), max_length=200)
    detail = models.TextField(_("具体要求"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("服务商责任人"), on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("整改期限"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(_("提出时间"))
    answered_at = models.DateTimeField(_("最近答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    returns = models.PositiveSmallIntegerField(_("退回次数"), default=0)

    class Meta:
        verbose_name = _("整改项")
        verbose_name_plural = _("整改项")
        ordering = ["deadline", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="remediation_item_number")]
        indexes = [models.Index(fields=["state", "deadline"], name="remediation_state_deadline")]

    def __str__(self) -> str:
        return f"整改项 {self.assessment_id}-{self.number}：{self.title}"


class RemediationAnswer(AppendOnlyModel):
    """The provider's answer to an item, with its evidence: text, attachments, linked tickets or changes.
    Written once; a returned item is answered again with a new row."""

    item = models.ForeignKey(RemediationItem, verbose_name=_("整改项"), on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(_("整改说明"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("答复人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("答复时间"))
    tickets = models.ManyToManyField("tickets.Ticket", verbose_name=_("关联工单"), blank=True, related_name="+")
    changes = models.ManyToManyField("changes.ChangeRequest", verbose_name=_("关联变更"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("整改答复")
        verbose_name_plural = _("整改答复")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"整改答复 {self.item_id} @ {self.at:%Y-%m-%d %H:%M}"


def remediation_upload_to(instance: "RemediationAttachment", filename: str) -> str:
    return f"reports/remediation/{instance.answer.item_id}/{filename}"


class RemediationAttachment(AppendOnlyModel):
    """A file of an answer's evidence: stored under a random name, leaves only through
    core.uploads.attachment_download (audited, no-store, sandboxed)."""

    answer = models.ForeignKey(RemediationAnswer, verbose_name=_("整改答复"), on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=remediation_upload_to, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("整改附件")
        verbose_name_plural = _("整改附件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class AssessmentEvent(AppendOnlyModel):
    """History of an assessment and its items (append-only): receipt, assessment, each item raised,
    answered, returned or closed — who, when, from which state to which."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("签收")
        ASSESSED = "assessed", _("评定")
        ITEM_RAISED = "item_raised", _("提出整改项")
        ANSWERED = "answered", _("答复整改")
        RETURNED = "returned", _("退回重改")
        CLOSED = "closed", _("关闭整改项")

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="events")
    item = models.ForeignKey(RemediationItem, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事件"), max_length=20, choices=Kind.choices)
    from_state = models.CharField(_("原状态"), max_length=10, blank=True)
    to_state = models.CharField(_("新状态"), max_length=10, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("验收评定记录")
        verbose_name_plural = _("验收评定记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
