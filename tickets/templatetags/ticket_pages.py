import functools

from django import template
from django.template.defaultfilters import linebreaksbr
from django.template.loader import get_template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from core.html import esc as conditional_escape
from core.html import fmt as format_html
from core.html import fmt_join as format_html_join

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ labels|get_item:code }}: a dict lookup by a variable key."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""




@functools.cache
def _row_text(language: str) -> dict:
    """The fixed words of a row in one language, translated once per process and language (a page of
    25 rows asked gettext for the same forty strings a row)."""
    from ..models import Ticket

    return {
        "labels": {
            "number": _("编号"), "title": _("标题"), "kind": _("类型/级别"), "status": _("状态"), "sla": _("SLA"),
            "assignee": _("处理人"), "reported": _("报告时间"), "actions": _("操作"),
        },
        "kind": {value: str(label) for value, label in Ticket.Kind.choices},
        "status": {value: str(label) for value, label in Ticket.Status.choices},
        "major": _("重大"),
        "actions": {"claim": pgettext("ticket action", "认领"), "acknowledge": pgettext("ticket action", "响应"),
                    "start": _("开始处理")},
        "open": _("处理"),
        "select": _("选择"),
        "due": _("到期"),
        "event": _event_kinds(),
        "system": _("系统"),
    }


def _event_kinds() -> dict:
    from ..models import TicketEvent

    return {value: str(label) for value, label in TicketEvent.Kind.choices}


def _local(value, fmt: str) -> str:
    """The local time in Django's date format `fmt`; the three the rows and the timeline use written
    directly (dateformat builds a formatter per call, ~60 a page): "m-d H:i", "Y-m-d H:i:s" and "c"
    (ISO 8601) give the same text."""
    if not value:
        return ""
    local = timezone.localtime(value)
    if fmt == "m-d H:i":
        return f"{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"
    if fmt == "Y-m-d H:i:s":
        return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}:{local.second:02d}"
    if fmt == "c":
        return local.isoformat()
    return dateformat.format(local, fmt)


@register.simple_tag
def sla_badge(clock, now=None) -> str:
    """One SLA clock as a badge (colour by the escalation thresholds, text by its state). Built in Python:
    a queue page shows one or two per row, and a template include per badge was most of its time."""
    if not clock:
        return format_html('<span class="muted">—</span>')
    text = _row_text(get_language())
    name = clock.get("label") or clock.get("name", "")
    title = _("目标 %(t)s 分钟") % {"t": clock.get("target_minutes")}
    if clock.get("due_at"):
        title += " · " + text["due"] + " " + _local(clock["due_at"], "m-d H:i")
    ticks = ""
    if clock.get("ticks"):
        ticks = format_html(' data-due="{}" data-now="{}"', _local(clock.get("due_at"), "c"), _local(now, "c"))
    return format_html(
        '<span class="sla {}" data-sla-clock="{}" data-target="{}"{} data-state="{}" title="{}">'
        '<span class="sla-name">{}</span> <span class="sla-text">{}</span></span>',
        clock.get("css", ""), clock.get("name", ""), clock.get("target_minutes", ""), ticks, clock.get("state", ""),
        title, name, sla_text(clock),
    )


def sla_text(clock) -> str:
    state = clock.get("state")
    remaining = clock.get("remaining_text")
    if state == "met":
        return _("达标")
    if state == "unknown":
        return _("日历缺失")
    if clock.get("stopped_at") and clock.get("breached"):
        return _("已超时")
    if remaining is None:
        return "—"
    if clock.get("overdue"):
        return _("超时 %(m)s") % {"m": remaining}
    if state == "paused":
        return _("暂停 · 剩 %(m)s") % {"m": remaining}
    return _("剩 %(m)s") % {"m": remaining}


