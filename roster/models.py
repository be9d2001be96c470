from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from core.models import AppendOnlyModel


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


class CalendarYearEvent(AppendOnlyModel):
    """Append-only history of the working-day calendar: one row each time a whole year is written
    (entered by hand, imported from the State Council's notice or a CSV file, or from the `holidays`
    package), with who, when, how, and which holidays and make-up workdays were added or removed.
    Refused like RosterEvent's: model, queryset and, on PostgreSQL, a trigger."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("手工录入")
        NOTICE = "notice", _("导入国务院通知")
        CSV = "csv", _("导入 CSV")
        FILE = "file", _("命令行导入文件")
        PACKAGE = "holidays", _("内置节假日数据")

    year = models.PositiveSmallIntegerField(_("年份"), db_index=True)
    kind = models.CharField(_("方式"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    holidays = models.PositiveSmallIntegerField(_("节假日天数"))
    makeup_workdays = models.PositiveSmallIntegerField(_("调休上班天数"))
    # {"added": [[date, kind, name], ...], "removed": [...], "renamed": [[date, old name, new name], ...]}
    diff = models.JSONField(_("变更"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("工作日历变更记录")
        verbose_name_plural = _("工作日历变更记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.year} {self.get_kind_display()} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


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


class Position(models.TextChoices):
    """What a person does on a shift. The API speaks these codes."""

    LEADER = "leader", _("带班领导")
    ENGINEER = "engineer", _("值班工程师")
    SECURITY = "security", _("安全值守")
    ONSITE = "onsite", _("机房现场值守")


# One character per position for dense grids, distinct from the shift abbreviations (白/夜/全, D/N/24)
# in every language: English reads L / E / S / O beside D / N / 24.
POSITION_SHORT = {
    Position.LEADER: pgettext_lazy("position abbreviation", "带"),
    Position.ENGINEER: pgettext_lazy("position abbreviation", "值"),
    Position.SECURITY: pgettext_lazy("position abbreviation", "安"),
    Position.ONSITE: pgettext_lazy("position abbreviation", "机"),
}


def position_legend() -> list[tuple[str, str, str]]:
    """(code, abbreviation, name) of every position, for a grid's legend."""
    return [(code, str(POSITION_SHORT[code]), str(label)) for code, label in Position.choices]


# Leader first, then the positions whose people are scarcest, so generation fills them while the
# most people are still free.
POSITION_ORDER = {Position.LEADER: 0, Position.SECURITY: 1, Position.ONSITE: 2, Position.ENGINEER: 3}


class Qualification(models.TextChoices):
    """Certificates clause 9.3 asks of the service team."""

    CISP = "CISP", _("CISP 注册信息安全专业人员")
    NETWORK_PLANNER = "network_planner", _("网络规划设计师（高级）")
    PROJECT_MANAGER = "project_manager", _("信息系统项目管理师")
    DBA = "dba", _("数据库系统工程师")
    DATACENTER_ACCESS = "datacenter_access", _("机房出入授权")


class ShiftTemplate(models.Model):
    """A shift pattern: start time (Asia/Shanghai) and length. Night shifts count for fairness and for
    the limit on nights in a row."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    start_time = models.TimeField(_("开始时间"))
    duration_minutes = models.PositiveIntegerField(_("时长（分钟）"))
    is_night = models.BooleanField(_("夜班"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("班次模板")
        verbose_name_plural = _("班次模板")
        ordering = ["start_time", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0, duration_minutes__lte=24 * 60), name="shift_template_duration"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def short_label(self) -> str:
        """One character for dense grids and the printed roster: 白 / 夜 / 全."""
        return {"day": pgettext("shift abbreviation", "白"), "night": pgettext("shift abbreviation", "夜"),
                "full": pgettext("shift abbreviation", "全")}.get(self.code, self.name[:1])


def _new_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class DutyMember(models.Model):
    """A person who can be put on duty: which positions they may take, their certificates and the
    phone the hotline calls. One row per user, shared by every roster."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_member")
    positions = models.JSONField(_("可担任岗位"), default=list, help_text=_("leader / engineer / security / onsite"))
    qualifications = models.JSONField(_("资质证书"), default=list, blank=True)
    phone = models.CharField(_("值班电话"), max_length=20, blank=True)
    active = models.BooleanField(_("在岗"), default=True)
    ical_token = models.CharField(max_length=64, null=True, blank=True, unique=True)  # NULL: feed revoked

    class Meta:
        verbose_name = _("值班人员")
        verbose_name_plural = _("值班人员")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.user.display_name


