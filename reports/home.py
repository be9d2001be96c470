"""Home-page panel of the reports app (core.home): the project manager's KPIs, month and year to date
(kpis_compute, the dashboard's and the monthly report's one computation), and where last month's
report stands against its issue deadline."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.home import HomePanel

from .selectors.access import contract_list_for_reports, kpi_scope_for_user
from .selectors.kpis import Scope, kpis_compute, service_year_period
from .selectors.periods import Period, month_of, period_for, tz
from .services.monthly import report_status_for


def year_to_date(now: dt.datetime, scope: Scope | None = None) -> Period:
    """The contract's service year holding today (issue 18 item 4), the calendar year where no contract
    covers it."""
    today = now.astimezone(tz()).date()
    return service_year_period(scope=scope or Scope(), day=today) or period_for("year", dt.date(today.year, 1, 1))


def report_statuses(*, user, now: dt.datetime) -> list[dict]:
    """Last month's report per contract the user reads whose service period covers that month (a
    contract that ended before it, or a renewal that starts after it, owes no report for it): the
    dashboard and the home page, which name each contract (a renewal has its predecessor's purchaser)."""
    period = month_of(now).previous()
    contracts = contract_list_for_reports(user=user).filter(start_date__lte=period.last_day, end_date__gte=period.first_day)
    return [
        {"contract": contract, "current": report_status_for(contract=contract, period=period, now=now)}
        for contract in contracts[:5]
    ]


def _kpis(*, user, now):
    scope = kpi_scope_for_user(user=user, organization_id=None, business_system_id=None)
    month, year = month_of(now), year_to_date(now, scope)
    month_rows = kpis_compute(period=month, scope=scope, now=now).rows()
    year_rows = {row["key"]: row for row in kpis_compute(period=year, scope=scope, now=now).rows()}
    return {
        "title": _("服务绩效指标"),
        "month": month,
        "year": year,
        "rows": [{"month": row, "cells": (row, year_rows[row["key"]])} for row in month_rows],
        "statuses": report_statuses(user=user, now=now),
        "more_url": reverse("reports-dashboard"),
    }


def _remediation(*, user, now):
    """Open remediation items, overdue flagged: all of them for the project manager and the purchaser's
    approvers and auditors, an engineer's own for the engineers. Hidden while there are none."""
    from accounts.selectors import user_has_role as has_role

    from .selectors.assessments import remediation_open_for_user

    owner_only = not has_role(user, Role.PROJECT_MANAGER, Role.APPROVER, Role.AUDITOR)
    data = remediation_open_for_user(user=user, now=now, limit=8, owner_only=owner_only)
    if not data["open"]:
        return None
    return {"title": _("整改项"), "more_url": reverse("reports-remediation"), **data}


REMEDIATION_ROLES = frozenset({Role.PROJECT_MANAGER, Role.DUTY_LEADER, Role.TECH_LEAD, Role.ENGINEER, Role.APPROVER, Role.AUDITOR})

HOME_PANELS = (
    HomePanel("reports-kpis", "reports/home/_kpis.html", _kpis, roles=frozenset({Role.PROJECT_MANAGER}), order=1, wide=True),
    HomePanel("reports-remediation", "reports/home/_remediation.html", _remediation, roles=REMEDIATION_ROLES, order=6),
)
