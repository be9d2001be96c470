from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ labels|get_item:code }}: a dict lookup by a variable key."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""




def _local(value, fmt: str) -> str:
    return dateformat.format(timezone.localtime(value), fmt) if value else ""


@register.simple_tag
def sla_badge(clock, now=None) -> str:
    """One SLA clock as a badge (colour by the escalation thresholds, text by its state). Built in Python:
    a queue page shows one or two per row, and a template include per badge was most of its time."""
    if not clock:
        return format_html('<span class="muted">—</span>')
    name = {"response": _("响应"), "restore": _("恢复")}.get(clock.get("name")) or _("解决")
    title = _("目标 %(t)s 分钟") % {"t": clock.get("target_minutes")}
    if clock.get("due_at"):
        title += " · " + _("到期") + " " + _local(clock["due_at"], "m-d H:i")
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
