"""REST API of the security self-checks, under /api/v1/. The services check who may write."""

from __future__ import annotations

import django_filters
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import filters as core_filters
from core.api_lists import SelectorRowsMixin
from core.consent import consent_actions_for, consent_decide
from core.exceptions import NotFound, ValidationFailed
from core.serializers import NoteInput
from core.uploads import attachment_download
from tickets.selectors.reference import business_system_list_for_user, host_list_for_user

from .apis import _flag, parse_month
from .models import AntivirusSweep, Finding, RiskAcceptance, SecurityActivity, SecurityWarning
from .selectors import permissions
from .selectors import security as sec
from .selectors.backups import month_bounds
from .services import security as services
from .services.access import require_provider_staff


class SecurityActivitySerializer(serializers.ModelSerializer):
    report = serializers.SerializerMethodField(help_text=_("报告的下载地址（GET，经访问检查与审计），未上传时为空"))

    class Meta:
        model = SecurityActivity
        fields = ["id", "kind", "title", "organization", "systems", "scope", "started_on", "ended_on", "people", "lead", "report",
                  "created_at"]
        read_only_fields = ["id", "lead", "report", "created_at"]

    def get_report(self, activity) -> str | None:
        return reverse("api-security-activity-report", args=[activity.pk]) if activity.report else None


class SecurityActivityReportApi(APIView):
    """The self-check's report: GET downloads it through core.uploads.attachment_download (the page's
    download too: audit row, no-store, sandbox CSP); POST (multipart `file`) attaches or replaces it,
    checked as ticket attachments are (core.uploads: size, type, content)."""

    parser_classes = [MultiPartParser]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        activity = sec.security_activity_get_for_user(user=request.user, activity_id=pk)
        return attachment_download(
            actor=request.user, obj=activity, file=activity.report, filename=activity.report.name.rpartition("/")[2],
            content_type=services.security_activity_report_content_type(activity),
            detail=f"安全自查报告 {activity.title}（API）",
        )

    @extend_schema(
        request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
        responses={200: SecurityActivitySerializer},
    )
    def post(self, request, pk: int):
        activity = sec.security_activity_get_for_user(user=request.user, activity_id=pk)
        permissions.permission_require("attach_report", permissions.security_activity_actions_for(user=request.user, activity=activity))
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(fields={"file": [gettext("请上传文件")]})
        activity = services.security_activity_report_attach(actor=request.user, activity_id=activity.pk, upload=upload)
        return Response(SecurityActivitySerializer(activity).data)


class SecurityActivityFilter(django_filters.FilterSet):
    started_after = core_filters.DateFilter(field_name="started_on", lookup_expr="gte", label=_("开始日期起"))
    started_before = core_filters.DateFilter(field_name="started_on", lookup_expr="lte", label=_("开始日期止"))

    class Meta:
        model = SecurityActivity
        fields = ["kind", "organization", "started_after", "started_before"]


