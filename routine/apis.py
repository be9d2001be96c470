"""REST API of the routine work, under /api/v1/. Views parse input, call one service or selector and
render; the services check who may write. Purchasers read their own systems' records only."""

from __future__ import annotations

import re

import django_filters
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import filters as core_filters
from core.api_lists import SelectorRowsMixin
from core.exceptions import ValidationFailed
from tickets.selectors.reference import business_system_list_for_user

from .models import (
    BackupAlert,
    BackupObject,
    BackupPolicy,
    BackupRun,
    BackupType,
    InspectionItem,
    InspectionResult,
    InspectionRound,
    InspectionSchedule,
    InspectionTemplate,
    RestoreTest,
)
from .selectors import backups as backup_selectors
from .selectors import inspections as inspection_selectors
from .selectors import permissions
from .services import backups as backup_services
from .services import inspections as inspection_services
from .services.access import require_provider_staff


def parse_month(value: str | None) -> tuple[int, int]:
    """`YYYY-MM` -> (year, month); 400 with a field message otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2100:
        raise ValidationFailed(fields={"month": [gettext("请按 YYYY-MM 填写月份")]})
    return int(match[1]), int(match[2])


def _flag(request, name: str) -> bool:
    return str(request.query_params.get(name, "")).lower() in ("1", "true", "yes")


# ---------------------------------------------------------------- backup policies


class BackupPolicySerializer(serializers.ModelSerializer):
    business_system_name = serializers.CharField(source="business_system.name", read_only=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)

    class Meta:
        model = BackupPolicy
        fields = ["id", "business_system", "business_system_name", "name", "backup_object", "backup_type", "schedule",
                  "owner", "owner_name", "start_date", "active", "created_at"]
        read_only_fields = ["id", "created_at"]


class BackupPolicyInputSerializer(serializers.Serializer):
    business_system = serializers.IntegerField()
    name = serializers.CharField(max_length=100)
    backup_object = serializers.ChoiceField(choices=BackupObject.choices)
    backup_type = serializers.ChoiceField(choices=BackupType.choices)
    schedule = serializers.CharField(max_length=200)
    owner = serializers.IntegerField()
    start_date = serializers.DateField()
    active = serializers.BooleanField(required=False, default=True)


def _resolve_policy_refs(request, data: dict) -> dict:
    from accounts.selectors import user_list

    if "business_system" in data:
        system = business_system_list_for_user(user=request.user).filter(pk=data["business_system"]).first()
        if system is None:
            raise ValidationFailed(fields={"business_system": [gettext("业务系统不存在")]})
        data["business_system"] = system
    if "owner" in data:
        owner = user_list(ids=[data["owner"]]).first()
        if owner is None:
            raise ValidationFailed(fields={"owner": [gettext("用户不存在")]})
        data["owner"] = owner
    return data


class BackupPolicyFilter(django_filters.FilterSet):
    class Meta:
        model = BackupPolicy
        fields = ["business_system", "backup_object", "backup_type", "active", "owner"]


class BackupPolicyListCreateApi(SelectorRowsMixin, generics.ListCreateAPIView):
    serializer_class = BackupPolicySerializer
    filterset_class = BackupPolicyFilter
    ordering_fields = ["id", "name", "start_date"]

    queryset = BackupPolicy.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        return backup_selectors.backup_policy_list_for_user(user=request.user).order_by("pk")

    @extend_schema(request=BackupPolicyInputSerializer, responses={201: BackupPolicySerializer})
    def post(self, request, *args, **kwargs):
        permissions.permission_require("create", permissions.backup_policy_actions_for(user=request.user))  # before the body: 403, not 400
        data = BackupPolicyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = backup_services.backup_policy_create(actor=request.user, **_resolve_policy_refs(request, dict(data.validated_data)))
        return Response(BackupPolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class BackupPolicyDetailApi(generics.RetrieveUpdateAPIView):
    serializer_class = BackupPolicySerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return backup_selectors.backup_policy_get_for_user(user=self.request.user, policy_id=self.kwargs["pk"])

    @extend_schema(request=BackupPolicyInputSerializer(partial=True), responses=BackupPolicySerializer)
    def patch(self, request, *args, **kwargs):
        policy = self.get_object()
        permissions.permission_require("update", permissions.backup_policy_actions_for(user=request.user, policy=policy))
        data = BackupPolicyInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = _resolve_policy_refs(request, dict(data.validated_data))
        if "business_system" in changes:
            raise ValidationFailed(fields={"business_system": [gettext("策略的业务系统不能修改")]})
        policy = backup_services.backup_policy_update(actor=request.user, policy=policy, **changes)
        return Response(BackupPolicySerializer(policy).data)


# ---------------------------------------------------------------- backup runs


class BackupRunSerializer(serializers.ModelSerializer):
    business_system = serializers.IntegerField(source="policy.business_system_id", read_only=True)
    policy_name = serializers.CharField(source="policy.name", read_only=True)

    class Meta:
        model = BackupRun
        fields = ["id", "policy", "policy_name", "business_system", "job_id", "backup_type", "started_at", "ended_at",
                  "result", "size_bytes", "message", "source", "reported_by", "reported_at"]
        read_only_fields = fields


class BackupRunInputSerializer(serializers.Serializer):
    """Documentation of one run as the backup system reports it; the service validates every field and
    answers per item (a list may carry good and bad items)."""

    policy = serializers.IntegerField(help_text=gettext_lazy("备份策略编号，或“业务系统/策略名称”"))
    job_id = serializers.CharField(help_text=gettext_lazy("备份系统的作业编号（重复上报同一作业不重复登记）"))
    backup_type = serializers.ChoiceField(choices=BackupType.choices)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    result = serializers.ChoiceField(choices=BackupRun.Result.choices)
    size_bytes = serializers.IntegerField(required=False, allow_null=True)
    message = serializers.CharField(required=False, allow_blank=True)


class BackupRunFilter(django_filters.FilterSet):
    business_system = django_filters.NumberFilter(field_name="policy__business_system")
    started_after = core_filters.DateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = core_filters.DateTimeFilter(field_name="started_at", lookup_expr="lt")
    job_id = django_filters.CharFilter()

    class Meta:
        model = BackupRun
        fields = ["policy", "business_system", "result", "backup_type", "source", "job_id", "started_after", "started_before"]


def batch_response(result: backup_services.BatchResult, *, single: bool = False) -> Response:
    """201 when something was stored, 200 when everything was known already; 400 with the rows when
    nothing was stored. Each row: row, status (created / unchanged / rejected), id, errors."""
    rows = [{"row": o.row, "status": o.status, "id": o.run.pk if o.run is not None and o.run.pk else None, "errors": o.errors}
            for o in result.rows]
    if not result.stored:
        if single:
            raise ValidationFailed(fields=result.rows[0].errors)
        fields = {f"{o.row}.{name}": msgs for o in result.rows for name, msgs in o.errors.items()}
        return Response(
            {"code": "validation_failed", "message": gettext("有记录未通过校验，未登记任何记录（可加 ?partial=1 只登记有效记录）"),
             "fields": fields, "counts": result.counts, "rows": rows},
            status=status.HTTP_400_BAD_REQUEST,
        )
    body = {"counts": result.counts, "rows": rows}
    if single and result.rows[0].status == "rejected":
        raise ValidationFailed(fields=result.rows[0].errors)
    if single:
        body = BackupRunSerializer(result.rows[0].run).data | {"status": result.rows[0].status}
    code = status.HTTP_201_CREATED if result.counts["created"] else status.HTTP_200_OK
    return Response(body, status=code)


class BackupRunListCreateApi(SelectorRowsMixin, generics.ListAPIView):
    serializer_class = BackupRunSerializer
    filterset_class = BackupRunFilter
    ordering_fields = ["started_at", "id"]

    queryset = BackupRun.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        return backup_selectors.backup_run_list_for_user(user=request.user)

    @extend_schema(
        request=BackupRunInputSerializer(many=True),
        parameters=[OpenApiParameter("partial", OpenApiTypes.BOOL, description=gettext_lazy("登记有效记录，跳过无效记录"))],
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request, *args, **kwargs):
        """One run (an object) or several (a list). Provider staff or the backup system's account."""
        payload = request.data
        single = isinstance(payload, dict)
        items = [payload] if single else payload
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or not items:
            raise ValidationFailed(fields={"non_field_errors": [gettext("请提交一条备份记录（对象）或多条（数组）")]})
        if len(items) > 1000:
            raise ValidationFailed(fields={"non_field_errors": [gettext("一次最多提交 1000 条")]})
        result = backup_services.backup_runs_record(actor=request.user, items=items, partial=_flag(request, "partial"))
        return batch_response(result, single=single)


class BackupRunImportApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
        parameters=[OpenApiParameter("partial", OpenApiTypes.BOOL, description=gettext_lazy("登记有效行，跳过无效行"))],
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        """Import a CSV or xlsx register: 策略, 作业编号, 备份方式, 开始时间, 结束时间, 结果, 备份量（字节）, 信息.
        All or nothing unless ?partial=1; the answer reports every row."""
        permissions.permission_require("import", permissions.backup_run_actions_for(user=request.user))
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(fields={"file": [gettext("请上传文件")]})
        if upload.size > 5 * 1024 * 1024:
            raise ValidationFailed(fields={"file": [gettext("文件不能超过 5 MB")]})
        result = backup_services.backup_runs_import(
            actor=request.user, name=upload.name, data=upload.read(), partial=_flag(request, "partial")
        )
        return batch_response(result)


# ---------------------------------------------------------------- restore tests


class RestoreTestSerializer(serializers.ModelSerializer):
    class Meta:
        model = RestoreTest
        fields = ["id", "policy", "run", "tested_at", "result", "duration_minutes", "notes", "performed_by", "created_at"]
        read_only_fields = ["id", "performed_by", "created_at"]


class RestoreTestFilter(django_filters.FilterSet):
    business_system = django_filters.NumberFilter(field_name="policy__business_system")
    tested_after = core_filters.DateTimeFilter(field_name="tested_at", lookup_expr="gte")
    tested_before = core_filters.DateTimeFilter(field_name="tested_at", lookup_expr="lt")

    class Meta:
        model = RestoreTest
        fields = ["policy", "business_system", "result", "tested_after", "tested_before"]


