"""GET /api/v1/audit-log/ and /api/v1/audit-log/login-attempts/: auditors and project managers only."""

from rest_framework import generics, serializers

from .audit.filters import AuditLogFilter
from .audit.selectors import audit_log_list, login_attempt_is_locked, login_attempt_list
from .models import AuditLog


class AuditLogSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = AuditLog
        fields = [
            "id", "at", "actor", "actor_label", "ip", "source", "action", "action_display",
            "object_type", "object_id", "object_repr", "changes", "detail",
        ]


class AuditLogListApi(generics.ListAPIView):
    """The audit trail, newest first. Filters: actor (username, real name or id), action, object_type
    ("tickets.ticket"), object_id, ip, date_from, date_to (YYYY-MM-DD, Asia/Shanghai)."""

    queryset = AuditLog.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = AuditLogSerializer
    filterset_class = AuditLogFilter
    ordering_fields = ["at", "id"]

    def get_queryset(self):
        return audit_log_list(user=self.request.user)


class LoginAttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(allow_null=True)
    ip_address = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField()
    failures_since_start = serializers.IntegerField()
    attempt_time = serializers.DateTimeField()
    locked = serializers.SerializerMethodField()

    def get_locked(self, obj) -> bool:
        return login_attempt_is_locked(obj)


class LoginAttemptListApi(generics.ListAPIView):
    """Failed-login counters by username and IP; `locked` is true while the pair is locked out."""

    serializer_class = LoginAttemptSerializer
    filter_backends: list = []

    def get_queryset(self):
        return login_attempt_list(user=self.request.user)
