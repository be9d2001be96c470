"""Change requests (变更申请, clause 8.1.3), their approval chains and their append-only timeline.

The models moved here from `tickets` (issue 14); their tables kept the names `tickets_*` so that the
move changed no row, no constraint and no trigger (see migrations/0001_initial.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from accounts.roles import Role
from core.models import AppendOnlyError as AppendOnlyError  # re-exported: callers catch it here
from core.models import AppendOnlyModel
from tickets.models.reference import BusinessSystem, Host


class ChangeCategory(models.TextChoices):
    STANDARD = "standard", _("标准变更")
    NORMAL = "normal", _("一般变更")
    EMERGENCY = "emergency", _("紧急变更")


class ChangeRisk(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class ApprovalChain(models.Model):
    """Which approvals a change needs, as data: chosen by category and (optionally) risk.

    A chain with a risk applies to that risk only and wins over the chain of the same category
    without one. A chain without steps means the change is pre-approved (standard changes).
    """

    name = models.CharField(_("名称"), max_length=100)
    category = models.CharField(_("变更类别"), max_length=20, choices=ChangeCategory.choices)
    risk = models.CharField(_("风险等级"), max_length=20, choices=ChangeRisk.choices, blank=True,
                            help_text=_("留空表示适用于该类别的所有风险等级"))
    start_after_steps = models.PositiveSmallIntegerField(
        _("可先行实施的审批步数"), null=True, blank=True,
        help_text=_("紧急变更：前若干步通过后即可开始实施，其余步骤事后补批"),
    )
    retrospective_hours = models.PositiveSmallIntegerField(_("事后补批时限（小时）"), default=24)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        db_table = "tickets_approvalchain"  # the table kept its name when the model moved from tickets
        verbose_name = _("审批链")
        verbose_name_plural = _("审批链")
        ordering = ["category", "risk"]
        constraints = [models.UniqueConstraint(fields=["category", "risk"], name="approval_chain_unique_category_risk")]

    def __str__(self) -> str:
        return self.name


class ApprovalStep(models.Model):
    class Scope(models.TextChoices):
        PROVIDER = "provider", _("服务商")
        OWNER = "owner", _("业务系统所属采购人")

    chain = models.ForeignKey(ApprovalChain, verbose_name=_("审批链"), on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("顺序"))
    label = models.CharField(_("步骤名称"), max_length=100)
    role = models.CharField(_("审批角色"), max_length=30, choices=Role.choices)
    scope = models.CharField(_("范围"), max_length=20, choices=Scope.choices, default=Scope.PROVIDER)

    class Meta:
        db_table = "tickets_approvalstep"  # the table kept its name when the model moved from tickets
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        ordering = ["chain", "position"]
        constraints = [models.UniqueConstraint(fields=["chain", "position"], name="approval_step_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.label}"


class ChangeTemplate(models.Model):
    """A pre-approved standard change (标准变更模板): routine work that needs no approval."""

    name = models.CharField(_("模板名称"), max_length=200, unique=True)
    description = models.TextField(_("适用范围"), blank=True)
    risk = models.CharField(_("风险等级"), max_length=20, choices=ChangeRisk.choices, default=ChangeRisk.LOW)
    plan = models.TextField(_("实施步骤"))
    rollback_plan = models.TextField(_("回退方案"))
    verification_plan = models.TextField(_("验证方案"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        db_table = "tickets_changetemplate"  # the table kept its name when the model moved from tickets
        verbose_name = _("标准变更模板")
        verbose_name_plural = _("标准变更模板")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChangeNumberCounter(models.Model):
    """Per-day sequence behind BG-YYYYMMDD-NNNN; the row is locked while a number is taken."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "tickets_changenumbercounter"  # the table kept its name when the model moved from tickets
        verbose_name = _("变更编号计数")
        verbose_name_plural = _("变更编号计数")

    def __str__(self) -> str:
        return f"{self.day:%Y%m%d}: {self.last}"


