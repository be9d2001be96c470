"""The exclusion ledger's API (/api/v1/exclusions/…) and the two ticket actions that open an
exclusion (cancel, merge). Views parse input, call one service, render the result."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_lists import SelectorRowsMixin
from core.consent import consent_actions_for
from core.exceptions import ValidationFailed
from core.models import ConsentState
from core.pagination import PageNumberPagination
from core.serializers import NoteInput, UserBrief

from .models import Exclusion, ExclusionKind
from .selectors.exclusions import exclusion_filter, exclusion_get_for_user, exclusion_list_for_user, month_bounds
from .services.exclusions import exclusion_decide


class ExclusionSerializer(serializers.ModelSerializer):
    ticket_number = serializers.CharField(source="ticket.number", read_only=True, allow_null=True, default=None)
    business_system_name = serializers.CharField(source="business_system.name", read_only=True)
    duplicate_of_number = serializers.CharField(source="duplicate_of.number", read_only=True, allow_null=True, default=None)
    requested_by = UserBrief(read_only=True)
    decided_by = UserBrief(read_only=True, allow_null=True)
    minutes = serializers.FloatField(read_only=True, allow_null=True)
    counts = serializers.BooleanField(read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Exclusion
        fields = ["id", "kind", "state", "counts", "ticket", "ticket_number", "clock", "business_system",
                  "business_system_name", "downtime", "duplicate_of", "duplicate_of_number", "severity_from",
                  "severity_to", "start", "end", "minutes", "effective_at", "reason", "requested_by", "requested_at",
                  "decided_by", "decided_at", "decision_note", "applied_at", "actions"]

    def get_actions(self, obj: Exclusion) -> list[str]:
        return consent_actions_for(user=self.context["request"].user, consent=obj)


class ExclusionListApi(SelectorRowsMixin, generics.ListAPIView):
    """GET the ledger: filters `state`, `kind`, `month` (YYYY-MM, the month the exclusion belongs to)."""

    serializer_class = ExclusionSerializer
    pagination_class = PageNumberPagination
    filter_backends: list = []

    queryset = Exclusion.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        params = request.query_params
        errors = {}
        state, kind, month = params.get("state") or None, params.get("kind") or None, params.get("month") or None
        if state and state not in ConsentState.values:
            errors["state"] = ["状态无效"]
        if kind and kind not in ExclusionKind.values:
            errors["kind"] = ["类型无效"]
        start = end = None
        if month:
            try:
                start, end = month_bounds(month)
            except ValueError:
                errors["month"] = ["月份格式应为 YYYY-MM"]
        if errors:
            raise ValidationFailed(fields=errors)
        return exclusion_filter(exclusion_list_for_user(user=request.user), state=state, kind=kind,
                                start=start, end=end)


class ExclusionDetailApi(APIView):
    @extend_schema(responses=ExclusionSerializer)
    def get(self, request, pk: int):
        exclusion = exclusion_get_for_user(user=request.user, exclusion_id=pk)
        return Response(ExclusionSerializer(exclusion, context={"request": request}).data)


def exclusion_action_view(action: str):
    class ExclusionActionApi(APIView):
        @extend_schema(request=NoteInput, responses=ExclusionSerializer, operation_id=f"exclusions_{action}")
        def post(self, request, pk: int):
            exclusion = exclusion_get_for_user(user=request.user, exclusion_id=pk)
            data = NoteInput(data=request.data)
            data.is_valid(raise_exception=True)
            exclusion = exclusion_decide(actor=request.user, exclusion=exclusion, action=action,
                                         note=data.validated_data["note"])
            exclusion = exclusion_get_for_user(user=request.user, exclusion_id=pk)
            return Response(ExclusionSerializer(exclusion, context={"request": request}).data)

    ExclusionActionApi.__name__ = ExclusionActionApi.__qualname__ = f"Exclusion{action.title()}Api"
    return ExclusionActionApi.as_view()


EXCLUSION_ACTIONS = ("confirm", "reject", "dispute", "withdraw")
