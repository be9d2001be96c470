"""A looser SLA target for one purchaser (issue 15 item 5): a new version of a contract policy that
counts only once an approver of that purchaser has confirmed it, and then only for tickets reported
from `effective_from` on. Clocks keep the target they started with."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import ConsentRequest

from .ticket import SlaPolicy


class SlaPolicyChange(ConsentRequest):
    policy = models.ForeignKey(SlaPolicy, verbose_name=_("SLA 策略"), on_delete=models.PROTECT, related_name="changes")
    target_minutes = models.PositiveIntegerField(_("目标（分钟）"))
    pausable = models.BooleanField(_("待用户反馈时暂停"))
    active = models.BooleanField(_("启用"))
    effective_from = models.DateTimeField(_("自何时起生效"), help_text=_("此时间及之后报告的工单适用"))

    class Meta:
        verbose_name = _("SLA 目标放宽")
        verbose_name_plural = _("SLA 目标放宽")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["policy", "organization", "state", "effective_from"], name="slachange_lookup_idx")]

    def __str__(self) -> str:
        if not self.active:
            what = _("停用")
        else:
            what = _("%(minutes)s 分钟%(pause)s") % {
                "minutes": self.target_minutes, "pause": _("，可暂停") if self.pausable else ""}
        return _("%(policy)s → %(what)s") % {"policy": self.policy.name, "what": what}

    def get_absolute_url(self) -> str:
        return reverse("sla-policies") + f"#change-{self.pk}"
