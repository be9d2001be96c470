"""Forms of the routine pages. They only parse input into the services' arguments; every rule (who may
write, dates in order, limits, the state tables) is the services', and their errors come back beside the
fields through core.exceptions.page_domain_error. Field names are the services' argument names."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from accounts.roles import PROVIDER_ROLES
from accounts.selectors import organization_list_for_user, users_with_role
from core.forms import GroupedSelectMultiple
from tickets.selectors.reference import business_system_list_for_user, host_list_for_user

from .models import (
    BackupObject,
    BackupType,
    Drill,
    InspectionItem,
    InspectionSchedule,
    InspectionTemplate,
    RestoreTest,
    SecurityActivity,
    Severity3,
)

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
MOMENT = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}
SEVERITIES = [("P2", "P2"), ("P3", "P3"), ("P4", "P4")]


def _systems(user):
    return business_system_list_for_user(user=user).select_related("organization").order_by("organization__name", "name")


def _system_label(system) -> str:
    """A system named with its purchaser: provider staff choose among every purchaser's systems."""
    return f"{system.organization.short_name or system.organization.name} · {system.name}"


def _label_systems(form, *names: str) -> None:
    for name in names:
        form.fields[name].label_from_instance = _system_label


def _purchasers(user):
    return organization_list_for_user(user=user).filter(kind=Organization.Kind.PURCHASER, parent__isnull=True).order_by("name")


class RunImportForm(forms.Form):
    file = forms.FileField(label=_("CSV 或 xlsx 文件"))
    partial = forms.BooleanField(label=_("只登记有效行（跳过有错误的行）"), required=False)


class RestoreTestForm(forms.Form):
    policy = forms.ModelChoiceField(label=_("备份策略"), queryset=None)
    tested_at = forms.DateTimeField(label=_("测试时间"), **MOMENT)
    result = forms.ChoiceField(label=_("结果"), choices=RestoreTest.Result.choices)
    duration_minutes = forms.IntegerField(label=_("恢复耗时（分钟）"), min_value=0, max_value=100000, required=False)
    notes = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, policies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = policies


# ---------------------------------------------------------------- backups


class BackupPolicyForm(forms.Form):
    business_system = forms.ModelChoiceField(label=_("业务系统"), queryset=None)
    name = forms.CharField(label=_("策略名称"), max_length=100)
    backup_object = forms.ChoiceField(label=_("备份对象"), choices=BackupObject.choices)
    backup_type = forms.ChoiceField(label=_("备份方式"), choices=BackupType.choices)
    schedule = forms.CharField(label=_("备份计划"), max_length=200, help_text=_("例：每日 01:00 增量，周日 02:00 全量"))
    owner = forms.ModelChoiceField(label=_("负责人"), queryset=None, help_text=_("服务商工程师；备份故障工单以其名义录入"))
    start_date = forms.DateField(label=_("生效日期"), **DATE)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_system"].queryset = _systems(user)
        _label_systems(self, "business_system")
        self.fields["owner"].queryset = users_with_role(*PROVIDER_ROLES)
        if editing:  # a policy stays with its system (its runs and compliance belong there)
            self.fields["business_system"].disabled = True


# ---------------------------------------------------------------- inspections


class InspectionTemplateForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    scope = forms.ChoiceField(label=_("范围"), choices=InspectionTemplate.Scope.choices)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class InspectionItemForm(forms.Form):
    label = forms.CharField(label=_("检查项"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=InspectionItem.Kind.choices)
    min_value = forms.DecimalField(label=_("下限"), max_digits=12, decimal_places=2, required=False)
    max_value = forms.DecimalField(label=_("上限"), max_digits=12, decimal_places=2, required=False)
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(str(data.get(name) or "").strip() for name in ("label", "min_value", "max_value", "unit"))


InspectionItemFormSet = forms.formset_factory(InspectionItemForm, extra=6, max_num=60)


class InspectionScheduleForm(forms.Form):
    template = forms.ModelChoiceField(label=_("巡检模板"), queryset=None)
    business_system = forms.ModelChoiceField(label=_("业务系统"), queryset=None, help_text=_("巡检异常开出的工单归属此系统"))
    frequency = forms.ChoiceField(label=_("频次"), choices=InspectionSchedule.Frequency.choices)
    heavy_frequency = forms.ChoiceField(label=_("重保期频次"), required=False,
                                        choices=[("", _("同平时")), *InspectionSchedule.Frequency.choices])
    time_of_day = forms.TimeField(label=_("时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"}),
                                  help_text=_("每日、每周巡检的开始时间"))
    weekday = forms.TypedChoiceField(label=_("星期"), required=False, coerce=int, empty_value=None,
                                     choices=[("", "—"), *InspectionSchedule._meta.get_field("weekday").choices])
    grace_minutes = forms.IntegerField(label=_("宽限（分钟）"), required=False, help_text=_("留空按系统默认"))
    start_date = forms.DateField(label=_("生效日期"), **DATE)

    def __init__(self, *args, user, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["business_system"].queryset = _systems(user)
        _label_systems(self, "business_system")


# ---------------------------------------------------------------- security self-checks


class SecurityActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=SecurityActivity.Kind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    organization = forms.ModelChoiceField(label=_("采购人"), queryset=None)
    systems = forms.ModelMultipleChoiceField(
        label=_("业务系统"), queryset=None, required=False, help_text=_("只列出所选采购人的业务系统。"),
        widget=GroupedSelectMultiple(group_attr="organization_id", filter_by="organization", attrs={"size": 6}),
    )
    scope = forms.CharField(label=_("范围"), widget=forms.Textarea(attrs={"rows": 2}))
    started_on = forms.DateField(label=_("开始日期"), **DATE)
    ended_on = forms.DateField(label=_("结束日期"), **DATE)
    people = forms.CharField(label=_("实施人员"), max_length=300)
    report = forms.FileField(label=_("报告"), required=False, help_text=_("PDF、docx、xlsx 或 zip"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _purchasers(user)
        self.fields["systems"].queryset = _systems(user)
        _label_systems(self, "systems")


class ReportUploadForm(forms.Form):
    file = forms.FileField(label=_("报告文件"), help_text=_("PDF、docx、xlsx 或 zip"))


class FindingImportForm(forms.Form):
    file = forms.FileField(label=_("CSV、xlsx 或 Greenbone/OpenVAS XML 文件"),
                           help_text=_("列：业务系统、问题、等级、主机、CVE 编号、发现日期、说明"))
    partial = forms.BooleanField(label=_("只导入有效行（跳过有错误的行）"), required=False)


class FindingForm(forms.Form):
    activity = forms.ModelChoiceField(label=_("安全自查"), queryset=None)
    business_system = forms.ModelChoiceField(label=_("业务系统"), queryset=None, required=False)
    hosts = forms.ModelMultipleChoiceField(
        label=_("主机"), queryset=None, required=False, help_text=_("只列出所选业务系统的主机。"),
        widget=GroupedSelectMultiple(group_attr="business_system_id", filter_by="business_system", attrs={"size": 6}),
    )
    title = forms.CharField(label=_("问题"), max_length=300)
    severity = forms.ChoiceField(label=_("等级"), choices=Severity3.choices)
    cve = forms.CharField(label=_("CVE 编号"), max_length=30, required=False)
    found_on = forms.DateField(label=_("发现日期"), **DATE)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, user, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities
        self.fields["business_system"].queryset = _systems(user)
        _label_systems(self, "business_system")
        self.fields["hosts"].queryset = (
            host_list_for_user(user=user).select_related("business_system").order_by("business_system__name", "name")
        )
        self.fields["hosts"].label_from_instance = lambda h: f"{h.name}（{h.business_system.name}）"


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=2000, required=False)


class RiskRequestForm(forms.Form):
    reason = forms.CharField(label=_("申请采购人接受风险的理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SecurityWarningForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("通报对象"), queryset=None)
    audience = forms.CharField(label=_("通报范围"), max_length=200, required=False, help_text=_("留空即通报对象全体"))
    title = forms.CharField(label=_("标题"), max_length=200)
    severity = forms.ChoiceField(label=_("等级"), choices=Severity3.choices)
    content = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _purchasers(user)


class AntivirusSweepForm(forms.Form):
    host = forms.ModelChoiceField(label=_("主机"), queryset=None)
    swept_at = forms.DateTimeField(label=_("查杀时间"), **MOMENT)
    engine = forms.CharField(label=_("查杀软件及版本"), max_length=100)
    threats_found = forms.IntegerField(label=_("发现威胁"), min_value=0, initial=0)
    threats_cleaned = forms.IntegerField(label=_("已清除"), min_value=0, initial=0)
    notes = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = host_list_for_user(user=user).order_by("business_system__name", "name")


# ---------------------------------------------------------------- drills


class DrillPlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Drill.Kind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    organization = forms.ModelChoiceField(label=_("采购人"), queryset=None)
    systems = forms.ModelMultipleChoiceField(
        label=_("业务系统"), queryset=None, help_text=_("只列出所选采购人的业务系统。"),
        widget=GroupedSelectMultiple(group_attr="organization_id", filter_by="organization", attrs={"size": 6}),
    )
    planned_on = forms.DateField(label=_("演练日期"), **DATE)
    rto_target_minutes = forms.IntegerField(label=_("RTO 目标（分钟）"), min_value=0, max_value=100000)
    rpo_target_minutes = forms.IntegerField(label=_("RPO 目标（分钟）"), min_value=0, max_value=100000)
    plan = forms.CharField(label=_("演练方案"), widget=forms.Textarea(attrs={"rows": 4}))
    scenario = forms.CharField(label=_("演练场景"), widget=forms.Textarea(attrs={"rows": 3}))
    participants = forms.CharField(label=_("参演人员"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _purchasers(user)
        self.fields["systems"].queryset = _systems(user)
        _label_systems(self, "systems")


class DrillRecordForm(forms.Form):
    rto_achieved_minutes = forms.IntegerField(label=_("RTO 实际（分钟）"), min_value=0, max_value=100000)
    rpo_achieved_minutes = forms.IntegerField(label=_("RPO 实际（分钟）"), min_value=0, max_value=100000)
    outcome = forms.CharField(label=_("演练结论"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DrillProblemForm(forms.Form):
    description = forms.CharField(label=_("问题"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    business_system = forms.ModelChoiceField(label=_("业务系统"), queryset=None, required=False)

    def __init__(self, *args, systems=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_system"].queryset = systems

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not str(data.get("description") or "").strip()


DrillProblemFormSet = forms.formset_factory(DrillProblemForm, extra=3, max_num=50)


class DrillSignForm(forms.Form):
    note = forms.CharField(label=_("签认意见"), max_length=500, required=False)


class ProblemTicketForm(forms.Form):
    severity = forms.ChoiceField(label=_("级别"), choices=SEVERITIES, initial="P3")
