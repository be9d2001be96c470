"""The change services' errors follow the user's language: Chinese by default, English under `en`."""

import pytest
from django.utils import translation

from changes.services import change_submit
from core.exceptions import Conflict, ValidationFailed

from .conftest import at

pytestmark = pytest.mark.django_db


def test_window_error_in_english(draft):
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        draft(window_start=at(2026, 3, 21, 2), window_end=at(2026, 3, 20, 22))
    assert [str(m) for m in exc.value.fields["window_end"]] == ["The planned end must be after the planned start"]


def test_freeze_conflict_in_english_names_the_period(draft, users, period):
    period(at(2026, 3, 4).date(), at(2026, 3, 11).date())
    change = draft(window_start=at(2026, 3, 5, 22), window_end=at(2026, 3, 6, 2))
    with translation.override("en"), pytest.raises(Conflict) as exc:
        change_submit(actor=users["engineer"], change_id=change.pk)
    message = str(exc.value.message)
    assert message.startswith("The window touches a heavy-protection period")
    assert "全国两会" in message  # the period's name is data
    with pytest.raises(Conflict) as exc:
        change_submit(actor=users["engineer"], change_id=change.pk)
    assert str(exc.value.message).startswith("时间窗口触及重保时期")