@register.simple_tag(takes_context=True)
def ticket_row(context, row) -> str:
    """One ticket as a row of a queue or list (tickets/_ticket_table.html, and alone after an in-place
    action). Built in Python like the badge: the template version cost 2 ms a row, most of a queue page."""
    t = row["ticket"]
    url = row["url"]
    in_queue = context.get("in_queue")
    text = _row_text(get_language())
    labels = text["labels"]
    severity = (t.severity or "").lower()
    major = format_html(' <span class="tag tag-major">{}</span>', text["major"]) if t.major_incident else ""
    message = ""
    if context.get("row_message"):
        ok = context.get("row_ok")
        message = format_html('<div class="row-message {}" role="{}">{}</div>', "ok" if ok else "bad",
                              "status" if ok else "alert", context["row_message"])
    now = context.get("now")
    live = row["live_clocks"]
    if live:
        sla = format_html_join("", "<div>{}</div>", ((sla_badge(clock, now),) for clock in live))
    else:
        sla = sla_badge(row["headline"], now)
    assignee = t.assignee.display_name if t.assignee_id else "—"
    cells = [
        format_html('<td data-label="{}"><a href="{}">{}</a></td>', labels["number"], url, t.number),
        format_html('<td data-label="{}" class="title-cell"><div><a href="{}">{}</a>{}\n  <div class="muted small">{}</div>\n  {}</div></td>',
                    labels["title"], url, t.title, major, t.business_system.name, message),
        format_html('<td data-label="{}">{} <span class="sev sev-{}">{}</span></td>', labels["kind"],
                    text["kind"].get(t.kind, t.kind), severity, t.severity),
        format_html('<td data-label="{}"><span class="status status-{}">{}</span></td>', labels["status"], t.status,
                    text["status"].get(t.status, t.status)),
        format_html('<td data-label="{}" class="sla-cell"><div>{}</div></td>', labels["sla"], sla),
        format_html('<td data-label="{}">{}</td>', labels["assignee"], assignee or "—"),
        format_html('<td data-label="{}">{}</td>', labels["reported"], _local(t.reported_at, "m-d H:i")),
    ]
    if context.get("bulk"):
        cells.insert(0, format_html(
            '<td class="row-select" data-label="{}"><input type="checkbox" name="tickets" value="{}" form="bulk-form" '
            'aria-label="{} {}"></td>', text["select"], t.pk, text["select"], t.number))
    if in_queue:
        token = context.get("csrf_token")
        names = text["actions"]
        forms = format_html_join("", (
            '<form method="post" action="{}" hx-post="{}" hx-target="#ticket-row-{}" hx-swap="outerHTML" class="inline">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button type="submit" class="btn small{}">{}<span class="visually-hidden"> {}</span></button></form>'),
            ((action_url, action_url, t.pk, token, "" if action == "claim" else " secondary",
              names.get(action) or names["start"], t.number) for action, action_url in row["row_actions"]),
        )
        cells.append(format_html(
            '<td data-label="{}" class="row-actions">{}\n<a class="btn small secondary" href="{}">{}<span class="visually-hidden"> {}</span></a></td>',
            labels["actions"], forms, url, text["open"], t.number))
    return format_html('<tr id="ticket-row-{}" class="ticket-row row-{}">\n{}\n</tr>', t.pk, severity,
                       format_html_join("\n", "{}", ((c,) for c in cells)))


@register.simple_tag
def ticket_timeline(events) -> str:
    """The ticket page's timeline items (tickets/ticket_detail.html), built in Python like the rows: the
    template cost a quarter of a millisecond an event, and a ticket's timeline grows with its life.
    tests/tickets/pages/test_detail_timeline.py compares the two."""
    text = _row_text(get_language())
    kinds, statuses = text["event"], text["status"]
    items = []
    for e in events:
        change = ""
        if e.from_status or e.to_status:
            before = format_html("{} → ", statuses.get(e.from_status, "")) if e.from_status else ""
            change = format_html(' <span class="muted small">{}{}</span>', before, statuses.get(e.to_status, ""))
        actor = (e.actor.display_name if e.actor_id else "") or text["system"]
        note = format_html('<div class="prose small">{}</div>', linebreaksbr(e.note, autoescape=True)) if e.note else ""
        items.append(format_html(
            '<li><time datetime="{}">{}</time>\n      <strong>{}</strong>{}\n      <span class="muted">· {}</span>\n      {}</li>',
            _local(e.at, "c"), _local(e.at, "Y-m-d H:i:s"), kinds.get(e.kind, e.kind), change, actor, note))
    return format_html_join("", "{}", ((item,) for item in items))


# The actions whose forms have their own places on the ticket page (comments, attachments, the rating).
_PLACED_ELSEWHERE = frozenset({"comment", "attach", "rate"})


@register.simple_tag(takes_context=True)
def ticket_action_forms(context, action_forms, labels) -> str:
    """The ticket page's action buttons and forms (what tickets/_action_form.html wrote for each action,
    newline after each), built in Python: seven forms through the template engine cost 1.8 ms a page.
    The fields render through the one form renderer (BoundField.as_field_group); a refused form's summary
    through tickets/_form_errors.html. tests/tickets/pages/test_detail_timeline.py compares the two."""
    ticket, error_action = context["ticket"], context.get("error_action")
    token = context.get("csrf_token")
    csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token) if token and token != "NOTPROVIDED" else ""  # noqa: S105
    parts = []
    for action, form in action_forms.items():
        if action in _PLACED_ELSEWHERE:
            continue
        label = labels.get(action, "")
        url = reverse("ticket-action", args=[ticket.pk, action])
        if not form:
            parts.append(format_html(
                '<form method="post" action="{}" class="inline">{}<button type="submit" class="btn{}">{}</button></form>\n',
                url, csrf, "" if action == "close" else " secondary", label))
            continue
        refused = error_action == action
        summary = " secondary quiet-danger" if action == "cancel" else ("" if action in ("resolve", "locate") else " secondary")
        errors = get_template("tickets/_form_errors.html").render({"form": form}) if refused else ""
        fields = "".join(f"{field.as_field_group()}\n" for field in form)
        confirm = _("确认%(label)s") % {"label": conditional_escape(label)}
        parts.append(format_html(
            '<details class="action-panel"{}>\n<summary class="btn{}">{}</summary>\n'
            '<form method="post" action="{}" class="card action-form" novalidate>{}\n  {}\n  {}\n'
            '  <button type="submit" class="btn{}">{}</button>\n</form></details>\n',
            mark_safe(" open") if refused else "", summary, label, url, csrf, mark_safe(errors), mark_safe(fields),  # noqa: S308
            " danger" if action == "cancel" else "", mark_safe(confirm)))  # noqa: S308 - the label escaped
    return mark_safe("".join(parts))  # noqa: S308 - each part built by format_html
