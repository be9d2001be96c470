"""Utilisation API: daily rows, the month per host, the CSV/xlsx import and its template, thresholds,
optimisation findings with their two actions. Each view parses input, calls one selector or service."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import exports
from core.api_lists import SelectorRowsMixin
from core.exceptions import PermissionDenied, ValidationFailed

from .models import Direction, Metric, OptimisationFinding, Statistic, UtilisationSample, UtilisationThreshold
from .selectors.utilisation import (
    finding_actions_for,
    finding_get_for_user,
    finding_list_for_user,
    month_bounds,
    threshold_get,
    threshold_list,
    user_manages_utilisation,
    utilisation_list_for_user,
)
from .services.utilisation import (
    IMPORT_TEMPLATE_EXAMPLE,
    IMPORT_TEMPLATE_HEADERS,
    finding_dismiss,
    finding_ticket,
    utilisation_import,
    utilisation_threshold_update,
)

IMPORT_MAX_BYTES = 5 * 1024 * 1024


def parse_month(value: str | None) -> dt.date | None:
    """"2026-12" → 2026-12-01; None when absent; ValidationFailed when unreadable."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise ValidationFailed(fields={"month": [_("月份格式应为 YYYY-MM")]}) from None


class UtilisationSerializer(serializers.ModelSerializer):
    host_name = serializers.CharField(source="host.name")
    business_system = serializers.IntegerField(source="host.business_system_id")
    business_system_name = serializers.CharField(source="host.business_system.name")

    class Meta:
        model = UtilisationSample
        fields = ["id", "host", "host_name", "business_system", "business_system_name", "metric", "day", "average", "p95",
                  "source", "recorded_at"]
        read_only_fields = fields


class UtilisationFilterInput(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False)
    business_system = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    host = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    metric = serializers.ChoiceField(choices=Metric.choices, required=False)


class UtilisationListApi(SelectorRowsMixin, generics.ListAPIView):
    """Daily utilisation rows (newest first): ?month=YYYY-MM&business_system=&host=&metric=."""

    queryset = UtilisationSample.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = UtilisationSerializer
    filter_backends: list = []

    def rows(self, request, kwargs):
        query = UtilisationFilterInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        month = parse_month(f.get("month"))
        first, last = month_bounds(month) if month else (None, None)
        return utilisation_list_for_user(user=request.user, first=first, last=last,
                                         business_system_id=f.get("business_system"), host_id=f.get("host"), metric=f.get("metric"))


class UtilisationImportApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
        responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        """Import a CSV or xlsx register (主机, 日期, 指标, 日均值（%）, 日 P95（%）). All or nothing: a bad row is a
        400 whose `fields.file` lists every bad row (“第 3 行：…”)."""
        if not user_manages_utilisation(request.user):  # before reading the upload
            raise PermissionDenied(_("只有项目经理或值班负责人可以导入资源利用率"))
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(fields={"file": [_("请上传文件")]})
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationFailed(fields={"file": [_("文件不能超过 5 MB")]})
        stored = utilisation_import(actor=request.user, name=upload.name, data=upload.read())
        return Response({"stored": stored}, status=status.HTTP_201_CREATED)


def template_response(fmt: str) -> HttpResponse:
    """The import template with three example rows (CSV for Excel, or xlsx)."""
    if fmt == "xlsx":
        body = exports.xlsx_bytes([("资源利用率", IMPORT_TEMPLATE_HEADERS, IMPORT_TEMPLATE_EXAMPLE)])
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        fmt = "csv"
        response = HttpResponse(exports.csv_bytes(IMPORT_TEMPLATE_HEADERS, IMPORT_TEMPLATE_EXAMPLE), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="utilisation-template.{fmt}"'
    return response


class UtilisationTemplateApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"])], responses={
        (200, "text/csv"): OpenApiTypes.BINARY,
        (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
    })
    def get(self, request):
        return template_response(request.query_params.get("format", "csv"))


# ---------------------------------------------------------------- thresholds


