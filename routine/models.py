"""Routine work the contract audits (4.1, 4.2.5, 4.2.6, 6.2.2, 8.1.8, 8.2.5, 8.2.6): backups, inspections,
security self-checks and drills. Figures are computed from these records, never declared."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel, ConsentRequest
from tickets.models.reference import BusinessSystem

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


# ---------------------------------------------------------------- inspections (6.2.2, 8.1.8)


class InspectionTemplate(models.Model):
    """A checklist (巡检表): machine room, hardware or a system, with its items in order."""

    class Scope(models.TextChoices):
        MACHINE_ROOM = "machine_room", _("机房")
        HARDWARE = "hardware", _("硬件")
        SYSTEM = "system", _("系统")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    scope = models.CharField(_("范围"), max_length=20, choices=Scope.choices)
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("巡检模板")
        verbose_name_plural = _("巡检模板")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InspectionItem(models.Model):
    class Kind(models.TextChoices):
        CHECK = "check", _("正常/异常")
        NUMBER = "number", _("数值（有上下限）")
        TEXT = "text", _("文字")

    template = models.ForeignKey(InspectionTemplate, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("检查项"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    min_value = models.DecimalField(_("下限"), max_digits=12, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("上限"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("巡检项")
        verbose_name_plural = _("巡检项")
        ordering = ["template", "seq", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "seq"], name="inspection_item_unique_seq")]

    def __str__(self) -> str:
        return self.label

    def limits(self) -> str:
        """The normal range as people write it: "18–27 ℃", "≤ 85 %", "≥ 10 GB"; empty without limits."""
        low, high = self.min_value, self.max_value
        if low is None and high is None:
            return ""
        if low is not None and high is not None:
            text = f"{low.normalize():f}–{high.normalize():f}"
        else:
            text = f"≤ {high.normalize():f}" if high is not None else f"≥ {low.normalize():f}"
        return f"{text} {self.unit}".strip()


class InspectionSchedule(models.Model):
    """When a checklist is done: every shift, daily or weekly at a time; in a heavy-protection period at
    `heavy_frequency` instead (denser: e.g. daily becomes every shift)."""

    class Frequency(models.TextChoices):
        PER_SHIFT = "per_shift", _("每班")
        DAILY = "daily", _("每日")
        WEEKLY = "weekly", _("每周")

    template = models.ForeignKey(InspectionTemplate, verbose_name=_("巡检模板"), on_delete=models.PROTECT, related_name="schedules")
    business_system = models.ForeignKey(
        BusinessSystem, verbose_name=_("业务系统"), on_delete=models.PROTECT, related_name="inspection_schedules",
        help_text=_("巡检异常开出的工单归属此系统"),
    )
    frequency = models.CharField(_("频次"), max_length=20, choices=Frequency.choices)
    heavy_frequency = models.CharField(_("重保期频次"), max_length=20, choices=Frequency.choices, blank=True)
    time_of_day = models.TimeField(_("时间"), null=True, blank=True, help_text=_("每日、每周巡检的开始时间"))
    weekday = models.PositiveSmallIntegerField(
        _("星期"), null=True, blank=True, choices=[(i, label) for i, label in enumerate(
            [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")])]
    )
    grace_minutes = models.PositiveIntegerField(_("宽限（分钟）"), default=120)
    start_date = models.DateField(_("生效日期"))
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("巡检计划")
        verbose_name_plural = _("巡检计划")
        ordering = ["template__name", "pk"]

    def __str__(self) -> str:
        return f"{self.template.name} · {self.get_frequency_display()}"


class InspectionRound(models.Model):
    """One scheduled round (planned ahead by the scheduler): done by the engineer on duty, or missed
    when not done within the schedule's grace time."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待巡检")
        DONE = "done", _("已完成")
        MISSED = "missed", _("漏检")

    schedule = models.ForeignKey(InspectionSchedule, verbose_name=_("巡检计划"), on_delete=models.PROTECT, related_name="rounds")
    slot = models.DateTimeField(_("计划时间"))
    due_by = models.DateTimeField(_("最迟完成"))
    heavy = models.BooleanField(_("重保期"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("巡检人"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    anomalies = models.PositiveSmallIntegerField(_("异常项数"), default=0)
    notes = models.TextField(_("说明"), blank=True)
    flagged_at = models.DateTimeField(_("漏检通知时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("巡检记录")
        verbose_name_plural = _("巡检记录")
        ordering = ["-slot", "-pk"]
        constraints = [models.UniqueConstraint(fields=["schedule", "slot"], name="inspection_round_unique_slot")]
        indexes = [
            models.Index(fields=["slot"], name="inspection_round_slot_idx"),
            models.Index(fields=["due_by"], name="inspection_round_pending_idx", condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.schedule.template.name} {self.slot:%Y-%m-%d %H:%M}"


class InspectionResult(models.Model):
    round = models.ForeignKey(InspectionRound, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(InspectionItem, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(_("结果"), max_length=200, blank=True)
    ok = models.BooleanField(_("正常"))
    note = models.CharField(_("备注"), max_length=500, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("巡检项结果")
        verbose_name_plural = _("巡检项结果")
        ordering = ["round", "item__seq", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "item"], name="inspection_result_unique_item")]

    def __str__(self) -> str:
        return f"{self.item.label}: {self.value}"


# ---------------------------------------------------------------- security self-checks (8.2.5, 6.2.8, 6.1.5, 8.2.6)


class SecurityActivity(models.Model):
    """A self-check: document review, vulnerability scan, penetration test, antivirus sweep or a
    data-security risk assessment (GB/T 20984-2022), with its scope, dates, people and report."""

    class Kind(models.TextChoices):
        DOC_REVIEW = "doc_review", _("文档审查")
        VULN_SCAN = "vuln_scan", _("漏洞扫描")
        PENTEST = "pentest", _("渗透测试")
        ANTIVIRUS = "antivirus", _("病毒查杀")
        RISK_ASSESSMENT = "risk_assessment", _("数据安全风险评估")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    organization = models.ForeignKey("accounts.Organization", verbose_name=_("采购人"), on_delete=models.PROTECT, related_name="+")
    systems = models.ManyToManyField(BusinessSystem, verbose_name=_("业务系统"), related_name="+", blank=True)
    scope = models.TextField(_("范围"))
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"))
    people = models.CharField(_("实施人员"), max_length=300)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+")
    report = models.FileField(_("报告"), upload_to="routine/security/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("安全自查")
        verbose_name_plural = _("安全自查")
        ordering = ["-started_on", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(ended_on__gte=models.F("started_on")), name="security_activity_dates")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


class Severity3(models.TextChoices):
    HIGH = "high", _("高危")
    MEDIUM = "medium", _("中危")
    LOW = "low", _("低危")


class Finding(models.Model):
    """A finding of a self-check, tracked to closure: open → fixing → fixed → verified (by somebody else
    than who fixed it). An accepted risk is a RiskAcceptance the purchaser's approver confirmed."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        FIXING = "fixing", _("整改中")
        FIXED = "fixed", _("已整改")
        VERIFIED = "verified", _("已验证")

    activity = models.ForeignKey(SecurityActivity, verbose_name=_("安全自查"), on_delete=models.PROTECT, related_name="findings")
    business_system = models.ForeignKey(BusinessSystem, verbose_name=_("业务系统"), on_delete=models.PROTECT, related_name="+")
    hosts = models.ManyToManyField("tickets.Host", verbose_name=_("主机"), related_name="+", blank=True)
    title = models.CharField(_("问题"), max_length=300)
    severity = models.CharField(_("等级"), max_length=10, choices=Severity3.choices)
    cve = models.CharField(_("CVE 编号"), max_length=30, blank=True)
    description = models.TextField(_("说明"), blank=True)
    found_on = models.DateField(_("发现日期"))
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    source_ref = models.CharField(_("来源编号"), max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"))
    fixed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("整改人"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    fixed_at = models.DateTimeField(_("整改时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("验证人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("安全问题")
        verbose_name_plural = _("安全问题")
        ordering = ["-found_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "source_ref"], condition=~models.Q(source_ref=""), name="finding_unique_source"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="finding_status_due_idx")]

    def __str__(self) -> str:
        return f"[{self.get_severity_display()}] {self.title}"


class FindingEvent(AppendOnlyModel):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("安全问题记录")
        verbose_name_plural = _("安全问题记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.action}"


class RiskAcceptance(ConsentRequest):
    """The provider asks the purchaser to accept a finding's risk instead of fixing it; it counts (the
    finding is neither open nor overdue in the figures) only while the purchaser's approver confirms."""

    finding = models.ForeignKey(Finding, verbose_name=_("安全问题"), on_delete=models.PROTECT, related_name="acceptances")

    class Meta:
        verbose_name = _("风险接受")
        verbose_name_plural = _("风险接受")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["finding"], condition=models.Q(state__in=["requested", "confirmed", "disputed"]),
                                    name="risk_acceptance_one_live"),
        ]

    def __str__(self) -> str:
        return f"接受风险：{self.finding}"

    def get_absolute_url(self) -> str:
        return f"/routine/security/findings/{self.finding_id}/"


class AntivirusSweep(models.Model):
    host = models.ForeignKey("tickets.Host", verbose_name=_("主机"), on_delete=models.PROTECT, related_name="+")
    swept_at = models.DateTimeField(_("查杀时间"))
    engine = models.CharField(_("查杀软件及版本"), max_length=100)
    threats_found = models.PositiveIntegerField(_("发现威胁"), default=0)
    threats_cleaned = models.PositiveIntegerField(_("已清除"), default=0)
    notes = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("病毒查杀记录")
        verbose_name_plural = _("病毒查杀记录")
        ordering = ["-swept_at", "-pk"]
        indexes = [models.Index(fields=["host", "swept_at"], name="av_sweep_host_idx")]

    def __str__(self) -> str:
        return f"{self.host_id} {self.swept_at:%Y-%m-%d}"


class SecurityWarning(models.Model):
    """A security warning published to the purchaser (预警通报, 8.2.6)."""

    organization = models.ForeignKey("accounts.Organization", verbose_name=_("通报对象"), on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(_("通报范围"), max_length=200)
    title = models.CharField(_("标题"), max_length=200)
    severity = models.CharField(_("等级"), max_length=10, choices=Severity3.choices)
    content = models.TextField(_("内容"))
    published_at = models.DateTimeField(_("通报时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("通报人"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("预警通报")
        verbose_name_plural = _("预警通报")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------- drills (4.1)


class Drill(models.Model):
    """A disaster-recovery or emergency drill: plan, scenario, systems, date, RTO/RPO targets and what
    was achieved, participants, problems (each may become a ticket) and the purchaser's sign-off."""

    class Kind(models.TextChoices):
        DISASTER_RECOVERY = "disaster_recovery", _("容灾演练")
        EMERGENCY = "emergency", _("应急演练")

    class Status(models.TextChoices):
        PLANNED = "planned", _("已计划")
        DONE = "done", _("已完成")
        SIGNED = "signed", _("采购人已签认")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    organization = models.ForeignKey("accounts.Organization", verbose_name=_("采购人"), on_delete=models.PROTECT, related_name="+")
    systems = models.ManyToManyField(BusinessSystem, verbose_name=_("业务系统"), related_name="+")
    plan = models.TextField(_("演练方案"))
    scenario = models.TextField(_("演练场景"))
    planned_on = models.DateField(_("演练日期"))
    rto_target_minutes = models.PositiveIntegerField(_("RTO 目标（分钟）"))
    rpo_target_minutes = models.PositiveIntegerField(_("RPO 目标（分钟）"))
    rto_achieved_minutes = models.PositiveIntegerField(_("RTO 实际（分钟）"), null=True, blank=True)
    rpo_achieved_minutes = models.PositiveIntegerField(_("RPO 实际（分钟）"), null=True, blank=True)
    participants = models.TextField(_("参演人员"))
    outcome = models.TextField(_("演练结论"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("采购人签认人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签认时间"), null=True, blank=True)
    sign_note = models.CharField(_("签认意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("演练")
        verbose_name_plural = _("演练")
        ordering = ["-planned_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    @property
    def rto_met(self) -> bool | None:
        return None if self.rto_achieved_minutes is None else self.rto_achieved_minutes <= self.rto_target_minutes

    @property
    def rpo_met(self) -> bool | None:
        return None if self.rpo_achieved_minutes is None else self.rpo_achieved_minutes <= self.rpo_target_minutes


class DrillProblem(models.Model):
    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="problems")
    description = models.TextField(_("问题"))
    business_system = models.ForeignKey(BusinessSystem, verbose_name=_("业务系统"), on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("演练问题")
        verbose_name_plural = _("演练问题")
        ordering = ["drill", "pk"]

    def __str__(self) -> str:
        return self.description[:50]
