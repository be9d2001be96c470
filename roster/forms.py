"""Page forms. They only parse and label input; rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    DutyLogEntry,
    DutyMember,
    DutyReport,
    HeavyProtectionPeriod,
    Position,
    Qualification,
    ShiftTemplate,
    Unavailability,
)


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PeriodForm(forms.ModelForm):
    class Meta:
        model = HeavyProtectionPeriod
        fields = ["name", "kind", "start", "end", "level", "notes"]
        widgets = {"start": DateInput(), "end": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("结束日期不能早于开始日期"))
        return data


class ProposeForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    lead_days = forms.IntegerField(label=_("提前天数"), min_value=0, max_value=30, required=False)
    trail_days = forms.IntegerField(label=_("延后天数"), min_value=0, max_value=30, required=False)


def _template_choices():
    return [(t.code, _("%(name)s %(start)s（%(hours)s 小时）") % {"name": t.name, "start": f"{t.start_time:%H:%M}", "hours": t.duration_minutes // 60}) for t in ShiftTemplate.objects.filter(active=True)]


class RosterForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_date = forms.DateField(label=_("结束日期"), widget=DateInput())
    period = forms.ModelChoiceField(label=_("重保时期"), queryset=HeavyProtectionPeriod.objects.all(), required=False)
    leader_templates = forms.MultipleChoiceField(label=_("带班领导班次"), widget=forms.CheckboxSelectMultiple, required=False)
    leader_count = forms.IntegerField(label=_("带班领导人数"), min_value=1, max_value=5, initial=1)
    engineer_templates = forms.MultipleChoiceField(label=_("值班工程师班次"), widget=forms.CheckboxSelectMultiple, required=False)
    engineer_count = forms.IntegerField(label=_("值班工程师人数"), min_value=1, max_value=10, initial=2)
    security_templates = forms.MultipleChoiceField(label=_("安全值守班次"), widget=forms.CheckboxSelectMultiple, required=False)
    security_count = forms.IntegerField(label=_("安全值守人数"), min_value=1, max_value=5, initial=1)
    security_qualification = forms.ChoiceField(label=_("安全值守资质"), choices=[("", "—"), *Qualification.choices], initial="CISP", required=False)
    onsite_templates = forms.MultipleChoiceField(label=_("机房现场值守班次"), widget=forms.CheckboxSelectMultiple, required=False)
    onsite_count = forms.IntegerField(label=_("机房现场值守人数"), min_value=1, max_value=5, initial=1)
    members = forms.ModelMultipleChoiceField(label=_("值班人员"), queryset=DutyMember.objects.none(), widget=forms.CheckboxSelectMultiple)
    min_rest_hours = forms.IntegerField(label=_("两班最短间隔（小时）"), min_value=0, max_value=48, initial=11)
    max_consecutive_nights = forms.IntegerField(label=_("最多连续夜班"), min_value=1, max_value=14, initial=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _template_choices()
        for position in ("leader", "engineer", "security", "onsite"):
            self.fields[f"{position}_templates"].choices = choices
        self.fields["members"].queryset = DutyMember.objects.filter(active=True).select_related("user")
        labels = dict(Position.choices)
        self.fields["members"].label_from_instance = (
            lambda m: f"{m.user.display_name}（{'、'.join(str(labels.get(p, p)) for p in m.positions)}）"
        )

    def position_specs(self):
        from .services.rosters import PositionSpec

        data = self.cleaned_data
        specs = []
        for position in ("leader", "engineer", "security", "onsite"):
            qualification = data.get("security_qualification", "") if position == "security" else ""
            specs += [PositionSpec(code, position, data[f"{position}_count"], qualification) for code in data[f"{position}_templates"]]
        return specs


class SeatEditForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    member = forms.ModelChoiceField(label=_("值班人员"), queryset=DutyMember.objects.none(), required=False, empty_label=_("（清空）"))
    reason = forms.CharField(label=_("调整原因"), max_length=200, required=False)

    def __init__(self, *args, roster=None, **kwargs):
        super().__init__(*args, **kwargs)
        if roster is not None:
            self.fields["member"].queryset = roster.members.select_related("user")
            self.fields["member"].label_from_instance = lambda m: m.user.display_name


class DutyLogForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=DutyLogEntry.Kind.choices)
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))
    ticket_ref = forms.CharField(label=_("关联工单号"), max_length=40, required=False)


class DutyReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("报告类型"), choices=DutyReport.Kind.choices, widget=forms.RadioSelect, initial=DutyReport.Kind.ZERO)
    summary = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class HandoverForm(forms.Form):
    manual_items = forms.CharField(
        label=_("交接事项（每行一项）"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    notes = forms.CharField(label=_("交接说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SignForm(forms.Form):
    note = forms.CharField(label=_("签收意见"), max_length=300, required=False)


class UnavailabilityForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Unavailability.Kind.choices)
    start = forms.DateTimeField(label=_("开始"), widget=DateTimeInput())
    end = forms.DateTimeField(label=_("结束"), widget=DateTimeInput())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class SwapRequestForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    counterpart = forms.ModelChoiceField(label=_("请谁替班/换班"), queryset=DutyMember.objects.none())
    counterpart_assignment = forms.IntegerField(label=_("对方班次（换班时填，替班留空）"), required=False, widget=forms.Select)
    reason = forms.CharField(label=_("原因"), max_length=300, required=False)

    def __init__(self, *args, members=None, other_seats=(), **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["counterpart"].queryset = members
            self.fields["counterpart"].label_from_instance = lambda m: m.user.display_name
        self.fields["counterpart_assignment"].widget.choices = [("", _("—（替班）")), *other_seats]


CALENDAR_TEXT_MAX = 20_000  # a notice is ~1 500 characters, a year's CSV ~1 000


class CalendarImportForm(forms.Form):
    """A year's holidays and make-up workdays: the State Council's notice pasted as text, or CSV pasted
    or uploaded. Parsing and every rule are roster.services.calendar_notice's; this form only reads."""

    FORMATS = [("notice", _("国务院办公厅通知（粘贴正文）")), ("csv", _("CSV（日期,类型,名称）"))]

    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100, required=False,
                              help_text=_("不填则按通知标题中的年份"))
    format = forms.ChoiceField(label=_("格式"), choices=FORMATS, initial="notice", widget=forms.RadioSelect)
    text = forms.CharField(label=_("内容"), required=False, max_length=CALENDAR_TEXT_MAX, strip=False,
                           widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}))
    file = forms.FileField(label=_("或上传文件"), required=False, help_text=_("CSV 或 TXT，UTF-8 或 GBK 编码"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}))

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if upload.size > CALENDAR_TEXT_MAX * 3:
            raise forms.ValidationError(_("文件过大：节假日安排不应超过 60 KB"))
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("请上传 .csv 或 .txt 文件"))
        raw = upload.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("无法识别文件编码，请另存为 UTF-8"))

    def clean(self):
        data = super().clean()
        if data.get("file"):
            data["text"] = data["file"]
        if not (data.get("text") or "").strip() and not self.errors:
            self.add_error("text", _("请粘贴通知正文或 CSV 内容，或上传文件"))
        return data
