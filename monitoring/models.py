"""Monitoring intake: integrations (where alerts come from), the raw batches as received, the alerts
deduplicated by fingerprint, and the groups that each hold one ticket while open.

Business rules live in monitoring/services; these classes only describe the data.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
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
