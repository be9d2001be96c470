from django.contrib import admin

from .models import (
    CalendarDay,
    DutyMember,
    HeavyProtectionPeriod,
    Roster,
    RosterPosition,
    ShiftTemplate,
    Unavailability,
)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "is_working_day", "name", "source")
    list_filter = ("kind", "is_working_day", "source")
    date_hierarchy = "date"


@admin.register(HeavyProtectionPeriod)
class HeavyProtectionPeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "start", "end", "level")
    list_filter = ("kind", "level")


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "start_time", "duration_minutes", "is_night", "active")


class UnavailabilityInline(admin.TabularInline):
    model = Unavailability
    extra = 0


@admin.register(DutyMember)
class DutyMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "positions", "qualifications", "phone", "active")
    list_select_related = ("user",)
    exclude = ("ical_token",)
    inlines = [UnavailabilityInline]


class RosterPositionInline(admin.TabularInline):
    model = RosterPosition
    extra = 0
    can_delete = False
    readonly_fields = ("template", "position", "count", "qualification")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Roster)
class RosterAdmin(admin.ModelAdmin):
    """Read-mostly: rosters are generated, edited and published through the pages and API, which
    apply the hard rules and keep versions."""

    list_display = ("name", "start_date", "end_date", "status", "version")
    list_filter = ("status",)
    readonly_fields = (
        "period", "start_date", "end_date", "status", "version", "min_rest_hours", "max_consecutive_nights",
        "published_at", "ical_token", "created_by",
    )
    exclude = ("members",)

    def has_add_permission(self, request) -> bool:
        return False
    inlines = [RosterPositionInline]
