"""API of the working-day calendar: list the days; a project manager enters a newly announced year."""

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from accounts.selectors import user_has_role
from core.exceptions import PermissionDenied

from .models import CalendarDay
from .services.calendar import calendar_year_set


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "is_working_day", "name", "source", "updated_at"]


class CalendarDayFilter(django_filters.FilterSet):
    # Bounded: a year outside 1..9999 (e.g. 0) cannot be turned into date bounds (was a 500).
    year = django_filters.NumberFilter(field_name="date", lookup_expr="year", min_value=1, max_value=9999)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = CalendarDay
        fields = ["year", "date_from", "date_to", "kind", "is_working_day"]


class CalendarDayListApi(generics.ListAPIView):
    """Days of the working-day calendar (filters: year, date_from, date_to, kind, is_working_day)."""

    serializer_class = CalendarDaySerializer
    filterset_class = CalendarDayFilter
    ordering_fields = ["date"]
    queryset = CalendarDay.objects.all().order_by("date")


class _Day(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CalendarYearSetApi(APIView):
    """Replace a whole year: the holidays and make-up workdays announced by the State Council; the
    other days follow the week. Project managers only."""

    class CalendarYearInput(serializers.Serializer):
        year = serializers.IntegerField(min_value=2000, max_value=2100)
        holidays = _Day(many=True)
        makeup_workdays = _Day(many=True, required=False, default=list)

    @extend_schema(
        request=CalendarYearInput,
        responses={201: inline_serializer("CalendarYearSetResult", {"year": serializers.IntegerField(), "days": serializers.IntegerField()})},
    )
    def post(self, request):
        if not user_has_role(request.user, Role.PROJECT_MANAGER):
            raise PermissionDenied("只有项目经理可以录入工作日历")
        data = self.CalendarYearInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        written = calendar_year_set(
            year=v["year"],
            holidays={d["date"]: d["name"] or "法定节假日" for d in v["holidays"]},
            makeup_workdays={d["date"]: d["name"] or "调休上班" for d in v["makeup_workdays"]},
            source="manual",
            actor=request.user,
        )
        return Response({"year": v["year"], "days": written}, status=status.HTTP_201_CREATED)
