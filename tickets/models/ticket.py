"""Tickets and their SLA clocks: faults, security incidents, resource adjustments, service requests.

Names here are a contract other apps (reports, changes, pages) build on; see tickets_contract.md.
Business rules live in tickets/services; these classes only describe the data.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization
from core.models import AppendOnlyModel

from .reference import BusinessSystem, Host, ServiceItem


class TicketKind(models.TextChoices):
    FAULT = "fault", _("故障")
    SECURITY = "security", _("安全事件")
    RESOURCE = "resource", _("资源调整工单")
    REQUEST = "request", _("服务请求")


class Severity(models.TextChoices):
    P1 = "P1", _("P1 系统宕机")
    P2 = "P2", _("P2 严重")
    P3 = "P3", _("P3 一般")
    P4 = "P4", _("P4 轻微")


class ClockName(models.TextChoices):
    RESPONSE = "response", _("响应")
    RESOLVE = "resolve", _("定位排除")
    RESTORE = "restore", _("恢复")


class CalendarKind(models.TextChoices):
    ALWAYS = "24x7", _("7×24 小时")
    WORKING_HOURS = "working_hours", _("工作时间")


class StopMilestone(models.TextChoices):
    """The milestone that stops a clock."""

    ACKNOWLEDGE = "acknowledge", _("响应")
    LOCATE = "locate", _("定位")
    RESOLVE = "resolve", _("解决/恢复")


def clock_label(name: str, stop_on: str = "", kind: str = "") -> str:
    """The one name of a clock for people (issue 19 item 3), in queue badges, the ticket page, the API's
    `label`, notices, PDFs and the KPI page: 响应; 定位排除 for the clock that stops when a fault or
    security incident is resolved (located and cleared, 8.2.12), 定位 when it stops at locate (P1
    system-down: located within 30 minutes), 完成 for a resource adjustment or service request; 恢复."""
    if name == ClockName.RESOLVE and stop_on == StopMilestone.LOCATE:
        return str(_("定位"))
    if name == ClockName.RESOLVE and kind in (TicketKind.RESOURCE, TicketKind.REQUEST):
        return str(_("完成"))
    return str(ClockName(name).label) if name in ClockName.values else name


class ResourceKind(models.TextChoices):
    VCPU = "vcpu", _("vCPU")
    MEMORY = "memory", _("内存")
    STORAGE = "storage", _("存储")
    BANDWIDTH = "bandwidth", _("带宽")
    PUBLIC_IP = "public_ip", _("公网 IP")
    OTHER = "other", _("其他")


class Direction(models.TextChoices):
    INCREASE = "increase", _("扩容")
    DECREASE = "decrease", _("缩容")


# Prefix of the readable number by kind: GZ 故障, AQ 安全, ZY 资源, FW 服务.
NUMBER_PREFIX = {
    TicketKind.FAULT: "GZ",
    TicketKind.SECURITY: "AQ",
    TicketKind.RESOURCE: "ZY",
    TicketKind.REQUEST: "FW",
}


class SlaPolicy(models.Model):
    """Clause 8.2.12 (and 8.2.3, 1.1, 2.1): One SLA target as data. The most specific active policy matching a
    ticket wins (see tickets.selectors.sla.sla_policies_for). Tickets snapshot the figures at creation, so
    editing a policy never rewrites history."""

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("工单类型"), max_length=20, choices=TicketKind.choices)
    severity = models.CharField(_("级别"), max_length=2, choices=Severity.choices, blank=True, help_text=_("留空表示任意级别"))
    clock = models.CharField(_("时钟"), max_length=20, choices=ClockName.choices)
    resource = models.CharField(_("资源"), max_length=20, choices=ResourceKind.choices, blank=True, help_text=_("留空表示任意资源"))
    direction = models.CharField(_("方向"), max_length=20, choices=Direction.choices, blank=True, help_text=_("留空表示任意方向"))
    heavy_protection_important = models.BooleanField(
        _("仅重保期重要系统"), default=False, help_text=_("仅在重保时期且业务系统为重要系统时适用（合同 8.2.3）")
    )
    target_minutes = models.PositiveIntegerField(_("目标（分钟）"), validators=[MinValueValidator(1)])
    calendar = models.CharField(_("日历"), max_length=20, choices=CalendarKind.choices, default=CalendarKind.ALWAYS)
    pausable = models.BooleanField(_("待用户反馈时暂停"), default=False)
    stop_on = models.CharField(_("停止于"), max_length=20, choices=StopMilestone.choices)
    active = models.BooleanField(_("启用"), default=True)
    clause = models.CharField(_("合同条款"), max_length=40, blank=True)
    description = models.TextField(_("说明"), blank=True)
    # The contract's own figures (8.2.12, 8.2.3): the floor. Set for the seeded contract policies and
    # never edited; null for a policy the project manager added. The PM may tighten below the floor at
    # once; anything looser is a SlaPolicyChange that counts only once the purchaser consents.
    contract_target_minutes = models.PositiveIntegerField(_("合同目标（分钟）"), null=True, blank=True, editable=False)
    contract_pausable = models.BooleanField(_("合同允许暂停"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("SLA 策略")
        verbose_name_plural = _("SLA 策略")
        ordering = ["kind", "clock", "severity", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_contract(self) -> bool:
        return self.contract_target_minutes is not None


class TicketNumberCounter(models.Model):
    """Last number handed out per prefix and day; incremented under a row lock (ticket_number_next)."""

    prefix = models.CharField(max_length=4)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("工单编号计数器")
        verbose_name_plural = _("工单编号计数器")
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="ticket_counter_unique_prefix_day")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.day:%Y%m%d}: {self.last}"


# The statuses of an open ticket: the one definition, used by the partial indexes of the work queues (a
# partial index serves a query only when its condition is the query's), the selectors, the transition
# table and the reports. Ticket.Status below has the same values.
OPEN_STATUSES = ("new", "acknowledged", "in_progress", "located", "pending")


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("ticket status", "新建")
        ACKNOWLEDGED = "acknowledged", _("已响应")
        IN_PROGRESS = "in_progress", _("处理中")
        LOCATED = "located", _("已定位")
        PENDING = "pending", _("待用户反馈")
        RESOLVED = "resolved", _("已解决")
        CLOSED = "closed", _("已关闭")
        CANCELLED = "cancelled", _("已取消")

    class Channel(models.TextChoices):
        WEB = "web", _("网页")
        PHONE = "phone", _("电话")
        EMAIL = "email", _("邮件")
        MONITORING = "monitoring", _("监控告警")

    Kind = TicketKind
    Severity = Severity
    Resource = ResourceKind
    Direction = Direction

    number = models.CharField(_("编号"), max_length=30, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"), blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=TicketKind.choices)
    severity = models.CharField(_("级别"), max_length=2, choices=Severity.choices)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NEW)
    # The status a pending ticket returns to on resume.
    status_before_pending = models.CharField(max_length=20, choices=Status.choices, blank=True)
    # No index of its own on business_system, requester, organization: the composite indexes below lead
    # with each of them (ticket_system_filter_idx, ticket_requester_reported_idx, ticket_org_newest_idx /
    # ticket_org_status_idx) and serve the same lookups; one index fewer to write per ticket.
    business_system = models.ForeignKey(
        BusinessSystem, verbose_name=_("业务系统"), on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    hosts = models.ManyToManyField(Host, verbose_name=_("主机"), blank=True, related_name="tickets")
    service_item = models.ForeignKey(
        ServiceItem, verbose_name=_("服务项"), null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报障人"), on_delete=models.PROTECT, related_name="requested_tickets",
        db_index=False,
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("采购人"), on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    reported_at = models.DateTimeField(_("报告时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="recorded_tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
    )
    acknowledged_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始处理时间"), null=True, blank=True)
    located_at = models.DateTimeField(_("定位时间"), null=True, blank=True)
    pending_since = models.DateTimeField(_("待反馈开始"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    resolution = models.TextField(_("解决说明"), blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True)

    resource = models.CharField(_("资源"), max_length=20, choices=ResourceKind.choices, blank=True)
    direction = models.CharField(_("方向"), max_length=20, choices=Direction.choices, blank=True)
    amount_before = models.DecimalField(_("调整前"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount_after = models.DecimalField(_("调整后"), max_digits=12, decimal_places=2, null=True, blank=True)

    major_incident = models.BooleanField(_("重大安全事件"), default=False)
    major_incident_reason = models.TextField(_("重大事件认定理由"), blank=True)
    # The downtime report's narrative (宕机报告), written by provider staff after a system-down fault.
    outage_impact = models.TextField(_("影响范围"), blank=True)
    root_cause = models.TextField(_("故障原因"), blank=True)
    actions_taken = models.TextField(_("处置措施"), blank=True)
    prevention = models.TextField(_("预防措施"), blank=True)
    major_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    major_marked_at = models.DateTimeField(_("认定时间"), null=True, blank=True)

    # Earliest due_at of the running (not stopped, not paused) clocks; null when none runs.
    next_due_at = models.DateTimeField(_("最近到期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "status"], name="ticket_org_status_idx"),
            models.Index(fields=["status", "assignee"], name="ticket_status_assignee_idx"),
            models.Index(fields=["next_due_at"], name="ticket_next_due_idx", condition=models.Q(next_due_at__isnull=False)),
            models.Index(fields=["requester", "reported_at"], name="ticket_requester_reported_idx"),
            # Performance (bench/README.md explains each). The default list: newest first, pk breaks ties.
            models.Index(fields=["-reported_at", "-id"], name="ticket_newest_idx"),
            # A purchaser's list: their organisation's tickets, newest first.
            models.Index(fields=["organization", "-reported_at", "-id"], name="ticket_org_newest_idx"),
            # Filters by system (+ status + severity), newest first.
            models.Index(fields=["business_system", "status", "severity", "-reported_at"], name="ticket_system_filter_idx"),
            # Work queues read open tickets only (a few thousand of a million): unassigned, breaching and
            # open order by the SLA due time; mine and team by assignee.
            models.Index(
                fields=["next_due_at", "reported_at", "id"], name="ticket_open_due_idx",
                condition=models.Q(status__in=list(OPEN_STATUSES)),
            ),
            models.Index(
                fields=["assignee", "next_due_at", "id"], name="ticket_open_assignee_idx",
                condition=models.Q(status__in=list(OPEN_STATUSES)),
            ),
            # The unassigned queue, in its order: PostgreSQL estimates "open" and "no assignee" as if they
            # were independent (1 % of the real count) and sorted every open ticket instead of reading 25.
            models.Index(
                fields=["next_due_at", "reported_at", "id"], name="ticket_unassigned_due_idx",
                condition=models.Q(status__in=list(OPEN_STATUSES),
                                   assignee__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="resource") | (~models.Q(resource="") & ~models.Q(direction="")),
                name="ticket_resource_fields_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    # The list selectors prefetch clocks and hosts into plain lists (Prefetch(..., to_attr=...)): a
    # prefetch into the related manager builds a filtered queryset per ticket, a third of a queue page.
    def clock_list(self) -> list["SlaClock"]:
        """The ticket's clocks in creation order (the prefetched list when there is one)."""
        cached = self.__dict__.get("prefetched_clocks")
        return cached if cached is not None else sorted(self.clocks.all(), key=lambda c: c.pk)

    def host_list(self) -> list["Host"]:
        """The ticket's hosts by name (from the prefetched list when there is one). Sorted here, not by
        the database, so that every path (a list page, a ticket just created) gives the same order
        whatever the database's collation."""
        cached = self.__dict__.get("prefetched_hosts")
        return sorted(cached if cached is not None else self.hosts.all(), key=lambda h: (h.name, h.pk))


