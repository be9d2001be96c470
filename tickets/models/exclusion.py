"""The exclusion ledger: every act that takes a ticket, a clock or downtime minutes out of an
acceptance figure (issue 15 item 1). An exclusion is the purchaser's consent as data
(core.models.ConsentRequest): it counts only while CONFIRMED, and every figure reads it through
tickets.selectors.exclusions."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import ConsentRequest, ConsentState

from .reference import BusinessSystem
from .ticket import ClockName, DowntimeRecord, Severity, Ticket


class ExclusionKind(models.TextChoices):
    CANCELLATION = "cancellation", _("取消工单")
    DUPLICATE = "duplicate", _("重复工单合并")
    PLANNED = "planned", _("计划维护")
    FORCE_MAJEURE = "force_majeure", _("不可抗力")
    PAUSE = "pause", _("合同时钟暂停")
    DOWNGRADE = "downgrade", _("降低级别")
    # Not an exclusion but the same consent (issue 15 item 9): the provider's proposal that a fault or
    # security incident is a major liability incident counts only once the purchaser confirms it.
    MAJOR_INCIDENT = "major_incident", _("重大责任安全事件认定")


# Kinds that take a whole ticket out of every figure (it counts as if never reported).
TICKET_EXCLUSION_KINDS = (ExclusionKind.CANCELLATION, ExclusionKind.DUPLICATE)
# Kinds that take downtime minutes out of availability.
DOWNTIME_EXCLUSION_KINDS = (ExclusionKind.PLANNED, ExclusionKind.FORCE_MAJEURE)
# Kinds whose effect follows their state both ways: carried out on a confirmation, undone on a dispute
# (the ticket's severity, its major-incident mark), one waiting request per ticket at a time.
TICKET_STATE_KINDS = (ExclusionKind.DOWNGRADE, ExclusionKind.MAJOR_INCIDENT)


class Exclusion(ConsentRequest):
    """One exclusion: its kind, what it affects (a ticket, one of its clocks, a system's minutes), why,
    who asked and when; its state says whether the purchaser consented. `effective_at` places it in a
    month (the ticket's report time, or the start of the minutes claimed)."""

    kind = models.CharField(_("类型"), max_length=20, choices=ExclusionKind.choices)
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("工单"), null=True, blank=True, on_delete=models.PROTECT, related_name="exclusions"
    )
    clock = models.CharField(_("时钟"), max_length=20, choices=ClockName.choices, blank=True)
    business_system = models.ForeignKey(
        BusinessSystem, verbose_name=_("业务系统"), on_delete=models.PROTECT, related_name="exclusions"
    )
    downtime = models.ForeignKey(
        DowntimeRecord, verbose_name=_("停机记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="exclusions"
    )
    duplicate_of = models.ForeignKey(
        Ticket, verbose_name=_("合并到"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    severity_from = models.CharField(_("原级别"), max_length=2, choices=Severity.choices, blank=True)
    severity_to = models.CharField(_("新级别"), max_length=2, choices=Severity.choices, blank=True)
    start = models.DateTimeField(_("开始"), null=True, blank=True)
    end = models.DateTimeField(_("结束"), null=True, blank=True)
    effective_at = models.DateTimeField(_("归属时间"), db_index=True)
    # When its effect on the ticket was carried out (a cancellation: the ticket cancelled), once confirmed.
    applied_at = models.DateTimeField(_("生效时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("指标排除")
        verbose_name_plural = _("指标排除")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "state", "requested_at"], name="exclusion_org_state_idx"),
            models.Index(fields=["ticket", "kind"], name="exclusion_ticket_kind_idx"),
        ]
        constraints = [
            # One open request to take a ticket out at a time: a second one is a conflict, not a queue.
            models.UniqueConstraint(
                fields=["ticket"], name="exclusion_one_open_ticket_request",
                condition=models.Q(state=ConsentState.REQUESTED, kind__in=[k.value for k in TICKET_EXCLUSION_KINDS]),
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(start__isnull=True) | models.Q(end__gte=models.F("start")),
                name="exclusion_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        what = self.ticket.number if self.ticket_id else self.business_system.name
        return f"{self.get_kind_display()} {what}"

    def get_absolute_url(self) -> str:
        return reverse("exclusion-detail", args=[self.pk])

    @property
    def minutes(self) -> float | None:
        """Minutes claimed (system-level claims), None when the exclusion is about a whole ticket."""
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start).total_seconds() / 60
