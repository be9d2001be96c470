from django.contrib import admin

from .models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "is_working_day", "name", "source")
    list_filter = ("kind", "is_working_day", "source")
    date_hierarchy = "date"
