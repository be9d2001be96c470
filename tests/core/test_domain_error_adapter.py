"""One adapter from domain errors to API errors and page messages (core.exceptions)."""

from django import forms

from core.exceptions import (
    Conflict,
    IllegalTransition,
    ValidationFailed,
    domain_error_fields,
    domain_error_text,
    page_domain_error,
)


class _Form(forms.Form):
    reason = forms.CharField()


def test_fields_go_beside_their_inputs_and_the_rest_with_the_message_once():
    form = _Form(data={"reason": "x"})
    form.is_valid()
    error = ValidationFailed("换班后将违反值班规则", fields={"reason": ["请填写原因"], "rules": ["张三休息不足 11 小时"]})
    words = page_domain_error(error, form=form)
    assert form.errors["reason"] == ["请填写原因"]
    assert words == "换班后将违反值班规则（张三休息不足 11 小时）"
    assert form.non_field_errors() == [words]


def test_a_refused_transition_keeps_its_state_for_the_api_but_not_for_people():
    error = IllegalTransition("工单当前状态为“新建”，不能执行“解决”", fields={"status": ["new"]})
    assert domain_error_fields(error) == {"status": ["new"]}
    assert domain_error_text(error) == "工单当前状态为“新建”，不能执行“解决”"


def test_only_the_generic_message_is_not_repeated_above_fields_already_placed():
    placed = _Form(data={"reason": "x"})
    placed.is_valid()
    page_domain_error(ValidationFailed(fields={"reason": ["请填写原因"]}), form=placed)
    assert placed.non_field_errors() == [] and placed.errors["reason"] == ["请填写原因"]
    form = _Form(data={"reason": "x"})
    form.is_valid()
    words = page_domain_error(Conflict("已有人认领"), form=form, words_on_form=False)
    assert words == "已有人认领" and form.non_field_errors() == []
