"""Pages of change requests: list, detail with the approval chain and the user's actions, the draft
form, the month calendar of change windows and the approval inbox. Views parse input, call one
service and render; access rules live in the selectors."""

import calendar
import datetime as dt
import re
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.roles import PROVIDER_ROLES
from accounts.selectors import users_with_role
from core.exceptions import DomainError, NotFound, page_domain_error, page_status
from core.forms import GroupedSelectMultiple
from core.panels import panels_for
from roster.selectors.periods import period_bounds, periods_touching
from tickets.selectors.reference import business_system_list_for_user, host_list_for_user

from . import services
from .forms import ACTION_FORMS, change_action_form
from .models import ChangeRequest, ChangeTemplate
from .selectors import (
    approval_current,
    change_actions_for_user,
    change_awaiting_approval_for_user,
    change_conflicts,
    change_events,
    change_freeze_periods,
    change_get_for_user,
    change_list_for_user,
    change_start_wait,
    conflicts_blocking,
    ticket_visible_for_user,
    user_may_draft_changes,
)

Status = ChangeRequest.Status
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def _get(request, pk: int) -> ChangeRequest:
    try:
        return change_get_for_user(user=request.user, change_id=pk)
    except NotFound:
        raise Http404 from None


# --- list and inbox ---------------------------------------------------------------------------------

