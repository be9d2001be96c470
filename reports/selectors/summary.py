"""The data of the quarterly report (季度运维报告) and of the service year's summary (年度运维服务总结),
issue 18 item 2: every KPI against its target with its per-month trend, availability per business
system, the major incidents of the service year, every exclusion and its state, the routine work month
by month, the heavy-protection periods and how each went, and the open remediation items.

Every figure is the one computation of reports.selectors.kpis (kpis_compute over the period, and over
each of its months); nothing here restates a rule. Bounded queries: a constant number, plus a constant
number per month of the period and per heavy-protection period in it.
"""

import datetime as dt
from typing import Any

from roster.selectors.records import duty_record_counts
from routine.selectors.report import routine_month
from tickets.models.reference import Contract
from tickets.selectors import measures
from tickets.selectors import reporting as tickets_reporting

from ..charts import Chart, bar_chart, percent_line_chart
from . import sources
from .kpis import KPI_KEYS, KPI_LABELS, KpiResult, Scope, kpi_label, kpis_compute
from .monthly import _report_basis, _sections_alike
from .periods import Period, tz

# How each KPI's monthly trend is drawn: a share against its target, or a count per month.
COUNT_KPIS = ("major_incidents", "reopened")


def period_report_data(*, contract: Contract, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Clauses 验收 2.1 (quarterly materials) and 验收 2.2 (the final acceptance over the service year):
    everything the PDF shows, as plain values. The caller adds version and generation metadata."""
    scope, kpis, systems = _report_basis(contract=contract, period=period, now=now, by_month=True)
    today = now.astimezone(tz()).date()
    routine = routine_by_month(organization_id=contract.purchaser_id, period=period, today=today)
    return {
        **_sections_alike(contract=contract, period=period, now=now, scope=scope, kpis=kpis, systems=systems),
        "trend": kpi_trend_rows(kpis),
        "charts": kpi_trend_charts(kpis),
        "ticket_summary": tickets_reporting.ticket_summary(period=period, scope=scope),
        "major": _major_incidents(period, scope, today),
        "routine": routine,
        "drills": [drill for month in routine for drill in month["drills"]],
        "heavy_protection": heavy_protection_outcomes(period=period, scope=scope, now=now),
        "remediation": open_remediation_items(contract=contract, period=period, now=now),
    }


def _month_label(part: Period) -> str:
    """A month of the trend: 2026-07; a month clipped by the period names its days (06-27–06-30)."""
    whole = part.first_day.day == 1 and (part.last_day + dt.timedelta(days=1)).day == 1
    return f"{part.first_day:%Y-%m}" if whole else f"{part.first_day:%m-%d}–{part.last_day:%m-%d}"


def kpi_trend_rows(kpis: KpiResult) -> dict[str, Any]:
    """The per-month values table: a header of months and, per KPI, its value in each month."""
    months = kpis.months
    return {
        "months": [{"label": _month_label(m.period), "first": m.period.first_day, "last": m.period.last_day,
                    "clipped": _month_label(m.period) != f"{m.period.first_day:%Y-%m}"} for m in months],
        "rows": [
            {"key": key, "label": kpi_label(key, kpis.figures[key]), "target": kpis.figures[key].get("target"),
             "cells": [m.figures[key] for m in months]}
            for key in KPI_KEYS
        ],
    }


def kpi_trend_charts(kpis: KpiResult) -> list[Chart]:
    """One chart per KPI over the months of the period: shares as a line against the target (a gap
    where a month had nothing to count), counts as bars (a month with a major incident in red)."""
    # yy-mm under every point, clipped months too (their days are in the table's header): longer labels
    # would run into each other with thirteen months.
    labels = [f"{m.period.first_day:%y-%m}" for m in kpis.months]
    label_points = "all" if len(labels) <= 6 else "missed"
    charts: list[Chart] = []
    for key in KPI_KEYS:
        title = str(KPI_LABELS[key])
        values = [m.figures[key]["value"] for m in kpis.months]
        if key in COUNT_KPIS:
            charts.append(bar_chart(
                title=title, labels=labels, values=[v or 0 for v in values], height=190, integers=True,
                highlight=[bool(v) for v in values] if key == "major_incidents" else None,
                y_label="单位：次" if key == "major_incidents" else "单位：张",
            ))
            continue
        target = kpis.figures[key].get("target")
        if key == "availability":
            charts.append(percent_line_chart(title=title + "（最低系统）", labels=labels, values=values, target=target,
                                             height=190, step=0.001, decimals=3, label_points=label_points))
        else:
            charts.append(percent_line_chart(title=title, labels=labels, values=values, target=target, height=190,
                                             label_points=label_points))
    return charts


def _major_incidents(period: Period, scope: Scope, today: dt.date) -> dict[str, Any]:
    """验收 1(3) (0 a year): the major incidents of the service year up to the end of the period (the
    service year containing the period's last day passed; the whole year for the year's summary)."""
    day = max(period.first_day, min(period.last_day, today))
    year = measures.service_year(organization_id=scope.organization_id, day=day)
    if year is None:
        return {"year": None, "rows": [], "count": None}
    span = Period("range", year[0], min(year[1], period.last_day))
    rows = measures.major_incident_rows(period=span, scope=scope)
    labels = tickets_reporting.ticket_choice_labels()
    for row in rows:
        row["kind_label"] = labels["kind"].get(row["kind"], row["kind"])
        row["status_label"] = labels["status"].get(row["status"], row["status"])
    return {"year": Period("year", year[0], year[1]), "to": span.last_day, "rows": rows, "count": len(rows)}


def routine_by_month(*, organization_id: int, period: Period, today: dt.date) -> list[dict[str, Any]]:
    """The routine work of each month of the period (routine.selectors.report.routine_month, the monthly
    report's section 四), summarised: inspections, backups, security self-checks, drills. A month with
    nothing recorded says so."""
    out = []
    for part in period.months():
        r = routine_month(organization_id=organization_id, first=part.first_day, last=part.last_day, today=today)
        ins, back, sec = r["inspections"], r["backups"], r["security"]
        recorded = bool(ins["scheduled"] or back["policies"] or sec["activities"] or sec["opened"] or r["drills"]
                        or sec["swept_hosts"] or sec["warnings"])
        out.append({
            "label": _month_label(part), "recorded": recorded,
            "inspections": ins, "anomalies": len(ins["anomalies"]),
            "backup_policies": len(back["policies"]), "backup_met": back["met"], "restore_tests": len(back["restore_tests"]),
            "security_activities": len(sec["activities"]), "findings_opened": sec["opened"], "findings_fixed": sec["fixed"],
            "findings_overdue": len(sec["overdue"]), "swept_hosts": sec["swept_hosts"], "warnings": len(sec["warnings"]),
            "drills": r["drills"],
        })
    return out


def heavy_protection_outcomes(*, period: Period, scope: Scope, now: dt.datetime) -> list[dict[str, Any]]:
    """Each heavy-protection period (重保, 3.2.11, 8.1.7) touching the report's period and how it went:
    the KPIs over its days inside the period (the one computation) and its duty records (roster)."""
    out = []
    for p in sources.heavy_protection_periods(period=period):
        span = Period("range", max(p["start"], period.first_day), min(p["end"], period.last_day))
        kpis = kpis_compute(period=span, scope=scope, now=now)
        duty = duty_record_counts(start=span.start, end=span.end, first_day=span.first_day, last_day=span.last_day, now=now)
        figures = kpis.figures
        met = [figures[key]["met"] for key in KPI_KEYS if figures[key]["met"] is not None]
        out.append({**p, "span": span, "figures": figures, "duty": duty, "all_met": all(met) if met else None})
    return out


def open_remediation_items(*, contract: Contract, period: Period, now: dt.datetime) -> list[dict[str, Any]]:
    """The purchaser's remediation items (整改事项, issue 18 item 3) of the contract still open at `now`
    (open, or answered and waiting for the purchaser), whatever period they were raised for, through
    reports.selectors.assessments: what, raised on which package, the provider's owner, the deadline,
    the state and whether it is overdue. One query."""
    from .assessments import remediation_item_overdue, remediation_items_open_for_contract

    today = now.astimezone(tz()).date()
    rows = []
    for item in remediation_items_open_for_contract(contract_id=contract.pk):
        package = item.assessment.package
        rows.append({
            "what": item.title, "package": str(package) if package else "", "owner": item.owner.display_name,
            "deadline": item.deadline, "state": item.get_state_display(), "overdue": remediation_item_overdue(item, today=today),
            "returns": item.returns,
        })
    return rows
