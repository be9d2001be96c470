import json

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.selectors import purchaser_organization_list
from core.forms import GroupedSelect
from tickets.models.reference import BusinessSystem

from .models import Integration, Statistic


class JsonField(forms.CharField):
    def __init__(self, *, expect: type, **kwargs) -> None:
        self.expect = expect
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("JSON 格式错误")) from exc
        if not isinstance(parsed, self.expect):
            raise forms.ValidationError(_("格式不对"))
        return parsed


class IntegrationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=Integration.Kind.choices)
    organization = forms.ModelChoiceField(label=_("采购人"), queryset=purchaser_organization_list())
    default_business_system = forms.ModelChoiceField(
        label=_("默认业务系统"), queryset=BusinessSystem.objects.select_related("organization"),
        widget=GroupedSelect(group_attr="organization_id", filter_by="organization"), help_text=_("只列出所选采购人的业务系统。"),
    )
    severity_mapping = JsonField(label=_("级别映射"), expect=dict, initial='{"critical": "P2", "warning": "P3", "info": "P4"}',
                                 help_text=_("告警级别到工单级别；标签 opsdesk_severity（P1–P4）优先"))
    grouping_labels = JsonField(label=_("分组标签"), expect=list, initial='["business_system", "alertname"]')
    flap_window_minutes = forms.IntegerField(label=_("抖动窗口（分钟）"), min_value=0, max_value=1440, initial=30)
    raise_in_heavy_protection = forms.BooleanField(label=_("重保期提升一级"), required=False)


class UtilisationImportForm(forms.Form):
    file = forms.FileField(label=_("CSV 或 xlsx 文件"), help_text=_("列：主机（主机名或 IP）、日期、指标（CPU / 内存 / 存储）、日均值（%）、日 P95（%）"))


class ThresholdForm(forms.Form):
    statistic = forms.ChoiceField(label=_("统计值"), choices=Statistic.choices)
    percent = forms.DecimalField(label=_("阈值（%）"), min_value=0, max_value=100, decimal_places=2, max_digits=5)
    days = forms.IntegerField(label=_("连续天数"), min_value=1, max_value=90)
    enabled = forms.BooleanField(label=_("启用"), required=False)


class FindingDismissForm(forms.Form):
    reason = forms.CharField(label=_("忽略理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class UtilisationFilterForm(forms.Form):
    """The month page's filter bar: a month (YYYY-MM) and one of the user's business systems."""

    month = forms.CharField(label=_("月份"), required=False, max_length=7,
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}))
    business_system = forms.ModelChoiceField(label=_("业务系统"), required=False, queryset=None, empty_label=_("全部"))

    def __init__(self, data=None, *, business_systems, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["business_system"].queryset = business_systems
