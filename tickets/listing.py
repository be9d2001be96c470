"""The ticket list's one filter definition, read from a query string: the list page, the work queues,
the export (page and API) and the saved views all parse it here, with tickets.forms.TicketFilterForm,
and apply it with tickets.selectors.tickets.ticket_filter. An export therefore holds exactly the
tickets the list shows for the same query string."""

import datetime as dt

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseBase, QueryDict, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_auditor, user_is_provider_staff
from core import exports
from core.audit import audit_record
from core.exceptions import ValidationFailed
from core.models import AuditLog

from .forms import TicketFilterForm
from .models import Ticket
from .selectors.exports import ticket_export_headers, ticket_export_ids, ticket_export_rows
from .selectors.tickets import QUEUES, ticket_filter, ticket_list_for_user, ticket_queue

EXPORT_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Keys of the query string that are not filters but belong to a list's address (kept by saved views).
LIST_KEYS = ("queue",)


# The API list spells its yes/no filters true/false (django-filter); the page 1/0. Both mean the same.
_YES_NO = {"true": "1", "false": "0"}
_YES_NO_FILTERS = ("breached", "major_incident")


def ticket_filter_form(params: QueryDict | None, *, user: User) -> TicketFilterForm:
    """The filter form of `user` bound to `params` (unbound when empty): staff filters for provider
    staff and auditors, as the list page shows them."""
    staff_filters = user_is_provider_staff(user) or user_is_auditor(user)
    if params and any(str(params.get(name, "")).lower() in _YES_NO for name in _YES_NO_FILTERS):
        params = params.copy()
        for name in _YES_NO_FILTERS:
            value = str(params.get(name, "")).lower()
            if value in _YES_NO:
                params[name] = _YES_NO[value]
    return TicketFilterForm(params or None, user=user, staff_filters=staff_filters)


def ticket_list_filtered(
    *, user: User, params: QueryDict, now: dt.datetime, for_rows: bool = False, strict: bool = False,
    queue: str | None = None,
) -> tuple[TicketFilterForm, QuerySet[Ticket]]:
    """(form, tickets) for the query string `params`: the tickets `user` may read (through the access
    selector), in the queue's order when `queue` names one (provider staff and auditors; others get
    their organisation's open tickets), newest first otherwise, filtered as the list page filters.

    `queue` (a queue page's own) takes the place of the query string's.
    `strict`: invalid input raises ValidationFailed with the form's field messages (API, export);
    otherwise the page ignores the invalid field and shows why."""
    form = ticket_filter_form(params, user=user)
    if strict and form.is_bound and not form.is_valid():
        raise ValidationFailed(fields={name: [str(m) for m in messages] for name, messages in form.errors.items()})
    queue = queue or (params.get("queue") if params else None)
    if queue:
        if queue not in QUEUES:
            if strict:
                raise ValidationFailed(fields={"queue": [_("队列不存在")]})
            queue = None
    if queue:
        qs = ticket_queue(user=user, queue=queue, now=now, for_rows=for_rows)
    else:
        qs = ticket_list_for_user(user=user, for_rows=for_rows).order_by("-reported_at", "-pk")
    return form, ticket_filter(qs, now=now, **form.filters())


def ticket_list_query(params: QueryDict, *, queue: str | None = None) -> str:
    """The filters of `params` as a canonical query string (the form's fields and the list keys, in
    the form's order, empty values and the page number left out): what a saved view stores."""
    names = [*LIST_KEYS, *TicketFilterForm.base_fields]
    out = QueryDict(mutable=True)
    if queue:
        out["queue"] = queue
    for name in names:
        if name in out:
            continue
        values = [v for v in params.getlist(name) if v not in ("", None)]
        if values:
            out.setlist(name, values)
    return out.urlencode()


def ticket_export_response(*, user: User, params: QueryDict, fmt: str) -> HttpResponseBase:
    """The filtered list (the same query string as the list page and the API) as a CSV (streamed) or
    xlsx (written to a spooled file) download, with an audit entry naming the filters and the number
    of rows. ValidationFailed for invalid filters, an unknown format or a list over the bound."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationFailed(fields={"format": [_("导出格式只能是 CSV 或 xlsx")]})
    now = timezone.now()
    _form, qs = ticket_list_filtered(user=user, params=params, now=now, strict=True)
    ids = ticket_export_ids(qs)
    query = ticket_list_query(params)
    audit_record(actor=user, action=AuditLog.Action.EXPORT, object_type="tickets.ticket",
                 object_repr=_("工单列表"), detail=f"工单列表 {fmt.upper()}（{len(ids)} 行）{query}")
    language = translation.get_language()
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    filename = f"tickets-{stamp}.{fmt}"

    def rows():
        # A streamed body is written after the view returned: in the language of the request.
        with translation.override(language):
            yield from ticket_export_rows(ids, now=now)

    with translation.override(language):
        headers = ticket_export_headers()
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_stream(headers, rows()), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        with translation.override(language):
            title = _("工单")
        response = FileResponse(exports.xlsx_file([(title, headers, rows())]), as_attachment=True, filename=filename,
                                content_type=XLSX_TYPE)
    response["X-Export-Rows"] = str(len(ids))
    response["Cache-Control"] = "no-store"
    return response


def ticket_list_query_clean(query: str, *, user: User) -> str:
    """A query string of the list as `user` would open it, checked (ValidationFailed on field `query`,
    naming the filter that is wrong) and made canonical (ticket_list_query): what a saved view keeps."""
    params = QueryDict(query.lstrip("?"))
    form = ticket_filter_form(params, user=user)
    problems = []
    if form.is_bound and not form.is_valid():
        problems = [f"{form.fields[name].label if name in form.fields else name}：{' '.join(str(m) for m in messages)}"
                    for name, messages in form.errors.items()]
    if params.get("queue") and params.get("queue") not in QUEUES:
        problems.append(_("队列不存在"))
    if problems:
        raise ValidationFailed(fields={"query": problems})
    return ticket_list_query(params)


def ticket_list_url(query: str, *, user: User) -> str:
    """The page showing a list's query string: the queue's page when it names a queue and `user` has
    the work queues (provider staff, auditors), the list page otherwise (`?view=all` for no filter at
    all: not the user's default)."""
    from django.urls import reverse

    params = QueryDict(query, mutable=True)
    queue = params.pop("queue", [None])[-1]
    if queue in QUEUES and (user_is_provider_staff(user) or user_is_auditor(user)):
        base = reverse("ticket-queue-named", args=[queue])
        return f"{base}?{params.urlencode()}" if params else base
    return f"{reverse('ticket-list')}?{query}" if query else f"{reverse('ticket-list')}?view=all"
