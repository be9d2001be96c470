import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Notification
from .selectors import notification_list, notification_unread_count
from .services import notification_mark_read


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "unread"]

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["kind", "unread"]


class NotificationListApi(generics.ListAPIView):
    """The signed-in user's inbox, newest first. `unread_count` is in the X-Unread-Count header."""

    queryset = Notification.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return notification_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response["X-Unread-Count"] = str(notification_unread_count(user=request.user))
        return response


class NotificationMarkReadApi(APIView):
    auditor_may_write = True  # marks the caller's own inbox read; changes nothing of the service
    @extend_schema_serializer(component_name="NotificationMarkReadInput")
    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)

    @extend_schema(request=InputSerializer, responses=inline_serializer("MarkRead", {"marked": serializers.IntegerField()}))
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = notification_mark_read(user=request.user, notification_ids=data.validated_data.get("ids"))
        return Response({"marked": marked})
