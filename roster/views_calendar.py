"""The working-day calendar page (节假日日历, /roster/calendar/): every signed-in user reads a year's
holidays and make-up workdays and the history of edits; duty leaders and project managers import the
State Council's notice or a CSV file, see a preview, and confirm it. Nothing is saved before the
confirmation, and the confirmation parses the same text again (the preview's dates are not trusted)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import DomainError, NotFound, PermissionDenied, page_domain_error
from core.page_guard import signed_in_page

from . import forms
from .models import CalendarYearEvent
from .selectors.calendar import (
    calendar_festivals,
    calendar_plan_diff,
    calendar_year_events,
    calendar_year_special_days,
    calendar_years_summary,
)
from .services.access import is_manager, require_manager
from .services.calendar import calendar_year_enter
from .services.calendar_file import calendar_csv_template
from .services.calendar_notice import calendar_import_parse

HISTORY_ROWS = 20


def calendar_url(year: int | None = None) -> str:
    url = reverse("roster-calendar")
    return f"{url}?year={year}" if year else url


def _year_of(request) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def _csv_of(holidays: dict, makeup: dict) -> str:
    lines = ["日期,类型,名称"]
    for day in sorted({*holidays, *makeup}):
        lines.append(f"{day.isoformat()},休,{holidays[day]}" if day in holidays else f"{day.isoformat()},班,{makeup[day]}")
    return "\n".join(lines) + "\n"


@signed_in_page
def calendar_page(request):
    year = _year_of(request)
    can_edit = is_manager(request.user)
    plan = diff = None
    if request.method == "POST":
        require_manager(request.user)
        form = forms.CalendarImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = calendar_import_parse(text=data["text"], fmt=data["format"], year=data["year"])
                if "confirm" in request.POST:
                    calendar_year_enter(actor=request.user, year=plan.year, holidays=plan.holidays,
                                        makeup_workdays=plan.makeup_workdays, source=plan.source)
                    messages.success(request, _("%(year)s 年节假日安排已保存：%(holidays)s 天放假，%(makeup)s 天调休上班") % {
                        "year": plan.year, "holidays": len(plan.holidays), "makeup": len(plan.makeup_workdays)})
                    return redirect(calendar_url(plan.year))
                diff = calendar_plan_diff(year=plan.year, holidays=plan.holidays, makeup=plan.makeup_workdays)
                # The confirmation carries the text itself (an uploaded file's too) and the year read.
                form = forms.CalendarImportForm(initial={"year": plan.year, "format": data["format"], "text": data["text"]})
                year = plan.year
            except (PermissionDenied, NotFound):
                raise
            except DomainError as exc:
                plan = None
                page_domain_error(exc, form=form)
    holidays, makeup = calendar_year_special_days(year=year)
    if request.method != "POST":
        if can_edit and request.GET.get("edit") and (holidays or makeup):
            form = forms.CalendarImportForm(initial={"year": year, "format": "csv", "text": _csv_of(holidays, makeup)})
        else:
            form = forms.CalendarImportForm(initial={"year": year, "format": "notice"}) if can_edit else None
    context = {
        "year": year,
        "years": calendar_years_summary(),
        "festivals": calendar_festivals(holidays, makeup),
        "present": bool(holidays or makeup),
        "holiday_count": len(holidays),
        "makeup_count": len(makeup),
        "events": list(calendar_year_events(year=year)[:HISTORY_ROWS]),
        "can_edit": can_edit,
        "form": form,
        "plan": plan,
        "plan_festivals": plan.festivals() if plan else [],
        "diff": diff,
        "kinds": dict(CalendarYearEvent.Kind.choices),
    }
    return render(request, "roster/calendar.html", context)


@signed_in_page
def calendar_template_csv(request):
    """The CSV template (UTF-8 with BOM, so that Excel opens the Chinese correctly)."""
    year = _year_of(request)
    response = HttpResponse("\ufeff" + calendar_csv_template(year), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="holidays-{year}.csv"'
    return response
