"""Monitoring intake: integrations (where alerts come from), the raw batches as received, the alerts
deduplicated by fingerprint, and the groups that each hold one ticket while open.

Business rules live in monitoring/services; these classes only describe the data.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core.models import AppendOnlyModel
from tickets.models.reference import BusinessSystem, Host

DEFAULT_SEVERITY_MAPPING = {"critical": "P2", "warning": "P3", "info": "P4"}
DEFAULT_GROUPING_LABELS = ["business_system", "alertname"]


def default_severity_mapping() -> dict:
    return dict(DEFAULT_SEVERITY_MAPPING)


def default_grouping_labels() -> list:
    return list(DEFAULT_GROUPING_LABELS)


class Integration(models.Model):
    """One source of alerts with its own secret URL /api/v1/integrations/<token>/<kind>/. Only the
    token's SHA-256 is stored: the URL is shown when the integration is created or its token rotated."""

    class Kind(models.TextChoices):
        ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
        ZABBIX = "zabbix", _("Zabbix")
        GENERIC = "generic", _("通用（PagerDuty v2 格式）")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    organization = models.ForeignKey(Organization, verbose_name=_("采购人"), on_delete=models.PROTECT, related_name="+")
    default_business_system = models.ForeignKey(
        BusinessSystem, verbose_name=_("默认业务系统"), on_delete=models.PROTECT, related_name="+"
    )
    severity_mapping = models.JSONField(_("级别映射"), default=default_severity_mapping)
    grouping_labels = models.JSONField(_("分组标签"), default=default_grouping_labels)
    flap_window_minutes = models.PositiveIntegerField(_("抖动窗口（分钟）"), default=30)
    raise_in_heavy_protection = models.BooleanField(_("重保期提升一级"), default=False)
    enabled = models.BooleanField(_("启用"), default=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_rotated_at = models.DateTimeField(_("密钥更新时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("监控接入")
        verbose_name_plural = _("监控接入")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class AlertBatch(models.Model):
    """One request to an integration URL, stored as received (the raw body) before anything else
    happens. Processed exactly once: the processor locks the row and marks it processed in the same
    transaction as the alerts it writes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        PROCESSED = "processed", _("已处理")
        FAILED = "failed", _("处理失败")

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="batches", db_index=False)
    received_at = models.DateTimeField(_("接收时间"))
    body = models.TextField(_("原始内容"))
    alert_count = models.PositiveIntegerField(_("告警数"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("处理次数"), default=0)
    processed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("告警批次")
        verbose_name_plural = _("告警批次")
        ordering = ["received_at", "pk"]
        indexes = [
            models.Index(fields=["integration", "received_at"], name="alert_batch_integration_idx"),
            # The sweep reads pending batches only.
            models.Index(fields=["received_at", "id"], name="alert_batch_pending_idx", condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.integration_id}:{self.pk} {self.status}"


class AlertGroup(models.Model):
    """Alerts of one integration with the same values of its grouping labels. While its ticket is
    open, new alerts attach to it; `ticket` is the latest ticket the group opened."""

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="groups", db_index=False)
    key = models.CharField(max_length=64)
    labels = models.JSONField(_("分组标签值"), default=dict)
    business_system = models.ForeignKey(BusinessSystem, verbose_name=_("业务系统"), on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("开单时间"), null=True, blank=True)
    recovered_at = models.DateTimeField(_("监控恢复时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("告警组")
        verbose_name_plural = _("告警组")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["integration", "key"], name="alert_group_unique_key")]
        indexes = [models.Index(fields=["opened_at"], name="alert_group_opened_idx", condition=models.Q(opened_at__isnull=False))]

    def __str__(self) -> str:
        return f"{self.integration_id}:{self.labels}"


class Alert(models.Model):
    """One firing of a fingerprint: re-sent notifications of the same firing count as receipts."""

    class Status(models.TextChoices):
        FIRING = "firing", _("告警中")
        RESOLVED = "resolved", _("已恢复")

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="alerts", db_index=False)
    group = models.ForeignKey(AlertGroup, on_delete=models.PROTECT, related_name="alerts", db_index=False)
    fingerprint = models.CharField(_("指纹"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    alertname = models.CharField(_("告警名称"), max_length=200, blank=True)
    summary = models.CharField(_("摘要"), max_length=500, blank=True)
    severity = models.CharField(_("级别"), max_length=2)
    security = models.BooleanField(_("安全事件"), default=False)
    labels = models.JSONField(_("标签"), default=dict)
    annotations = models.JSONField(_("注释"), default=dict)
    business_system = models.ForeignKey(BusinessSystem, verbose_name=_("业务系统"), on_delete=models.PROTECT, related_name="+")
    host = models.ForeignKey(Host, verbose_name=_("主机"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    first_received_at = models.DateTimeField(_("首次接收"))
    last_received_at = models.DateTimeField(_("最近接收"))
    receipts = models.PositiveIntegerField(_("接收次数"), default=1)
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The approved change whose maintenance window covered the alert (the change code is moving apps:
    # kept as its id and number rather than a foreign key across that move).
    silenced_by_change = models.PositiveIntegerField(_("静默（变更）"), null=True, blank=True)
    silenced_by_change_number = models.CharField(_("静默变更编号"), max_length=40, blank=True)
    batch = models.ForeignKey(AlertBatch, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("告警")
        verbose_name_plural = _("告警")
        ordering = ["-first_received_at", "-pk"]
        indexes = [
            models.Index(fields=["integration", "fingerprint", "-starts_at"], name="alert_fingerprint_idx"),
            models.Index(fields=["group", "status"], name="alert_group_status_idx"),
            models.Index(fields=["ticket", "first_received_at"], name="alert_ticket_idx", condition=models.Q(ticket__isnull=False)),
            models.Index(fields=["silenced_by_change"], name="alert_silenced_idx", condition=models.Q(silenced_by_change__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.fingerprint} {self.status}"


# ---------------------------------------------------------------- utilisation (issue 16 item 8)


class Metric(models.TextChoices):
    CPU = "cpu", _("CPU")
    MEMORY = "memory", _("内存")
    STORAGE = "storage", _("存储")


class Statistic(models.TextChoices):
    AVERAGE = "average", _("日均值")
    P95 = "p95", _("日 P95")


class Direction(models.TextChoices):
    HIGH = "high", _("过高")
    LOW = "low", _("过低")


class UtilisationSample(models.Model):
    """One host's utilisation of one metric on one day (percent, 0–100): the daily average and the 95th
    percentile. One row per host × metric × day: a re-pulled or re-imported day replaces it."""

    class Source(models.TextChoices):
        PROMETHEUS = "prometheus", _("Prometheus 采集")
        IMPORT = "import", _("文件导入")

    host = models.ForeignKey(Host, verbose_name=_("主机"), on_delete=models.PROTECT, related_name="+", db_index=False)
    metric = models.CharField(_("指标"), max_length=10, choices=Metric.choices)
    day = models.DateField(_("日期"))
    average = models.DecimalField(_("日均值（%）"), max_digits=5, decimal_places=2)
    p95 = models.DecimalField(_("日 P95（%）"), max_digits=5, decimal_places=2)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("资源利用率")
        verbose_name_plural = _("资源利用率")
        ordering = ["day", "host_id", "metric"]
        constraints = [models.UniqueConstraint(fields=["host", "metric", "day"], name="utilisation_one_per_host_metric_day")]
        indexes = [models.Index(fields=["day", "metric"], name="utilisation_day_idx")]

    def __str__(self) -> str:
        return f"{self.host_id} {self.metric} {self.day}"


class UtilisationThreshold(models.Model):
    """When a metric is too high or too low: the statistic over (or under) `percent` for `days`
    consecutive days. One row per metric × direction, seeded with defaults, edited by the project
    manager or a duty leader (the audit trail keeps every edit)."""

    metric = models.CharField(_("指标"), max_length=10, choices=Metric.choices)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    statistic = models.CharField(_("统计值"), max_length=10, choices=Statistic.choices)
    percent = models.DecimalField(_("阈值（%）"), max_digits=5, decimal_places=2)
    days = models.PositiveSmallIntegerField(_("连续天数"))
    enabled = models.BooleanField(_("启用"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("利用率阈值")
        verbose_name_plural = _("利用率阈值")
        ordering = ["metric", "direction"]
        constraints = [models.UniqueConstraint(fields=["metric", "direction"], name="utilisation_threshold_unique")]

    def __str__(self) -> str:
        return f"{self.metric} {self.direction}"

    def breached_by(self, sample: "UtilisationSample") -> bool:
        value = getattr(sample, self.statistic)
        return value > self.percent if self.direction == Direction.HIGH else value < self.percent


class OptimisationFinding(models.Model):
    """A host whose metric stayed over (or under) its threshold for the threshold's days: a proposal to
    adjust its resources (clause 8.1.9). At most one open finding per host × metric × direction; while
    the condition lasts, the finding's `last_day` moves on instead of a new finding each day."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        TICKETED = "ticketed", _("已转资源调整工单")
        DISMISSED = "dismissed", _("已忽略")

    host = models.ForeignKey(Host, verbose_name=_("主机"), on_delete=models.PROTECT, related_name="+")
    business_system = models.ForeignKey(BusinessSystem, verbose_name=_("业务系统"), on_delete=models.PROTECT, related_name="+")
    metric = models.CharField(_("指标"), max_length=10, choices=Metric.choices)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN)
    # The rule as it was when the finding opened (a later edit of the threshold does not rewrite it).
    statistic = models.CharField(_("统计值"), max_length=10, choices=Statistic.choices)
    threshold_percent = models.DecimalField(_("阈值（%）"), max_digits=5, decimal_places=2)
    threshold_days = models.PositiveSmallIntegerField(_("连续天数"))
    first_day = models.DateField(_("开始日期"))
    last_day = models.DateField(_("最近日期"))
    peak = models.DecimalField(_("极值（%）"), max_digits=5, decimal_places=2)
    opened_at = models.DateTimeField(_("发现时间"))
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("资源调整工单"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    dismiss_reason = models.TextField(_("忽略理由"), blank=True)

    class Meta:
        verbose_name = _("优化建议")
        verbose_name_plural = _("优化建议")
        ordering = ["-last_day", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["host", "metric", "direction"], condition=models.Q(state="open"),
                                    name="finding_one_open_per_host_metric_direction"),
        ]
        indexes = [models.Index(fields=["host", "metric", "direction", "-last_day"], name="finding_key_idx")]

    def __str__(self) -> str:
        return f"{self.host_id} {self.metric} {self.direction} {self.state}"


class FindingEvent(AppendOnlyModel):
    """The finding's history: opened, turned into a ticket, dismissed (with who, when, why)."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("发现")
        TICKETED = "ticketed", _("转资源调整工单")
        DISMISSED = "dismissed", _("忽略")

    finding = models.ForeignKey(OptimisationFinding, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("优化建议记录")
        verbose_name_plural = _("优化建议记录")
        ordering = ["at", "pk"]
