"""Helpers shared by the ticket pages: who is looking, and the presentation of the SLA figures (the
figures themselves come from tickets.selectors.sla). A refused action's status: core.exceptions.page_status."""

from accounts.selectors import user_is_auditor, user_is_provider_staff
from core.durations import minutes_text

from ..models import SlaEscalation

# The badge colours change at the escalation thresholds (50 %, 80 %, breach), so that what the
# engineer sees matches the warnings the escalation task sends.
WARN_PERCENT = SlaEscalation.Threshold.HALF.value
RISK_PERCENT = SlaEscalation.Threshold.EIGHTY.value


def sla_presentation(figures: dict) -> dict:
    """Add the badge's css class, the percentage used and whether the browser may count it down.

    Only running 7×24 clocks tick in the browser: on the working-hours calendar a wall-clock second
    is not always a business second, so those wait for the server's next figures (htmx refresh)."""
    target = figures.get("target_minutes") or 0
    elapsed = figures.get("elapsed_minutes")
    state = figures.get("state")
    percent = None if elapsed is None or not target else min(999, round(100 * elapsed / target))
    if figures.get("breached"):
        css = "sla-breached"
    elif state == "met":
        css = "sla-stopped"
    elif state == "unknown" or percent is None:
        css = "sla-stopped"
    elif percent >= RISK_PERCENT:
        css = "sla-risk"
    elif percent >= WARN_PERCENT:
        css = "sla-warn"
    else:
        css = "sla-ok"
    remaining = figures.get("remaining_minutes")
    return {
        **figures,
        "remaining_text": None if remaining is None else minutes_text(abs(remaining)),
        "overdue": remaining is not None and remaining < 0,
        "css": css,
        "percent": percent,
        "ticks": state == "running" and figures.get("calendar") == "24x7" and figures.get("due_at") is not None,
    }


def sla_for_page(sla: dict[str, dict]) -> list[dict]:
    """The clocks of one ticket in contract order, each with its presentation."""
    return [sla_presentation(figures) for figures in sla.values()]


def sla_headline(clocks: list[dict]) -> dict | None:
    """The clock a queue row shows: the running (or paused) clock closest to its due time; when all
    have stopped, a breached one if any, else the last one."""
    live = [c for c in clocks if c.get("state") in ("running", "paused", "breached") and c.get("stopped_at") is None]
    if live:
        return min(live, key=lambda c: (c.get("remaining_minutes") is None, c.get("remaining_minutes") or 0))
    breached = [c for c in clocks if c.get("breached")]
    if breached:
        return breached[0]
    return clocks[-1] if clocks else None


def viewer_flags(user) -> dict:
    staff = user_is_provider_staff(user)
    return {"is_staff": staff, "is_auditor": user_is_auditor(user) and not staff, "sees_internal": staff or user_is_auditor(user)}
