"""Duty members: positions, certificates, phone, unavailability and personal feed tokens."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext

from accounts.selectors import user_is_manager, user_is_provider_staff
from core.exceptions import PermissionDenied, ValidationFailed
from core.limits import text_lengths_check

from ..models import DutyMember, Position, Qualification, Unavailability, _new_token
from .access import require_manager


@transaction.atomic
def duty_member_set(
    *, actor, user, positions: list[str], qualifications: list[str], phone: str = "", active: bool = True
) -> DutyMember:
    """Create or update the duty profile of a provider staff member."""
    require_manager(actor)
    errors: dict[str, list[str]] = {}
    if not user_is_provider_staff(user):
        errors["user"] = [gettext("只有服务商人员可以值班")]
    bad = sorted(set(positions) - set(Position.values))
    if bad or not positions:
        errors["positions"] = [gettext("岗位无效：%(positions)s") % {"positions": ", ".join(bad)} if bad else gettext("至少选择一个岗位")]
    bad_q = sorted(set(qualifications) - set(Qualification.values))
    if bad_q:
        errors["qualifications"] = [gettext("资质无效：%(qualifications)s") % {"qualifications": ", ".join(bad_q)}]
    if errors:
        raise ValidationFailed(fields=errors)
    member, _ = DutyMember.objects.update_or_create(
        user=user,
        defaults={
            "positions": sorted(set(positions), key=Position.values.index),
            "qualifications": sorted(set(qualifications)),
            "phone": phone or user.mobile,
            "active": active,
        },
    )
    return member


def _require_self_or_manager(actor, member: DutyMember) -> None:
    if member.user_id != actor.pk and not user_is_manager(actor) and not actor.is_superuser:
        raise PermissionDenied(gettext("只能维护本人的信息"))


@transaction.atomic
def unavailability_add(*, actor, member: DutyMember, kind: str, start: dt.datetime, end: dt.datetime, note: str = "") -> Unavailability:
    """Leave, trip or training. Generation and edits will not put the person on duty then; seats
    already held are not changed (ask for a substitute)."""
    text_lengths_check(note=(note, Unavailability._meta.get_field("note").max_length))
    _require_self_or_manager(actor, member)
    if end <= start:
        raise ValidationFailed(fields={"end": [gettext("结束时间必须晚于开始时间")]})
    if kind not in Unavailability.Kind.values:
        raise ValidationFailed(fields={"kind": [gettext("类型无效")]})
    return Unavailability.objects.create(member=member, kind=kind, start=start, end=end, note=note)


@transaction.atomic
def unavailability_remove(*, actor, unavailability: Unavailability) -> None:
    _require_self_or_manager(actor, unavailability.member)
    unavailability.delete()


@transaction.atomic
def member_feed_token_rotate(*, actor, member: DutyMember, revoke: bool = False) -> DutyMember:
    """A new secret iCalendar URL for the person's own shifts (the old one stops working), or none."""
    _require_self_or_manager(actor, member)
    member.ical_token = None if revoke else _new_token()
    member.save(update_fields=["ical_token"])
    return member