class SlaClock(models.Model):
    """One clock of a ticket, with the policy's figures SNAPSHOT at creation."""

    # Looked up through sla_clock_unique_ticket_name (ticket, name): no second index on ticket alone.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks", db_index=False)
    name = models.CharField(_("时钟"), max_length=20, choices=ClockName.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks")
    target_minutes = models.PositiveIntegerField(_("目标（分钟）"))
    calendar = models.CharField(_("日历"), max_length=20, choices=CalendarKind.choices)
    pausable = models.BooleanField(_("可暂停"), default=False)
    stop_on = models.CharField(_("停止于"), max_length=20, choices=StopMilestone.choices)
    started_at = models.DateTimeField(_("开始"))
    due_at = models.DateTimeField(_("到期"), null=True, blank=True)
    calendar_warning = models.CharField(_("日历提示"), max_length=300, blank=True)
    stopped_at = models.DateTimeField(_("停止"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停于"), null=True, blank=True)
    paused_minutes = models.PositiveIntegerField(_("已暂停（分钟）"), default=0)
    elapsed_minutes = models.PositiveIntegerField(_("耗时（分钟）"), null=True, blank=True)
    # To the second: met means strictly less than the target (tickets.selectors.sla.sla_met).
    elapsed_seconds = models.PositiveIntegerField(_("耗时（秒）"), null=True, blank=True)
    breached = models.BooleanField(_("已超时"), default=False)
    # When the next escalation threshold (50 %, 80 %, breach) not yet announced is reached; null when
    # none is left or the clock does not run. The escalation scan reads this through an index.
    next_escalation_at = models.DateTimeField(_("下次预警"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA 时钟")
        verbose_name_plural = _("SLA 时钟")
        ordering = ["ticket", "pk"]
        constraints = [models.UniqueConstraint(fields=["ticket", "name"], name="sla_clock_unique_ticket_name")]
        indexes = [
            # The escalation scan reads running clocks only, by due time.
            models.Index(
                fields=["due_at"],
                name="sla_clock_running_idx",
                condition=models.Q(stopped_at__isnull=True, paused_at__isnull=True),
            ),
            models.Index(
                fields=["next_escalation_at"],
                name="sla_clock_escalation_idx",
                condition=models.Q(stopped_at__isnull=True, paused_at__isnull=True, next_escalation_at__isnull=False),
            ),
            # The few clocks waiting for a calendar year (sla_clocks_calendar_retry, every minute): without
            # it the retry read all 1.8M clocks of a million tickets twice a minute (0.45 s).
            models.Index(fields=["id"], name="sla_clock_calendar_wait_idx", condition=~models.Q(calendar_warning="")),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.name}"

    @property
    def label(self) -> str:
        """The clock's name for people (clock_label); the ticket's kind only when it is already loaded."""
        kind = self.ticket.kind if SlaClock.ticket.is_cached(self) else ""
        return clock_label(self.name, self.stop_on, kind)


class SlaEscalation(models.Model):
    """An escalation mark: a threshold (50 %, 80 %, breach) of one clock was announced. The unique
    constraint makes announcing it exactly-once whatever happens to the workers."""

    class Threshold(models.IntegerChoices):
        HALF = 50, _("50%")
        EIGHTY = 80, _("80%")
        BREACH = 100, _("超时")

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="escalations")
    threshold = models.PositiveSmallIntegerField(_("阈值"), choices=Threshold.choices)
    at = models.DateTimeField(_("时间"))
    recipients = models.JSONField(_("通知对象"), default=list, blank=True)

    class Meta:
        verbose_name = _("SLA 升级记录")
        verbose_name_plural = _("SLA 升级记录")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "threshold"], name="sla_escalation_unique_clock_threshold")
        ]

    def __str__(self) -> str:
        return f"{self.clock}:{self.threshold}"


class TicketEvent(AppendOnlyModel):
    """The append-only timeline. Never updated or deleted (model, queryset, admin and, on PostgreSQL,
    a trigger refuse it)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("创建")
        UPDATED = "updated", _("修改")
        ACKNOWLEDGED = "acknowledged", _("响应")
        CLAIMED = "claimed", _("认领")
        ASSIGNED = "assigned", _("指派")
        STARTED = "started", _("开始处理")
        PENDED = "pended", _("待用户反馈")
        RESUMED = "resumed", _("恢复处理")
        CLOCK_PAUSED = "clock_paused", _("时钟暂停")
        CLOCK_RESUMED = "clock_resumed", _("时钟恢复")
        CLOCK_STOPPED = "clock_stopped", _("时钟停止")
        LOCATED = "located", _("定位")
        RESOLVED = "resolved", _("解决")
        CLOSED = "closed", _("关闭")
        AUTO_CLOSED = "auto_closed", _("自动关闭")
        REOPENED = "reopened", _("重新打开")
        CANCELLED = "cancelled", _("取消")
        COMMENTED = "commented", _("评论")
        ATTACHMENT_ADDED = "attachment_added", _("上传附件")
        RATED = "rated", _("满意度评价")
        FOLLOW_UP_OPENED = "follow_up_opened", _("差评回访")
        FOLLOW_UP_CLOSED = "follow_up_closed", _("回访完成")
        DOWNTIME_RECORDED = "downtime_recorded", _("记录停机")
        DOWNTIME_CORRECTED = "downtime_corrected", _("更正停机时间")
        DOWNTIME_REPORT_UPDATED = "downtime_report_updated", _("填写宕机报告")
        MAJOR_MARKED = "major_marked", _("认定重大安全事件")
        HOSTS_UPDATED = "hosts_updated", _("更新主机配置")
        SLA_ESCALATED = "sla_escalated", _("SLA 预警/超时")
        ALERTS_ATTACHED = "alerts_attached", _("告警合并")
        MONITOR_RECOVERED = "monitor_recovered", _("监控恢复")
        EXCLUSION_REQUESTED = "exclusion_requested", _("申请指标排除")
        EXCLUSION_DECIDED = "exclusion_decided", _("指标排除决定")
        MERGED = "merged", _("合并为重复工单")
        REGRADED = "regraded", _("调整级别")

    # Looked up through ticket_event_ticket_at_idx (ticket, at): no second index on ticket alone.
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events", db_index=False)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)


    class Meta:
        verbose_name = _("工单时间线")
        verbose_name_plural = _("工单时间线")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_ticket_at_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class TicketComment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("作者"), on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("内容"))
    internal = models.BooleanField(_("仅内部可见"), default=False)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("工单评论")
        verbose_name_plural = _("工单评论")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:30]}"


def _attachment_path(instance: "TicketAttachment", filename: str) -> str:
    # The stored name is random; the sanitised original name is kept in the row only.
    return f"tickets/{instance.ticket_id}/{filename}"


class TicketAttachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))
    internal = models.BooleanField(_("仅内部可见"), default=False)

    class Meta:
        verbose_name = _("工单附件")
        verbose_name_plural = _("工单附件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class DowntimeRecord(models.Model):
    """An outage of a business system. By default reported_at → resolved_at of its P1 ticket; staff
    may correct either end with a reason (kept on the timeline). Reports compute availability here;
    the planned part of it comes from the changes app (tickets.selectors.downtime)."""

    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="downtimes")
    business_system = models.ForeignKey(
        BusinessSystem, verbose_name=_("业务系统"), on_delete=models.PROTECT, related_name="downtimes"
    )
    start = models.DateTimeField(_("停机开始"))
    end = models.DateTimeField(_("停机结束"), null=True, blank=True)
    reason_corrected = models.TextField(_("更正原因"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    # Whether minutes are planned maintenance is never stored: it is computed from approved, completed
    # changes (changes.selectors.planned_spans_by_system, 8.2.8). What is stored is a provider's claim
    # that an outage was planned or force majeure without such a change: it counts as unplanned until
    # the purchaser confirms it through the exclusion ledger (issue 15).
    claimed_planned = models.BooleanField(_("申报计划内（待确认）"), default=False)
    claim_reason = models.TextField(_("申报理由"), blank=True)

    class Meta:
        verbose_name = _("停机记录")
        verbose_name_plural = _("停机记录")
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["business_system", "start"], name="downtime_system_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")), name="downtime_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.business_system} {self.start:%Y-%m-%d %H:%M}"


class SatisfactionRating(models.Model):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    score = models.PositiveSmallIntegerField(_("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("评价"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="satisfaction_score_1_5")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"


class SatisfactionFollowUp(models.Model):
    """A low score (≤ 2) opens a follow-up (回访) for the project manager."""

    class Status(models.TextChoices):
        OPEN = "open", _("待回访")
        DONE = "done", _("已回访")

    rating = models.OneToOneField(SatisfactionRating, on_delete=models.CASCADE, related_name="follow_up")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="follow_ups")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("回访记录"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("差评回访")
        verbose_name_plural = _("差评回访")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_status_display()}"
