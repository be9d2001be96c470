"""Tickets API (/api/v1/tickets/…). Views parse input, call one service, render the result."""

import django_filters
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.selectors import concrete_user, user_list
from core import filters as core_filters
from core.api_lists import SelectorRowsMixin
from core.exceptions import NotFound, ValidationFailed
from core.limits import DESCRIPTION_MAX_LENGTH, REASON_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from core.models import ConsentState
from core.pagination import CappedCountPaginator, PageNumberPagination
from core.serializers import BuiltFieldsModelSerializer, UserBrief
from core.uploads import attachment_download
from roster.selectors.calendar import WorkingDays

from .apis_exclusions import ExclusionSerializer
from .listing import XLSX_TYPE, ticket_export_response
from .models import (
    DOWNTIME_EXCLUSION_KINDS,
    DowntimeRecord,
    Exclusion,
    ExclusionKind,
    Host,
    SatisfactionFollowUp,
    SatisfactionRating,
    SlaPolicy,
    Ticket,
    TicketAttachment,
    TicketComment,
    TicketEvent,
)
from .selectors.downtime import downtime_planned_parts
from .selectors.exclusions import exclusion_get_for_user
from .selectors.reference import business_system_list_for_user, host_list_for_user, service_item_list_for_user
from .selectors.sla import sla_working_days_for, ticket_sla
from .selectors.tickets import (
    QUEUES,
    downtime_list,
    follow_up_list,
    ticket_attachment_get_for_user,
    ticket_attachment_list,
    ticket_comment_list,
    ticket_event_list,
    ticket_filter,
    ticket_get_for_user,
    ticket_list_for_user,
    ticket_queue,
)
from .services import tickets as svc
from .services.actions import ticket_action_run
from .services.bulk import BULK_ACTIONS, BULK_MAX_TICKETS, ticket_bulk_run
from .services.comments import ticket_attachment_add, ticket_comment
from .services.downtime import (
    DOWNTIME_REPORT_FIELDS,
    downtime_record_correct,
    downtime_record_create,
    ticket_downtime_report_update,
)
from .services.exclusions import ticket_cancel, ticket_mark_major, ticket_merge
from .services.policies import sla_policy_create, sla_policy_update
from .services.regrade import ticket_regrade
from .services.satisfaction import satisfaction_follow_up_close, ticket_rate
from .services.transitions import ticket_actions_for, ticket_is_rated

# ---------------------------------------------------------------- output


class SlaClockFiguresSerializer(serializers.Serializer):
    name = serializers.CharField()
    target_minutes = serializers.IntegerField()
    calendar = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    paused_at = serializers.DateTimeField(allow_null=True)
    elapsed_minutes = serializers.IntegerField(allow_null=True)
    elapsed_seconds = serializers.IntegerField(allow_null=True, help_text="To the second; met means strictly less than target_minutes × 60")
    paused_minutes = serializers.IntegerField()
    breached = serializers.BooleanField()
    remaining = serializers.IntegerField(source="remaining_minutes", allow_null=True)
    remaining_minutes = serializers.IntegerField(allow_null=True)
    state = serializers.CharField()
    calendar_warning = serializers.CharField(allow_blank=True)


def _iso(value, tz) -> str | None:
    """A time as DRF's DateTimeField writes it (settings: ISO 8601): in the current time zone, "Z" for UTC."""
    if not value:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _int_or_none(value) -> int | None:
    return None if value is None else int(value)


def _clock_data(figures: dict, tz) -> dict:
    """One clock's figures as SlaClockFiguresSerializer writes them (the documented shape), without DRF's
    field-by-field machinery: 14 fields × 2 clocks × 25 rows cost more than the rest of the list.
    tests/tickets/test_api_rows.py compares the two on every kind of clock."""
    return {
        "name": str(figures["name"]),
        "target_minutes": int(figures["target_minutes"]),
        "calendar": str(figures["calendar"]),
        "due_at": _iso(figures["due_at"], tz),
        "stopped_at": _iso(figures["stopped_at"], tz),
        "paused_at": _iso(figures["paused_at"], tz),
        "elapsed_minutes": _int_or_none(figures["elapsed_minutes"]),
        "elapsed_seconds": _int_or_none(figures["elapsed_seconds"]),
        "paused_minutes": int(figures["paused_minutes"]),
        "breached": bool(figures["breached"]),
        "remaining": _int_or_none(figures["remaining_minutes"]),
        "remaining_minutes": _int_or_none(figures["remaining_minutes"]),
        "state": str(figures["state"]),
        "calendar_warning": str(figures["calendar_warning"]),
    }


def _sla_data(ticket: Ticket, *, now, days: WorkingDays, tz) -> dict:
    return {name: _clock_data(value, tz) for name, value in ticket_sla(ticket, now=now, days=days).items()}


class TicketSlaSerializer(serializers.Serializer):
    response = SlaClockFiguresSerializer(required=False)
    resolve = SlaClockFiguresSerializer(required=False)
    restore = SlaClockFiguresSerializer(required=False)