class ThresholdSerializer(serializers.ModelSerializer):
    updated_by_name = serializers.CharField(source="updated_by.display_name", allow_null=True, default=None)

    class Meta:
        model = UtilisationThreshold
        fields = ["id", "metric", "direction", "statistic", "percent", "days", "enabled", "updated_by", "updated_by_name",
                  "updated_at"]
        read_only_fields = fields


class ThresholdPatchInput(serializers.Serializer):
    statistic = serializers.ChoiceField(choices=Statistic.choices, required=False)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)
    days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    enabled = serializers.BooleanField(required=False)


class ThresholdListApi(APIView):
    @extend_schema(responses=ThresholdSerializer(many=True))
    def get(self, request):
        return Response(ThresholdSerializer(threshold_list(), many=True).data)


class ThresholdDetailApi(APIView):
    @extend_schema(request=ThresholdPatchInput, responses=ThresholdSerializer)
    def patch(self, request, pk: int):
        if not user_manages_utilisation(request.user):
            raise PermissionDenied(_("只有项目经理或值班负责人可以修改利用率阈值"))
        threshold = threshold_get(threshold_id=pk)
        data = ThresholdPatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        threshold = utilisation_threshold_update(actor=request.user, threshold=threshold, **data.validated_data)
        return Response(ThresholdSerializer(threshold).data)


# ---------------------------------------------------------------- findings


class OptimisationFindingSerializer(serializers.ModelSerializer):
    host_name = serializers.CharField(source="host.name")
    business_system_name = serializers.CharField(source="business_system.name")
    ticket_number = serializers.CharField(source="ticket.number", allow_null=True, default=None)
    decided_by_name = serializers.CharField(source="decided_by.display_name", allow_null=True, default=None)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = OptimisationFinding
        fields = ["id", "host", "host_name", "business_system", "business_system_name", "metric", "direction", "state",
                  "statistic", "threshold_percent", "threshold_days", "first_day", "last_day", "peak", "opened_at",
                  "ticket", "ticket_number", "decided_by", "decided_by_name", "decided_at", "dismiss_reason", "actions"]
        read_only_fields = fields

    def get_actions(self, finding) -> list[str]:
        return finding_actions_for(user=self.context["request"].user, finding=finding)


class FindingFilterInput(serializers.Serializer):
    state = serializers.ChoiceField(choices=OptimisationFinding.State.choices, required=False)
    month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False)
    business_system = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)


class FindingListApi(SelectorRowsMixin, generics.ListAPIView):
    """Optimisation findings: ?state=open|ticketed|dismissed&month=YYYY-MM&business_system=&direction=."""

    queryset = OptimisationFinding.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = OptimisationFindingSerializer
    filter_backends: list = []

    def rows(self, request, kwargs):
        query = FindingFilterInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        qs = finding_list_for_user(user=request.user, state=f.get("state"), month=parse_month(f.get("month")),
                                   business_system_id=f.get("business_system"))
        return qs.filter(direction=f["direction"]) if f.get("direction") else qs


class FindingTicketApi(APIView):
    @extend_schema(request=None, responses=OptimisationFindingSerializer)
    def post(self, request, pk: int):
        """Open the resource-adjustment ticket of the finding (409 when already decided)."""
        finding = finding_ticket(actor=request.user, finding=finding_get_for_user(user=request.user, finding_id=pk))
        finding = finding_get_for_user(user=request.user, finding_id=finding.pk)
        return Response(OptimisationFindingSerializer(finding, context={"request": request}).data, status=status.HTTP_201_CREATED)


class FindingDismissInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class FindingDismissApi(APIView):
    @extend_schema(request=FindingDismissInput, responses=OptimisationFindingSerializer)
    def post(self, request, pk: int):
        """Dismiss with a reason (who, when and why are kept)."""
        finding = finding_get_for_user(user=request.user, finding_id=pk)
        data = FindingDismissInput(data=request.data)
        data.is_valid(raise_exception=True)
        finding = finding_dismiss(actor=request.user, finding=finding, reason=data.validated_data["reason"])
        finding = finding_get_for_user(user=request.user, finding_id=finding.pk)
        return Response(OptimisationFindingSerializer(finding, context={"request": request}).data)
