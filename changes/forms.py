"""The action forms of the change page: what each action of changes.services asks of the user, rendered
with the one form look (templates/forms/). The services keep the rules (a rejection needs a comment, a
completion an outcome): a field the action needs is marked, not checked here, so the message the user
reads is the service's, beside its input, and the typed text is kept when the action is refused."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ChangeRequest

TEXT_ROWS = {"rows": 2}


class _ActionForm(forms.Form):
    """Ids carry the action (`approve-comment`): several action forms stand on one page."""

    def __init__(self, data=None, *, action: str, **kwargs):
        super().__init__(data, auto_id=f"{action}-%s", **kwargs)
        self.action = action

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class ApproveForm(_ActionForm):
    comment = forms.CharField(label=_("审批意见"), required=False, widget=forms.Textarea(attrs=TEXT_ROWS),
                              help_text=_("可选"))


class RejectForm(_ActionForm):
    comment = forms.CharField(label=_("驳回理由"), required=False, widget=forms.Textarea(attrs=TEXT_ROWS))
    comment.marked_required = True


class CompleteForm(_ActionForm):
    outcome = forms.ChoiceField(label=_("实施结果"), required=False,
                                choices=[("", _("请选择")), *ChangeRequest.Outcome.choices])
    outcome.marked_required = True
    notes = forms.CharField(label=_("实施记录"), required=False, widget=forms.Textarea(attrs=TEXT_ROWS))


class ReviewForm(_ActionForm):
    notes = forms.CharField(label=_("复盘结论"), required=False, widget=forms.Textarea(attrs=TEXT_ROWS))
    notes.marked_required = True
    lessons = forms.CharField(label=_("经验教训"), required=False, widget=forms.Textarea(attrs=TEXT_ROWS))


class CancelForm(_ActionForm):
    reason = forms.CharField(label=_("取消原因"), required=False, widget=forms.Textarea(attrs=TEXT_ROWS))


ACTION_FORMS = {
    "approve": ApproveForm, "reject": RejectForm, "complete": CompleteForm, "review": ReviewForm, "cancel": CancelForm,
}


def change_action_form(action: str, data=None) -> _ActionForm | None:
    """The form of `action`, bound to `data` when given; None for an action that asks nothing (submit, start)."""
    form_class = ACTION_FORMS.get(action)
    return form_class(data, action=action) if form_class else None