class RestoreTestListCreateApi(SelectorRowsMixin, generics.ListCreateAPIView):
    serializer_class = RestoreTestSerializer
    filterset_class = RestoreTestFilter
    ordering_fields = ["tested_at", "id"]

    queryset = RestoreTest.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        return backup_selectors.restore_test_list_for_user(user=request.user)

    def create(self, request, *args, **kwargs):
        permissions.permission_require("create", permissions.restore_test_actions_for(user=request.user))
        data = RestoreTestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        policy = backup_selectors.backup_policy_list_for_user(user=request.user).filter(pk=values.pop("policy").pk).first()
        if policy is None:
            raise ValidationFailed(fields={"policy": [gettext("备份策略不存在")]})
        test = backup_services.restore_test_record(actor=request.user, policy=policy, **values)
        return Response(RestoreTestSerializer(test).data, status=status.HTTP_201_CREATED)


class BackupAlertSerializer(serializers.ModelSerializer):
    ticket_number = serializers.CharField(source="ticket.number", read_only=True)

    class Meta:
        model = BackupAlert
        fields = ["id", "policy", "ticket", "ticket_number", "kind", "run", "day", "note", "at"]
        read_only_fields = fields


class BackupAlertFilter(django_filters.FilterSet):
    class Meta:
        model = BackupAlert
        fields = ["policy", "kind", "ticket"]


class BackupAlertListApi(SelectorRowsMixin, generics.ListAPIView):
    serializer_class = BackupAlertSerializer
    filterset_class = BackupAlertFilter

    queryset = BackupAlert.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        return backup_selectors.backup_alert_list_for_user(user=request.user)