class SecurityActivityListCreateApi(SelectorRowsMixin, generics.ListCreateAPIView):
    serializer_class = SecurityActivitySerializer
    filterset_class = SecurityActivityFilter

    queryset = SecurityActivity.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        return sec.security_activity_list_for_user(user=request.user).prefetch_related("systems")

    def create(self, request, *args, **kwargs):
        permissions.permission_require("create", permissions.security_activity_actions_for(user=request.user))
        data = SecurityActivitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = services.security_activity_create(actor=request.user, **data.validated_data)
        return Response(SecurityActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


class FindingSerializer(serializers.ModelSerializer):
    accepted = serializers.BooleanField(read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = ["id", "activity", "business_system", "hosts", "title", "severity", "cve", "description", "found_on", "due_on",
                  "status", "accepted", "fixed_by", "fixed_at", "verified_by", "verified_at", "created_by", "actions"]
        read_only_fields = fields

    def get_actions(self, finding) -> list[str]:
        request = self.context.get("request")
        return permissions.finding_actions_for(user=request.user, finding=finding) if request else []


class FindingInputSerializer(serializers.Serializer):
    activity = serializers.IntegerField()
    business_system = serializers.IntegerField(required=False, allow_null=True)
    hosts = serializers.ListField(child=serializers.IntegerField(), required=False)
    title = serializers.CharField(max_length=300)
    severity = serializers.CharField()
    cve = serializers.CharField(required=False, allow_blank=True, max_length=30)
    description = serializers.CharField(required=False, allow_blank=True)
    found_on = serializers.DateField()


class FindingFilter(django_filters.FilterSet):
    overdue_on = core_filters.DateFilter(method="filter_overdue", label=_("逾期（截至该日）"))
    accepted = django_filters.BooleanFilter()
    found_after = core_filters.DateFilter(field_name="found_on", lookup_expr="gte")
    found_before = core_filters.DateFilter(field_name="found_on", lookup_expr="lte")

    class Meta:
        model = Finding
        fields = ["status", "severity", "business_system", "activity", "cve", "accepted", "overdue_on", "found_after", "found_before"]

    def filter_overdue(self, qs, name, value):
        return qs.filter(status__in=sec.OPEN_FINDING, due_on__lt=value, accepted=False)


class FindingListCreateApi(SelectorRowsMixin, generics.ListCreateAPIView):
    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    ordering_fields = ["found_on", "due_on", "id"]

    queryset = Finding.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        return sec.finding_list_for_user(user=request.user).prefetch_related("hosts")

    @extend_schema(request=FindingInputSerializer, responses={201: FindingSerializer})
    def post(self, request, *args, **kwargs):
        permissions.permission_require("create", permissions.finding_actions_for(user=request.user))
        data = FindingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        activity = sec.security_activity_list_for_user(user=request.user).filter(pk=values.pop("activity")).first()
        if activity is None:
            raise ValidationFailed(fields={"activity": [gettext("安全自查不存在")]})
        system_id = values.pop("business_system", None)
        system = business_system_list_for_user(user=request.user).filter(pk=system_id).first() if system_id else None
        if system_id and system is None:
            raise ValidationFailed(fields={"business_system": [gettext("业务系统不存在")]})
        host_ids = values.pop("hosts", [])
        hosts = list(host_list_for_user(user=request.user).filter(pk__in=host_ids))
        if len(hosts) != len(set(host_ids)):
            raise ValidationFailed(fields={"hosts": [gettext("主机不存在")]})
        finding = services.finding_create(actor=request.user, activity=activity, business_system=system, hosts=hosts, **values)
        finding = sec.finding_get_for_user(user=request.user, finding_id=finding.pk)
        return Response(FindingSerializer(finding, context={"request": request}).data, status=status.HTTP_201_CREATED)


class FindingDetailApi(generics.RetrieveAPIView):
    serializer_class = FindingSerializer

    def get_object(self):
        return sec.finding_get_for_user(user=self.request.user, finding_id=self.kwargs["pk"])


class FindingActionApi(APIView):
    @extend_schema(request=NoteInput, responses=FindingSerializer, operation_id="findings_action")
    def post(self, request, pk: int, action: str):
        finding = sec.finding_get_for_user(user=request.user, finding_id=pk)
        if action not in services.FINDING_TRANSITIONS:
            raise NotFound()
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.finding_move(actor=request.user, finding_id=finding.pk, action=action, note=data.validated_data.get("note", ""))
        finding = sec.finding_get_for_user(user=request.user, finding_id=pk)
        return Response(FindingSerializer(finding, context={"request": request}).data)


class RiskAcceptanceSerializer(serializers.ModelSerializer):
    actions = serializers.SerializerMethodField()

    class Meta:
        model = RiskAcceptance
        fields = ["id", "finding", "organization", "state", "reason", "requested_by", "requested_at", "decided_by", "decided_at",
                  "decision_note", "actions"]
        read_only_fields = fields

    def get_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        return consent_actions_for(user=request.user, consent=obj) if request else []


class FindingAcceptRiskApi(APIView):
    @extend_schema_serializer(component_name="FindingAcceptRiskInput")
    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(request=Input, responses={201: RiskAcceptanceSerializer})
    def post(self, request, pk: int):
        finding = sec.finding_get_for_user(user=request.user, finding_id=pk)
        require_provider_staff(request.user)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        acceptance = services.finding_accept_risk_request(actor=request.user, finding_id=finding.pk, **data.validated_data)
        return Response(RiskAcceptanceSerializer(acceptance, context={"request": request}).data, status=status.HTTP_201_CREATED)


class RiskAcceptanceListApi(SelectorRowsMixin, generics.ListAPIView):
    serializer_class = RiskAcceptanceSerializer
    filterset_fields = ["state", "finding"]

    queryset = RiskAcceptance.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        return sec.risk_acceptance_list_for_user(user=request.user)


class RiskAcceptanceDecideApi(APIView):
    @extend_schema(request=NoteInput, responses=RiskAcceptanceSerializer, operation_id="risk_acceptances_decide")
    def post(self, request, pk: int, action: str):
        acceptance = sec.risk_acceptance_list_for_user(user=request.user).filter(pk=pk).first()
        if acceptance is None or action not in ("confirm", "reject", "dispute", "withdraw"):
            raise NotFound()
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        acceptance = consent_decide(acceptance, actor=request.user, action=action, note=data.validated_data.get("note", ""))
        return Response(RiskAcceptanceSerializer(acceptance, context={"request": request}).data)


class FindingImportApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": {"type": "object", "properties": {
            "activity": {"type": "integer"}, "file": {"type": "string", "format": "binary"}}}},
        parameters=[OpenApiParameter("partial", OpenApiTypes.BOOL)],
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        """A CSV/xlsx of the template (业务系统, 问题, 等级, 主机, CVE 编号, 发现日期, 说明) or a
        Greenbone/OpenVAS XML report (.xml). All or nothing unless ?partial=1."""
        require_provider_staff(request.user)
        upload = request.FILES.get("file")
        activity_id = request.data.get("activity")
        activity = (sec.security_activity_list_for_user(user=request.user).filter(pk=activity_id).first()
                    if str(activity_id or "").isdigit() else None)
        errors = {}
        if activity is None:
            errors["activity"] = [gettext("安全自查不存在")]
        if upload is None or upload.size > 10 * 1024 * 1024:
            errors["file"] = [gettext("请上传不超过 10 MB 的文件")]
        if errors:
            raise ValidationFailed(fields=errors)
        partial = _flag(request, "partial")
        result = services.findings_import(actor=request.user, activity=activity, name=upload.name, data=upload.read(),
                                          partial=partial)
        if not result["stored"]:
            fields = {f"{r['row']}.{k}": v for r in result["rows"] for k, v in r["errors"].items()}
            return Response({"code": "validation_failed", "message": gettext("有记录未通过校验，未导入任何记录（可加 ?partial=1 只导入有效记录）"),
                             "fields": fields, "counts": result["counts"], "rows": result["rows"]}, status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_201_CREATED if result["counts"]["created"] else status.HTTP_200_OK
        return Response({"counts": result["counts"], "rows": result["rows"]}, status=code)


class AntivirusSweepSerializer(serializers.ModelSerializer):
    class Meta:
        model = AntivirusSweep
        fields = ["id", "host", "swept_at", "engine", "threats_found", "threats_cleaned", "notes", "recorded_by", "created_at"]
        read_only_fields = ["id", "recorded_by", "created_at"]


class AntivirusSweepFilter(django_filters.FilterSet):
    business_system = django_filters.NumberFilter(field_name="host__business_system")
    swept_after = core_filters.DateTimeFilter(field_name="swept_at", lookup_expr="gte")
    swept_before = core_filters.DateTimeFilter(field_name="swept_at", lookup_expr="lt")

    class Meta:
        model = AntivirusSweep
        fields = ["host", "business_system", "swept_after", "swept_before"]


class AntivirusSweepListCreateApi(SelectorRowsMixin, generics.ListCreateAPIView):
    serializer_class = AntivirusSweepSerializer
    filterset_class = AntivirusSweepFilter

    queryset = AntivirusSweep.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        return sec.antivirus_sweep_list_for_user(user=request.user)

    def create(self, request, *args, **kwargs):
        permissions.permission_require("create", permissions.antivirus_sweep_actions_for(user=request.user))
        data = AntivirusSweepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sweep = services.antivirus_sweep_record(actor=request.user, **data.validated_data)
        return Response(AntivirusSweepSerializer(sweep).data, status=status.HTTP_201_CREATED)


class AntivirusUnsweptApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("month", OpenApiTypes.STR, required=True)], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        """Hosts without an antivirus sweep in the month."""
        year, month = parse_month(request.query_params.get("month"))
        first, last = month_bounds(year, month)
        hosts = sec.hosts_unswept(user=request.user, first=first, last=last)
        return Response({"month": f"{year:04d}-{month:02d}", "results": [
            {"host": h.pk, "name": h.name, "ip_address": h.ip_address, "business_system": h.business_system.name} for h in hosts]})


class SecurityWarningSerializer(serializers.ModelSerializer):
    class Meta:
        model = SecurityWarning
        fields = ["id", "organization", "audience", "title", "severity", "content", "published_at", "published_by"]
        read_only_fields = ["id", "published_at", "published_by"]


class SecurityWarningListCreateApi(SelectorRowsMixin, generics.ListCreateAPIView):
    serializer_class = SecurityWarningSerializer
    filterset_fields = ["organization", "severity"]

    queryset = SecurityWarning.objects.none()  # the model, for the schema; rows come from the selector

    def rows(self, request, kwargs):
        return sec.security_warning_list_for_user(user=request.user)

    def create(self, request, *args, **kwargs):
        permissions.permission_require("publish", permissions.security_warning_actions_for(user=request.user))
        data = SecurityWarningSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        warning = services.security_warning_publish(actor=request.user, **data.validated_data)
        return Response(SecurityWarningSerializer(warning).data, status=status.HTTP_201_CREATED)


