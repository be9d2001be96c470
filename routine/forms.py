from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RestoreTest


class RunImportForm(forms.Form):
    file = forms.FileField(label=_("CSV 或 xlsx 文件"))
    partial = forms.BooleanField(label=_("只登记有效行（跳过有错误的行）"), required=False)


class RestoreTestForm(forms.Form):
    policy = forms.ModelChoiceField(label=_("备份策略"), queryset=None)
    tested_at = forms.DateTimeField(label=_("测试时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    result = forms.ChoiceField(label=_("结果"), choices=RestoreTest.Result.choices)
    duration_minutes = forms.IntegerField(label=_("恢复耗时（分钟）"), min_value=0, max_value=100000, required=False)
    notes = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, policies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = policies
