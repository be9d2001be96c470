"""What a user may do with each kind of routine record: one selector per kind, asked by the pages (which
buttons and forms to show) and by the API (refused before the body is read). The rules themselves stay
in the services (routine.services.access.may_write, the transition tables); these only ask them."""

from __future__ import annotations

from core.exceptions import PermissionDenied

from ..models import Drill, DrillProblem, Finding, InspectionResult, SecurityActivity
from ..services.access import may_report_backups, may_write
from ..services.drills import DRILL_TRANSITIONS
from ..services.security import FINDING_TRANSITIONS, LIVE_ACCEPTANCE_STATES, finding_accept_risk_refusal


def backup_policy_actions_for(*, user, policy=None) -> list[str]:
    """create (no policy) / update."""
    if not may_write(user):
        return []
    return ["create"] if policy is None else ["update"]


def backup_run_actions_for(*, user) -> list[str]:
    """report / import: provider staff or the backup system's own account."""
    return ["report", "import"] if may_report_backups(user) else []


def restore_test_actions_for(*, user) -> list[str]:
    return ["create"] if may_write(user) else []


def inspection_template_actions_for(*, user) -> list[str]:
    return ["create"] if may_write(user) else []


def inspection_schedule_actions_for(*, user) -> list[str]:
    return ["create"] if may_write(user) else []


def inspection_result_actions_for(*, user, result: InspectionResult) -> list[str]:
    """ticket: an abnormal item without its ticket yet."""
    return ["ticket"] if may_write(user) and not result.ok and not result.ticket_id else []


def security_activity_actions_for(*, user, activity: SecurityActivity | None = None) -> list[str]:
    """create (no activity) / attach_report, add_finding, import_findings."""
    if not may_write(user):
        return []
    return ["create"] if activity is None else ["attach_report", "add_finding", "import_findings"]


def finding_actions_for(*, user, finding: Finding | None = None) -> list[str]:
    """create (no finding); the status steps FINDING_TRANSITIONS allows (the API lists these as
    `actions`)."""
    if finding is None:
        return ["create"] if may_write(user) else []
    return FINDING_TRANSITIONS.actions_for(user=user, obj=finding)


def finding_may_request_acceptance(*, user, finding: Finding) -> bool:
    """Whether the purchaser may be asked to accept the finding's risk now (the service's rule, asked of
    `finding.acceptances`, prefetched by finding_get_for_user)."""
    live = any(a.state in LIVE_ACCEPTANCE_STATES for a in finding.acceptances.all())
    return may_write(user) and finding_accept_risk_refusal(finding=finding, live_request=live) is None


def security_warning_actions_for(*, user) -> list[str]:
    return ["publish"] if may_write(user) else []


def antivirus_sweep_actions_for(*, user) -> list[str]:
    return ["create"] if may_write(user) else []


def drill_actions_for(*, user, drill: Drill | None = None) -> list[str]:
    """plan (no drill); record / sign as DRILL_TRANSITIONS allows."""
    if drill is None:
        return ["plan"] if may_write(user) else []
    return DRILL_TRANSITIONS.actions_for(user=user, obj=drill)


def drill_problem_actions_for(*, user, problem: DrillProblem) -> list[str]:
    """ticket: a problem without its ticket yet."""
    return ["ticket"] if may_write(user) and not problem.ticket_id else []


def permission_require(action: str, actions: list[str]) -> None:
    """403 unless one of the selectors above offered `action` (the API asks before reading the body)."""
    if action not in actions:
        raise PermissionDenied()