class _TicketFigures:
    """What every representation of a ticket computes: its SLA figures, the actions the viewer may
    take, whether it is rated. Needs `now` / `days` / `request` in the context."""

    @extend_schema_field(TicketSlaSerializer)
    def get_sla(self, obj: Ticket) -> dict:
        return _sla_data(obj, now=self.context["now"], days=self.context["days"], tz=timezone.get_current_timezone())

    def get_actions(self, obj: Ticket) -> list[str]:
        return ticket_actions_for(user=self.context["request"].user, ticket=obj)

    def get_rated(self, obj: Ticket) -> bool:
        try:
            return obj.satisfaction is not None
        except SatisfactionRating.DoesNotExist:
            return False


class TicketSerializer(_TicketFigures, BuiltFieldsModelSerializer):
    """A ticket as the API shows it. Needs the queryset of ticket_base_queryset (no extra queries per
    row) and `now` / `days` / `request` in the context. Its fields are mapped from the model once
    (core.serializers.BuiltFieldsModelSerializer)."""

    business_system_name = serializers.CharField(source="business_system.name", read_only=True)
    requester = UserBrief(read_only=True)
    recorded_by = UserBrief(read_only=True)
    assignee = UserBrief(read_only=True, allow_null=True)
    hosts = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    rated = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id", "number", "title", "description", "kind", "severity", "status", "business_system",
            "business_system_name", "hosts", "service_item", "requester", "organization", "channel", "reported_at",
            "recorded_by", "assignee", "acknowledged_at", "started_at", "located_at", "pending_since", "resolved_at",
            "closed_at", "cancelled_at", "resolution", "cancel_reason", "resource", "direction", "amount_before",
            "amount_after", "major_incident", "major_incident_reason", "major_marked_at", "outage_impact", "root_cause",
            "actions_taken", "prevention", "next_due_at", "created_at",
            "updated_at", "sla", "actions", "rated",
        ]

    def get_hosts(self, obj: Ticket) -> list[int]:
        return [h.pk for h in obj.host_list()]


class TicketRowSerializer(_TicketFigures, BuiltFieldsModelSerializer):
    """A ticket as a row of the list and the queues (GET /api/v1/tickets/): what a row of the queue page
    shows — number, title, kind, severity, status, system, assignee, times, SLA clocks, the viewer's
    actions — and no more. The full ticket is GET /api/v1/tickets/{id}/, or the list with
    `?fields=full`. Reads ticket_row_queryset: no requester, recorder or host query per page."""

    business_system_name = serializers.CharField(source="business_system.name", read_only=True)
    assignee = UserBrief(read_only=True, allow_null=True)
    sla = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    rated = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id", "number", "title", "kind", "severity", "status", "business_system", "business_system_name",
            "organization", "assignee", "reported_at", "major_incident", "next_due_at", "updated_at", "sla",
            "actions", "rated",
        ]


def ticket_row_data(ticket: Ticket, *, user, now, days: WorkingDays, tz) -> dict:
    """A ticket as TicketRowSerializer writes it (the documented shape of a list row), built directly: a
    page of 25 rows through DRF's fields cost about a third of the list's time. Same keys, same order,
    same values (tests/tickets/test_api_rows.py compares the two). Reads what ticket_row_queryset joins
    and prefetches; `user` is a concrete user (accounts.selectors.concrete_user)."""
    assignee = ticket.assignee
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "title": ticket.title,
        "kind": ticket.kind,
        "severity": ticket.severity,
        "status": ticket.status,
        "business_system": ticket.business_system_id,
        "business_system_name": ticket.business_system.name,
        "organization": ticket.organization_id,
        "assignee": None if assignee is None else {"id": assignee.pk, "name": assignee.display_name},
        "reported_at": _iso(ticket.reported_at, tz),
        "major_incident": bool(ticket.major_incident),
        "next_due_at": _iso(ticket.next_due_at, tz),
        "updated_at": _iso(ticket.updated_at, tz),
        "sla": _sla_data(ticket, now=now, days=days, tz=tz),
        "actions": ticket_actions_for(user=user, ticket=ticket),
        "rated": ticket_is_rated(ticket),
    }


# DRF's DecimalField writes amounts as strings quantized to the field's places: kept for the two amounts.
_AMOUNT = serializers.DecimalField(max_digits=12, decimal_places=2)


def _amount(value) -> str | None:
    return None if value is None else _AMOUNT.to_representation(value)


def _brief(user: User | None) -> dict | None:
    return None if user is None else {"id": user.pk, "name": str(user.display_name)}


def _text(value) -> str | None:
    return None if value is None else str(value)


