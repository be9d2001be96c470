"""Monitoring API: the intake URL each integration gives out, integrations, alerts.

The intake (/api/v1/integrations/<token>/<kind>/) is a plain Django view: no session, no CSRF, no
DRF parsing: the token is the credential, and it must answer fast under a storm.
"""

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from core.api_lists import SelectorRowsMixin
from core.exceptions import PermissionDenied, ValidationFailed
from core.parsers import reads_own_body
from tickets.models.reference import BusinessSystem

from .models import Alert, Integration
from .selectors import (
    alert_list_for_user,
    alerts_for_ticket,
    integration_for_token,
    integration_get_for_user,
    integration_list_for_user,
    user_manages_integrations,
)
from .services.intake import alert_batch_receive
from .services.integrations import integration_create, integration_rotate_token, integration_update, integration_url

# ---------------------------------------------------------------- intake


def _error(status_code: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": fields or {}}, status=status_code,
                        json_dumps_params={"ensure_ascii": False})


@reads_own_body  # its own limit (MONITORING_MAX_BODY_BYTES), 413 and JSON checks, not the site-wide ones
@csrf_exempt
@require_POST
def integration_intake(request, token: str, kind: str):
    """202 once the body is stored; 400 malformed JSON or shape; 404 wrong or rotated token (nothing
    stored); 413 over MONITORING_MAX_BODY_BYTES. Never refused for rate."""
    integration = integration_for_token(token=token, kind=kind)
    if integration is None:
        return _error(404, "not_found", gettext("接入地址无效（密钥错误或已更换）"))
    if not integration.enabled:
        return _error(403, "integration_disabled", gettext("该监控接入已停用"))
    limit = settings.MONITORING_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _error(413, "too_large", gettext("请求内容超过 %(limit)s 字节") % {"limit": limit})
    body = request.read(limit + 1)
    if len(body) > limit:
        return _error(413, "too_large", gettext("请求内容超过 %(limit)s 字节") % {"limit": limit})
    try:
        batch = alert_batch_receive(integration=integration, body=body)
    except ValidationFailed as exc:
        return _error(400, exc.code, str(exc.message), {k: [str(m) for m in v] for k, v in exc.fields.items()})
    return JsonResponse({"status": "accepted", "batch": batch.pk, "alerts": batch.alert_count}, status=202)


# ---------------------------------------------------------------- integrations


class IntegrationSerializer(serializers.ModelSerializer):
    last_alert_at = serializers.DateTimeField(read_only=True, allow_null=True)
    alert_count = serializers.IntegerField(read_only=True)
    firing_count = serializers.IntegerField(read_only=True)
    silenced_count = serializers.IntegerField(read_only=True)
    pending_batches = serializers.IntegerField(read_only=True)
    failed_batches = serializers.IntegerField(read_only=True)

    class Meta:
        model = Integration
        fields = ["id", "name", "kind", "organization", "default_business_system", "severity_mapping", "grouping_labels",
                  "flap_window_minutes", "raise_in_heavy_protection", "enabled", "token_rotated_at", "created_at",
                  "updated_at", "last_alert_at", "alert_count", "firing_count", "silenced_count", "pending_batches",
                  "failed_batches"]
        read_only_fields = fields


class IntegrationWithUrlSerializer(IntegrationSerializer):
    url = serializers.CharField(read_only=True, help_text=gettext_lazy("密钥地址，只在创建和更换密钥时返回"))

    class Meta(IntegrationSerializer.Meta):
        fields = [*IntegrationSerializer.Meta.fields, "url"]
        read_only_fields = fields


class IntegrationInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Integration.Kind.choices)
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    default_business_system = serializers.PrimaryKeyRelatedField(queryset=BusinessSystem.objects.all())
    severity_mapping = serializers.DictField(child=serializers.CharField(), required=False)
    grouping_labels = serializers.ListField(child=serializers.CharField(), required=False)
    flap_window_minutes = serializers.IntegerField(min_value=0, max_value=1440, required=False)
    raise_in_heavy_protection = serializers.BooleanField(required=False)
    enabled = serializers.BooleanField(required=False)


class IntegrationPatchInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    default_business_system = serializers.PrimaryKeyRelatedField(queryset=BusinessSystem.objects.all(), required=False)
    severity_mapping = serializers.DictField(child=serializers.CharField(), required=False)
    grouping_labels = serializers.ListField(child=serializers.CharField(), required=False)
    flap_window_minutes = serializers.IntegerField(min_value=0, max_value=1440, required=False)
    raise_in_heavy_protection = serializers.BooleanField(required=False)
    enabled = serializers.BooleanField(required=False)


def _with_url(request, integration: Integration, token: str) -> dict:
    fresh = integration_get_for_user(user=request.user, integration_id=integration.pk)
    fresh.url = integration_url(integration=fresh, token=token)
    return IntegrationWithUrlSerializer(fresh).data


class IntegrationListCreateApi(SelectorRowsMixin, generics.ListAPIView):
    queryset = Integration.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = IntegrationSerializer
    filterset_fields = ["kind", "organization", "enabled"]

    def rows(self, request, kwargs):
        return integration_list_for_user(user=request.user).order_by("name", "pk")

    @extend_schema(request=IntegrationInput, responses={201: IntegrationWithUrlSerializer})
    def post(self, request):
        if not user_manages_integrations(request.user):  # before parsing: 403 whatever the body
            raise PermissionDenied(gettext("只有项目经理或值班负责人可以管理监控接入"))
        data = IntegrationInput(data=request.data)
        data.is_valid(raise_exception=True)
        integration, token = integration_create(actor=request.user, **data.validated_data)
        return Response(_with_url(request, integration, token), status=status.HTTP_201_CREATED)


class IntegrationDetailApi(APIView):
    @extend_schema(responses=IntegrationSerializer)
    def get(self, request, pk: int):
        return Response(IntegrationSerializer(integration_get_for_user(user=request.user, integration_id=pk)).data)

    @extend_schema(request=IntegrationPatchInput, responses=IntegrationSerializer)
    def patch(self, request, pk: int):
        integration = integration_get_for_user(user=request.user, integration_id=pk)
        data = IntegrationPatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        integration_update(actor=request.user, integration=integration, **data.validated_data)
        return Response(IntegrationSerializer(integration_get_for_user(user=request.user, integration_id=pk)).data)


class IntegrationRotateApi(APIView):
    @extend_schema(request=None, responses=IntegrationWithUrlSerializer)
    def post(self, request, pk: int):
        integration = integration_get_for_user(user=request.user, integration_id=pk)
        integration, token = integration_rotate_token(actor=request.user, integration=integration)
        return Response(_with_url(request, integration, token))


# ---------------------------------------------------------------- alerts


class AlertSerializer(serializers.ModelSerializer):
    business_system = serializers.CharField(source="business_system.name")
    host = serializers.CharField(source="host.name", allow_null=True, default=None)
    ticket_number = serializers.CharField(source="ticket.number", allow_null=True, default=None)

    class Meta:
        model = Alert
        fields = ["id", "integration", "fingerprint", "status", "alertname", "summary", "severity", "security",
                  "business_system", "host", "labels", "annotations", "starts_at", "ends_at", "first_received_at",
                  "last_received_at", "receipts", "ticket", "ticket_number", "silenced_by_change",
                  "silenced_by_change_number"]
        read_only_fields = fields


class AlertFilterInput(serializers.Serializer):
    integration = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(choices=Alert.Status.choices, required=False)
    ticket = serializers.IntegerField(required=False)


class AlertListApi(SelectorRowsMixin, generics.ListAPIView):
    queryset = Alert.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = AlertSerializer
    filter_backends: list = []

    def rows(self, request, kwargs):
        query = AlertFilterInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        return alert_list_for_user(user=request.user, integration_id=f.get("integration"), status=f.get("status"),
                                   ticket_id=f.get("ticket"))


class TicketAlertListApi(SelectorRowsMixin, generics.ListAPIView):
    queryset = Alert.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = AlertSerializer
    filter_backends: list = []

    def rows(self, request, kwargs):
        return alerts_for_ticket(user=request.user, ticket_id=kwargs["pk"])