class ChangeRequest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        IN_APPROVAL = "in_approval", _("审批中")
        APPROVED = "approved", _("已批准")
        IN_PROGRESS = "in_progress", _("实施中")
        COMPLETED = "completed", _("已完成")
        REVIEWED = "reviewed", _("已复盘")
        REJECTED = "rejected", _("已驳回")
        CANCELLED = "cancelled", _("已取消")

    class Outcome(models.TextChoices):
        SUCCESSFUL = "successful", _("成功")
        FAILED_ROLLED_BACK = "failed_rolled_back", _("失败并已回退")

    Category = ChangeCategory
    Risk = ChangeRisk

    number = models.CharField(_("变更编号"), max_length=20, unique=True)
    title = models.CharField(_("变更标题"), max_length=200, blank=True)
    category = models.CharField(_("变更类别"), max_length=20, choices=ChangeCategory.choices, default=ChangeCategory.NORMAL)
    risk = models.CharField(_("风险等级"), max_length=20, choices=ChangeRisk.choices, default=ChangeRisk.MEDIUM)
    template = models.ForeignKey(
        ChangeTemplate, verbose_name=_("标准变更模板"), null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    business_systems = models.ManyToManyField(BusinessSystem, verbose_name=_("影响的业务系统"), blank=True, related_name="changes")
    hosts = models.ManyToManyField(Host, verbose_name=_("影响的云主机"), blank=True, related_name="changes")
    reason = models.TextField(_("变更原因"), blank=True)
    plan = models.TextField(_("实施步骤"), blank=True)
    rollback_plan = models.TextField(_("回退方案"), blank=True)
    verification_plan = models.TextField(_("验证方案"), blank=True)
    expected_interruption_minutes = models.PositiveIntegerField(
        _("预计业务中断（分钟）"), null=True, blank=True, help_text=_("不中断业务请留空或填 0")
    )
    window_start = models.DateTimeField(_("计划开始时间"), null=True, blank=True)
    window_end = models.DateTimeField(_("计划结束时间"), null=True, blank=True)
    internet_remote_access = models.BooleanField(_("是否经互联网远程操作"), default=False)
    linked_tickets = models.ManyToManyField(
        "tickets.Ticket", verbose_name=_("关联工单"), blank=True, related_name="changes"
    )
    implementers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("实施人"), blank=True, related_name="implemented_changes"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="requested_changes"
    )
    chain = models.ForeignKey(
        ApprovalChain, verbose_name=_("审批链"), null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    outcome = models.CharField(_("实施结果"), max_length=30, choices=Outcome.choices, blank=True)
    completion_notes = models.TextField(_("实施记录"), blank=True)
    review_notes = models.TextField(_("复盘结论"), blank=True)
    lessons = models.TextField(_("经验教训"), blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    started_before_approval = models.BooleanField(_("先实施后补批"), default=False)

    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始实施时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("复盘时间"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("驳回时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        db_table = "tickets_changerequest"  # the table kept its name when the model moved from tickets
        verbose_name = _("变更申请")
        verbose_name_plural = _("变更申请")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["window_start", "window_end"], name="change_window_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_start__isnull=True)
                | models.Q(window_end__isnull=True)
                | models.Q(window_end__gt=models.F("window_start")),
                name="change_window_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ChangeApproval(models.Model):
    """One step of a change's approval, copied from its chain at submission (later edits of the chain
    do not rewrite a running approval). `role`/`organization` say who may decide it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("已驳回")
        VOID = "void", _("已终止")

    change = models.ForeignKey(ChangeRequest, verbose_name=_("变更"), on_delete=models.CASCADE, related_name="approvals")
    position = models.PositiveSmallIntegerField(_("顺序"))
    label = models.CharField(_("步骤名称"), max_length=100)
    role = models.CharField(_("审批角色"), max_length=30, choices=Role.choices)
    organization = models.ForeignKey(
        Organization, verbose_name=_("审批单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("采购人审批步骤：业务系统所属采购人"),
    )
    delegated_from_role = models.CharField(
        _("原审批角色"), max_length=30, choices=Role.choices, blank=True,
        help_text=_("申请人是该角色唯一持有人时由项目经理审批"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    required_before_start = models.BooleanField(_("实施前必须通过"), default=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    retrospective = models.BooleanField(_("事后补批"), default=False)
    due_at = models.DateTimeField(_("补批截止时间"), null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    comment = models.TextField(_("审批意见"), blank=True)

    class Meta:
        db_table = "tickets_changeapproval"  # the table kept its name when the model moved from tickets
        verbose_name = _("变更审批步骤")
        verbose_name_plural = _("变更审批步骤")
        ordering = ["change", "position"]
        constraints = [models.UniqueConstraint(fields=["change", "position"], name="change_approval_unique_position")]
        indexes = [
            models.Index(fields=["due_at"], name="change_approval_retro_idx",
                         condition=models.Q(status="pending", retrospective=True)),
        ]

    def __str__(self) -> str:
        return f"{self.change.number} #{self.position} {self.label}"


class ChangeEvent(AppendOnlyModel):
    """The change's timeline: every submission, decision and state change. Never updated or deleted
    (the model, the queryset, the admin and — on PostgreSQL — a trigger refuse it)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("创建草稿")
        UPDATED = "updated", _("修改草稿")
        SUBMITTED = "submitted", _("提交审批")
        APPROVED = "approved", _("审批同意")
        REJECTED = "rejected", _("审批驳回")
        PRE_APPROVED = "pre_approved", _("标准变更免审批")
        STARTED = "started", _("开始实施")
        COMPLETED = "completed", _("实施完成")
        REVIEWED = "reviewed", _("实施后复盘")
        CANCELLED = "cancelled", _("取消")
        CONFLICT_FLAGGED = "conflict_flagged", _("时间窗口冲突提示")
        RETROSPECTIVE_OVERDUE = "retrospective_overdue", _("事后补批逾期")
        DOWNTIME_LINKED = "downtime_linked", _("停机记录计为计划维护")

    change = models.ForeignKey(ChangeRequest, verbose_name=_("变更"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事件"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)


    class Meta:
        db_table = "tickets_changeevent"  # the table kept its name when the model moved from tickets
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.change_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def transition_display(self) -> str:
        labels = dict(ChangeRequest.Status.choices)
        to = str(labels.get(self.to_status, self.to_status))
        return f"{labels.get(self.from_status, self.from_status)} → {to}" if self.from_status else to