class Unavailability(models.Model):
    """Leave, business trip or training: the person cannot be on duty in [start, end)."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("请假")
        TRIP = "trip", _("出差")
        TRAINING = "training", _("培训")
        OTHER = "other", _("其他")

    member = models.ForeignKey(DutyMember, on_delete=models.CASCADE, related_name="unavailabilities")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.LEAVE)
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("不可值班时段")
        verbose_name_plural = _("不可值班时段")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="unavailability_end_after_start")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"



class Roster(models.Model):
    """A duty roster for a heavy-protection period or for ordinary weeks, [start_date, end_date]."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    name = models.CharField(_("名称"), max_length=100)
    period = models.ForeignKey(
        HeavyProtectionPeriod, verbose_name=_("重保时期"), null=True, blank=True, on_delete=models.PROTECT, related_name="rosters"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("版本"), default=0)
    min_rest_hours = models.PositiveSmallIntegerField(_("两班最短间隔（小时）"), default=11)
    max_consecutive_nights = models.PositiveSmallIntegerField(_("最多连续夜班"), default=2)
    members = models.ManyToManyField(DutyMember, verbose_name=_("值班人员"), related_name="rosters", blank=True)
    ical_token = models.CharField(max_length=64, null=True, blank=True, unique=True)  # NULL: feed revoked
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("值班表")
        verbose_name_plural = _("值班表")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="roster_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.start_date:%Y-%m-%d} 至 {self.end_date:%Y-%m-%d}）"


class RosterPosition(models.Model):
    """How many people of a position each shift of a template needs, and the certificate required."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="positions")
    template = models.ForeignKey(ShiftTemplate, verbose_name=_("班次"), on_delete=models.PROTECT, related_name="+")
    position = models.CharField(_("岗位"), max_length=20, choices=Position.choices)
    count = models.PositiveSmallIntegerField(_("人数"), default=1)
    qualification = models.CharField(_("资质要求"), max_length=40, choices=Qualification.choices, blank=True)

    class Meta:
        verbose_name = _("岗位配置")
        verbose_name_plural = _("岗位配置")
        ordering = ["template__start_time", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "template", "position"], name="roster_position_unique"),
            models.CheckConstraint(condition=models.Q(count__gte=1, count__lte=20), name="roster_position_count"),
        ]

    def __str__(self) -> str:
        return f"{self.template} {self.get_position_display()} ×{self.count}"



class Shift(models.Model):
    """One occurrence of a template on a date: [start, end) as aware datetimes."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="shifts")
    template = models.ForeignKey(ShiftTemplate, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    is_night = models.BooleanField(_("夜班"), default=False)
    holiday_weight = models.PositiveSmallIntegerField(_("节假日权重"), default=0)

    class Meta:
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        ordering = ["start", "pk"]
        constraints = [models.UniqueConstraint(fields=["roster", "template", "date"], name="shift_unique_per_day")]
        indexes = [models.Index(fields=["start", "end"], name="shift_range_idx")]

    def __str__(self) -> str:
        return f"{self.date:%m-%d} {self.template.name}"

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


class Assignment(models.Model):
    """One seat of a position on a shift. `member` is empty while the seat is unfilled; then
    `unfilled_reason` says why generation could not fill it."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    position = models.CharField(_("岗位"), max_length=20, choices=Position.choices)
    seat = models.PositiveSmallIntegerField(_("席位"), default=1)
    qualification = models.CharField(_("资质要求"), max_length=40, blank=True)
    member = models.ForeignKey(DutyMember, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    unfilled_reason = models.CharField(_("未排原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("排班")
        verbose_name_plural = _("排班")
        ordering = ["shift__start", "shift_id", "position", "seat"]
        constraints = [models.UniqueConstraint(fields=["shift", "position", "seat"], name="assignment_seat_unique")]
        indexes = [models.Index(fields=["member", "shift"], name="assignment_member_idx")]

    def __str__(self) -> str:
        return f"{self.shift_id} {self.get_position_display()} #{self.seat}"

    @property
    def position_short(self) -> str:
        return str(POSITION_SHORT.get(self.position, self.position[:1]))



class RosterVersion(models.Model):
    """A frozen published version: every seat at publication, and the difference from the version
    before. Never updated."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    snapshot = models.JSONField(default=list)
    diff = models.JSONField(default=list)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("值班表版本")
        verbose_name_plural = _("值班表版本")
        ordering = ["roster", "number"]
        constraints = [models.UniqueConstraint(fields=["roster", "number"], name="roster_version_unique")]

    def __str__(self) -> str:
        return f"{self.roster_id} v{self.number}"



class RosterEvent(AppendOnlyModel):
    """Append-only history of a roster: generated, edited, published, swapped. Never updated or
    deleted (model, queryset, admin and, on PostgreSQL, a trigger refuse it), like the ticket timeline."""

    class Kind(models.TextChoices):
        CREATED = "created", _("创建")
        GENERATED = "generated", _("自动排班")
        EDITED = "edited", _("手工调整")
        PUBLISHED = "published", _("发布")
        SWAPPED = "swapped", _("换班")
        FEED_TOKEN = "feed_token", _("订阅链接变更")

    roster = models.ForeignKey(Roster, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.roster_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"



class SwapRequest(models.Model):
    """A member gives away a seat (substitute) or trades it for the counterpart's seat (swap)."""

    class Kind(models.TextChoices):
        SWAP = "swap", _("换班")
        SUBSTITUTE = "substitute", _("替班")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待对方确认")
        ACCEPTED = "accepted", _("待领导审批")
        APPROVED = "approved", _("已批准")
        DECLINED = "declined", _("对方拒绝")
        REJECTED = "rejected", _("审批驳回")
        CANCELLED = "cancelled", _("已撤回")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requester = models.ForeignKey(DutyMember, on_delete=models.PROTECT, related_name="swaps_requested")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    counterpart = models.ForeignKey(DutyMember, on_delete=models.PROTECT, related_name="swaps_offered")
    counterpart_assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("申请时间"))
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("换班申请")
        verbose_name_plural = _("换班申请")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.get_status_display()}"



