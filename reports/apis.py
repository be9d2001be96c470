"""REST API of the reports app (mounted at /api/v1/reports/; the downtime report at
/api/v1/tickets/{id}/downtime-report.pdf). Views parse input, call one selector or service, render."""

import django_filters
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_lists import SelectorRowsMixin
from core.audit import audit_record
from core.exceptions import NotFound
from core.filters import FilterBackend, int_param
from core.models import AuditLog

from .models import AcceptancePackage, MonthlyReport, PeriodKind
from .selectors.access import (
    contract_get_for_user,
    kpi_scope_for_user,
    monthly_report_get_for_user,
    monthly_report_list_for_user,
    package_get_for_user,
    package_list_for_user,
)
from .selectors.downtime import downtime_report_pdf_for_user
from .selectors.kpis import kpis_compute
from .selectors.periods import parse_month, parse_period, parse_report_period
from .services.monthly import monthly_report_issue, monthly_report_request
from .services.packages import acceptance_package_request


def _int_param(request, name: str) -> int | None:
    return int_param(request.query_params.get(name), name=name)


class KpiApi(APIView):
    @extend_schema(
        summary="服务绩效指标",
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM"),
            OpenApiParameter("quarter", str, description="YYYY-Qn"),
            OpenApiParameter("year", str, description="YYYY"),
            OpenApiParameter("contract", int, description="合同服务年度（合同开始日至结束日，含）"),
            OpenApiParameter("from", str, description="YYYY-MM-DD（含），与 to 同用，至多 400 天"),
            OpenApiParameter("to", str, description="YYYY-MM-DD（含）"),
            OpenApiParameter("organization", int),
            OpenApiParameter("business_system", int),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        scope = kpi_scope_for_user(
            user=request.user,
            organization_id=_int_param(request, "organization"),
            business_system_id=_int_param(request, "business_system"),
        )
        params = request.query_params
        contract_id = _int_param(request, "contract")
        contract = contract_get_for_user(user=request.user, contract_id=contract_id) if contract_id is not None else None
        period = parse_period(
            month=params.get("month"), quarter=params.get("quarter"), year=params.get("year"), contract=contract,
            first=params.get("from"), last=params.get("to"),
        )
        result = kpis_compute(period=period, scope=scope, now=timezone.now(), by_month=True)
        body = result.as_api()
        for key, links in result.links.items():
            if key in body and links.get("all"):
                body[key] = {**body[key], "tickets_url": links["all"]}
        return Response(body)


class _PeriodOutput(serializers.ModelSerializer):
    """The period of a report or a package: `kind`, `period` (2026-10, 2026-Q4, 2026-06-27..2027-06-26),
    `first_day` and `last_day` (inclusive); `month` is the first day's month, as before kinds."""

    month = serializers.DateField(format="%Y-%m")
    first_day = serializers.DateField(source="month")
    period = serializers.CharField(source="period_code")
    title = serializers.CharField()


class MonthlyReportOutput(_PeriodOutput):
    contract = serializers.IntegerField(source="contract_id")
    generated_by = serializers.CharField(source="generated_by.display_name", default=None)
    issued_by = serializers.CharField(source="issued_by.display_name", default=None)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyReport
        fields = ["id", "contract", "kind", "title", "period", "month", "first_day", "last_day", "version", "status", "task_state", "progress", "progress_note", "error",
                  "sha256", "size", "automatic", "generated_by", "requested_at", "generated_at", "issued_by", "issued_at",
                  "download_url"]

    def get_download_url(self, obj) -> str | None:
        return f"/api/v1/reports/monthly/{obj.pk}/download/" if obj.task_state == "done" else None


class MonthlyReportFilter(django_filters.FilterSet):
    month = django_filters.CharFilter(method="filter_month", label="YYYY-MM")
    kind = django_filters.ChoiceFilter(choices=PeriodKind.choices)
    status = django_filters.ChoiceFilter(choices=MonthlyReport.Status.choices)
    contract = django_filters.NumberFilter(field_name="contract_id")

    class Meta:
        model = MonthlyReport
        fields = ["month", "kind", "status", "contract"]

    def filter_month(self, queryset, name, value):
        return queryset.filter(kind=PeriodKind.MONTH, month=parse_month(value).first_day)


class GenerateInput(serializers.Serializer):
    """kind=month (the default) with month=YYYY-MM, kind=quarter with quarter=YYYY-Qn, or kind=year: the
    contract's service year."""

    kind = serializers.ChoiceField(choices=PeriodKind.choices, required=False, default=PeriodKind.MONTH)
    month = serializers.CharField(required=False, allow_blank=True, max_length=20)
    quarter = serializers.CharField(required=False, allow_blank=True, max_length=20)
    contract = serializers.IntegerField(required=False)

    def validate(self, attrs):
        # The period's field is required by its kind, checked with the body (before the contract is read).
        needed = {PeriodKind.MONTH: "month", PeriodKind.QUARTER: "quarter"}.get(attrs.get("kind", PeriodKind.MONTH))
        if needed and not (attrs.get(needed) or "").strip():
            raise serializers.ValidationError({needed: [serializers.Field.default_error_messages["required"]]})
        return attrs


class _GenerationListApi(SelectorRowsMixin, ListAPIView):
    """GET a page of the generations (monthly reports or acceptance packages) the user may read, newest
    month and version first; POST `month` (and `contract`) queues a new version: 202 with its row."""

    filter_backends = [FilterBackend]

    def list_for_user(self, user):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def request_generation(self, *, actor, contract, period):  # pragma: no cover
        raise NotImplementedError

    def rows(self, request, kwargs):
        return self.list_for_user(request.user).order_by("-month", "kind", "-version")

    def post(self, request):
        data = GenerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        contract = contract_get_for_user(user=request.user, contract_id=given.get("contract"))
        period = parse_report_period(kind=given["kind"], month=given.get("month"), quarter=given.get("quarter"), contract=contract)
        row = self.request_generation(actor=request.user, contract=contract, period=period)
        row.refresh_from_db()
        return Response(self.serializer_class(row).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    get=extend_schema(operation_id="reports_monthly_list", responses=MonthlyReportOutput(many=True)),
    post=extend_schema(request=GenerateInput, responses={202: MonthlyReportOutput}),
)
class MonthlyReportListApi(_GenerationListApi):
    queryset = MonthlyReport.objects.none()  # the model, for the schema
    serializer_class = MonthlyReportOutput
    filterset_class = MonthlyReportFilter

    def list_for_user(self, user):
        return monthly_report_list_for_user(user=user)

    def request_generation(self, **kwargs):
        return monthly_report_request(**kwargs)


class MonthlyReportDetailApi(APIView):
    @extend_schema(responses=MonthlyReportOutput)
    def get(self, request, pk: int):
        return Response(MonthlyReportOutput(monthly_report_get_for_user(user=request.user, report_id=pk)).data)


class MonthlyReportIssueApi(APIView):
    @extend_schema(request=None, responses=MonthlyReportOutput)
    def post(self, request, pk: int):
        monthly_report_get_for_user(user=request.user, report_id=pk)  # 404 before 403
        report = monthly_report_issue(actor=request.user, report_id=pk)
        return Response(MonthlyReportOutput(report).data)


def _file_response(request, obj, filename: str, content_type: str) -> FileResponse:
    if obj.task_state != "done" or not obj.file:
        raise NotFound(_("文件尚未生成"))
    audit_record(actor=request.user, action=AuditLog.Action.DOWNLOAD, obj=obj, detail=f"{filename} sha256={obj.sha256}")
    response = FileResponse(obj.file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-SHA256"] = obj.sha256
    return response


class MonthlyReportDownloadApi(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        report = monthly_report_get_for_user(user=request.user, report_id=pk)
        draft = "" if report.is_issued else "-草稿"
        return _file_response(request, report, f"{report.title}-{report.period_code}-v{report.version}{draft}.pdf", "application/pdf")


class PackageOutput(_PeriodOutput):
    contract = serializers.IntegerField(source="contract_id")
    report = serializers.IntegerField(source="report_id", allow_null=True)
    generated_by = serializers.CharField(source="generated_by.display_name", default=None)
    manifest = serializers.ListField(child=serializers.DictField(), read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = AcceptancePackage
        fields = ["id", "contract", "kind", "title", "period", "month", "first_day", "last_day", "version", "report", "task_state", "progress", "progress_note", "error",
                  "sha256", "size", "manifest", "generated_by", "requested_at", "generated_at", "download_url"]

    def get_download_url(self, obj) -> str | None:
        return f"/api/v1/reports/packages/{obj.pk}/download/" if obj.task_state == "done" else None


class PackageFilter(MonthlyReportFilter):
    status = None  # a package has a task state, not a report's issue status
    class Meta:
        model = AcceptancePackage
        fields = ["month", "kind", "contract"]


@extend_schema_view(
    get=extend_schema(operation_id="reports_packages_list", responses=PackageOutput(many=True)),
    post=extend_schema(request=GenerateInput, responses={202: PackageOutput}),
)
class PackageListApi(_GenerationListApi):
    queryset = AcceptancePackage.objects.none()  # the model, for the schema
    serializer_class = PackageOutput
    filterset_class = PackageFilter

    def list_for_user(self, user):
        return package_list_for_user(user=user)

    def request_generation(self, **kwargs):
        return acceptance_package_request(**kwargs)


class PackageDetailApi(APIView):
    @extend_schema(responses=PackageOutput)
    def get(self, request, pk: int):
        return Response(PackageOutput(package_get_for_user(user=request.user, package_id=pk)).data)


class PackageDownloadApi(APIView):
    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        package = package_get_for_user(user=request.user, package_id=pk)
        return _file_response(request, package, f"{package.title}-{package.period_code}-v{package.version}.zip", "application/zip")


class DowntimeReportApi(APIView):
    @extend_schema(summary="宕机报告 PDF（P1 工单）", responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        pdf, number = downtime_report_pdf_for_user(user=request.user, ticket_id=pk, now=timezone.now())
        audit_record(
            actor=request.user, action=AuditLog.Action.EXPORT, object_type="tickets.ticket", object_id=str(pk),
            object_repr=number, detail=f"宕机报告 PDF {number}",
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename=\"downtime-{number}.pdf\""
        return response

