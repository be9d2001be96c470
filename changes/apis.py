"""API of change requests: /api/v1/changes/ (list, create, retrieve, partial update of a draft, and the
POST actions) and /api/v1/change-templates/. Views parse input, call one service, render the result."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import filters as core_filters
from core.api_lists import SelectorRowsMixin

from . import services
from .models import ChangeApproval, ChangeRequest, ChangeTemplate
from .selectors import change_actions_for_user, change_detail_queryset, change_get_for_user, change_overrun


class ChangeApprovalSerializer(serializers.ModelSerializer):
    decided_by_name = serializers.CharField(source="decided_by.display_name", default=None, read_only=True)
    delegated_from_role = serializers.CharField(read_only=True, help_text=_("申请人为唯一持有人时原审批角色（已改由项目经理审批）"))

    class Meta:
        model = ChangeApproval
        fields = [
            "position", "label", "role", "organization", "delegated_from_role", "note", "required_before_start",
            "status", "retrospective", "due_at", "overdue_flagged_at", "decided_by", "decided_by_name", "decided_at",
            "comment",
        ]


class ChangeOutputSerializer(serializers.ModelSerializer):
    requester_name = serializers.CharField(source="requester.display_name", read_only=True)
    approvals = ChangeApprovalSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField(help_text=_("当前用户可执行的操作"))
    overrun = serializers.SerializerMethodField(help_text=_("实施中且已超出计划时间窗口"))

    class Meta:
        model = ChangeRequest
        fields = [
            "id", "number", "title", "category", "risk", "status", "template", "business_systems", "hosts",
            "reason", "plan", "rollback_plan", "verification_plan", "expected_interruption_minutes",
            "window_start", "window_end", "internet_remote_access", "implementers", "linked_tickets", "requester",
            "requester_name",
            "outcome", "completion_notes", "review_notes", "lessons", "cancel_reason", "started_before_approval",
            "created_at", "updated_at", "submitted_at", "approved_at", "started_at", "completed_at", "reviewed_at",
            "rejected_at", "cancelled_at", "approvals", "actions", "overrun",
        ]

    def get_actions(self, change) -> list[str]:
        return sorted(change_actions_for_user(change=change, user=self.context["request"].user))

    def get_overrun(self, change) -> bool:
        return change_overrun(change, now=timezone.now())


class ChangeInputSerializer(serializers.Serializer):
    """Every field is optional on a draft; completeness is checked when it is submitted."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=ChangeRequest.Category.choices, required=False)
    risk = serializers.ChoiceField(choices=ChangeRequest.Risk.choices, required=False)
    template = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    business_systems = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    hosts = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    implementers = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    linked_tickets = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    reason = serializers.CharField(required=False, allow_blank=True)
    plan = serializers.CharField(required=False, allow_blank=True)
    rollback_plan = serializers.CharField(required=False, allow_blank=True)
    verification_plan = serializers.CharField(required=False, allow_blank=True)
    expected_interruption_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100000)
    window_start = serializers.DateTimeField(required=False, allow_null=True)
    window_end = serializers.DateTimeField(required=False, allow_null=True)
    internet_remote_access = serializers.BooleanField(required=False)


class ChangeFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ChangeRequest.Status.choices)
    category = django_filters.ChoiceFilter(choices=ChangeRequest.Category.choices)
    risk = django_filters.ChoiceFilter(choices=ChangeRequest.Risk.choices)
    business_system = django_filters.NumberFilter(field_name="business_systems")
    host = django_filters.NumberFilter(field_name="hosts")
    requester = django_filters.NumberFilter(field_name="requester")
    window_from = core_filters.DateTimeFilter(field_name="window_end", lookup_expr="gt", label=_("窗口结束晚于"))
    window_to = core_filters.DateTimeFilter(field_name="window_start", lookup_expr="lt", label=_("窗口开始早于"))
    q = django_filters.CharFilter(method="search", label=_("编号或标题"))

    class Meta:
        model = ChangeRequest
        fields = ["status", "category", "risk", "business_system", "host", "requester", "window_from", "window_to", "q"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))


def _render(request, change_id: int, *, code: int = status.HTTP_200_OK) -> Response:
    change = change_get_for_user(user=request.user, change_id=change_id)
    return Response(ChangeOutputSerializer(change, context={"request": request}).data, status=code)