class SwapEvent(AppendOnlyModel):
    """Append-only history of a swap request (refused like RosterEvent's)."""

    swap = models.ForeignKey(SwapRequest, on_delete=models.PROTECT, related_name="events")
    old_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.swap_id}: {self.old_status} → {self.new_status}"



class DutyLogEntry(models.Model):
    """Something the people on duty did or saw during a shift."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("巡检")
        EVENT = "event", _("事件")
        PHONE = "phone", _("来电")
        NOTE = "note", _("备注")

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="log_entries")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    text = models.TextField(_("内容"))
    ticket_ref = models.CharField(_("关联工单号"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("值班日志")
        verbose_name_plural = _("值班日志")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"



class DutyReport(models.Model):
    """End-of-shift report: what happened, or a zero-report (零报告，无情况报平安). In a heavy-protection
    period each day also gets a daily report (`day` set, `shift` empty)."""

    class Kind(models.TextChoices):
        EVENTS = "events", _("情况报告")
        ZERO = "zero", _("零报告")

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="reports")
    shift = models.OneToOneField(Shift, null=True, blank=True, on_delete=models.CASCADE, related_name="report")
    day = models.DateField(_("日期"), null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    summary = models.TextField(_("内容"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("值班报告")
        verbose_name_plural = _("值班报告")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "day"], condition=models.Q(day__isnull=False), name="duty_report_daily_unique"),
            models.CheckConstraint(
                condition=models.Q(shift__isnull=False, day__isnull=True) | models.Q(shift__isnull=True, day__isnull=False),
                name="duty_report_shift_or_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.shift_id or self.day}"



class Handover(models.Model):
    """交接班: the outgoing shift hands open items to the incoming one, whose person signs it off.

    `open_items` are filled by the page from the tickets app (ticket number, title, remaining SLA
    minutes, note); the roster itself does not know tickets. `manual_items` are typed by the
    outgoing person.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待接班确认")
        SIGNED = "signed", _("已签收")

    shift = models.OneToOneField(Shift, on_delete=models.CASCADE, related_name="handover")
    next_shift = models.ForeignKey(Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    open_items = models.JSONField(default=list, blank=True)
    manual_items = models.JSONField(default=list, blank=True)
    notes = models.TextField(_("交接说明"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("提交时间"))
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    sign_note = models.CharField(_("签收意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("交接班")
        verbose_name_plural = _("交接班")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"交接 {self.shift_id} {self.get_status_display()}"
