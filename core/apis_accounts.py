"""The accounts API (token, me, organisations). It lives in core, above accounts: it needs the error base
and the audit trail, and accounts imports no app."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization, User
from accounts.selectors import organization_list_for_user, user_roles

from .audit import audit_record
from .exceptions import ValidationFailed
from .models import AuditLog


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "short_name", "kind", "parent"]


class UserMeSerializer(serializers.ModelSerializer):
    organization = OrganizationSerializer(read_only=True)
    mobile = serializers.CharField(read_only=True)  # may be blank: the input pattern does not describe output
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "real_name", "email", "mobile", "title", "organization", "roles"]

    def get_roles(self, user) -> list[str]:
        return sorted(user_roles(user))


class TokenObtainApi(APIView):
    """POST username and password, get {"token": key} for `Authorization: Token <key>`."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema_serializer(component_name="TokenObtainInput")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses=inline_serializer("Token", {"token": serializers.CharField()}))
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The plain HttpRequest: django-axes marks it on lockout and its middleware answers 429.
        user = authenticate(request._request, **data.validated_data)
        if user is None or not user.is_active:
            raise ValidationFailed(_("用户名或密码错误"), code="invalid_credentials", fields={"password": [_("用户名或密码错误")]})
        token, _created = Token.objects.get_or_create(user=user)
        audit_record(actor=user, action=AuditLog.Action.LOGIN, obj=user, detail="API 令牌")
        return Response({"token": token.key}, status=status.HTTP_200_OK)


class UserMeApi(APIView):
    @extend_schema(responses=UserMeSerializer)
    def get(self, request):
        user = User.objects.select_related("organization").get(pk=request.user.pk)
        return Response(UserMeSerializer(user).data)


class OrganizationListApi(generics.ListAPIView):
    queryset = Organization.objects.none()  # the model, for the schema; rows come from the selector
    serializer_class = OrganizationSerializer
    filterset_fields = ["kind", "parent"]
    ordering_fields = ["id", "name"]

    def get_queryset(self):
        return organization_list_for_user(user=self.request.user).order_by("pk")

