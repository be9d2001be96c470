"""REST API of duty rosters and heavy-protection periods, under /api/v1/roster/.

Views parse input, call one service or selector, render. Reading duty data needs provider staff or
auditor (purchasers: 403); periods are readable by everyone signed in. Writes are checked by the
services (managers plan; people on duty log, report and hand over)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import filters as core_filters
from core.exceptions import NotFound, ValidationFailed

from .models import (
    Assignment,
    DutyLogEntry,
    DutyMember,
    DutyReport,
    Handover,
    HeavyProtectionPeriod,
    Position,
    Qualification,
    Roster,
    RosterPosition,
    RosterVersion,
    Shift,
    SwapRequest,
)
from .selectors.duty import on_duty_payload
from .selectors.periods import period_list
from .selectors.rosters import (
    assignment_list_for_user,
    duty_log_list_for_user,
    duty_report_list_for_user,
    fairness_summary,
    handover_list_for_user,
    member_list_for_user,
    require_duty_reader,
    roster_get_for_user,
    roster_list_for_user,
    shift_list_for_user,
    swap_list_for_user,
)
from .services import duty as duty_services
from .services import periods as period_services
from .services import rosters as roster_services
from .services import swaps as swap_services
from .services.transitions import roster_actions_for, shift_swap_actions_for

# ---------------------------------------------------------------- periods


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = HeavyProtectionPeriod
        fields = ["id", "name", "kind", "start", "end", "level", "notes", "created_at"]
        read_only_fields = ["id", "created_at"]


class PeriodFilter(django_filters.FilterSet):
    year = core_filters.YearFilter(method="filter_year")
    active_on = core_filters.DateFilter(method="filter_active_on")

    class Meta:
        model = HeavyProtectionPeriod
        fields = ["kind", "level", "year", "active_on"]

    def filter_year(self, qs, name, value):
        return qs.filter(start__year__lte=value, end__year__gte=value)

    def filter_active_on(self, qs, name, value):
        return qs.filter(start__lte=value, end__gte=value)


class PeriodListCreateApi(generics.ListCreateAPIView):
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilter
    ordering_fields = ["start", "id"]

    def get_queryset(self):
        return period_list()

    def create(self, request, *args, **kwargs):
        data = PeriodSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period = period_services.period_create(actor=request.user, **data.validated_data)
        return Response(PeriodSerializer(period).data, status=status.HTTP_201_CREATED)


class PeriodDetailApi(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = PeriodSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return period_list()

    def update(self, request, *args, **kwargs):
        period = self.get_object()
        data = PeriodSerializer(period, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        period = period_services.period_update(actor=request.user, period=period, **data.validated_data)
        return Response(PeriodSerializer(period).data)

    def destroy(self, request, *args, **kwargs):
        period_services.period_delete(actor=request.user, period=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PeriodProposeApi(APIView):
    class PeriodProposeInputSerializer(serializers.Serializer):
        year = serializers.IntegerField(min_value=1900, max_value=2200)
        lead_days = serializers.IntegerField(min_value=0, max_value=30, required=False)
        trail_days = serializers.IntegerField(min_value=0, max_value=30, required=False)

    class PeriodProposalSerializer(serializers.Serializer):
        name = serializers.CharField()
        kind = serializers.ChoiceField(choices=HeavyProtectionPeriod.Kind.choices)
        start = serializers.DateField()
        end = serializers.DateField()
        level = serializers.IntegerField()

    @extend_schema(request=PeriodProposeInputSerializer, responses=PeriodProposalSerializer(many=True))
    def post(self, request):
        data = self.PeriodProposeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposals = period_services.period_propose(**data.validated_data)
        return Response(self.PeriodProposalSerializer(proposals, many=True).data)


# ---------------------------------------------------------------- rosters


class RosterPositionSerializer(serializers.Serializer):
    template = serializers.SlugField()
    position = serializers.ChoiceField(choices=Position.choices)
    count = serializers.IntegerField(min_value=1, max_value=20, default=1)
    qualification = serializers.ChoiceField(choices=Qualification.choices, required=False, allow_blank=True, default="")


class RosterSerializer(serializers.ModelSerializer):
    positions = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Roster
        fields = [
            "id", "name", "period", "start_date", "end_date", "status", "version", "min_rest_hours",
            "max_consecutive_nights", "positions", "created_at", "published_at", "actions",
        ]

    def get_actions(self, obj) -> list[str]:
        """What the requesting user may do with the roster now (the roster page offers the same)."""
        return roster_actions_for(user=self.context["request"].user, roster=obj)

    def get_positions(self, obj) -> list[dict]:
        return [
            {"template": p.template.code, "position": p.position, "count": p.count, "qualification": p.qualification}
            for p in obj.positions.all()
        ]


class RosterFilter(django_filters.FilterSet):
    class Meta:
        model = Roster
        fields = ["status", "period"]


class RosterListCreateApi(generics.ListCreateAPIView):
    queryset = Roster.objects.none()  # for the schema; get_queryset applies the access rule
    serializer_class = RosterSerializer
    filterset_class = RosterFilter
    ordering_fields = ["start_date", "id"]

    class RosterListCreateInputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        start_date = serializers.DateField()
        end_date = serializers.DateField()
        period = serializers.PrimaryKeyRelatedField(queryset=HeavyProtectionPeriod.objects.all(), required=False, allow_null=True)
        positions = RosterPositionSerializer(many=True)
        member_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=True)
        min_rest_hours = serializers.IntegerField(min_value=0, max_value=48, default=11)
        max_consecutive_nights = serializers.IntegerField(min_value=1, max_value=14, default=2)

    def get_queryset(self):
        return roster_list_for_user(user=self.request.user).prefetch_related(Prefetch("positions", queryset=RosterPosition.objects.select_related("template")))

    @extend_schema(request=RosterListCreateInputSerializer, responses={201: RosterSerializer})
    def post(self, request, *args, **kwargs):
        data = self.RosterListCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        positions = [roster_services.PositionSpec(**p) for p in values.pop("positions")]
        roster = roster_services.roster_create(actor=request.user, positions=positions, **values)
        return Response(RosterSerializer(roster, context={"request": request}).data, status=status.HTTP_201_CREATED)


class RosterDetailApi(generics.RetrieveAPIView):
    queryset = Roster.objects.none()  # for the schema; get_queryset applies the access rule
    serializer_class = RosterSerializer

    def get_queryset(self):
        return roster_list_for_user(user=self.request.user).prefetch_related(Prefetch("positions", queryset=RosterPosition.objects.select_related("template")))


class RosterGenerateApi(APIView):
    class RosterGenerateInputSerializer(serializers.Serializer):
        keep_filled = serializers.BooleanField(default=False)

    @extend_schema(request=RosterGenerateInputSerializer, responses=inline_serializer("GenerateResult", {"filled": serializers.IntegerField(), "unfilled": serializers.IntegerField()}))
    def post(self, request, pk: int):
        roster_get_for_user(user=request.user, roster_id=pk)
        data = self.RosterGenerateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(roster_services.roster_generate(actor=request.user, roster_id=pk, **data.validated_data))


class RosterVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RosterVersion
        fields = ["id", "number", "reason", "published_at", "published_by", "diff"]


class RosterPublishApi(APIView):
    @extend_schema(request=None, responses=RosterVersionSerializer)
    def post(self, request, pk: int):
        roster_get_for_user(user=request.user, roster_id=pk)
        version = roster_services.roster_publish(actor=request.user, roster_id=pk)
        return Response(RosterVersionSerializer(version).data)


class RosterVersionListApi(generics.ListAPIView):
    queryset = RosterVersion.objects.none()  # for the schema; get_queryset applies the access rule
    serializer_class = RosterVersionSerializer
    filterset_fields = ["number"]

    def get_queryset(self):
        roster = roster_get_for_user(user=self.request.user, roster_id=self.kwargs["pk"])
        return RosterVersion.objects.filter(roster=roster).order_by("number")


class FairnessSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    shifts = serializers.IntegerField()
    hours = serializers.FloatField()
    nights = serializers.IntegerField()
    holiday = serializers.IntegerField()
    history_hours = serializers.FloatField()
    history_nights = serializers.IntegerField()
    history_holiday = serializers.IntegerField()


class RosterFairnessApi(APIView):
    @extend_schema(responses=FairnessSerializer(many=True))
    def get(self, request, pk: int):
        roster = roster_get_for_user(user=request.user, roster_id=pk)
        return Response(FairnessSerializer(fairness_summary(roster), many=True).data)


class RosterEditApi(APIView):
    class SeatChangeSerializer(serializers.Serializer):
        assignment = serializers.IntegerField(min_value=1)
        member = serializers.IntegerField(min_value=1, allow_null=True)

    class RosterEditInputSerializer(serializers.Serializer):
        changes = serializers.ListField(child=serializers.DictField(), min_length=1)
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(
        request=inline_serializer("RosterEdit", {"changes": inline_serializer("SeatChange", {"assignment": serializers.IntegerField(), "member": serializers.IntegerField(allow_null=True)}, many=True), "reason": serializers.CharField(required=False)}),
        responses=inline_serializer("RosterEditResult", {"version": serializers.IntegerField(allow_null=True)}),
    )
    def post(self, request, pk: int):
        roster_get_for_user(user=request.user, roster_id=pk)
        data = self.RosterEditInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = {}
        for raw in data.validated_data["changes"]:
            change = self.SeatChangeSerializer(data=raw)
            change.is_valid(raise_exception=True)
            changes[change.validated_data["assignment"]] = change.validated_data["member"]
        version = roster_services.roster_seats_edit(actor=request.user, roster_id=pk, changes=changes, reason=data.validated_data["reason"])
        return Response({"version": version.number if version else None})


class RosterFeedTokenApi(APIView):
    class RosterFeedTokenInputSerializer(serializers.Serializer):
        revoke = serializers.BooleanField(default=False)

    @extend_schema(request=RosterFeedTokenInputSerializer, responses=inline_serializer("FeedUrl", {"url": serializers.CharField(allow_null=True)}))
    def post(self, request, pk: int):
        roster_get_for_user(user=request.user, roster_id=pk)
        data = self.RosterFeedTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        roster = roster_services.roster_feed_token_rotate(actor=request.user, roster_id=pk, revoke=data.validated_data["revoke"])
        url = request.build_absolute_uri(f"/roster/feeds/roster/{roster.ical_token}.ics") if roster.ical_token else None
        return Response({"url": url})


# ---------------------------------------------------------------- shifts and seats


class SeatSerializer(serializers.ModelSerializer):
    member_name = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "shift", "position", "seat", "qualification", "member", "member_name", "unfilled_reason"]

    def get_member_name(self, obj) -> str:
        return obj.member.user.display_name if obj.member_id else ""


class ShiftSerializer(serializers.ModelSerializer):
    template = serializers.CharField(source="template.code")
    template_name = serializers.CharField(source="template.name")

    class Meta:
        model = Shift
        fields = ["id", "roster", "template", "template_name", "date", "start", "end", "is_night", "holiday_weight"]


class ShiftFilter(django_filters.FilterSet):
    date_from = core_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = core_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Shift
        fields = ["roster", "is_night", "date_from", "date_to"]


class ShiftListApi(generics.ListAPIView):
    queryset = Shift.objects.none()  # for the schema; get_queryset applies the access rule
    serializer_class = ShiftSerializer
    filterset_class = ShiftFilter
    ordering_fields = ["start", "id"]

    def get_queryset(self):
        return shift_list_for_user(user=self.request.user).order_by("start", "pk")


class AssignmentSerializer(SeatSerializer):
    shift = ShiftSerializer(read_only=True)

    class Meta(SeatSerializer.Meta):
        fields = SeatSerializer.Meta.fields


class AssignmentFilter(django_filters.FilterSet):
    roster = django_filters.NumberFilter(field_name="shift__roster")
    unfilled = django_filters.BooleanFilter(field_name="member", lookup_expr="isnull")
    date_from = core_filters.DateFilter(field_name="shift__date", lookup_expr="gte")
    date_to = core_filters.DateFilter(field_name="shift__date", lookup_expr="lte")

    class Meta:
        model = Assignment
        fields = ["roster", "member", "position", "unfilled", "date_from", "date_to"]


class AssignmentListApi(generics.ListAPIView):
    queryset = Assignment.objects.none()  # for the schema; get_queryset applies the access rule
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = ["shift__start", "id"]

    def get_queryset(self):
        return assignment_list_for_user(user=self.request.user).order_by("shift__start", "shift_id", "position", "seat")


class AssignmentDetailApi(generics.RetrieveUpdateAPIView):
    """PATCH {"member": id or null}: a manual edit, validated by the hard rules."""

    queryset = Assignment.objects.none()  # for the schema; get_queryset applies the access rule
    serializer_class = AssignmentSerializer
    http_method_names = ["get", "patch", "head", "options"]

    class AssignmentDetailInputSerializer(serializers.Serializer):
        member = serializers.IntegerField(min_value=1, allow_null=True)
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def get_queryset(self):
        return assignment_list_for_user(user=self.request.user)

    @extend_schema(request=AssignmentDetailInputSerializer, responses=AssignmentSerializer)
    def patch(self, request, *args, **kwargs):
        seat = self.get_object()
        data = self.AssignmentDetailInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        roster_services.roster_seats_edit(
            actor=request.user, roster_id=seat.shift.roster_id, changes={seat.pk: data.validated_data["member"]}, reason=data.validated_data["reason"]
        )
        return Response(AssignmentSerializer(self.get_queryset().get(pk=seat.pk)).data)


class MemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name")
    username = serializers.CharField(source="user.username")

    class Meta:
        model = DutyMember
        fields = ["id", "user", "username", "name", "positions", "qualifications", "phone", "active"]


class MemberListApi(generics.ListAPIView):
    queryset = DutyMember.objects.none()  # for the schema; get_queryset applies the access rule
    serializer_class = MemberSerializer
    filterset_fields = ["active"]
    ordering_fields = ["id"]

    def get_queryset(self):
        return member_list_for_user(user=self.request.user).order_by("pk")


# ---------------------------------------------------------------- on duty


class OnDutyPersonSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    position = serializers.ChoiceField(choices=Position.choices)
    position_label = serializers.CharField()
    shift = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    phone = serializers.CharField()


class OnDutySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    leader = OnDutyPersonSerializer(allow_null=True)
    on_duty = OnDutyPersonSerializer(many=True)


class OnDutyApi(APIView):
    """Who is on duty at `at` (ISO 8601; default now), leader first; correct across midnight."""

    @extend_schema(parameters=[OpenApiParameter("at", OpenApiTypes.DATETIME, required=False)], responses=OnDutySerializer)
    def get(self, request):
        require_duty_reader(request.user)
        raw = request.query_params.get("at")
        if raw:
            try:  # ISO 8601, a real UTC offset and a sane year (core.filters); naive = Beijing time
                at = core_filters.BoundedIsoDateTimeField().clean(raw.replace(" ", "+"))
            except forms.ValidationError as error:
                raise ValidationFailed(
                    fields={"at": [*error.messages, gettext("时间格式应为 ISO 8601，例如 2026-02-16T23:00:00+08:00")]}
                ) from None
        else:
            at = timezone.now()
        return Response(OnDutySerializer(on_duty_payload(at=at)).data)


# ---------------------------------------------------------------- swaps


class SwapSerializer(serializers.ModelSerializer):
    requester_name = serializers.CharField(source="requester.user.display_name", read_only=True)
    counterpart_name = serializers.CharField(source="counterpart.user.display_name", read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = SwapRequest
        fields = [
            "id", "kind", "status", "requester", "requester_name", "assignment", "counterpart", "counterpart_name",
            "counterpart_assignment", "reason", "created_at", "decided_at", "actions",
        ]

    def get_actions(self, obj) -> list[str]:
        """What the requesting user may do with the request now (the swap page offers the same)."""
        return shift_swap_actions_for(user=self.context["request"].user, swap=obj)


class SwapListCreateApi(generics.ListCreateAPIView):
    queryset = SwapRequest.objects.none()  # for the schema; get_queryset applies the access rule
    serializer_class = SwapSerializer
    filterset_fields = ["status", "kind", "requester", "counterpart"]
    ordering_fields = ["created_at", "id"]

    class SwapListCreateInputSerializer(serializers.Serializer):
        assignment = serializers.IntegerField(min_value=1)
        counterpart = serializers.IntegerField(min_value=1)
        counterpart_assignment = serializers.IntegerField(min_value=1, required=False, allow_null=True)
        reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def get_queryset(self):
        return swap_list_for_user(user=self.request.user)

    @extend_schema(request=SwapListCreateInputSerializer, responses={201: SwapSerializer})
    def post(self, request, *args, **kwargs):
        require_duty_reader(request.user)
        data = self.SwapListCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if not assignment_list_for_user(user=request.user).filter(pk=v["assignment"]).exists():
            raise NotFound(gettext("排班席位不存在"))
        swap = swap_services.shift_swap_request(
            actor=request.user, assignment_id=v["assignment"], counterpart_id=v["counterpart"],
            counterpart_assignment_id=v.get("counterpart_assignment"), reason=v["reason"],
        )
        swap = swap_list_for_user(user=request.user).get(pk=swap.pk)
        return Response(SwapSerializer(swap, context={"request": request}).data, status=status.HTTP_201_CREATED)


class SwapActionApi(APIView):
    class SwapActionInputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    @extend_schema(request=SwapActionInputSerializer, responses=SwapSerializer, operation_id="roster_swaps_action")
    def post(self, request, pk: int, action: str):
        if action not in swap_services.SWAP_ACTIONS or not swap_list_for_user(user=request.user).filter(pk=pk).exists():
            raise NotFound(gettext("换班申请不存在"))
        data = self.SwapActionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        swap_services.shift_swap_act(action=action, actor=request.user, swap_id=pk, note=data.validated_data["note"])
        swap = swap_list_for_user(user=request.user).get(pk=pk)
        return Response(SwapSerializer(swap, context={"request": request}).data)


# ---------------------------------------------------------------- duty log, reports, handovers


class DutyLogSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = DutyLogEntry
        fields = ["id", "shift", "kind", "at", "text", "ticket_ref", "author", "author_name"]
        read_only_fields = ["id", "author", "author_name"]
        extra_kwargs = {"at": {"required": False}, "shift": {"queryset": Shift.objects.all()}}


class DutyLogFilter(django_filters.FilterSet):
    roster = django_filters.NumberFilter(field_name="shift__roster")
    since = core_filters.DateTimeFilter(field_name="at", lookup_expr="gte")

    class Meta:
        model = DutyLogEntry
        fields = ["shift", "roster", "kind", "ticket_ref", "since"]


class DutyLogListCreateApi(generics.ListCreateAPIView):
    queryset = DutyLogEntry.objects.none()  # for the schema; get_queryset applies the access rule
    serializer_class = DutyLogSerializer
    filterset_class = DutyLogFilter
    ordering_fields = ["at", "id"]

    def get_queryset(self):
        return duty_log_list_for_user(user=self.request.user).order_by("-at", "-pk")

    def create(self, request, *args, **kwargs):
        require_duty_reader(request.user)
        data = DutyLogSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        entry = duty_services.duty_log_add(
            actor=request.user, shift_id=v["shift"].pk, kind=v["kind"], text=v["text"], ticket_ref=v.get("ticket_ref", ""), at=v.get("at")
        )
        return Response(DutyLogSerializer(entry).data, status=status.HTTP_201_CREATED)


class DutyReportSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = DutyReport
        fields = ["id", "roster", "shift", "day", "kind", "summary", "author", "author_name", "submitted_at"]
        read_only_fields = ["id", "roster", "author", "author_name", "submitted_at"]


class DutyReportListCreateApi(generics.ListCreateAPIView):
    queryset = DutyReport.objects.none()  # for the schema; get_queryset applies the access rule
    serializer_class = DutyReportSerializer
    filterset_fields = ["roster", "shift", "day", "kind"]
    ordering_fields = ["submitted_at", "id"]

    class DutyReportListCreateInputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=DutyReport.Kind.choices)
        summary = serializers.CharField(required=False, allow_blank=True, default="")
        shift = serializers.IntegerField(min_value=1, required=False)
        roster = serializers.IntegerField(min_value=1, required=False)
        day = serializers.DateField(required=False)

    def get_queryset(self):
        return duty_report_list_for_user(user=self.request.user).order_by("-submitted_at", "-pk")

    @extend_schema(request=DutyReportListCreateInputSerializer, responses={201: DutyReportSerializer})
    def post(self, request, *args, **kwargs):
        require_duty_reader(request.user)
        data = self.DutyReportListCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        report = duty_services.duty_report_submit(
            actor=request.user, kind=v["kind"], summary=v["summary"], shift_id=v.get("shift"), roster_id=v.get("roster"), day=v.get("day")
        )
        return Response(DutyReportSerializer(report).data, status=status.HTTP_201_CREATED)


class OpenItemSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    remaining_minutes = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class HandoverSerializer(serializers.ModelSerializer):
    from_name = serializers.CharField(source="from_user.display_name", read_only=True)
    to_name = serializers.SerializerMethodField()
    open_items = OpenItemSerializer(many=True, required=False)
    manual_items = serializers.ListField(child=serializers.CharField(max_length=500), required=False)

    class Meta:
        model = Handover
        fields = [
            "id", "shift", "next_shift", "status", "from_user", "from_name", "to_user", "to_name", "open_items", "manual_items",
            "notes", "submitted_at", "signed_at", "sign_note",
        ]
        read_only_fields = ["id", "next_shift", "status", "from_user", "to_user", "submitted_at", "signed_at", "sign_note"]
        extra_kwargs = {"shift": {"queryset": Shift.objects.all()}}

    def get_to_name(self, obj) -> str:
        return obj.to_user.display_name if obj.to_user_id else ""


class HandoverFilter(django_filters.FilterSet):
    roster = django_filters.NumberFilter(field_name="shift__roster")

    class Meta:
        model = Handover
        fields = ["shift", "roster", "status"]


class HandoverListCreateApi(generics.ListCreateAPIView):
    queryset = Handover.objects.none()  # for the schema; get_queryset applies the access rule
    serializer_class = HandoverSerializer
    filterset_class = HandoverFilter
    ordering_fields = ["submitted_at", "id"]

    def get_queryset(self):
        return handover_list_for_user(user=self.request.user).order_by("-submitted_at", "-pk")

    def create(self, request, *args, **kwargs):
        require_duty_reader(request.user)
        data = HandoverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        handover = duty_services.handover_submit(
            actor=request.user, shift_id=v["shift"].pk, open_items=v.get("open_items", []), manual_items=v.get("manual_items", []), notes=v.get("notes", "")
        )
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)


class HandoverSignApi(APIView):
    class HandoverSignInputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    @extend_schema(request=HandoverSignInputSerializer, responses=HandoverSerializer)
    def post(self, request, pk: int):
        if not handover_list_for_user(user=request.user).filter(pk=pk).exists():
            raise NotFound(gettext("交接记录不存在"))
        data = self.HandoverSignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        handover = duty_services.handover_sign(actor=request.user, handover_id=pk, note=data.validated_data["note"])
        return Response(HandoverSerializer(handover).data)
