from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """The in-app inbox. One row per recipient; `dedupe_key` makes a notice idempotent (an escalation
    run twice writes it once)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=60)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 - NULL: no dedupe
    created_at = models.DateTimeField(_("时间"), db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_unique_dedupe"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class OutboxMessage(models.Model):
    """A message to deliver outside the database (e-mail, group-robot webhook), written in the same
    transaction as the change that caused it. Nothing goes out for a rolled-back change; nothing is
    lost while the broker or the webhook is down: `outbox_deliver_pending` retries with backoff."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        WEBHOOK = "webhook", _("群机器人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败（已放弃）")

    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    recipient = models.CharField(_("收件方"), max_length=300)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("内容"))
    payload = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息（发件箱）")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending_idx",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"


class AuditLogQuerySet(models.QuerySet):
    """Append-only: rows are never changed and only the retention purge removes them
    (`core.audit.services.audit_purge_expired`, which deletes with raw SQL under the purge flag)."""

    def update(self, **kwargs):
        raise AuditLogImmutable(_("审计日志只能追加，不能修改"))

    def delete(self):
        raise AuditLogImmutable(_("审计日志只能追加，不能删除（过期记录由保留期任务清理）"))


class AuditLogImmutable(Exception):
    """Raised on any attempt to change or delete an audit entry through the ORM."""


class AuditLog(models.Model):
    """One row per recorded event (7.1, 6.2.4, 6.2.9): who (real-name account and IP), when, what
    (the object and, for an update, the changed fields before → after).

    Append-only: the model refuses update and delete, the admin is read-only and on PostgreSQL a
    trigger refuses UPDATE/DELETE unless the retention purge has set `opsdesk.audit_purge` for its
    own transaction. `actor` carries no database constraint, so the entry outlives the account and
    deleting a user never touches the log.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        UPDATE = "update", _("修改")
        STATE_CHANGE = "state_change", _("状态变更")
        DELETE = "delete", _("删除")
        RELATION = "relation", _("关联变更")
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("账号锁定")
        EXPORT = "export", _("导出")
        DOWNLOAD = "download", _("下载")
        BACKUP = "backup", _("备份")
        RESTORE = "restore", _("恢复")
        PURGE = "purge", _("过期清理")

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人（记录时）"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=40, blank=True)  # web, api, task:<name>, command:<name>
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)  # "app_label.model"
    object_id = models.CharField(_("对象 ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)  # {"field": [before, after]}
    detail = models.TextField(_("说明"), blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="auditlog_object_idx"),
            models.Index(fields=["actor", "at"], name="auditlog_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogImmutable(_("审计日志只能追加，不能修改"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutable(_("审计日志只能追加，不能删除（过期记录由保留期任务清理）"))


class AppendOnlyError(TypeError):
    """An attempt to change or delete a row of an append-only history (timelines)."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    """Base of the timelines (ticket events, change events): rows are written once and never updated
    or deleted. The model and its queryset refuse it here; the admin and, on PostgreSQL, a trigger
    refuse it too."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class ConsentState(models.TextChoices):
    """The life of a request for the purchaser's consent (see core.consent)."""

    REQUESTED = "requested", _("待采购人确认")
    CONFIRMED = "confirmed", _("采购人已确认")
    REJECTED = "rejected", _("采购人已驳回")
    DISPUTED = "disputed", _("采购人有异议")
    WITHDRAWN = "withdrawn", _("已撤回")


class ConsentRequest(models.Model):
    """Base of every act that needs the owning purchaser's agreement before it counts (an exclusion
    from a KPI, a looser SLA target, an accepted risk). Concrete models add what the act is about;
    only `core.consent` changes `state`, and figures count a row only while it is CONFIRMED.

    `organization` is the purchaser (tenant) whose approvers decide."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("采购人")
    )
    state = models.CharField(
        _("确认状态"), max_length=20, choices=ConsentState.choices, default=ConsentState.REQUESTED, db_index=True
    )
    reason = models.TextField(_("理由"), max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.TextField(_("决定说明"), max_length=2000, blank=True)

    class Meta:
        abstract = True

    @property
    def counts(self) -> bool:
        """Whether the act takes effect in the figures: only once the purchaser has confirmed it."""
        return self.state == ConsentState.CONFIRMED


class ConsentEvent(AppendOnlyModel):
    """One row per state change of any consent request (append-only): who, what, from, to, when."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, choices=ConsentState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=ConsentState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("确认记录")
        verbose_name_plural = _("确认记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="consent_event_object_idx")]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state or '∅'} → {self.to_state}"
