"""Bulk actions on rows of the list or a queue (issue 19 item 10): the duty leader (or the project
manager) assigns or comments on many tickets at once.

Each ticket goes through the one dispatcher (tickets.services.actions) as if acted on alone, with the
same actor: the transition table, the assignment rule, the history rows and the notifications are the
ticket's own. Tickets are done one by one, each in its service's own transaction (a savepoint inside
a caller's; both bulk actions' services are @transaction.atomic):
a refusal leaves that ticket untouched and the others done, and the outcome says per ticket what was
done or why not. Input that is wrong for every ticket (an assignee who is not provider staff, an empty
comment) is refused as a whole before anything is done.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_manager
from core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed, domain_error_fields

from ..models import Ticket
from ..selectors.tickets import ticket_list_for_user
from .actions import ticket_action_run

BULK_ACTIONS = ("assign", "comment")
BULK_MAX_TICKETS = 100
# The input of each bulk action: an error on one of these is the input's, not a ticket's.
BULK_INPUT_FIELDS = {"assign": frozenset({"assignee"}), "comment": frozenset({"body", "internal"})}


@dataclass(frozen=True)
class BulkOutcome:
    ticket_id: int
    number: str
    ok: bool
    code: str = ""
    message: str = ""
    fields: dict = field(default_factory=dict)


def ticket_bulk_run(*, actor: User, action: str, ticket_ids: list[int], **data) -> list[BulkOutcome]:
    """Run `action` ("assign" with `assignee`, "comment" with `body` and `internal`) on each ticket of
    `ticket_ids` (at most BULK_MAX_TICKETS, in the order given, repeats once) as `actor`, a duty leader
    or the project manager. Returns one outcome per ticket; a ticket the actor may not see is "not
    found" like any other. Not atomic as a whole, on purpose (see the module's docstring)."""
    if not user_is_manager(actor):
        raise PermissionDenied(_("批量操作由值班负责人或项目经理执行"))
    if action not in BULK_ACTIONS:
        raise ValidationFailed(fields={"action": [_("批量操作只能是指派或评论")]})
    ids = list(dict.fromkeys(ticket_ids))
    if not ids:
        raise ValidationFailed(fields={"tickets": [_("请至少选择一张工单")]})
    if len(ids) > BULK_MAX_TICKETS:
        raise ValidationFailed(fields={"tickets": [_("一次最多处理 %(n)s 张工单") % {"n": BULK_MAX_TICKETS}]})
    visible: dict[int, Ticket] = {
        t.pk: t for t in ticket_list_for_user(user=actor, for_display=False).filter(pk__in=ids)
    }
    outcomes: list[BulkOutcome] = []
    for pk in ids:
        ticket = visible.get(pk)
        if ticket is None:
            error = NotFound(_("工单不存在"))
            outcomes.append(BulkOutcome(ticket_id=pk, number="", ok=False, code=error.code, message=str(error.message)))
            continue
        try:
            # The service is atomic (a savepoint inside a caller's transaction): a refusal takes back
            # everything it wrote for this ticket.
            ticket_action_run(action=action, actor=actor, ticket=ticket, **data)
        except DomainError as error:
            fields = domain_error_fields(error)
            if isinstance(error, ValidationFailed) and set(fields) & BULK_INPUT_FIELDS[action] and not any(
                    o.ok for o in outcomes):
                raise  # the input is wrong for every ticket: nothing was done, say so once
            outcomes.append(BulkOutcome(ticket_id=pk, number=ticket.number, ok=False, code=error.code,
                                        message=str(error.message), fields=fields))
        else:
            outcomes.append(BulkOutcome(ticket_id=pk, number=ticket.number, ok=True))
    return outcomes
