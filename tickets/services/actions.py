"""One dispatcher from a ticket action's name to its service, for the API and the pages alike.

The names are the transition table's (tickets.services.transitions.TRANSITIONS), plus "downtime_report"
(the downtime report's narrative, checked as "downtime"). The API and the pages each parse their input
(serializer, form) into the service's own keyword arguments and call `ticket_action_run`; neither keeps
its own map of which service an action calls. URLs may spell a name with hyphens (the API's
`mark-major`): `ticket_action_name` turns that back into the one name.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

from core.exceptions import NotFound, ValidationFailed

from ..models import DowntimeRecord, Ticket
from ..selectors.tickets import ticket_list_for_user
from . import comments, downtime, exclusions, regrade, satisfaction, tickets


def _downtime_correct(*, actor, ticket: Ticket, record: DowntimeRecord, **data):
    """Correct one of `ticket`'s outage records (the caller loaded it through downtime_list)."""
    if record.ticket_id != ticket.pk:
        raise NotFound(_("停机记录不存在"))
    return downtime.downtime_record_correct(actor=actor, record=record, **data)


def _merge(*, actor, ticket: Ticket, duplicate_of, reason: str):
    """Merge into the ticket the page names by its number (the API resolves its id itself)."""
    if isinstance(duplicate_of, str):
        target = ticket_list_for_user(user=actor, for_display=False).filter(number=duplicate_of.strip()).first()
        if target is None:
            raise ValidationFailed(fields={"duplicate_of": [_("工单不存在")]})
        duplicate_of = target
    return exclusions.ticket_merge(actor=actor, ticket=ticket, duplicate_of=duplicate_of, reason=reason)


# action -> service, called as service(actor=, ticket=, **the parsed input)
TICKET_ACTIONS: dict[str, Callable] = {
    "acknowledge": tickets.ticket_acknowledge,
    "claim": tickets.ticket_claim,
    "assign": tickets.ticket_assign,
    "start": tickets.ticket_start,
    "pend": tickets.ticket_pend,
    "resume": tickets.ticket_resume,
    "locate": tickets.ticket_locate,
    "resolve": tickets.ticket_resolve,
    "close": tickets.ticket_close,
    "reopen": tickets.ticket_reopen,
    "cancel": exclusions.ticket_cancel,
    "merge": _merge,
    "mark_major": exclusions.ticket_mark_major,
    "regrade": regrade.ticket_regrade,
    "rate": satisfaction.ticket_rate,
    "comment": comments.ticket_comment,
    "attach": comments.ticket_attachment_add,
    "downtime": _downtime_correct,
    "downtime_report": downtime.ticket_downtime_report_update,
}


def ticket_action_name(slug: str) -> str:
    """The one name of the action a URL spells `slug` (`mark-major` and `mark_major` alike)."""
    return slug.replace("-", "_")


def ticket_action_url_slug(action: str) -> str:
    """How the API's URLs spell `action` (hyphens, as they always have: /tickets/1/mark-major/)."""
    return action.replace("_", "-")


def ticket_action_run(*, action: str, actor, ticket: Ticket, **data):
    """Run `action` on `ticket` as `actor` with the parsed input; NotFound for an unknown name.
    The service checks the transition table and raises the domain error of any refusal."""
    service = TICKET_ACTIONS.get(action)
    if service is None:
        raise NotFound(_("操作不存在"))
    return service(actor=actor, ticket=ticket, **data)
