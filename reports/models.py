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

    @property
    def title(self) -> str:
        return str(REPORT_TITLES[self.kind])

    def save(self, *args, **kwargs):
        if self.pk and MonthlyReport.objects.filter(pk=self.pk, status=self.Status.ISSUED).exists():
            raise ArchiveImmutable("an issued monthly report cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == self.Status.ISSUED:
            raise ArchiveImmutable("an issued monthly report cannot be deleted")
        return super().delete(*args, **kwargs)

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

    @property
    def title(self) -> str:
        return str(PACKAGE_TITLES[self.kind])

    def save(self, *args, **kwargs):
        if self.pk and AcceptancePackage.objects.filter(pk=self.pk, task_state=TaskState.DONE).exists():
            raise ArchiveImmutable("a built acceptance package cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.task_state == TaskState.DONE:
            raise ArchiveImmutable("a built acceptance package cannot be deleted")
        return super().delete(*args, **kwargs)
