"""API of the working-day calendar: list the days and the history of edits; a duty leader or project
manager enters a newly announced year, as dates or as an import (the State Council's notice or CSV)
previewed first and saved with `confirm: true`."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import filters as core_filters

from .models import CalendarDay, CalendarYearEvent
from .selectors.calendar import calendar_plan_diff, calendar_year_events
from .services.access import require_manager
from .services.calendar import calendar_year_enter
from .services.calendar_notice import calendar_import_parse


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "is_working_day", "name", "source", "updated_at"]


class CalendarDayFilter(django_filters.FilterSet):
    year = core_filters.YearFilter(field_name="date", lookup_expr="year")
    date_from = core_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = core_filters.DateFilter(field_name="date", lookup_expr="lte")

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
        require_manager(request.user)  # before reading the body: a refusal is 403 whatever was sent
        data = self.CalendarYearInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        written = calendar_year_enter(
            actor=request.user,
            year=v["year"],
            holidays={d["date"]: d["name"] or "法定节假日" for d in v["holidays"]},
            makeup_workdays={d["date"]: d["name"] or "调休上班" for d in v["makeup_workdays"]},
            source=CalendarYearEvent.Kind.MANUAL,
        )
        return Response({"year": v["year"], "days": written}, status=status.HTTP_201_CREATED)


def _days(days: dict) -> list[dict]:
    return [{"date": day.isoformat(), "name": name} for day, name in sorted(days.items())]


class CalendarImportApi(APIView):
    """Import a year from the State Council's notice (`format: "notice"`, its text as published) or CSV
    (`format: "csv"`, lines of date,类型(休/班),名称). Without `confirm` the answer is the preview (200:
    the days read and what they would change); with `confirm: true` the same text is parsed again and
    saved (201). Every bad line is a message of `fields.text`; nothing is saved then. Duty leaders and
    project managers only."""

    class ImportInput(serializers.Serializer):
        format = serializers.ChoiceField(choices=[CalendarYearEvent.Kind.NOTICE, CalendarYearEvent.Kind.CSV])
        text = serializers.CharField(max_length=20_000, trim_whitespace=False)
        year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, allow_null=True, default=None)
        confirm = serializers.BooleanField(required=False, default=False)

    @extend_schema(request=ImportInput, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT})
    def post(self, request):
        require_manager(request.user)
        data = self.ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        plan = calendar_import_parse(text=v["text"], fmt=v["format"], year=v["year"])
        if v["confirm"]:
            written = calendar_year_enter(actor=request.user, year=plan.year, holidays=plan.holidays,
                                          makeup_workdays=plan.makeup_workdays, source=plan.source)
            return Response({"year": plan.year, "days": written, "holidays": len(plan.holidays),
                             "makeup_workdays": len(plan.makeup_workdays)}, status=status.HTTP_201_CREATED)
        return Response({
            "year": plan.year,
            "holidays": _days(plan.holidays),
            "makeup_workdays": _days(plan.makeup_workdays),
            "changes": calendar_plan_diff(year=plan.year, holidays=plan.holidays, makeup=plan.makeup_workdays),
        })


class CalendarYearEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CalendarYearEvent
        fields = ["id", "year", "kind", "kind_display", "actor", "at", "holidays", "makeup_workdays", "diff", "note"]

    def get_actor(self, obj) -> str | None:
        return obj.actor.display_name if obj.actor else None


class CalendarYearEventFilter(django_filters.FilterSet):
    year = core_filters.YearFilter(field_name="year")

    class Meta:
        model = CalendarYearEvent
        fields = ["year"]


class CalendarHistoryApi(generics.ListAPIView):
    """The append-only history of the calendar, newest first (filter: year)."""

    serializer_class = CalendarYearEventSerializer
    filterset_class = CalendarYearEventFilter
    queryset = CalendarYearEvent.objects.none()

    def get_queryset(self):
        return calendar_year_events()