class ChangeListCreateApi(SelectorRowsMixin, generics.ListAPIView):
    queryset = ChangeRequest.objects.none()  # the model, for the schema
    serializer_class = ChangeOutputSerializer
    filterset_class = ChangeFilter
    ordering_fields = ["created_at", "window_start", "number", "id"]

    def rows(self, request, kwargs):
        return change_detail_queryset(user=request.user).order_by("-created_at", "-pk")

    @extend_schema(request=ChangeInputSerializer, responses={201: ChangeOutputSerializer})
    def post(self, request):
        data = ChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.change_create(actor=request.user, data=dict(data.validated_data))
        return _render(request, change.pk, code=status.HTTP_201_CREATED)


class ChangeDetailApi(APIView):
    @extend_schema(responses=ChangeOutputSerializer)
    def get(self, request, pk: int):
        return _render(request, pk)

    @extend_schema(request=ChangeInputSerializer, responses=ChangeOutputSerializer)
    def patch(self, request, pk: int):
        change_get_for_user(user=request.user, change_id=pk)  # 404 before anything else
        data = ChangeInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.change_update(actor=request.user, change_id=pk, data=dict(data.validated_data))
        return _render(request, pk)


class _ActionApi(APIView):
    """POST /changes/<pk>/<action>/: load through the access rule (404), parse, call one service."""

    class InputSerializer(serializers.Serializer):
        pass

    def perform(self, request, pk: int, data: dict) -> None:
        raise NotImplementedError

    def post(self, request, pk: int):
        change_get_for_user(user=request.user, change_id=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.perform(request, pk, dict(data.validated_data))
        return _render(request, pk)


class _CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ChangeSubmitApi(_ActionApi):
    @extend_schema(request=None, responses=ChangeOutputSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, pk, data):
        services.change_submit(actor=request.user, change_id=pk)


class ChangeApproveApi(_ActionApi):
    InputSerializer = _CommentSerializer

    @extend_schema(request=_CommentSerializer, responses=ChangeOutputSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, pk, data):
        services.change_approve(actor=request.user, change_id=pk, comment=data["comment"])


class ChangeRejectApi(_ActionApi):
    InputSerializer = _CommentSerializer

    @extend_schema(request=_CommentSerializer, responses=ChangeOutputSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, pk, data):
        services.change_reject(actor=request.user, change_id=pk, comment=data["comment"])


class ChangeStartApi(_ActionApi):
    @extend_schema(request=None, responses=ChangeOutputSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, pk, data):
        services.change_start(actor=request.user, change_id=pk)


class _CompleteSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ChangeRequest.Outcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ChangeCompleteApi(_ActionApi):
    InputSerializer = _CompleteSerializer

    @extend_schema(request=_CompleteSerializer, responses=ChangeOutputSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, pk, data):
        services.change_complete(actor=request.user, change_id=pk, outcome=data["outcome"], notes=data["notes"])


class _ReviewSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=5000)
    lessons = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ChangeReviewApi(_ActionApi):
    InputSerializer = _ReviewSerializer

    @extend_schema(request=_ReviewSerializer, responses=ChangeOutputSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, pk, data):
        services.change_review(actor=request.user, change_id=pk, notes=data["notes"], lessons=data["lessons"])


class _CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ChangeCancelApi(_ActionApi):
    InputSerializer = _CancelSerializer

    @extend_schema(request=_CancelSerializer, responses=ChangeOutputSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, pk, data):
        services.change_cancel(actor=request.user, change_id=pk, reason=data["reason"])


class ChangeTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeTemplate
        fields = ["id", "name", "description", "risk", "plan", "rollback_plan", "verification_plan", "active"]


class ChangeTemplateListApi(generics.ListAPIView):
    """Pre-approved standard-change templates (edited in admin)."""

    serializer_class = ChangeTemplateSerializer
    filterset_fields = ["active", "risk"]
    ordering_fields = ["name", "id"]

    def get_queryset(self):
        return ChangeTemplate.objects.order_by("name", "pk")


class ChangeTemplateDetailApi(generics.RetrieveAPIView):
    serializer_class = ChangeTemplateSerializer
    queryset = ChangeTemplate.objects.all()
