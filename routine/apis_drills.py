"""REST API of drills (4.1), under /api/v1/drills/."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_lists import SelectorRowsMixin
from core.exceptions import NotFound

from .apis import ProblemTicketInput
from .models import Drill, DrillProblem
from .selectors import permissions
from .selectors.drills import drill_get_for_user, drill_list_for_user
from .services import drills as services
from .services.access import require_provider_staff


class DrillProblemSerializer(serializers.ModelSerializer):
    class Meta:
        model = DrillProblem
        fields = ["id", "description", "business_system", "ticket", "created_at"]
        read_only_fields = ["id", "ticket", "created_at"]


class DrillSerializer(serializers.ModelSerializer):
    problems = DrillProblemSerializer(many=True, read_only=True)
    rto_met = serializers.BooleanField(read_only=True, allow_null=True)
    rpo_met = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Drill
        fields = ["id", "kind", "title", "organization", "systems", "plan", "scenario", "planned_on", "rto_target_minutes",
                  "rpo_target_minutes", "rto_achieved_minutes", "rpo_achieved_minutes", "rto_met", "rpo_met", "participants",
                  "outcome", "status", "signed_by", "signed_at", "sign_note", "problems"]
        read_only_fields = ["id", "rto_achieved_minutes", "rpo_achieved_minutes", "outcome", "status", "signed_by", "signed_at",
                            "sign_note"]


def _offered(action: str, user, drill: Drill) -> None:
    """Refuse before the body is read what drill_actions_for does not offer: the table's own 403 / 409."""
    if action not in permissions.drill_actions_for(user=user, drill=drill):
        raise services.DRILL_TRANSITIONS.refusal(action=action, user=user, obj=drill)


class DrillListCreateApi(SelectorRowsMixin, generics.ListCreateAPIView):
    serializer_class = DrillSerializer
    filterset_fields = ["kind", "status", "organization"]

    queryset = Drill.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        return drill_list_for_user(user=request.user)

    def create(self, request, *args, **kwargs):
        permissions.permission_require("plan", permissions.drill_actions_for(user=request.user))
        data = DrillSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        drill = services.drill_plan(actor=request.user, **data.validated_data)
        return Response(DrillSerializer(drill_get_for_user(user=request.user, drill_id=drill.pk)).data, status=status.HTTP_201_CREATED)


class DrillDetailApi(generics.RetrieveAPIView):
    serializer_class = DrillSerializer

    def get_object(self):
        return drill_get_for_user(user=self.request.user, drill_id=self.kwargs["pk"])


class DrillRecordApi(APIView):
    @extend_schema_serializer(component_name="DrillRecordInput")
    class Input(serializers.Serializer):
        rto_achieved_minutes = serializers.IntegerField(min_value=0, max_value=100000)
        rpo_achieved_minutes = serializers.IntegerField(min_value=0, max_value=100000)
        outcome = serializers.CharField()
        problems = DrillProblemSerializer(many=True, required=False)

    @extend_schema(request=Input, responses=DrillSerializer)
    def post(self, request, pk: int):
        drill = drill_get_for_user(user=request.user, drill_id=pk)
        _offered("record", request.user, drill)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["problems"] = [dict(p) for p in values.get("problems", [])]
        services.drill_record(actor=request.user, drill_id=drill.pk, **values)
        return Response(DrillSerializer(drill_get_for_user(user=request.user, drill_id=pk)).data)


class DrillSignApi(APIView):
    @extend_schema_serializer(component_name="DrillSignInput")
    class Input(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, max_length=500)

    @extend_schema(request=Input, responses=DrillSerializer)
    def post(self, request, pk: int):
        drill = drill_get_for_user(user=request.user, drill_id=pk)
        _offered("sign", request.user, drill)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        services.drill_sign(actor=request.user, drill_id=drill.pk, **data.validated_data)
        return Response(DrillSerializer(drill_get_for_user(user=request.user, drill_id=pk)).data)


class DrillProblemTicketApi(APIView):
    @extend_schema(request=ProblemTicketInput, responses={201: DrillProblemSerializer})
    def post(self, request, pk: int):
        problem = DrillProblem.objects.filter(pk=pk, drill__in=drill_list_for_user(user=request.user)).first()
        if problem is None:
            raise NotFound()
        require_provider_staff(request.user)
        data = ProblemTicketInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.drill_problem_ticket(actor=request.user, problem_id=problem.pk, **data.validated_data)
        problem.refresh_from_db()
        return Response(DrillProblemSerializer(problem).data, status=status.HTTP_201_CREATED)


