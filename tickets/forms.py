"""Forms of the ticket pages. They parse and label input only: every business rule (who may report
for whom, reported_at bounds, resource fields, attachment types and sizes, state checks) lives in
tickets.services and comes back as a ValidationFailed whose field messages `core.exceptions.page_domain_error`
puts next to the right input."""

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from accounts.roles import PURCHASER_ROLES
from accounts.selectors import purchaser_organization_list, user_sees_all_tenants, users_with_role
from core.forms import GroupedSelectMultiple
from core.limits import DESCRIPTION_MAX_LENGTH, NOTE_MAX_LENGTH, REASON_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from core.models import ConsentState

from .models import (
    SAVED_VIEW_NAME_MAX_LENGTH,
    SAVED_VIEW_QUERY_MAX_LENGTH,
    BusinessSystem,
    ClockName,
    Direction,
    ExclusionKind,
    ResourceKind,
    Severity,
    Ticket,
    TicketKind,
)
from .selectors.reference import (
    CHOICE_ORGANIZATIONS,
    CHOICE_STAFF,
    CHOICE_SYSTEMS,
    business_system_list_for_user,
    host_list_for_user,
    provider_staff_list,
    reference_choices,
    service_item_list_for_user,
)


class PageForm(forms.Form):
    """Chinese labels take no colon suffix (the label is set apart by layout)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _local_input(widget_type: str = "datetime-local") -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": widget_type}, format="%Y-%m-%dT%H:%M")


class HostMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Hosts named with their business system: without scripts every host is offered (core.forms)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.business_system.name}）"


class BusinessSystemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: BusinessSystem) -> str:
        return f"{obj.name}（{obj.organization.short_name or obj.organization.name}）"


class TicketSubmitForm(PageForm):
    """报障 / 提交工单. Purchaser staff see the systems of their organisation only (the reference
    selector's tenant rule); provider staff recording a phone or e-mail report get `intake=True`."""

    kind = forms.ChoiceField(label=_("工单类型"), choices=TicketKind.choices, initial=TicketKind.FAULT)
    severity = forms.ChoiceField(
        label=_("级别"), choices=Severity.choices, initial=Severity.P3,
        help_text=_("P1 表示业务系统宕机，将按 30 分钟定位、4 小时恢复计时。"),
    )
    business_system = BusinessSystemChoiceField(label=_("业务系统"), queryset=BusinessSystem.objects.none(), empty_label=_("请选择"))
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=DESCRIPTION_MAX_LENGTH,
        help_text=_("现象、开始时间、影响范围、已做的处理。"),
    )
    hosts = HostMultipleChoiceField(
        label=_("涉及主机"), queryset=None, required=False,
        widget=GroupedSelectMultiple(group_attr="business_system_id", filter_by="business_system", attrs={"size": 5}),
        help_text=_("可选；只列出所选业务系统的主机，按住 Ctrl 多选。"),
    )
    service_item = forms.ModelChoiceField(label=_("服务项"), queryset=None, required=False, empty_label=_("不指定"))
    resource = forms.ChoiceField(label=_("调整资源"), choices=[("", _("请选择")), *ResourceKind.choices], required=False,
                                 help_text=_("资源调整工单必填。"))
    direction = forms.ChoiceField(label=_("调整方向"), choices=[("", _("请选择")), *Direction.choices], required=False,
                                  help_text=_("资源调整工单必填。"))
    amount_before = forms.DecimalField(label=_("调整前数量"), max_digits=12, decimal_places=2, required=False)
    amount_after = forms.DecimalField(label=_("调整后数量"), max_digits=12, decimal_places=2, required=False)
    attachments = MultipleFileField(
        label=_("附件"), required=False,
        help_text=_("可多选：截图、日志、文档（pdf、png、jpg、txt、log、csv、docx、xlsx 等）。"),
    )

    # Provider intake only (phone / e-mail reports).
    channel = forms.ChoiceField(
        label=_("来源渠道"),
        choices=[(Ticket.Channel.PHONE, _("电话")), (Ticket.Channel.EMAIL, _("邮件")), (Ticket.Channel.MONITORING, _("监控告警"))],
    )
    requester = forms.ModelChoiceField(label=_("报障人"), queryset=None, required=False, empty_label=_("请选择"))
    reported_at = forms.DateTimeField(
        label=_("报告时间"), widget=_local_input(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("来电或来信的实际时间，所有 SLA 时钟由此开始计时；不能晚于现在。"),
    )

    INTAKE_FIELDS = ("channel", "requester", "reported_at")

    def __init__(self, *args, user, intake: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.intake = intake
        self.fields["business_system"].queryset = business_system_list_for_user(user=user).order_by("organization__name", "name")
        self.fields["hosts"].queryset = (
            host_list_for_user(user=user).select_related("business_system").order_by("business_system__name", "name")
        )
        self.fields["service_item"].queryset = service_item_list_for_user(user=user).order_by("contract__start_date", "seq")
        if intake:
            self.fields["requester"].queryset = (
                users_with_role(*PURCHASER_ROLES).select_related("organization").order_by("organization__name", "real_name")
            )
            self.fields["requester"].label_from_instance = lambda u: f"{u.display_name}（{u.organization}）"
        else:
            for name in self.INTAKE_FIELDS:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        # Only the resource fields the kind uses go to the service.
        if kind and kind != TicketKind.RESOURCE:
            for name in ("resource", "direction", "amount_before", "amount_after"):
                data[name] = "" if name in ("resource", "direction") else None
        return data


class PendForm(PageForm):
    reason = forms.CharField(label=_("需要用户反馈的内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=REASON_MAX_LENGTH)


class ResumeForm(PageForm):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=REASON_MAX_LENGTH, required=False)


class LocateForm(PageForm):
    note = forms.CharField(label=_("定位结论"), widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE_MAX_LENGTH, required=False)


class ResolveForm(PageForm):
    resolution = forms.CharField(label=_("解决说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX_LENGTH)


class ReopenForm(PageForm):
    reason = forms.CharField(label=_("重新打开原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=REASON_MAX_LENGTH)


class CancelForm(PageForm):
    reason = forms.CharField(label=_("取消原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=REASON_MAX_LENGTH)


class MergeForm(PageForm):
    duplicate_of = forms.CharField(label=_("重复于（更早的工单编号）"), max_length=30)
    reason = forms.CharField(label=_("合并理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=REASON_MAX_LENGTH)


class MarkMajorForm(PageForm):
    reason = forms.CharField(label=_("认定理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=REASON_MAX_LENGTH)


class RegradeForm(PageForm):
    """Raise or lower the severity (tickets.services.regrade): a provider's downgrade of a fault or
    security incident waits for the purchaser's approver."""

    severity = forms.ChoiceField(label=_("新级别"), choices=Severity.choices)
    reason = forms.CharField(label=_("调整理由（降低故障或安全事件级别时必填）"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=REASON_MAX_LENGTH, required=False)


def _staff_choices(field: forms.ModelChoiceField) -> None:
    """The provider's staff as the field's queryset (which checks what comes back) and its drop-down as
    plain (id, name) pairs read in one query: a model choice field renders by reading every user as a
    model instance through a server-side cursor (DECLARE, FETCH, CLOSE: three round trips on PostgreSQL)."""
    field.queryset = provider_staff_list().order_by("real_name", "username")
    field.label_from_instance = lambda u: u.display_name
    field.widget.choices = _StaffChoices(field.empty_label)


class _StaffChoices(BaseChoiceIterator):
    """Like ModelChoiceIterator: the empty choice first, the staff (reference_choices: cached) only when
    the list is read past it (a required <select> looks at its first option; a posted form that is only
    checked reads none)."""

    def __init__(self, empty_label) -> None:
        self.empty_label = empty_label

    def __iter__(self):
        yield ("", self.empty_label)
        yield from reference_choices(user=None, parts=(CHOICE_STAFF,))[CHOICE_STAFF]


class AssignForm(PageForm):
    assignee = forms.ModelChoiceField(label=_("处理人"), queryset=None, empty_label=_("请选择"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _staff_choices(self.fields["assignee"])


class CommentForm(PageForm):
    body = forms.CharField(label=_("评论内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX_LENGTH)
    internal = forms.BooleanField(label=_("仅内部可见（报障人看不到）"), required=False)

    def __init__(self, *args, staff: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["internal"]


class AttachmentForm(PageForm):
    file = forms.FileField(label=_("选择文件"))
    internal = forms.BooleanField(label=_("仅内部可见"), required=False)

    def __init__(self, *args, staff: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["internal"]


class RateForm(PageForm):
    score = forms.TypedChoiceField(
        label=_("满意度评分"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 非常满意")), (4, _("4 满意")), (3, _("3 一般")), (2, _("2 不满意")), (1, _("1 非常不满意"))],
    )
    comment = forms.CharField(label=_("评价内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=REASON_MAX_LENGTH, required=False)


class DowntimeReportForm(PageForm):
    """The downtime report's narrative (宕机报告), printed in the report PDF."""

    outage_impact = forms.CharField(label=_("影响范围"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX_LENGTH, required=False)
    root_cause = forms.CharField(label=_("故障原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX_LENGTH, required=False)
    actions_taken = forms.CharField(label=_("处置措施"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX_LENGTH, required=False)
    prevention = forms.CharField(label=_("预防措施"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX_LENGTH, required=False)


class DowntimeCorrectForm(PageForm):
    start = forms.DateTimeField(label=_("停机开始"), widget=_local_input(), input_formats=["%Y-%m-%dT%H:%M"], required=False)
    end = forms.DateTimeField(label=_("停机结束"), widget=_local_input(), input_formats=["%Y-%m-%dT%H:%M"], required=False)
    reason = forms.CharField(label=_("更正原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=REASON_MAX_LENGTH)


# action -> form class (None: no input). Keys are the names in tickets.services.transitions.TRANSITIONS.
ACTION_FORMS: dict[str, type[forms.Form] | None] = {
    "acknowledge": None,
    "claim": None,
    "start": None,
    "close": None,
    "pend": PendForm,
    "resume": ResumeForm,
    "locate": LocateForm,
    "resolve": ResolveForm,
    "reopen": ReopenForm,
    "cancel": CancelForm,
    "merge": MergeForm,
    "assign": AssignForm,
    "mark_major": MarkMajorForm,
    "regrade": RegradeForm,
    "rate": RateForm,
}


class OneOrManySelect(forms.Select):
    """A plain drop-down that also accepts a value repeated in the query string (?kind=fault&kind=security,
    as the KPI links send it); empty choices ("全部") are dropped."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        values = getlist(name) if getlist else [data.get(name)]
        return [v for v in values if v not in (None, "")]


class TicketFilterForm(PageForm):
    """The queue and list filters (GET). Empty means "any"; values go to tickets.selectors.tickets.ticket_filter."""

    search = forms.CharField(label=_("搜索"), required=False, max_length=100,
                             widget=forms.TextInput(attrs={"type": "search", "placeholder": _("编号、标题、描述、系统")}))
    kind = forms.MultipleChoiceField(label=_("类型"), choices=TicketKind.choices, required=False, widget=OneOrManySelect)
    severity = forms.ChoiceField(label=_("级别"), choices=[("", _("全部")), *Severity.choices], required=False)
    # One or many (?status=new&status=acknowledged, as the API list takes it); the page shows one drop-down.
    status = forms.MultipleChoiceField(label=_("状态"), choices=Ticket.Status.choices, required=False, widget=OneOrManySelect)
    business_system = forms.ModelChoiceField(label=_("业务系统"), queryset=None, required=False, empty_label=_("全部"))
    assignee = forms.ModelChoiceField(label=_("处理人"), queryset=None, required=False, empty_label=_("全部"))
    breached = forms.TypedChoiceField(
        label=_("超时"), choices=[("", _("全部")), ("1", _("已超时")), ("0", _("未超时"))], required=False,
        coerce=lambda v: v == "1", empty_value=None,
    )
    reported_from = forms.DateField(label=_("报告日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reported_to = forms.DateField(label=_("报告日期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # The filters behind the reports' KPI links (reports.selectors.kpis._links).
    organization = forms.ModelChoiceField(label=_("采购人单位"), queryset=None, required=False, empty_label=_("全部"))
    exclude_cancelled = forms.BooleanField(label=_("不含已取消"), required=False)
    clock = forms.ChoiceField(label=_("SLA 时钟"), choices=[("", _("全部")), *ClockName.choices], required=False)
    clock_state = forms.ChoiceField(
        label=_("时钟统计"), required=False,
        choices=[("", _("全部")), ("counted", _("计入考核")), ("missed", _("未达标")), ("unstopped", _("超时未完成"))],
    )
    major_incident = forms.TypedChoiceField(
        label=_("重大安全事件"), choices=[("", _("全部")), ("1", _("是")), ("0", _("否"))], required=False,
        coerce=lambda v: v == "1", empty_value=None,
    )
    rating = forms.ChoiceField(
        label=_("满意度评价"), required=False,
        choices=[("", _("全部")), ("rated", _("已评价")), ("satisfied", _("满意（4–5 分）")), ("unsatisfied", _("不满意（1–3 分）"))],
    )

    def __init__(self, *args, user, staff_filters: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A choice field hands its own choices to its widget: put "全部" back in front, or the drop-down
        # shows the first kind as chosen and the next submit filters by it without anyone asking.
        self.fields["kind"].widget.choices = [("", _("全部")), *TicketKind.choices]
        self.fields["status"].widget.choices = [("", _("全部")), *Ticket.Status.choices]
        self._user = user
        self.fields["business_system"].queryset = business_system_list_for_user(user=user).order_by("name")
        if user_sees_all_tenants(user):
            self.fields["organization"].queryset = purchaser_organization_list().order_by("name")
        else:
            del self.fields["organization"]  # purchaser staff see their own organisation's tickets only
        if staff_filters:
            self.fields["assignee"].queryset = provider_staff_list().order_by("real_name", "username")
            self.fields["assignee"].label_from_instance = lambda u: u.display_name
        else:
            del self.fields["assignee"]
        self._load_choices()

    # The drop-downs and the lists they show.
    _CHOICE_PARTS = (("business_system", CHOICE_SYSTEMS), ("organization", CHOICE_ORGANIZATIONS), ("assignee", CHOICE_STAFF))

    def _load_choices(self) -> None:
        """The drop-downs list plain (id, name) pairs (tickets.selectors.reference.reference_choices: from
        the cache, or all three read in one query); the fields keep their querysets to check what comes
        back. (A model choice field renders by loading every object; one query per drop-down was three
        round trips a page.)"""
        parts = {name: part for name, part in self._CHOICE_PARTS if name in self.fields}
        pairs = reference_choices(user=self._user, parts=tuple(parts.values()))
        for name, part in parts.items():
            field = self.fields[name]
            field.widget.choices = [("", field.empty_label), *pairs[part]]

    def filters(self) -> dict:
        """Keyword arguments for ticket_filter; invalid input is ignored field by field (the form shows why)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out = {}
        for name in ("search", "kind", "severity", "status", "breached", "reported_from", "reported_to",
                     "exclude_cancelled", "clock", "clock_state", "major_incident", "rating"):
            value = data.get(name)
            if value not in (None, "", [], False):
                out[name] = value
        if data.get("organization"):
            out["organization"] = data["organization"].pk
        if data.get("business_system"):
            out["business_system"] = data["business_system"].pk
        if data.get("assignee"):
            out["assignee"] = data["assignee"].pk
        return out


class TicketIdsField(forms.Field):
    """The ids of the rows ticked on a list (checkboxes named like the field, possibly many)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, (list, tuple)) else ([value] if value else [])
        try:
            ids = [int(v) for v in values]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("工单选择无效"), code="invalid") from None
        if any(not 0 < v < 2**63 for v in ids):
            raise forms.ValidationError(_("工单选择无效"), code="invalid")
        return ids


class TicketBulkForm(PageForm):
    """批量操作 on the rows ticked on the list or a queue (tickets.services.bulk): assign them to an
    engineer, or comment on each."""

    action = forms.ChoiceField(label=_("操作"), choices=[("assign", _("指派给")), ("comment", _("添加评论"))])
    tickets = TicketIdsField(label=_("选中的工单"), error_messages={"required": _("请先勾选工单")})
    assignee = forms.ModelChoiceField(label=_("处理人"), queryset=None, required=False, empty_label=_("请选择"))
    body = forms.CharField(label=_("评论内容"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX_LENGTH,
                           required=False)
    internal = forms.BooleanField(label=_("仅内部可见（报障人看不到）"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _staff_choices(self.fields["assignee"])

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("assignee"):
            self.add_error("assignee", _("请选择处理人"))
        if data.get("action") == "comment" and not (data.get("body") or "").strip():
            self.add_error("body", _("请填写评论内容"))
        return data

    def service_input(self) -> dict:
        """The bulk service's keyword arguments for the chosen action."""
        data = self.cleaned_data
        if data["action"] == "assign":
            return {"assignee": data["assignee"]}
        return {"body": data["body"], "internal": data["internal"]}


class SavedViewForm(PageForm):
    """保存当前筛选 as a named view of the list (tickets.services.saved_views); `query` is the list's
    query string, checked by tickets.listing.ticket_list_query_clean."""

    name = forms.CharField(label=_("视图名称"), max_length=SAVED_VIEW_NAME_MAX_LENGTH,
                           widget=forms.TextInput(attrs={"placeholder": _("例如：我的 P1 故障")}))
    is_default = forms.BooleanField(label=_("打开工单列表时默认使用"), required=False)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=SAVED_VIEW_QUERY_MAX_LENGTH)


class SavedViewEditForm(PageForm):
    name = forms.CharField(label=_("视图名称"), max_length=SAVED_VIEW_NAME_MAX_LENGTH)
    is_default = forms.BooleanField(label=_("默认"), required=False)


class SlaPolicyProposeForm(PageForm):
    """The PM's change of a contract SLA policy (the SLA policies page). Choices come from the lists the
    page already read (no query of their own); tickets.services.policies decides tighten or loosen."""

    policy = forms.TypedChoiceField(label=_("SLA 策略"), coerce=int)
    target_minutes = forms.IntegerField(label=_("目标（分钟）"), min_value=1)
    pausable = forms.BooleanField(label=_("待用户反馈时暂停"), required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    organization = forms.TypedChoiceField(label=_("采购人"), coerce=int, required=False, empty_value=None,
                                          help_text=_("放宽时必填：放宽只对该采购人适用。"))
    effective_from = forms.DateTimeField(label=_("自何时起生效"), required=False, widget=_local_input(),
                                         input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], help_text=_("放宽时必填。"))
    reason = forms.CharField(label=_("理由"), required=False, max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}), help_text=_("放宽时必填。"))

    def __init__(self, *args, policies, purchasers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = [("", _("请选择")), *((p.pk, p.name) for p in policies if p.contract_target_minutes is not None)]
        self.fields["organization"].choices = [("", _("请选择")), *((o.pk, o.name) for o in purchasers)]


class ExclusionFilterForm(PageForm):
    """The ledger's filter bar (the month is parsed by tickets.selectors.exclusions.month_bounds)."""

    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *ConsentState.choices])
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *ExclusionKind.choices])
    month = forms.CharField(label=_("月份"), required=False, max_length=7,
                            widget=forms.TextInput(attrs={"placeholder": "YYYY-MM", "size": 8}))


class ExclusionDecisionForm(PageForm):
    """One decision on an exclusion; a rejection or dispute needs the note (core.consent says so, and its
    message stands beside the input)."""

    note = forms.CharField(label=_("说明"), required=False, max_length=REASON_MAX_LENGTH)

    def __init__(self, data=None, *, action: str, **kwargs):
        super().__init__(data, auto_id=f"{action}-%s", **kwargs)
        self.action = action
        self.fields["note"].marked_required = action in ("reject", "dispute")
