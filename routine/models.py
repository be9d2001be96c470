"""Routine work the contract audits (4.1, 4.2.5, 4.2.6, 6.2.2, 8.1.8, 8.2.5, 8.2.6): backups, inspections,
security self-checks and drills. Figures are computed from these records, never declared."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from tickets.models import BusinessSystem

# ---------------------------------------------------------------- backups (4.2.5, 4.2.6, 8.2.7)


class BackupObject(models.TextChoices):
    FILES = "files", _("文件")
    OS = "os", _("操作系统")
    DATABASE = "database", _("数据库")


class BackupType(models.TextChoices):
    FULL = "full", _("全量")
    DIFFERENTIAL = "differential", _("差异")
    INCREMENTAL = "incremental", _("增量")


class BackupPolicy(models.Model):
    """What is backed up for a business system, how and when. The compliance rule (a successful
    incremental-or-better run every day, a successful full run within every 7 days) is the contract's
    (4.2.6) and the same for every policy; `schedule` only describes the backup system's timetable."""

    business_system = models.ForeignKey(
        BusinessSystem, verbose_name=_("业务系统"), on_delete=models.PROTECT, related_name="backup_policies"
    )
    name = models.CharField(_("策略名称"), max_length=100)
    backup_object = models.CharField(_("备份对象"), max_length=20, choices=BackupObject.choices)
    backup_type = models.CharField(_("备份方式"), max_length=20, choices=BackupType.choices)
    schedule = models.CharField(_("备份计划"), max_length=200, help_text=_("例：每日 01:00 增量，周日 02:00 全量"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+",
        help_text=_("服务商工程师；备份故障工单以其名义录入"),
    )
    start_date = models.DateField(_("生效日期"))
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("备份策略")
        verbose_name_plural = _("备份策略")
        ordering = ["business_system__name", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["business_system", "name"], name="backup_policy_unique_name")]
        permissions = [("report_backup_run", _("通过接口上报备份结果（备份系统账号）"))]

    def __str__(self) -> str:
        return f"{self.business_system.name} · {self.name}"


class BackupRun(models.Model):
    """One run of a backup job as the backup system reported it (or as imported). `job_id` is the
    backup system's own id: reporting the same job again changes nothing."""

    class Result(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILED = "failed", _("失败")
        PARTIAL = "partial", _("部分成功")

    class Source(models.TextChoices):
        API = "api", _("接口上报")
        IMPORT = "import", _("文件导入")

    policy = models.ForeignKey(BackupPolicy, verbose_name=_("备份策略"), on_delete=models.PROTECT, related_name="runs")
    job_id = models.CharField(_("作业编号"), max_length=100)
    backup_type = models.CharField(_("备份方式"), max_length=20, choices=BackupType.choices)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    result = models.CharField(_("结果"), max_length=20, choices=Result.choices)
    size_bytes = models.BigIntegerField(_("备份量（字节）"), null=True, blank=True)
    message = models.TextField(_("信息"), blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上报人"), on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("上报时间"))

    class Meta:
        verbose_name = _("备份记录")
        verbose_name_plural = _("备份记录")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "job_id"], name="backup_run_unique_job"),
            models.CheckConstraint(condition=models.Q(ended_at__gte=models.F("started_at")), name="backup_run_end_after_start"),
        ]
        indexes = [models.Index(fields=["policy", "started_at"], name="backup_run_policy_idx")]

    def __str__(self) -> str:
        return f"{self.policy} {self.job_id}"


class RestoreTest(models.Model):
    """A restore of a backup to check it is usable (the integrity check of 4.2.5)."""

    class Result(models.TextChoices):
        SUCCESS = "success", _("通过")
        FAILED = "failed", _("未通过")

    policy = models.ForeignKey(BackupPolicy, verbose_name=_("备份策略"), on_delete=models.PROTECT, related_name="restore_tests")
    run = models.ForeignKey(
        BackupRun, verbose_name=_("所恢复的备份"), null=True, blank=True, on_delete=models.PROTECT, related_name="restore_tests"
    )
    tested_at = models.DateTimeField(_("测试时间"))
    result = models.CharField(_("结果"), max_length=20, choices=Result.choices)
    duration_minutes = models.PositiveIntegerField(_("恢复耗时（分钟）"), null=True, blank=True)
    notes = models.TextField(_("说明"), blank=True)
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("执行人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("恢复测试")
        verbose_name_plural = _("恢复测试")
        ordering = ["-tested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.policy} {self.tested_at:%Y-%m-%d}"


class BackupAlert(AppendOnlyModel):
    """What the backup watch did about a policy's failure: opened its fault ticket, or noted a further
    failure, a missed day or a later success on the one still open. `key` makes each cause handled once
    (a run, or a policy's day), whoever reports it and however often the check runs."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("开单")
        FAILURE_NOTED = "failure_noted", _("追加失败")
        SUCCESS_NOTED = "success_noted", _("备注恢复成功")

    policy = models.ForeignKey(BackupPolicy, verbose_name=_("备份策略"), on_delete=models.PROTECT, related_name="alerts")
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=120, unique=True)
    run = models.ForeignKey(BackupRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("备份告警")
        verbose_name_plural = _("备份告警")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["policy", "at"], name="backup_alert_policy_idx")]

    def __str__(self) -> str:
        return f"{self.policy} {self.get_kind_display()}"