def ticket_data(ticket: Ticket, *, user, now, days: WorkingDays, tz) -> dict:
    """A ticket as TicketSerializer writes it (the documented shape of the detail, the action answers and
    `fields=full`), built directly like ticket_row_data: same keys, order and values
    (tests/tickets/test_api_rows.py compares the two). Reads what ticket_detail_queryset or
    ticket_base_queryset brings; `user` is a concrete user."""
    return {
        "id": ticket.pk,
        "number": _text(ticket.number),
        "title": _text(ticket.title),
        "description": _text(ticket.description),
        "kind": _text(ticket.kind),
        "severity": _text(ticket.severity),
        "status": _text(ticket.status),
        "business_system": ticket.business_system_id,
        "business_system_name": _text(ticket.business_system.name),
        "hosts": [h.pk for h in ticket.host_list()],
        "service_item": ticket.service_item_id,
        "requester": _brief(ticket.requester),
        "organization": ticket.organization_id,
        "channel": _text(ticket.channel),
        "reported_at": _iso(ticket.reported_at, tz),
        "recorded_by": _brief(ticket.recorded_by),
        "assignee": _brief(ticket.assignee),
        "acknowledged_at": _iso(ticket.acknowledged_at, tz),
        "started_at": _iso(ticket.started_at, tz),
        "located_at": _iso(ticket.located_at, tz),
        "pending_since": _iso(ticket.pending_since, tz),
        "resolved_at": _iso(ticket.resolved_at, tz),
        "closed_at": _iso(ticket.closed_at, tz),
        "cancelled_at": _iso(ticket.cancelled_at, tz),
        "resolution": _text(ticket.resolution),
        "cancel_reason": _text(ticket.cancel_reason),
        "resource": _text(ticket.resource),
        "direction": _text(ticket.direction),
        "amount_before": _amount(ticket.amount_before),
        "amount_after": _amount(ticket.amount_after),
        "major_incident": bool(ticket.major_incident),
        "major_incident_reason": _text(ticket.major_incident_reason),
        "major_marked_at": _iso(ticket.major_marked_at, tz),
        "outage_impact": _text(ticket.outage_impact),
        "root_cause": _text(ticket.root_cause),
        "actions_taken": _text(ticket.actions_taken),
        "prevention": _text(ticket.prevention),
        "next_due_at": _iso(ticket.next_due_at, tz),
        "created_at": _iso(ticket.created_at, tz),
        "updated_at": _iso(ticket.updated_at, tz),
        "sla": _sla_data(ticket, now=now, days=days, tz=tz),
        "actions": ticket_actions_for(user=user, ticket=ticket),
        "rated": ticket_is_rated(ticket),
    }


def _context(view, days: WorkingDays | None = None) -> dict:
    return {"request": view.request, "now": timezone.now(), "days": days or WorkingDays(), "view": view}


def _render(
    view, ticket: Ticket, code: int = status.HTTP_200_OK, *, reload: bool = True, days: WorkingDays | None = None
) -> Response:
    """The ticket as the API shows it; re-read after a change (`reload`), so the answer is what is stored."""
    if reload:
        ticket = ticket_get_for_user(user=view.request.user, ticket_id=ticket.pk)
    data = ticket_data(ticket, user=concrete_user(view.request.user), now=timezone.now(), days=days or WorkingDays(),
                       tz=timezone.get_current_timezone())
    return Response(data, status=code)


# ---------------------------------------------------------------- input helpers


def _ticket_and_input(request, pk: int, input_class: type[serializers.Serializer]) -> tuple[Ticket, dict]:
    """The ticket the user may act on (404 first) and the request body checked by `input_class` (400). The
    answer re-reads the ticket (_render), so its people are not read here."""
    ticket = ticket_get_for_user(user=request.user, ticket_id=pk, people=False)
    data = input_class(data=request.data)
    data.is_valid(raise_exception=True)
    return ticket, data.validated_data


def _pick(qs, pk, field: str, message: str):
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed(fields={field: [message]})
    return obj


def _hosts(user: User, ids: list[int] | None) -> list[Host] | None:
    if ids is None:
        return None
    hosts = list(host_list_for_user(user=user).filter(pk__in=ids))
    if len(hosts) != len(set(ids)):
        raise ValidationFailed(fields={"hosts": [_("主机不存在")]})
    return hosts


class TicketCreateInput(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=DESCRIPTION_MAX_LENGTH)
    kind = serializers.ChoiceField(choices=Ticket.Kind.choices)
    severity = serializers.ChoiceField(choices=Ticket.Severity.choices)
    business_system = serializers.IntegerField()
    hosts = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    service_item = serializers.IntegerField(required=False, allow_null=True, default=None)
    channel = serializers.ChoiceField(choices=Ticket.Channel.choices, required=False, default=Ticket.Channel.WEB)
    reported_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    requester = serializers.IntegerField(required=False, allow_null=True, default=None)
    resource = serializers.ChoiceField(choices=Ticket.Resource.choices, required=False, allow_blank=True, default="")
    direction = serializers.ChoiceField(choices=Ticket.Direction.choices, required=False, allow_blank=True, default="")
    amount_before = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)
    amount_after = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)


class TicketUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    hosts = serializers.ListField(child=serializers.IntegerField(), required=False)
    service_item = serializers.IntegerField(required=False, allow_null=True)
    amount_before = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    amount_after = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    # The downtime report's narrative (provider staff only; see downtime.ticket_downtime_report_update).
    outage_impact = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)
    root_cause = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)
    actions_taken = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)
    prevention = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)
    # Regrade (tickets.services.regrade): raising is the provider's and takes effect at once; a provider's
    # downgrade of a fault or security incident needs `reason` and waits for the purchaser (202).
    severity = serializers.ChoiceField(choices=Ticket.Severity.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX_LENGTH,
                                   help_text="Why the severity changes (required to lower a fault or security incident)")


