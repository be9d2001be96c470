"""The purchaser's consent, as data (STYLE.md "Consent as data").

Anything that would move an acceptance figure in the provider's favour — excluding a ticket, a clock
or downtime minutes, loosening an SLA target, accepting a security risk — is a row of a concrete
`core.models.ConsentRequest` model. It counts only once an approver of the owning purchaser has
confirmed it; until then, and again after a rejection, a dispute or a withdrawal, every figure is
computed as if it did not exist. Figures ask `consent_counts_q()`; they never ask who asked.

State table (`CONSENT_TRANSITIONS`):

    requested --confirm--> confirmed --dispute--> disputed --confirm--> confirmed
    requested --reject---> rejected
    requested --withdraw-> withdrawn           (the one who asked, before a decision)

Only an approver of the owning purchaser confirms, rejects or disputes (403 for everybody else,
404 for users of another purchaser); a second decision on a decided row is 409 with its state. A
request made by the purchaser itself (its own user, e.g. a requester cancelling its own report) is
confirmed at once: it is the purchaser's own act. Every change writes a `ConsentEvent` and tells the
other side.

Apps register their concrete models (`consent_register`) in AppConfig.ready(), so the approver's
inbox lists every kind without core importing them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role
from accounts.selectors import (
    user_has_role,
    user_is_provider_staff,
    user_sees_all_tenants,
    user_tenant_id,
    users_with_role,
)

from .db import lock_one
from .exceptions import NotFound, ValidationFailed
from .models import ConsentEvent, ConsentRequest, ConsentState
from .services import notification_send
from .transitions import Transition, TransitionTable

S = ConsentState
REASON_MAX = 2000


def _is_purchaser_approver(user, consent: ConsentRequest) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and not user_is_provider_staff(user)
        and user_has_role(user, Role.APPROVER)
        and user_tenant_id(user) == consent.organization_id
    )


def _is_requester(user, consent: ConsentRequest) -> bool:
    return user is not None and user.is_authenticated and user.pk == consent.requested_by_id


CONSENT_TRANSITIONS = TransitionTable(
    [
        Transition("confirm", frozenset({S.REQUESTED, S.DISPUTED}), S.CONFIRMED, _is_purchaser_approver, gettext_lazy("确认")),
        Transition("reject", frozenset({S.REQUESTED}), S.REJECTED, _is_purchaser_approver, gettext_lazy("驳回")),
        Transition("dispute", frozenset({S.CONFIRMED}), S.DISPUTED, _is_purchaser_approver, gettext_lazy("提出异议")),
        Transition("withdraw", frozenset({S.REQUESTED}), S.WITHDRAWN, _is_requester, gettext_lazy("撤回")),
    ],
    state_of=lambda consent: consent.state,
    state_label=lambda state: str(S(state).label),
)

# Decisions that must say why.
NOTE_REQUIRED = frozenset({"reject", "dispute"})


@dataclass(frozen=True)
class ConsentKind:
    model: type[ConsentRequest]
    label: str
    # The queryset the inbox reads (select_related for its rows); default: the model's manager.
    queryset: Callable[[], QuerySet] | None = None


_REGISTRY: dict[str, ConsentKind] = {}


def consent_register(model: type[ConsentRequest], *, label: str, queryset: Callable[[], QuerySet] | None = None) -> None:
    """Called from an app's AppConfig.ready(): the model's requests appear in the approver's inbox."""
    _REGISTRY[model._meta.label_lower] = ConsentKind(model=model, label=label, queryset=queryset)


def consent_kinds() -> list[ConsentKind]:
    return list(_REGISTRY.values())


def consent_counts_q(prefix: str = "") -> Q:
    """The one rule every figure applies: a consent request takes effect only while confirmed.
    `prefix` reaches the request through a relation, e.g. consent_counts_q("exclusion__")."""
    return Q(**{f"{prefix}state": S.CONFIRMED})


def consent_is_own_act(*, actor, organization_id: int) -> bool:
    """Whether `actor` speaks for the purchaser itself (its own user, not the provider's)."""
    return not user_is_provider_staff(actor) and user_tenant_id(actor) == organization_id


def _approvers(organization_id: int):
    return users_with_role(Role.APPROVER).filter(
        Q(organization_id=organization_id) | Q(organization__parent_id=organization_id)
    )


def _record(consent: ConsentRequest, *, action: str, from_state: str, actor, note: str, at) -> ConsentEvent:
    return ConsentEvent.objects.create(
        content_type=ContentType.objects.get_for_model(type(consent)),
        object_id=consent.pk,
        action=action,
        from_state=from_state,
        to_state=consent.state,
        actor=actor,
        note=note,
        at=at,
    )


def _url(consent: ConsentRequest) -> str:
    return consent.get_absolute_url() if hasattr(consent, "get_absolute_url") else ""


