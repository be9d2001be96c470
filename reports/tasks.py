"""Thin, idempotent tasks: take ids, re-fetch, call one service."""

from celery import shared_task

from .services.assessments import final_opinion_render, final_opinions_pending, remediation_remind
from .services.generations import generations_resume
from .services.monthly import (
    monthly_report_draft_previous_month,
    monthly_report_generate,
    monthly_report_remind,
    monthly_report_retry_queued,
)
from .services.packages import acceptance_package_build


@shared_task(name="reports.monthly_report_generate", ignore_result=True)
def monthly_report_generate_task(report_id: int) -> None:
    monthly_report_generate(report_id=report_id)


@shared_task(name="reports.acceptance_package_build", ignore_result=True)
def acceptance_package_build_task(package_id: int) -> None:
    acceptance_package_build(package_id=package_id)


@shared_task(name="reports.monthly_report_daily", ignore_result=True)
def monthly_report_daily() -> None:
    """Daily: draft last month's report (only acts when none exists, i.e. on the 1st or after an
    outage), remind or flag while it is not issued, re-queue generations the broker never got."""
    monthly_report_draft_previous_month()
    monthly_report_remind()
    monthly_report_retry_queued()


@shared_task(name="reports.generations_resume", ignore_result=True)
def generations_resume_task() -> None:
    """Every minute: a generation whose worker died is re-queued within REPORTS_STALE_RUNNING_MINUTES."""
    generations_resume()


@shared_task(name="reports.final_opinion_render", ignore_result=True)
def final_opinion_render_task(assessment_id: int) -> None:
    """After the purchaser assessed a final acceptance: its written opinion PDF (once)."""
    final_opinion_render(assessment_id=assessment_id)


@shared_task(name="reports.remediation_daily", ignore_result=True)
def remediation_daily() -> None:
    """Hourly, acting once a day per item: remind both sides of remediation deadlines; render a final
    opinion whose task the broker never delivered."""
    remediation_remind()
    for assessment_id in final_opinions_pending():
        final_opinion_render(assessment_id=assessment_id)