# ---------------------------------------------------------------- tickets


class TicketFilter(django_filters.FilterSet):
    """Queue and filters; all delegate to tickets.selectors.tickets."""

    queue = django_filters.ChoiceFilter(choices=[(q, q) for q in QUEUES], method="filter_queue")
    kind = django_filters.ChoiceFilter(choices=Ticket.Kind.choices)
    severity = django_filters.ChoiceFilter(choices=Ticket.Severity.choices)
    business_system = django_filters.NumberFilter()
    # No DISTINCT: the filter joins nothing (DISTINCT over every column made the count slow).
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices, distinct=False)
    assignee = django_filters.NumberFilter()
    breached = django_filters.BooleanFilter(method="filter_breached")
    reported_from = core_filters.DateFilter(field_name="reported_at", lookup_expr="date__gte")
    reported_to = core_filters.DateFilter(field_name="reported_at", lookup_expr="date__lte")
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Ticket
        fields = ["queue", "kind", "severity", "business_system", "status", "assignee", "breached", "reported_from",
                  "reported_to", "search"]

    def filter_queue(self, qs, name, value):
        return qs  # applied by TicketListCreateApi.get_queryset (the queue decides the order too)

    def filter_breached(self, qs, name, value):
        return ticket_filter(qs, breached=value, now=timezone.now())

    def filter_search(self, qs, name, value):
        return ticket_filter(qs, search=value)


class TicketPagination(PageNumberPagination):
    """The house page-number pagination; `count` is exact up to 10 000 tickets and `count_capped`
    says when there are more (narrow with filters, or page through the first 10 000)."""

    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count_capped"] = {"type": "boolean", "description": "more than 10 000 tickets match"}
        return out


LIST_FIELDS_PARAMETER = OpenApiParameter(
    "fields", str, enum=["row", "full"], required=False,
    description="row (default): each ticket as its row shows it (TicketRow); full: every field of the ticket, as "
                "GET /api/v1/tickets/{id}/ answers",
)


class TicketListCreateApi(generics.ListAPIView):
    """GET: tickets the user may see (queue=unassigned|mine|team|breaching|open, filters, search), each
    as its row (`fields=full`: the whole ticket). POST: report a ticket."""

    serializer_class = TicketRowSerializer
    filterset_class = TicketFilter
    pagination_class = TicketPagination
    ordering_fields = ["reported_at", "next_due_at", "number", "id"]

    def _full(self) -> bool:
        return self.request.query_params.get("fields") == "full"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Ticket.objects.none()
        rows = not self._full()  # a row reads no requester, recorder nor hosts
        queue = self.request.query_params.get("queue")
        if queue in QUEUES:
            return ticket_queue(user=self.request.user, queue=queue, now=timezone.now(), for_rows=rows)
        return ticket_list_for_user(user=self.request.user, for_rows=rows).order_by("-reported_at", "-pk")

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "GET" and self._full():
            return TicketSerializer
        return self.serializer_class

    def get_serializer_context(self):
        return _context(self)

    def get_serializer(self, *args, **kwargs):
        context = kwargs.setdefault("context", self.get_serializer_context())
        if kwargs.get("many") and args:  # a page of tickets: the calendar years its clocks need, at once
            context["days"] = sla_working_days_for(args[0], now=context["now"])
        return self.get_serializer_class()(*args, **kwargs)

    @extend_schema(parameters=[LIST_FIELDS_PARAMETER], responses=TicketRowSerializer(many=True))
    def get(self, request, *args, **kwargs):
        if request.query_params.get("fields") not in (None, "row", "full"):
            raise ValidationFailed(fields={"fields": [gettext("只能是 row 或 full")]})
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        """Rows (the default) are written by ticket_row_data, in TicketRowSerializer's shape (the schema
        above documents it); `fields=full` by ticket_data, in TicketSerializer's."""
        tickets = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        now, tz, user = timezone.now(), timezone.get_current_timezone(), concrete_user(request.user)
        days = sla_working_days_for(tickets, now=now)
        write = ticket_data if self._full() else ticket_row_data
        return self.get_paginated_response([write(t, user=user, now=now, days=days, tz=tz) for t in tickets])

    @extend_schema(request=TicketCreateInput, responses={201: TicketSerializer})
    def post(self, request):
        data = TicketCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        user = request.user
        v["business_system"] = _pick(business_system_list_for_user(user=user), v["business_system"], "business_system", _("业务系统不存在"))
        v["hosts"] = _hosts(user, v["hosts"])
        v["service_item"] = _pick(service_item_list_for_user(user=user), v["service_item"], "service_item", _("服务项不存在"))
        v["requester"] = _pick(user_list(), v["requester"], "requester", _("报障人不存在"))
        # The created ticket comes back with its clocks and hosts (see ticket_create): it is shown as
        # written in this request's transaction, not read back, and with the request's one calendar.
        days = WorkingDays()
        ticket = svc.ticket_create(actor=user, days=days, **v)
        return _render(self, ticket, status.HTTP_201_CREATED, reload=False, days=days)


