from django.db.models import Prefetch, QuerySet

from ..models import Drill, DrillProblem
from .access import get_visible, visible


def drill_list_for_user(*, user=None, organization_id: int | None = None) -> QuerySet[Drill]:
    qs = Drill.objects.select_related("organization", "signed_by").prefetch_related(
        "systems", Prefetch("problems", queryset=DrillProblem.objects.select_related("ticket", "business_system")))
    return visible(qs, user=user, organization_id=organization_id, org_path="organization")


def drill_get_for_user(*, user, drill_id: int) -> Drill:
    return get_visible(drill_list_for_user(user=user), user=user, org_path="organization", pk=drill_id)