# ---------------------------------------------------------------- compliance


class BackupComplianceSerializer(serializers.Serializer):
    policy = serializers.IntegerField(source="policy.pk")
    policy_name = serializers.CharField(source="policy.name")
    business_system = serializers.IntegerField(source="policy.business_system_id")
    business_system_name = serializers.CharField(source="policy.business_system.name")
    days_required = serializers.IntegerField()
    days_covered = serializers.IntegerField()
    missing_days = serializers.ListField(child=serializers.DateField())
    full_window_gaps = serializers.ListField(child=serializers.DateField())
    full_runs = serializers.IntegerField()
    failed_runs = serializers.IntegerField()
    restore_tests = serializers.IntegerField()
    restore_tests_failed = serializers.IntegerField()
    met = serializers.BooleanField()


class BackupComplianceApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, required=True, description="YYYY-MM")],
        responses=BackupComplianceSerializer(many=True),
    )
    def get(self, request):
        """Per policy: a successful incremental-or-better run every day and a successful full run within
        every 7 days (4.2.6), computed from the recorded runs."""
        year, month = parse_month(request.query_params.get("month"))
        rows = backup_selectors.backup_compliance(user=request.user, year=year, month=month, today=timezone.localdate())
        return Response({"month": f"{year:04d}-{month:02d}", "results": BackupComplianceSerializer(rows, many=True).data})




# ---------------------------------------------------------------- inspections



class InspectionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionItem
        fields = ["id", "seq", "label", "kind", "min_value", "max_value", "unit"]
        read_only_fields = ["id", "seq"]


class InspectionTemplateSerializer(serializers.ModelSerializer):
    items = InspectionItemSerializer(many=True)

    class Meta:
        model = InspectionTemplate
        fields = ["id", "name", "scope", "description", "active", "items", "created_at"]
        read_only_fields = ["id", "active", "created_at"]


class InspectionTemplateListCreateApi(generics.ListCreateAPIView):
    serializer_class = InspectionTemplateSerializer
    filterset_fields = ["scope", "active"]

    def get_queryset(self):
        return inspection_selectors.inspection_template_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        permissions.permission_require("create", permissions.inspection_template_actions_for(user=request.user))
        data = InspectionTemplateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        template = inspection_services.inspection_template_create(
            actor=request.user, name=values["name"], scope=values["scope"], description=values.get("description", ""),
            items=[dict(i) for i in values["items"]],
        )
        return Response(InspectionTemplateSerializer(template).data, status=status.HTTP_201_CREATED)


class InspectionScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionSchedule
        fields = ["id", "template", "business_system", "frequency", "heavy_frequency", "time_of_day", "weekday", "grace_minutes",
                  "start_date", "active", "created_at"]
        read_only_fields = ["id", "active", "created_at"]


class InspectionScheduleListCreateApi(SelectorRowsMixin, generics.ListCreateAPIView):
    serializer_class = InspectionScheduleSerializer
    filterset_fields = ["template", "business_system", "frequency", "active"]

    queryset = InspectionSchedule.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        return inspection_selectors.inspection_schedule_list_for_user(user=request.user)

    def create(self, request, *args, **kwargs):
        permissions.permission_require("create", permissions.inspection_schedule_actions_for(user=request.user))
        data = InspectionScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        schedule = inspection_services.inspection_schedule_create(actor=request.user, **data.validated_data)
        return Response(InspectionScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


class InspectionResultSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="item.label", read_only=True)

    class Meta:
        model = InspectionResult
        fields = ["id", "item", "label", "value", "ok", "note", "ticket"]
        read_only_fields = fields


class InspectionRoundSerializer(serializers.ModelSerializer):
    template = serializers.IntegerField(source="schedule.template_id", read_only=True)
    template_name = serializers.CharField(source="schedule.template.name", read_only=True)

    class Meta:
        model = InspectionRound
        fields = ["id", "schedule", "template", "template_name", "slot", "due_by", "heavy", "status", "done_by", "done_at",
                  "anomalies", "notes", "flagged_at"]
        read_only_fields = fields