class TicketDetailApi(APIView):
    @extend_schema(responses=TicketSerializer)
    def get(self, request, pk: int):
        return _render(self, ticket_get_for_user(user=request.user, ticket_id=pk), reload=False)

    @extend_schema(request=TicketUpdateInput, responses={200: TicketSerializer, 202: ExclusionSerializer})
    def patch(self, request, pk: int):
        ticket = ticket_get_for_user(user=request.user, ticket_id=pk, people=False)  # the answer re-reads it
        fixed = sorted(set(request.data) - set(TicketUpdateInput().fields))
        if fixed:
            raise ValidationFailed(fields={name: [_("创建后不能修改此字段")] for name in fixed})
        data = TicketUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        if "hosts" in v:
            v["hosts"] = _hosts(request.user, v["hosts"])
        if "service_item" in v:
            v["service_item"] = _pick(service_item_list_for_user(user=request.user), v["service_item"], "service_item", _("服务项不存在"))
        report = {name: v.pop(name) for name in DOWNTIME_REPORT_FIELDS if name in v}
        severity, reason = v.pop("severity", None), v.pop("reason", "")
        if reason and severity is None:
            raise ValidationFailed(fields={"reason": [_("只在调整级别（severity）时填写")]})
        regraded = None
        with transaction.atomic():
            if v:
                svc.ticket_update(actor=request.user, ticket=ticket, **v)
            if report:
                ticket_downtime_report_update(actor=request.user, ticket=ticket, **report)
            if severity is not None:
                regraded = ticket_regrade(actor=request.user, ticket=ticket, severity=severity, reason=reason)
        if isinstance(regraded, Exclusion):  # a downgrade waiting for the purchaser: 202 with the request
            return _answer(request, regraded, lambda: None)
        return _render(self, ticket_get_for_user(user=request.user, ticket_id=pk))


class _Empty(serializers.Serializer):
    pass


class _Reason(serializers.Serializer):
    reason = serializers.CharField()


