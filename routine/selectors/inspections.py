"""Reads of inspections with the access rule applied once (routine.selectors.access.visible): provider
staff and the provider's auditors read every round; purchaser staff and auditors the rounds of their own
systems."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import user_is_auditor, user_is_provider_staff

from ..models import InspectionResult, InspectionRound, InspectionSchedule, InspectionTemplate
from ..services.inspections import ROUND_TRANSITIONS
from .access import get_visible, visible


def inspection_template_list(*, user) -> QuerySet[InspectionTemplate]:
    return InspectionTemplate.objects.prefetch_related("items")


def inspection_schedule_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[InspectionSchedule]:
    qs = InspectionSchedule.objects.select_related("template", "business_system")
    return visible(qs, user=user, organization_id=organization_id, system_path="business_system")


def inspection_round_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[InspectionRound]:
    qs = InspectionRound.objects.select_related("schedule__template", "schedule__business_system", "done_by")
    return visible(qs, user=user, organization_id=organization_id, system_path="schedule__business_system")


def inspection_round_get_for_user(*, user, round_id: int) -> InspectionRound:
    qs = inspection_round_list_for_user(user=user).prefetch_related(
        "schedule__template__items",
        Prefetch("results", queryset=InspectionResult.objects.select_related("item", "ticket")),
    )
    return get_visible(qs, user=user, system_path="schedule__business_system", pk=round_id)


def inspection_round_actions_for(*, actor, round_: InspectionRound) -> list[str]:
    """What `actor` may do with the round now (routine.services.inspections.ROUND_TRANSITIONS): the page
    offers the checklist form, the API lists them, and the complete endpoint refuses (403 / 409) what
    this does not allow."""
    return ROUND_TRANSITIONS.actions_for(user=actor, obj=round_)


def inspection_round_refusal(*, actor, round_: InspectionRound, action: str):
    """Why `actor` may not take `action` on the round (the table's domain error: 403, 409), or None."""
    return ROUND_TRANSITIONS.refusal(action=action, user=actor, obj=round_)


def inspection_result_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[InspectionResult]:
    qs = InspectionResult.objects.select_related("round__schedule__template", "round__schedule__business_system", "item", "ticket")
    return visible(qs, user=user, organization_id=organization_id, system_path="round__schedule__business_system")


def inspection_rounds_of_shift(*, shift) -> QuerySet[InspectionRound]:
    """The rounds planned within a shift ([start, end)), for the duty log and handover."""
    return (InspectionRound.objects.filter(slot__gte=shift.start, slot__lt=shift.end)
            .select_related("schedule__template", "done_by").order_by("slot", "pk"))


def shift_rounds_panel(*, user, shift) -> dict | None:
    """The roster's shift panel (roster.selectors.panels): the shift's rounds with their state. Duty readers only
    (the roster page has checked that already)."""
    if not (user_is_provider_staff(user) or user_is_auditor(user)):
        return None
    rows = []
    # A purchaser's auditor reads the duty pages, but only its own purchaser's rounds.
    for round_ in visible(inspection_rounds_of_shift(shift=shift), user=user, system_path="schedule__business_system"):
        status = round_.get_status_display()
        if round_.status == InspectionRound.Status.DONE:
            status += _("（%(who)s %(at)s，异常 %(n)s 项）") % {
                "who": round_.done_by.display_name if round_.done_by_id else "", "at": f"{timezone.localtime(round_.done_at):%H:%M}",
                "n": round_.anomalies}
        rows.append({"text": f"{timezone.localtime(round_.slot):%m-%d %H:%M} {round_.schedule.template.name}", "status": status,
                     "url": f"/routine/inspections/rounds/{round_.pk}/"})
    return {"title": _("本班巡检"), "rows": rows, "empty": _("本班次没有计划的巡检。")}
