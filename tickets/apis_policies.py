"""The SLA policies' floor (issue 15 item 5): the PM proposes a change of a contract policy
(`POST /api/v1/sla-policies/{id}/changes/`: tightening applies at once, 200; loosening opens a request
for the purchaser's consent, 202), everyone concerned reads the requests (`GET /api/v1/sla-policy-changes/`)
and the purchaser's approver decides (`POST /api/v1/sla-policy-changes/{id}/confirm|reject|dispute/`;
the PM may `withdraw/` before a decision)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from core.api_lists import SelectorRowsMixin
from core.consent import consent_actions_for
from core.exceptions import ValidationFailed
from core.models import ConsentState
from core.pagination import PageNumberPagination
from core.serializers import NoteInput, UserBrief

from .models import SlaPolicyChange
from .selectors.policies import sla_policy_change_get_for_user, sla_policy_change_list_for_user, sla_policy_get
from .services.policies import sla_policy_change_decide, sla_policy_change_propose


class SlaPolicyChangeSerializer(serializers.ModelSerializer):
    policy_name = serializers.CharField(source="policy.name", read_only=True)
    contract_target_minutes = serializers.IntegerField(source="policy.contract_target_minutes", read_only=True)
    contract_pausable = serializers.BooleanField(source="policy.contract_pausable", read_only=True)
    requested_by = UserBrief(read_only=True)
    decided_by = UserBrief(read_only=True, allow_null=True)
    counts = serializers.BooleanField(read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = SlaPolicyChange
        fields = ["id", "policy", "policy_name", "organization", "contract_target_minutes", "contract_pausable",
                  "target_minutes", "pausable", "active", "effective_from", "state", "counts", "reason", "requested_by",
                  "requested_at", "decided_by", "decided_at", "decision_note", "actions"]

    def get_actions(self, obj: SlaPolicyChange) -> list[str]:
        return consent_actions_for(user=self.context["request"].user, consent=obj)


class SlaPolicyChangeInput(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)
    target_minutes = serializers.IntegerField(min_value=1, max_value=1_000_000)
    pausable = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False, default=True)
    effective_from = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SlaPolicyChangeListApi(SelectorRowsMixin, generics.ListAPIView):
    """The proposals to loosen a contract policy, newest first; `state` filters."""

    serializer_class = SlaPolicyChangeSerializer
    pagination_class = PageNumberPagination
    filter_backends: list = []

    queryset = SlaPolicyChange.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        qs = sla_policy_change_list_for_user(user=request.user)
        state = request.query_params.get("state") or None
        if state and state not in ConsentState.values:
            raise ValidationFailed(fields={"state": [_("状态无效")]})
        return qs.filter(state=state) if state else qs


class SlaPolicyChangeProposeApi(APIView):
    @extend_schema(request=SlaPolicyChangeInput, responses={200: SlaPolicyChangeSerializer, 202: SlaPolicyChangeSerializer},
                   operation_id="sla_policies_changes_create")
    def post(self, request, pk: int):
        from .apis import SlaPolicySerializer

        policy = sla_policy_get(policy_id=pk)
        data = SlaPolicyChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        result = sla_policy_change_propose(
            actor=request.user, policy=policy, organization=values.get("organization"),
            target_minutes=values["target_minutes"], pausable=values.get("pausable", policy.pausable),
            active=values.get("active", True), effective_from=values.get("effective_from"), reason=values["reason"],
        )
        if isinstance(result, SlaPolicyChange):
            change = sla_policy_change_get_for_user(user=request.user, change_id=result.pk)
            return Response(SlaPolicyChangeSerializer(change, context={"request": request}).data,
                            status=status.HTTP_202_ACCEPTED)
        return Response(SlaPolicySerializer(result).data)


def sla_policy_change_action_view(action: str):
    class SlaPolicyChangeActionApi(APIView):
        @extend_schema(request=NoteInput, responses=SlaPolicyChangeSerializer, operation_id=f"sla_policy_changes_{action}")
        def post(self, request, pk: int):
            change = sla_policy_change_get_for_user(user=request.user, change_id=pk)
            data = NoteInput(data=request.data)
            data.is_valid(raise_exception=True)
            sla_policy_change_decide(actor=request.user, change=change, action=action, note=data.validated_data["note"])
            change = sla_policy_change_get_for_user(user=request.user, change_id=pk)
            return Response(SlaPolicyChangeSerializer(change, context={"request": request}).data)

    SlaPolicyChangeActionApi.__name__ = SlaPolicyChangeActionApi.__qualname__ = f"SlaPolicyChange{action.title()}Api"
    return SlaPolicyChangeActionApi.as_view()


SLA_POLICY_CHANGE_ACTIONS = ("confirm", "reject", "dispute", "withdraw")