class _Note(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class _Resolution(serializers.Serializer):
    resolution = serializers.CharField(max_length=TEXT_MAX_LENGTH)


class _Assign(serializers.Serializer):
    assignee = serializers.IntegerField()

    def validate_assignee(self, value: int) -> User:
        return _pick(user_list(), value, "assignee", _("用户不存在"))


# The API's input for each action it offers at /tickets/<pk>/<action>/; which service runs is
# tickets.services.actions' one dispatcher, shared with the pages.
ACTION_INPUTS: dict[str, type[serializers.Serializer]] = {
    "acknowledge": _Empty,
    "claim": _Empty,
    "assign": _Assign,
    "start": _Empty,
    "pend": _Reason,
    "resume": _Note,
    "locate": _Note,
    "resolve": _Resolution,
    "close": _Empty,
    "reopen": _Reason,
}


def ticket_action_view(action: str):
    input_class = ACTION_INPUTS[action]

    class TicketActionApi(APIView):
        @extend_schema(request=input_class, responses=TicketSerializer, operation_id=f"tickets_{action}")
        def post(self, request, pk: int):
            ticket, data = _ticket_and_input(request, pk, input_class)
            ticket_action_run(action=action, actor=request.user, ticket=ticket, **data)
            return _render(self, ticket)

    TicketActionApi.__name__ = f"Ticket{action.title().replace('_', '')}Api"
    TicketActionApi.__qualname__ = TicketActionApi.__name__
    return TicketActionApi.as_view()


# ---------------------------------------------------------------- ticket actions that open one


class _Merge(serializers.Serializer):
    duplicate_of = serializers.IntegerField()
    reason = serializers.CharField()


def _answer(request, exclusion: Exclusion, render_ticket):
    """The purchaser's own act took effect: 200 with the ticket. The provider's request waits for the
    purchaser: 202 with the exclusion."""
    if exclusion.state == ConsentState.REQUESTED:
        exclusion = exclusion_get_for_user(user=request.user, exclusion_id=exclusion.pk)
        return Response(ExclusionSerializer(exclusion, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)
    return render_ticket()


class TicketCancelApi(APIView):
    @extend_schema(request=_Reason, responses={200: dict, 202: ExclusionSerializer}, operation_id="tickets_cancel")
    def post(self, request, pk: int):
        ticket, data = _ticket_and_input(request, pk, _Reason)
        exclusion = ticket_cancel(actor=request.user, ticket=ticket, reason=data["reason"])
        return _answer(request, exclusion, lambda: _render(self, ticket))


class TicketMarkMajorApi(APIView):
    """Classify a fault or security incident as a major liability incident (重大责任安全事件): the
    purchaser's approver at once (200, the ticket); the project manager's proposal waits for that
    approver (202, the consent request in the exclusion ledger, decided at /exclusions/{id}/…)."""

    @extend_schema(request=_Reason, responses={200: TicketSerializer, 202: ExclusionSerializer},
                   operation_id="tickets_mark_major")
    def post(self, request, pk: int):
        ticket, data = _ticket_and_input(request, pk, _Reason)
        exclusion = ticket_mark_major(actor=request.user, ticket=ticket, reason=data["reason"])
        return _answer(request, exclusion, lambda: _render(self, ticket))


class TicketMergeApi(APIView):
    @extend_schema(request=_Merge, responses={200: dict, 202: ExclusionSerializer}, operation_id="tickets_merge")
    def post(self, request, pk: int):
        ticket, data = _ticket_and_input(request, pk, _Merge)
        target = _pick(ticket_list_for_user(user=request.user, for_display=False), data["duplicate_of"],
                       "duplicate_of", _("工单不存在"))
        exclusion = ticket_merge(actor=request.user, ticket=ticket, duplicate_of=target,
                                 reason=data["reason"])
        return _answer(request, exclusion, lambda: _render(self, ticket))


# ---------------------------------------------------------------- comments, attachments, events


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    author = UserBrief(read_only=True)
    body = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    internal = serializers.BooleanField(default=False)
    created_at = serializers.DateTimeField(read_only=True)


def _ticket_of(request, kwargs):
    """The ticket of a sub-list (comments, attachments, events, outages) the user may read, or 404."""
    return ticket_get_for_user(user=request.user, ticket_id=kwargs["pk"], for_display=False)


class TicketCommentApi(SelectorRowsMixin, generics.ListAPIView):
    serializer_class = CommentSerializer
    filterset_fields = ["internal"]

    queryset = TicketComment.objects.none()  # the model, for the schema

    def rows(self, request, kwargs):
        return ticket_comment_list(user=request.user, ticket=_ticket_of(request, kwargs))

    @extend_schema(request=CommentSerializer, responses={201: CommentSerializer})
    def post(self, request, pk: int):
        ticket, data = _ticket_and_input(request, pk, CommentSerializer)
        comment = ticket_comment(actor=request.user, ticket=ticket, **data)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    internal = serializers.BooleanField()
    uploaded_by = UserBrief()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, obj) -> str:
        return f"/api/v1/tickets/{obj.ticket_id}/attachments/{obj.pk}/download/"


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField()
    internal = serializers.BooleanField(default=False)


class TicketAttachmentApi(SelectorRowsMixin, generics.ListAPIView):
    """GET the ticket's attachments; POST multipart `file` (size limit, type whitelist, content checked)."""

    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["internal"]

    queryset = TicketAttachment.objects.none()  # the model, for the schema

    def rows(self, request, kwargs):
        return ticket_attachment_list(user=request.user, ticket=_ticket_of(request, kwargs))

    @extend_schema(request=AttachmentInput, responses={201: AttachmentSerializer})
    def post(self, request, pk: int):
        ticket, data = _ticket_and_input(request, pk, AttachmentInput)
        upload = data["file"]
        from django.conf import settings

        if upload.size > settings.OPSDESK_ATTACHMENT_MAX_BYTES:
            raise ValidationFailed(fields={"file": [f"文件超过大小上限 {settings.OPSDESK_ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB"]})
        attachment = ticket_attachment_add(
            actor=request.user, ticket=ticket, name=upload.name, data=upload.read(),
            internal=data["internal"],
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class TicketAttachmentDownloadApi(APIView):
    """The file, as a download only, after the access check (core.uploads.attachment_download: nosniff,
    sandbox CSP, no-store)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, attachment_id: int):
        attachment = ticket_attachment_get_for_user(user=request.user, ticket_id=pk, attachment_id=attachment_id)
        return attachment_download(
            actor=request.user, obj=attachment, filename=attachment.original_name,
            content_type=attachment.content_type, detail=f"工单附件 {attachment.original_name}（API）",
        )


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    actor = UserBrief(allow_null=True)
    at = serializers.DateTimeField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    data = serializers.JSONField()


class TicketEventApi(SelectorRowsMixin, generics.ListAPIView):
    serializer_class = EventSerializer
    filterset_fields = ["kind"]

    queryset = TicketEvent.objects.none()  # the model, for the schema

    def rows(self, request, kwargs):
        return ticket_event_list(user=request.user, ticket=_ticket_of(request, kwargs))


# ---------------------------------------------------------------- satisfaction, downtime


class SatisfactionSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)
    rated_by = UserBrief(read_only=True)
    rated_at = serializers.DateTimeField(read_only=True)
    follow_up = serializers.SerializerMethodField()

    def get_follow_up(self, obj) -> str | None:
        follow_up = getattr(obj, "follow_up", None) if hasattr(obj, "pk") else None
        return follow_up.status if follow_up else None


class TicketSatisfactionApi(APIView):
    @extend_schema(responses=SatisfactionSerializer)
    def get(self, request, pk: int):
        ticket = ticket_get_for_user(user=request.user, ticket_id=pk, people=False)
        rating = SatisfactionRating.objects.filter(ticket=ticket).select_related("rated_by").first()
        if rating is None:
            raise NotFound(_("该工单尚未评价"))
        return Response(SatisfactionSerializer(rating).data)

    @extend_schema(request=SatisfactionSerializer, responses={201: SatisfactionSerializer})
    def post(self, request, pk: int):
        ticket, data = _ticket_and_input(request, pk, SatisfactionSerializer)
        rating = ticket_rate(actor=request.user, ticket=ticket, **data)
        return Response(SatisfactionSerializer(rating).data, status=status.HTTP_201_CREATED)


class DowntimeSerializer(serializers.ModelSerializer):
    """`planned` / `planned_minutes` / `planned_changes` are computed (8.2.8): the minutes inside an
    approved, completed change's window, up to its expected interruption. `claimed_planned` is a
    provider's claim that still needs the purchaser's confirmation; it takes nothing out of a KPI.
    The view passes the parts in the context (`planned_parts`, tickets.selectors.downtime)."""

    planned = serializers.SerializerMethodField()
    planned_minutes = serializers.SerializerMethodField()
    planned_changes = serializers.SerializerMethodField()

    class Meta:
        model = DowntimeRecord
        fields = ["id", "ticket", "business_system", "start", "end", "planned", "planned_minutes", "planned_changes",
                  "claimed_planned", "claim_reason", "reason_corrected", "created_at"]

    def _part(self, record: DowntimeRecord):
        return self.context.get("planned_parts", {}).get(record.pk)

    def get_planned(self, record: DowntimeRecord) -> bool:
        return self._part(record) is not None

    def get_planned_minutes(self, record: DowntimeRecord) -> float:
        part = self._part(record)
        return round(part.minutes, 2) if part else 0.0

    def get_planned_changes(self, record: DowntimeRecord) -> list[str]:
        part = self._part(record)
        return list(part.change_numbers) if part else []


def _downtime_data(records, *, many: bool = False):
    """Serialize outage records with their planned parts (one or two queries for all of them)."""
    rows = list(records) if many else [records]
    parts = downtime_planned_parts(records=rows, now=timezone.now())
    return DowntimeSerializer(rows if many else records, many=many, context={"planned_parts": parts}).data


class DowntimeInput(serializers.Serializer):
    start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    planned = serializers.BooleanField(
        default=False, help_text="申报计划内停机（须填写 reason）：记为 claimed_planned，待采购人确认，不直接扣出可用率",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    claim_kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in DOWNTIME_EXCLUSION_KINDS], default=ExclusionKind.PLANNED,
        help_text="With planned: planned (计划维护) or force_majeure (不可抗力); the exclusion it opens waits for the purchaser",
    )


class DowntimeCorrectInput(serializers.Serializer):
    start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField()


class TicketDowntimeApi(SelectorRowsMixin, generics.ListAPIView):
    """GET the ticket's outage records; POST one (provider staff)."""

    serializer_class = DowntimeSerializer
    filterset_fields = ["claimed_planned"]

    queryset = DowntimeRecord.objects.none()  # the model, for the schema

    def rows(self, request, kwargs):
        return downtime_list(user=request.user, ticket=_ticket_of(request, kwargs))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["planned_parts"] = getattr(self, "_planned_parts", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = list(page) if page is not None else list(queryset)
        self._planned_parts = downtime_planned_parts(records=rows, now=timezone.now())
        return page

    @extend_schema(request=DowntimeInput, responses={201: DowntimeSerializer})
    def post(self, request, pk: int):
        ticket, data = _ticket_and_input(request, pk, DowntimeInput)
        record = downtime_record_create(actor=request.user, ticket=ticket, **data)
        return Response(_downtime_data(record), status=status.HTTP_201_CREATED)


class TicketDowntimeDetailApi(APIView):
    @extend_schema(request=DowntimeCorrectInput, responses=DowntimeSerializer)
    def patch(self, request, pk: int, record_id: int):
        ticket = ticket_get_for_user(user=request.user, ticket_id=pk, people=False)
        record = downtime_list(user=request.user, ticket=ticket).filter(pk=record_id).first()
        if record is None:
            raise NotFound(_("停机记录不存在"))
        data = DowntimeCorrectInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = downtime_record_correct(actor=request.user, record=record, **data.validated_data)
        return Response(_downtime_data(record))


# ---------------------------------------------------------------- SLA policies


class SlaPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaPolicy
        fields = ["id", "name", "kind", "severity", "clock", "resource", "direction", "heavy_protection_important",
                  "target_minutes", "calendar", "pausable", "stop_on", "active", "clause", "description",
                  "contract_target_minutes", "contract_pausable", "updated_at"]
        read_only_fields = ["contract_target_minutes", "contract_pausable", "updated_at"]


class SlaPolicyListApi(generics.ListAPIView):
    """The SLA policies (data). POST (project manager) adds one; tickets keep the targets they were created with."""

    serializer_class = SlaPolicySerializer
    filterset_fields = ["kind", "severity", "clock", "active", "calendar"]
    queryset = SlaPolicy.objects.all().order_by("kind", "clock", "severity", "pk")

    @extend_schema(request=SlaPolicySerializer, responses={201: SlaPolicySerializer})
    def post(self, request):
        data = SlaPolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = sla_policy_create(actor=request.user, **data.validated_data)
        return Response(SlaPolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class SlaPolicyDetailApi(APIView):
    def _get(self, pk: int) -> SlaPolicy:
        policy = SlaPolicy.objects.filter(pk=pk).first()
        if policy is None:
            raise NotFound(_("SLA 策略不存在"))
        return policy

    @extend_schema(responses=SlaPolicySerializer)
    def get(self, request, pk: int):
        return Response(SlaPolicySerializer(self._get(pk)).data)

    @extend_schema(request=SlaPolicySerializer, responses=SlaPolicySerializer)
    def patch(self, request, pk: int):
        policy = self._get(pk)
        data = SlaPolicySerializer(policy, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        policy = sla_policy_update(actor=request.user, policy=policy, **data.validated_data)
        return Response(SlaPolicySerializer(policy).data)



# ---------------------------------------------------------------- satisfaction follow-ups


class FollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ticket = serializers.IntegerField(source="ticket_id")
    ticket_number = serializers.CharField(source="ticket.number")
    score = serializers.IntegerField(source="rating.score")
    comment = serializers.CharField(source="rating.comment")
    status = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_by = UserBrief(allow_null=True)


class FollowUpCloseInput(serializers.Serializer):
    note = serializers.CharField()


class FollowUpListApi(SelectorRowsMixin, generics.ListAPIView):
    """Follow-ups (回访) opened by low satisfaction scores; provider staff and auditors."""

    serializer_class = FollowUpSerializer
    filterset_fields = ["status"]

    queryset = SatisfactionFollowUp.objects.none()  # the model, for the schema

    def rows(self, request, kwargs):
        return follow_up_list(user=request.user)


class FollowUpCloseApi(APIView):
    @extend_schema(request=FollowUpCloseInput, responses=FollowUpSerializer)
    def post(self, request, pk: int):
        follow_up = follow_up_list(user=request.user).filter(pk=pk).first()
        if follow_up is None:
            raise NotFound(_("回访记录不存在"))
        data = FollowUpCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = satisfaction_follow_up_close(actor=request.user, follow_up=follow_up, note=data.validated_data["note"])
        return Response(FollowUpSerializer(follow_up_list(user=request.user).get(pk=follow_up.pk)).data)


# ---------------------------------------------------------------- export, bulk


class TicketExportApi(APIView):
    """GET /api/v1/tickets/export.csv | export.xlsx: every ticket of the list the user may read, with the
    list's filters (the list page's query string: queue, search, kind, severity, status, business_system,
    assignee, breached, reported_from/to, organization, clock, clock_state, major_incident, rating),
    column headers in the request's language. Invalid filters: 400 with field messages; more than
    50 000 tickets: 400 (narrow the filters)."""

    def perform_content_negotiation(self, request, force=False):
        # The answer is a file (or a JSON error): whatever the client accepts.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="tickets_export",
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, XLSX_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request, fmt: str):
        return ticket_export_response(user=request.user, params=request.query_params, fmt=fmt)


class TicketBulkInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a, a) for a in BULK_ACTIONS])
    tickets = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), allow_empty=False,
                                    max_length=BULK_MAX_TICKETS)
    assignee = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                        help_text="assign: the provider engineer")
    body = serializers.CharField(required=False, max_length=TEXT_MAX_LENGTH, help_text="comment: its text")
    internal = serializers.BooleanField(required=False, default=False, help_text="comment: provider staff only")

    def validate(self, attrs):
        if attrs["action"] == "assign" and "assignee" not in attrs:
            raise serializers.ValidationError({"assignee": [gettext("请选择处理人")]})
        if attrs["action"] == "comment" and not attrs.get("body", "").strip():
            raise serializers.ValidationError({"body": [gettext("请填写评论内容")]})
        return attrs


class BulkOutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="ticket_id")
    number = serializers.CharField()
    ok = serializers.BooleanField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class TicketBulkOutput(serializers.Serializer):
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = BulkOutcomeSerializer(many=True)


class TicketBulkApi(APIView):
    """POST: assign or comment on many tickets (duty leader, project manager; others 403). Each ticket
    goes through its own service as if acted on alone; the answer (200) says per ticket whether it was
    done, and if not, why (`code`, `message`, `fields`). Input wrong for every ticket: 400."""

    @extend_schema(request=TicketBulkInput, responses=TicketBulkOutput, operation_id="tickets_bulk")
    def post(self, request):
        data = TicketBulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        action, ids = v.pop("action"), v.pop("tickets")
        if action == "assign":
            kwargs = {"assignee": _pick(user_list(), v["assignee"], "assignee", _("用户不存在"))}
        else:
            kwargs = {"body": v["body"], "internal": v["internal"]}
        outcomes = ticket_bulk_run(actor=request.user, action=action, ticket_ids=ids, **kwargs)
        done = sum(1 for o in outcomes if o.ok)
        return Response(TicketBulkOutput({"done": done, "failed": len(outcomes) - done, "results": outcomes}).data)