def _check_reason(reason: str, field: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={field: [_("请填写理由")]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(fields={field: [_("最多 %(n)d 个字符") % {"n": REASON_MAX}]})
    return reason


@transaction.atomic
def consent_open(consent: ConsentRequest, *, actor, reason: str) -> ConsentRequest:
    """Save a new consent request built by the caller (concrete fields set, not yet saved).

    Asked by the purchaser's own user it is confirmed at once; asked by the provider it waits for
    an approver of the purchaser, who is told."""
    if consent.pk is not None:
        raise ValueError("consent_open saves a new request")
    now = timezone.now()
    consent.reason = _check_reason(reason, "reason")
    consent.requested_by = actor
    consent.requested_at = now
    own = consent_is_own_act(actor=actor, organization_id=consent.organization_id)
    if own:
        consent.state = S.CONFIRMED
        consent.decided_by = actor
        consent.decided_at = now
    else:
        consent.state = S.REQUESTED
    consent.save()
    _record(consent, action="open", from_state="", actor=actor, note=consent.reason, at=now)
    if not own:
        kind = type(consent)._meta.verbose_name
        notification_send(
            recipients=_approvers(consent.organization_id),
            kind="consent_requested",
            title=_("待您确认：%(kind)s") % {"kind": kind},
            body=_("%(who)s 申请：%(what)s\n理由：%(reason)s")
            % {"who": actor.get_full_name() or actor.username, "what": str(consent), "reason": consent.reason},
            url=_url(consent),
            dedupe_key=f"consent:{consent._meta.label_lower}:{consent.pk}:open",
        )
    return consent


@transaction.atomic
def consent_decide(consent: ConsentRequest, *, actor, action: str, note: str = "") -> ConsentRequest:
    """Confirm, reject, dispute or withdraw. Locks the row, checks the table (403 / 409 with the
    current state), writes the event and tells the other side. Users of another purchaser get 404."""
    model = type(consent)
    if (
        action != "withdraw"
        and not user_sees_all_tenants(actor)
        and user_tenant_id(actor) is not None
        and user_tenant_id(actor) != consent.organization_id
    ):
        raise NotFound()
    consent = lock_one(model.objects.all(), consent.pk)
    CONSENT_TRANSITIONS.check(action=action, user=actor, obj=consent)
    if action in NOTE_REQUIRED:
        note = _check_reason(note, "note")
    elif len(note or "") > REASON_MAX:
        raise ValidationFailed(fields={"note": [_("最多 %(n)d 个字符") % {"n": REASON_MAX}]})
    now = timezone.now()
    before = consent.state
    consent.state = CONSENT_TRANSITIONS[action].target
    consent.decided_by = actor
    consent.decided_at = now
    consent.decision_note = (note or "").strip()
    consent.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    _record(consent, action=action, from_state=before, actor=actor, note=consent.decision_note, at=now)
    recipients = [consent.requested_by] if action != "withdraw" else list(_approvers(consent.organization_id))
    label = CONSENT_TRANSITIONS[action].label
    notification_send(
        recipients=[u for u in recipients if u.pk != actor.pk],
        kind=f"consent_{action}",
        title=_("%(kind)s：%(action)s") % {"kind": model._meta.verbose_name, "action": label},
        body=_("%(what)s\n%(who)s %(action)s。%(note)s")
        % {"what": str(consent), "who": actor.get_full_name() or actor.username, "action": label, "note": consent.decision_note},
        url=_url(consent),
        dedupe_key=f"consent:{model._meta.label_lower}:{consent.pk}:{action}:{now.isoformat()}",
    )
    return consent


def consent_actions_for(*, user, consent: ConsentRequest) -> list[str]:
    """What `user` may do with `consent` now (pages and API both ask this)."""
    return CONSENT_TRANSITIONS.actions_for(user=user, obj=consent)


def consent_history(consent: ConsentRequest) -> QuerySet[ConsentEvent]:
    return ConsentEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(type(consent)), object_id=consent.pk
    ).select_related("actor")


def consent_pending_for(*, user) -> list[tuple[ConsentKind, QuerySet]]:
    """The approver's inbox: per registered kind, the requests of the user's purchaser waiting for a
    decision (oldest first). Empty for anyone who may not decide."""
    if user_is_provider_staff(user) or not user_has_role(user, Role.APPROVER) or user_tenant_id(user) is None:
        return []
    tenant = user_tenant_id(user)
    out = []
    for kind in _REGISTRY.values():
        qs = kind.queryset() if kind.queryset else kind.model.objects.all()
        out.append((kind, qs.filter(organization_id=tenant, state=S.REQUESTED).order_by("requested_at", "pk")))
    return out


__all__ = [
    "CONSENT_TRANSITIONS",
    "ConsentEvent",
    "ConsentKind",
    "ConsentRequest",
    "ConsentState",
    "consent_actions_for",
    "consent_counts_q",
    "consent_decide",
    "consent_history",
    "consent_is_own_act",
    "consent_kinds",
    "consent_open",
    "consent_pending_for",
    "consent_register",
]