class InspectionRoundDetailSerializer(InspectionRoundSerializer):
    results = InspectionResultSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta(InspectionRoundSerializer.Meta):
        fields = [*InspectionRoundSerializer.Meta.fields, "results", "actions"]
        read_only_fields = fields

    def get_actions(self, obj) -> list[str]:
        """What the caller may do now: the same selector the round page asks."""
        request = self.context.get("request")
        return inspection_selectors.inspection_round_actions_for(actor=request.user, round_=obj) if request else []


class InspectionRoundFilter(django_filters.FilterSet):
    template = django_filters.NumberFilter(field_name="schedule__template")
    business_system = django_filters.NumberFilter(field_name="schedule__business_system")
    slot_after = core_filters.DateTimeFilter(field_name="slot", lookup_expr="gte")
    slot_before = core_filters.DateTimeFilter(field_name="slot", lookup_expr="lt")
    with_anomalies = django_filters.BooleanFilter(field_name="anomalies", lookup_expr="gt", method="filter_anomalies")

    class Meta:
        model = InspectionRound
        fields = ["status", "template", "business_system", "heavy", "slot_after", "slot_before", "with_anomalies"]

    def filter_anomalies(self, qs, name, value):
        return qs.filter(anomalies__gt=0) if value else qs.filter(anomalies=0)


class InspectionRoundListApi(SelectorRowsMixin, generics.ListAPIView):
    serializer_class = InspectionRoundSerializer
    filterset_class = InspectionRoundFilter
    ordering_fields = ["slot", "id"]

    queryset = InspectionRound.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        return inspection_selectors.inspection_round_list_for_user(user=request.user)


class InspectionRoundDetailApi(generics.RetrieveAPIView):
    serializer_class = InspectionRoundDetailSerializer

    def get_object(self):
        return inspection_selectors.inspection_round_get_for_user(user=self.request.user, round_id=self.kwargs["pk"])


class InspectionRoundCompleteApi(APIView):
    @extend_schema_serializer(component_name="InspectionRoundCompleteInput")
    class Input(serializers.Serializer):
        answers = serializers.DictField(child=serializers.DictField(), help_text='{"<item id>": {"value": "ok", "note": ""}}')
        notes = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(request=Input, responses=InspectionRoundDetailSerializer)
    def post(self, request, pk: int):
        round_ = inspection_selectors.inspection_round_get_for_user(user=request.user, round_id=pk)
        if "complete" not in inspection_selectors.inspection_round_actions_for(actor=request.user, round_=round_):
            # refused before the body is read: 403 for a purchaser, 409 for a round already done or missed
            raise inspection_selectors.inspection_round_refusal(actor=request.user, round_=round_, action="complete")
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        inspection_services.inspection_round_complete(actor=request.user, round_id=round_.pk, **data.validated_data)
        round_ = inspection_selectors.inspection_round_get_for_user(user=request.user, round_id=pk)
        return Response(InspectionRoundDetailSerializer(round_, context={"request": request}).data)


class ProblemTicketInput(serializers.Serializer):
    """The severity of the fault ticket opened for a problem found on routine work (an abnormal
    inspection result, a drill's problem)."""

    severity = serializers.ChoiceField(choices=["P1", "P2", "P3", "P4"], default="P3")


class InspectionResultTicketApi(APIView):
    @extend_schema(request=ProblemTicketInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        result = inspection_selectors.inspection_result_list_for_user(user=request.user).filter(pk=pk).first()
        if result is None:
            from core.exceptions import NotFound

            raise NotFound()
        require_provider_staff(request.user)
        data = ProblemTicketInput(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = inspection_services.inspection_result_ticket(actor=request.user, result_id=result.pk, **data.validated_data)
        return Response({"ticket": ticket.pk, "number": ticket.number}, status=status.HTTP_201_CREATED)
