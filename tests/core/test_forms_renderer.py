"""core.forms_renderer writes the small per-field templates in Python (inputs, labels, empty error lists,
<select>): the same HTML as Django's templates (and, for <select>, as the format_html version before it),
byte for byte, for every kind of widget, bound and unbound, with values that need escaping."""

import datetime as dt

import pytest
from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from core.forms_renderer import OpsDeskFormRenderer


class _Templates(OpsDeskFormRenderer):
    """Everything but <select> through Django's templates, as before."""

    def render(self, template_name, context, request=None):
        if template_name == "django/forms/widgets/select.html":
            return _select_before(context["widget"])
        return TemplatesSetting.render(self, template_name, context, request)


def _select_before(widget: dict) -> str:
    """render_select as it was (format_html and flatatt per option)."""
    def label(option):
        if option["label"] == BLANK_CHOICE_DASH[0][1] and option["value"] in ("", None):
            return gettext("请选择")
        return option["label"]

    groups = []
    for group_name, options, _index in widget["optgroups"]:
        rendered = format_html_join("", '<option value="{}"{}>{}</option>',
                                    ((str(o["value"]), flatatt(o["attrs"]), label(o)) for o in options))
        groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered) if group_name else rendered)
    return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]),
                       format_html_join("", "{}", ((g,) for g in groups)))


class _Every(forms.Form):
    text = forms.CharField(label='名称 <b>"&\'', max_length=10, help_text="可选")
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search", "placeholder": '编号 "x" <y>'}))
    number = forms.IntegerField(required=False, min_value=0)
    email = forms.EmailField(required=False, disabled=True)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(required=False)
    secret = forms.CharField(required=False, widget=forms.HiddenInput)
    password = forms.CharField(required=False, widget=forms.PasswordInput)
    agree = forms.BooleanField(label="已核对", required=False)
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "甲 & 乙"), ("<b>", '"q"')], required=False)
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    grouped = forms.MultipleChoiceField(choices=[("组 <1>", [("1", "一"), ("2", "二")]), ("3", "三")], required=False)
    note = forms.CharField(required=False, widget=forms.Textarea)
    radio = forms.ChoiceField(choices=[("r", "红"), ("g", "绿")], widget=forms.RadioSelect, help_text="选一个")
    boxes = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二")], required=False, widget=forms.CheckboxSelectMultiple)
    unlabelled = forms.CharField(label="", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].marked_required = True


BOUND = {"text": '<script>"&\'', "search": "a&b", "number": "-1", "day": "2026-13-40", "when": "2026-12-05 10:00",
         "secret": '"x"', "password": "p", "agree": "on", "kind": "<b>", "many": ["x", "y"], "grouped": ["2"], "note": "<i>",
         "radio": "x", "boxes": ["2"]}


def _pieces(form) -> list[str]:
    out = []
    for field in form:
        out += [str(field.label_tag()), str(field), str(field.errors), str(field.as_field_group())]
    return [*out, str(form)]


@pytest.mark.parametrize("data", [None, BOUND, {"text": ""}], ids=["unbound", "bound-invalid", "empty"])
def test_fields_render_as_the_templates_did(data):
    initial = {"day": dt.date(2026, 12, 5), "agree": True, "kind": "a", "text": 'x"y'}
    fast = _Every(data, initial=initial, renderer=OpsDeskFormRenderer())
    slow = _Every(data, initial=initial, renderer=_Templates())
    assert _pieces(fast) == _pieces(slow)


def test_the_ticket_filter_form_renders_as_before(db, users, systems):
    from tickets.forms import TicketFilterForm

    for params in (None, {"search": '<x>"', "kind": "fault", "status": ["new", "pending"], "severity": "P1",
                          "business_system": str(systems["own"].pk), "reported_from": "2026-01-01", "breached": "1",
                          "assignee": "nope"}):
        for user in (users["engineer"], users["requester"]):
            fast = TicketFilterForm(params, user=user, staff_filters=user is users["engineer"])
            slow = TicketFilterForm(params, user=user, staff_filters=user is users["engineer"])
            slow.renderer = _Templates()
            if params:
                fast.is_valid(), slow.is_valid()
            assert _pieces(fast) == _pieces(slow)


def test_the_staff_drop_downs_render_as_the_model_choice_field_did(db, users, django_assert_num_queries, settings):
    """AssignForm and TicketBulkForm list the provider's staff from (id, name) pairs: the same options
    as the model choice field's, one plain query, and none when a posted form is only checked."""
    from accounts.roles import PROVIDER_ROLES
    from accounts.selectors import users_with_role
    from tickets.forms import AssignForm, PageForm, TicketBulkForm

    class Before(PageForm):
        assignee = forms.ModelChoiceField(label="处理人", queryset=None, empty_label="请选择")

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["assignee"].queryset = users_with_role(*PROVIDER_ROLES).order_by("real_name", "username")
            self.fields["assignee"].label_from_instance = lambda u: u.display_name

    users["engineer2"].real_name = ""
    users["engineer2"].save(update_fields=["real_name"])
    from django.core.cache import cache

    settings.SHARED_CACHE = True  # the pairs kept as in production (Redis)
    for data in (None, {"assignee": str(users["engineer2"].pk)}):
        for form_class in (AssignForm, TicketBulkForm):
            form = form_class(data)
            cache.clear()
            with django_assert_num_queries(1 if data is None else 2):  # bound: the posted choice is checked first
                html = str(form["assignee"])
            with django_assert_num_queries(0 if data is None else 1):  # the pairs, then from the cache
                assert str(form_class(data)["assignee"]) == html
            before = Before(data)
            before.fields["assignee"].required = form.fields["assignee"].required
            assert html == str(before["assignee"]) and users["engineer2"].username in html
    with django_assert_num_queries(1):  # the choice is checked against the queryset; no list is read
        assert AssignForm({"assignee": str(users["engineer"].pk)}).is_valid()
