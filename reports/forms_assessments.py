"""Forms of the assessment and remediation pages. They only parse input into the services' arguments;
every rule (who may, dates, limits, the transition tables) is the services', whose errors come back
beside the fields through core.exceptions.page_domain_error."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.roles import PROVIDER_ROLES
from accounts.selectors import users_with_role
from core.limits import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH

from .models import Verdict

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
ITEM_ROWS = 5


class ReceiveForm(forms.Form):
    received_on = forms.DateField(label=_("签收日期"), required=False, help_text=_("默认今天"), **DATE)


class FinalReceiveForm(ReceiveForm):
    contract = forms.TypedChoiceField(label=_("合同"), coerce=int)

    def __init__(self, *args, contracts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].choices = [(c.pk, f"{c.code} · {c.name}（{c.start_date} 至 {c.end_date}）") for c in contracts]
        self.order_fields(["contract", "received_on"])


class AssessForm(forms.Form):
    verdict = forms.ChoiceField(label=_("评定结论"), choices=Verdict.choices, widget=forms.RadioSelect)
    comments = forms.CharField(label=_("评定意见"), required=False, max_length=TEXT_MAX_LENGTH,
                               widget=forms.Textarea(attrs={"rows": 4}), help_text=_("需整改或不合格时必填"))
    items = forms.CharField(required=False, widget=forms.HiddenInput)  # where the services' item errors show


def _provider_people():
    return [("", "—")] + [(u.pk, u.display_name) for u in users_with_role(*PROVIDER_ROLES).order_by("real_name", "pk")]


class ItemForm(forms.Form):
    title = forms.CharField(label=_("整改事项"), required=False, max_length=TITLE_MAX_LENGTH)
    owner = forms.TypedChoiceField(label=_("服务商责任人"), required=False, coerce=int, empty_value=None)
    deadline = forms.DateField(label=_("整改期限"), required=False, **DATE)
    detail = forms.CharField(label=_("具体要求"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = people

    def item(self) -> dict | None:
        """The item this row asks for, or None when the row was left empty."""
        data = self.cleaned_data
        if not (data.get("title") or data.get("owner") or data.get("deadline") or data.get("detail")):
            return None
        return {"title": data.get("title") or "", "detail": data.get("detail") or "", "owner": data.get("owner"),
                "deadline": data.get("deadline")}


def item_formset(data=None):
    people = _provider_people()
    FormSet = forms.formset_factory(ItemForm, extra=ITEM_ROWS, max_num=ITEM_ROWS, validate_max=True)
    return FormSet(data, prefix="item", form_kwargs={"people": people})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


_NUMBERS = re.compile(r"[\s,，、;；]+")


def numbers(value: str) -> list[str]:
    return [n for n in _NUMBERS.split(value or "") if n]


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("整改说明"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}))
    tickets = forms.CharField(label=_("关联工单编号"), required=False, max_length=1000,
                              help_text=_("多个编号以逗号或空格分隔"))
    changes = forms.CharField(label=_("关联变更编号"), required=False, max_length=1000,
                              help_text=_("多个编号以逗号或空格分隔"))
    file = MultipleFileField(label=_("证据附件"), required=False, help_text=_("可多选；PDF、图片、Office 文档、文本或压缩包"))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("确认意见"), required=False, max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("新的整改期限"), required=False, help_text=_("不填则沿用原期限"), **DATE)
