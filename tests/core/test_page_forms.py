"""One form style for every page form (issue 19 item 8): the renderer's templates (templates/forms/)
write labels without colons, mark required fields, head a refused form with one summary linking to its
fields, say 请选择 for an empty choice, and a refused service call is said once — on the form, not also
as a message above the page."""

import re

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from core.exceptions import Conflict, ValidationFailed, page_domain_error
from core.forms import GroupedSelectMultiple


class _Form(forms.Form):
    name = forms.CharField(label="名称", max_length=10)
    kind = forms.ChoiceField(label="类型", choices=[("", "---------"), ("a", "甲")], required=False)
    notes = forms.CharField(label="说明", required=False, help_text="可选")
    agree = forms.BooleanField(label="已核对", required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_labels_carry_no_colon_and_required_fields_are_marked():
    html = str(_Form())
    assert '<label for="id_name">名称</label>' in html
    assert "名称:" not in html and "名称：" not in html
    name_group = re.search(r'<div class="field[^"]*">\s*<label for="id_name">', html).group(0)
    assert "required" in name_group
    notes_group = re.search(r'<div class="field[^"]*">\s*<label for="id_notes">', html).group(0)
    assert "required" not in notes_group
    assert 'id="id_notes_helptext"' in html and 'aria-describedby="id_notes_helptext"' in html
    assert 'class="field check"' in html and '<label for="id_agree"><input' in html  # the box inside its label


def test_an_empty_choice_reads_please_choose_not_dashes():
    html = str(_Form())
    assert "---------" not in html
    assert '<option value="" selected>请选择</option>' in html


def test_a_refused_form_is_headed_by_one_summary_linking_to_its_fields():
    form = _Form(data={"name": "x" * 11, "secret": ""})
    assert not form.is_valid()
    html = str(form)
    summary = html[: html.index('<div class="field')]
    assert 'role="alert"' in summary and "提交未成功，请按提示修改后重试。" in summary
    assert '<a href="#id_name">名称</a>' in summary
    # The field's own words stand beside it once; the summary names the field only.
    message = form.errors["name"][0]
    assert html.count(message) == 1
    assert 'aria-invalid="true"' in html and 'id="id_name_error"' in html


def test_an_untouched_form_has_no_summary():
    assert 'role="alert"' not in str(_Form())


def test_a_service_refusal_on_a_re_rendered_form_is_said_once_on_the_form():
    """Before: the messages framework said it above the page and the form's alert again below."""
    request = _request()
    form = _Form(data={"name": "ok"})
    form.is_valid()
    page_domain_error(Conflict("重保期间不能发布"), form=form, request=request)
    assert form.non_field_errors() == ["重保期间不能发布"]
    assert list(get_messages(request)) == []
    html = str(form)
    assert html.count("重保期间不能发布") == 1 and "请检查" not in html


def test_field_messages_placed_and_the_generic_words_not_repeated():
    request = _request()
    form = _Form(data={"name": "ok"})
    form.is_valid()
    page_domain_error(ValidationFailed(fields={"name": ["名称已存在"]}), form=form, request=request)
    assert form.errors["name"] == ["名称已存在"] and form.non_field_errors() == []
    assert list(get_messages(request)) == []


def test_without_a_form_the_refusal_goes_to_the_next_page_as_a_message():
    request = _request()
    page_domain_error(Conflict("已发布"), request=request)
    assert [str(m) for m in get_messages(request)] == ["已发布"]


def test_grouped_picker_options_name_their_group(systems):
    from tickets.models import BusinessSystem, Host

    own, other = systems["own"], systems["other"]
    h1, h2 = systems["host"], systems["other_host"]

    class HostForm(forms.Form):
        systems = forms.ModelMultipleChoiceField(queryset=BusinessSystem.objects.filter(pk__in=[own.pk, other.pk]))
        hosts = forms.ModelMultipleChoiceField(
            queryset=Host.objects.filter(pk__in=[h1.pk, h2.pk]).order_by("pk"),
            widget=GroupedSelectMultiple(group_attr="business_system_id", filter_by="systems"),
        )

    html = str(HostForm()["hosts"])
    assert 'data-filter-by="systems"' in html
    assert f'<option value="{h1.pk}" data-group="{own.pk}">' in html
    assert f'<option value="{h2.pk}" data-group="{other.pk}">' in html


def test_a_form_the_request_did_not_fill_is_not_where_the_refusal_goes():
    """A page with several forms passes one that was not sent: the words go to the next page instead."""
    request = _request()
    page_domain_error(Conflict("操作无效"), form=_Form(), request=request)
    assert [str(m) for m in get_messages(request)] == ["操作无效"]