class ChangeFilterForm(forms.Form):
    q = forms.CharField(label=_("编号或标题"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *Status.choices])
    category = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部")), *ChangeRequest.Category.choices])
    risk = forms.ChoiceField(label=_("风险"), required=False, choices=[("", _("全部")), *ChangeRequest.Risk.choices])
    business_system = forms.ModelChoiceField(label=_("业务系统"), required=False, queryset=None, empty_label=_("全部"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_system"].queryset = business_system_list_for_user(user=user).order_by("name")


def _page(request, queryset, per_page: int = 25):
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    return page


@login_required
def change_list(request):
    form = ChangeFilterForm(request.GET or None, user=request.user)
    qs = change_list_for_user(user=request.user)
    if form.is_valid():
        f = form.cleaned_data
        if f["q"]:
            qs = qs.filter(Q(number__icontains=f["q"]) | Q(title__icontains=f["q"]))
        for name in ("status", "category", "risk"):
            if f[name]:
                qs = qs.filter(**{name: f[name]})
        if f["business_system"]:
            qs = qs.filter(business_systems=f["business_system"])
    page = _page(request, qs.prefetch_related("business_systems").order_by("-created_at", "-pk"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(request, "changes/list.html", {
        "form": form, "page": page, "query": query, "may_draft": user_may_draft_changes(request.user),
    })


@login_required
def change_inbox(request):
    qs = change_awaiting_approval_for_user(user=request.user).prefetch_related("business_systems", "approvals")
    page = _page(request, qs.order_by("submitted_at", "pk"))
    return render(request, "changes/inbox.html", {"page": page})


# --- detail and actions -----------------------------------------------------------------------------

def _detail_context(request, change: ChangeRequest, *, bound=None) -> dict:
    """Everything the change page shows; `bound` replaces the blank form of the action that was refused."""
    actions = change_actions_for_user(change=change, user=request.user)
    show_rules = change.status in (Status.DRAFT, Status.SUBMITTED, Status.IN_APPROVAL, Status.APPROVED)
    conflicts = change_conflicts(change=change) if show_rules else []
    periods = change_freeze_periods(window_start=change.window_start, window_end=change.window_end) if show_rules else []
    # In the transition table's order (the selector answers a set).
    action_forms = {action: change_action_form(action) for action in ACTION_FORMS if action in actions}
    if bound is not None:
        action_forms[bound.action] = bound  # kept even if the action is no longer offered: the input stays
    return {
        "change": change,
        "actions": actions,
        "action_forms": action_forms,
        "error_action": bound.action if bound is not None else None,
        "start_wait": change_start_wait(change=change, user=request.user) if "start" not in actions else None,
        "approvals": list(change.approvals.all()),
        "current": approval_current(change),
        "events": change_events(change=change),
        "conflicts": conflicts,
        "conflict_blocks": conflicts_blocking(change, conflicts),
        "periods": periods,
        "now": timezone.now(),
        "panels": panels_for("change_detail", user=request.user, obj=change),  # e.g. alerts it silenced
    }


@login_required
def change_detail(request, pk: int):
    change = _get(request, pk)
    return render(request, "changes/detail.html", _detail_context(request, change))


ACTION_SERVICES = {
    "submit": services.change_submit,
    "approve": services.change_approve,
    "reject": services.change_reject,
    "start": services.change_start,
    "complete": services.change_complete,
    "review": services.change_review,
    "cancel": services.change_cancel,
}
DONE_MESSAGES = {
    "submit": _("变更已提交审批。"), "approve": _("已同意。"), "reject": _("已驳回。"), "start": _("已开始实施。"),
    "complete": _("已登记实施完成。"), "review": _("复盘已记录。"), "cancel": _("变更已取消。"),
}


@require_POST
@login_required
def change_action(request, pk: int, action: str):
    """One action of the page. Refused: an action with a form comes back on the page with the input kept,
    the reason beside its field or at the top of that form (once); one without (submit, start) goes back
    to the page with the reason as its message."""
    _get(request, pk)
    service = ACTION_SERVICES.get(action)
    if service is None:
        raise Http404
    form = change_action_form(action, request.POST)
    if form is not None and not form.is_valid():  # malformed input (an outcome not offered): beside its input
        return render(request, "changes/detail.html", _detail_context(request, _get(request, pk), bound=form))
    try:
        service(actor=request.user, change_id=pk, **(form.service_data() if form is not None else {}))
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise Http404 from None
        if form is None:
            page_domain_error(exc, request=request)
            return redirect("change-detail", pk=pk)
        page_domain_error(exc, form=form)
        change = _get(request, pk)  # re-read: the state may have moved (often why it was refused)
        return render(request, "changes/detail.html", _detail_context(request, change, bound=form),
                      status=page_status(exc))
    messages.success(request, DONE_MESSAGES[action])
    return redirect("change-detail", pk=pk)


# --- the draft form ---------------------------------------------------------------------------------

class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_INPUT, **kwargs)


class HostChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.business_system.name}）"


# What change_submit requires (changes.services._required_errors): marked on the form, which also saves
# incomplete drafts.
REQUIRED_TO_SUBMIT = ("title", "category", "risk", "business_systems", "window_start", "window_end", "reason", "plan",
                      "rollback_plan", "verification_plan")


class ChangeForm(forms.Form):
    title = forms.CharField(label=_("变更标题"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("变更类别"), choices=ChangeRequest.Category.choices, initial=ChangeRequest.Category.NORMAL)
    template = forms.ModelChoiceField(
        label=_("标准变更模板"), required=False, queryset=ChangeTemplate.objects.filter(active=True).order_by("name"),
        help_text=_("选择模板即为预先批准的标准变更，免审批"),
    )
    risk = forms.ChoiceField(label=_("风险等级"), choices=ChangeRequest.Risk.choices)
    business_systems = forms.ModelMultipleChoiceField(label=_("影响的业务系统"), required=False, queryset=None,
                                                      help_text=_("可多选：按住 Ctrl 点选。"))
    hosts = HostChoiceField(label=_("影响的云主机"), required=False, queryset=None,
                            widget=GroupedSelectMultiple(group_attr="business_system_id", filter_by="business_systems"),
                            help_text=_("只列出所选业务系统的云主机。"))
    window_start = forms.DateTimeField(label=_("计划开始时间"), required=False, input_formats=[DATETIME_INPUT],
                                       widget=DateTimeLocalInput())
    window_end = forms.DateTimeField(label=_("计划结束时间"), required=False, input_formats=[DATETIME_INPUT],
                                     widget=DateTimeLocalInput())
    expected_interruption_minutes = forms.IntegerField(label=_("预计业务中断（分钟）"), required=False, min_value=0,
                                                       help_text=_("不中断业务请留空或填 0"))
    internet_remote_access = forms.BooleanField(label=_("经互联网远程操作"), required=False,
                                                help_text=_("重保时期禁止经互联网远程操作"))
    implementers = forms.ModelMultipleChoiceField(label=_("实施人"), required=False, queryset=None)
    linked_tickets = forms.CharField(label=_("关联工单编号"), required=False, max_length=2000,
                                     help_text=_("多个编号用逗号或空格分隔，例如 GZ-20260320-0001"))
    reason = forms.CharField(label=_("变更原因"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    plan = forms.CharField(label=_("实施步骤"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    rollback_plan = forms.CharField(label=_("回退方案"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    verification_plan = forms.CharField(label=_("验证方案"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["business_systems"].queryset = business_system_list_for_user(user=user).order_by("name")
        self.fields["hosts"].queryset = (
            host_list_for_user(user=user).select_related("business_system").order_by("business_system__name", "name")
        )
        self.fields["implementers"].queryset = users_with_role(*PROVIDER_ROLES)
        self.fields["business_systems"].widget.attrs["size"] = 6
        self.fields["hosts"].widget.attrs["size"] = 8
        self.fields["implementers"].widget.attrs["size"] = 5
        for name in REQUIRED_TO_SUBMIT:
            self.fields[name].marked_required = True  # templates/forms/field.html

    def clean_linked_tickets(self) -> list[int]:
        numbers = [n.strip().upper() for n in re.split(r"[\s,，、;；]+", self.cleaned_data["linked_tickets"]) if n.strip()]
        if not numbers:
            return []
        found = dict(ticket_visible_for_user(user=self.user).filter(number__in=numbers).values_list("number", "pk"))
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(_("找不到工单：%(numbers)s"), params={"numbers": "、".join(missing)})
        return [found[n] for n in numbers]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("business_systems", "hosts", "implementers"):
            data[name] = [obj.pk for obj in data[name]]
        data["template"] = data["template"].pk if data["template"] else None
        return data



def _initial(change: ChangeRequest) -> dict:
    local = timezone.localtime
    return {
        "title": change.title, "category": change.category, "template": change.template_id, "risk": change.risk,
        "business_systems": list(change.business_systems.all()), "hosts": list(change.hosts.all()),
        "implementers": list(change.implementers.all()),
        "linked_tickets": " ".join(t.number for t in change.linked_tickets.all()),
        "window_start": local(change.window_start) if change.window_start else None,
        "window_end": local(change.window_end) if change.window_end else None,
        "expected_interruption_minutes": change.expected_interruption_minutes,
        "internet_remote_access": change.internet_remote_access, "reason": change.reason, "plan": change.plan,
        "rollback_plan": change.rollback_plan, "verification_plan": change.verification_plan,
    }


def _form_page(request, *, change: ChangeRequest | None):
    if request.method == "POST":
        form = ChangeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                if change is None:
                    change = services.change_create(actor=request.user, data=form.service_data())
                else:
                    services.change_update(actor=request.user, change_id=change.pk, data=form.service_data())
            except DomainError as exc:
                page_domain_error(exc, form=form)
            else:
                if "submit" not in request.POST:
                    messages.success(request, _("草稿 %(number)s 已保存。") % {"number": change.number})
                    return redirect("change-detail", pk=change.pk)
                try:
                    services.change_submit(actor=request.user, change_id=change.pk)
                except DomainError as exc:
                    # The draft is saved: why it was not submitted heads the form once, and each field's
                    # reason stands beside it.
                    words = page_domain_error(exc, form=form, words_on_form=False)
                    form.add_error(None, _("草稿 %(number)s 已保存，但未能提交：%(reason)s") % {"number": change.number, "reason": words})
                else:
                    messages.success(request, _("变更 %(number)s 已提交。") % {"number": change.number})
                    return redirect("change-detail", pk=change.pk)
    else:
        initial = _initial(change) if change else {}
        if change is None and request.GET.get("template"):
            template = ChangeTemplate.objects.filter(pk=request.GET["template"], active=True).first()
            if template:  # the standard-change rule's own fill, not a copy of it
                initial.update(template=template, **services.change_template_fill(template))
        form = ChangeForm(initial=initial, user=request.user)
    action = reverse("change-edit", args=[change.pk]) if change else reverse("change-create")
    return render(request, "changes/form.html", {"form": form, "change": change, "action": action})


@login_required
def change_create(request):
    if not user_may_draft_changes(request.user):
        raise DjangoPermissionDenied
    return _form_page(request, change=None)


@login_required
def change_edit(request, pk: int):
    change = _get(request, pk)
    if "update" not in change_actions_for_user(change=change, user=request.user):
        messages.error(request, _("只有申请人可以修改草稿状态的变更。"))
        return redirect("change-detail", pk=pk)
    return _form_page(request, change=change)


# --- month calendar ---------------------------------------------------------------------------------

CALENDAR_STATUSES = (Status.SUBMITTED, Status.IN_APPROVAL, Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED,
                     Status.REVIEWED)


@login_required
def change_calendar(request):
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    changes = list(
        change_list_for_user(user=request.user)
        .filter(status__in=CALENDAR_STATUSES, window_start__lt=end, window_end__gt=start)
        .order_by("window_start", "pk")
    )
    periods = list(periods_touching(start=start, end=end))
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        days = []
        for day in week:
            d0 = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
            d1 = d0 + dt.timedelta(days=1)
            days.append({
                "date": day,
                "in_month": day.month == first.month,
                "today": day == today,
                "periods": [p for p in periods if period_bounds(p)[0] < d1 and period_bounds(p)[1] > d0],
                "changes": [c for c in changes if c.window_start < d1 and c.window_end > d0],
            })
        weeks.append(days)
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)
    return render(request, "changes/calendar.html", {
        "first": first, "weeks": weeks, "periods": periods,
        "prev": f"{prev_month:%Y-%m}", "next": f"{next_month:%Y-%m}",
        "weekdays": [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")],
    })

