from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One day of the working-day calendar (China: public holidays and make-up workdays 调休).

    A year is either wholly present (365/366 rows) or absent; SLA clocks that would run into an
    absent year warn instead of guessing. Seeded from the `holidays` package for the years it has
    official data; a newly announced year is entered with `calendar_year_set`.
    """

    class Kind(models.TextChoices):
        WORKDAY = "workday", _("工作日")
        WEEKEND = "weekend", _("周末")
        HOLIDAY = "holiday", _("法定节假日")
        MAKEUP_WORKDAY = "makeup_workday", _("调休上班日")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    is_working_day = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=100, blank=True)
    source = models.CharField(_("来源"), max_length=40, default="holidays")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class HeavyProtectionPeriod(models.Model):
    """A heavy-protection (重保) period: Spring Festival, the Two Sessions, National Day, a major meeting
    or event. Dates are inclusive, in Asia/Shanghai. Periods drive the change freeze, tighter SLA
    targets for important systems (8.2.3) and the reinforced rosters."""

    class Kind(models.TextChoices):
        SPRING_FESTIVAL = "spring_festival", _("春节")
        TWO_SESSIONS = "two_sessions", _("全国两会")
        NATIONAL_DAY = "national_day", _("国庆")
        MEETING = "meeting", _("重要会议")
        EVENT = "event", _("重大活动")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    level = models.PositiveSmallIntegerField(
        _("保障级别"), default=2, help_text=_("1 最高，3 最低"), choices=[(1, _("一级")), (2, _("二级")), (3, _("三级"))]
    )
    notes = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("重保时期")
        verbose_name_plural = _("重保时期")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="period_end_after_start")]
        indexes = [models.Index(fields=["start", "end"], name="period_range_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}）"
