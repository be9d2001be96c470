"""A change's free text has the limits of core.limits, decided in the services: the limit is accepted,
one more character is a 400 naming the field, and nothing is stored."""

import pytest

from changes.models import ChangeRequest
from changes.services import change_cancel, change_update
from core.exceptions import ValidationFailed
from core.limits import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("field", "limit"), [("title", TITLE_MAX_LENGTH), ("plan", TEXT_MAX_LENGTH), ("reason", TEXT_MAX_LENGTH)])
def test_draft_text_at_the_limit_and_one_over(draft, users, field, limit):
    change = draft()
    change_update(actor=users["engineer"], change_id=change.pk, data={field: "变" * limit})
    assert len(getattr(ChangeRequest.objects.get(pk=change.pk), field)) == limit
    with pytest.raises(ValidationFailed) as refused:
        change_update(actor=users["engineer"], change_id=change.pk, data={field: "更" * (limit + 1)})
    assert set(refused.value.fields) == {field}
    assert getattr(ChangeRequest.objects.get(pk=change.pk), field) == "变" * limit


def test_over_long_title_refused_on_creation_stores_nothing(draft):
    before = ChangeRequest.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        draft(title="长" * (TITLE_MAX_LENGTH + 1))
    assert set(refused.value.fields) == {"title"}
    assert ChangeRequest.objects.count() == before


def test_cancel_reason_limit(draft, users):
    change = draft()
    with pytest.raises(ValidationFailed) as refused:
        change_cancel(actor=users["engineer"], change_id=change.pk, reason="因" * (REASON_MAX_LENGTH + 1))
    assert set(refused.value.fields) == {"reason"}
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeRequest.Status.DRAFT
    change_cancel(actor=users["engineer"], change_id=change.pk, reason="因" * REASON_MAX_LENGTH)
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeRequest.Status.CANCELLED
