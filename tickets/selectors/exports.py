"""The ticket list as a table for export (CSV, xlsx): its columns in the reader's language and its rows,
read in bounded chunks so that a long export never holds every ticket in memory.

The caller passes the tickets it may read, already filtered (tickets.listing.ticket_list_filtered);
the rows keep that order. The ids are read first, at most EXPORT_MAX_ROWS of them: the export is a
snapshot of the list at that moment (a ticket reported while the file is written does not shift the
chunks), and a list longer than the bound is refused instead of being cut without notice."""

import datetime as dt
from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ValidationFailed

from ..models import ClockName, SlaClock, Ticket
from .sla import sla_working_days_for, ticket_sla

EXPORT_MAX_ROWS = 50_000
CHUNK_SIZE = 500


def ticket_export_ids(qs: QuerySet[Ticket]) -> list[int]:
    """The ids of the list in its order; ValidationFailed when it is longer than EXPORT_MAX_ROWS."""
    ids = list(qs.values_list("pk", flat=True)[: EXPORT_MAX_ROWS + 1])
    if len(ids) > EXPORT_MAX_ROWS:
        raise ValidationFailed(
            _("超过 %(n)s 张工单，无法一次导出，请用筛选缩小范围（例如按报告日期分段）") % {"n": f"{EXPORT_MAX_ROWS:,}"},
            fields={"reported_from": [_("请缩小筛选范围")]},
        )
    return ids


def ticket_export_headers() -> list[str]:
    """The column headers in the active language."""
    return [
        _("编号"), _("标题"), _("类型"), _("级别"), _("状态"), _("业务系统"), _("采购人单位"), _("报障人"),
        _("来源渠道"), _("处理人"), _("报告时间"), _("响应时间"), _("定位时间"), _("解决时间"), _("关闭时间"),
        *[_("%(clock)s SLA") % {"clock": label} for label in ClockName.labels],
        _("重大责任安全事件"),
    ]


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """Local wall time without the zone (spreadsheets have none), to the second."""
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if value else None


def _clock_text(figures: dict | None, header_label: str) -> str:
    if figures is None:
        return ""
    state = figures.get("state")
    if figures.get("stopped_at") is not None:
        word = _("超时") if figures.get("breached") else (_("达标") if state == "met" else _("日历缺失"))
    elif state == "paused":
        word = _("暂停")
    elif state == "breached":
        word = _("超时未完成")
    elif state == "unknown":
        word = _("日历缺失")
    else:
        word = _("进行中")
    label = str(figures.get("label") or "")
    if label and label != header_label:  # a P1's resolve clock stops at locate: say so in the cell
        word = f"{label} {word}"
    elapsed = figures.get("elapsed_minutes")
    if elapsed is None:
        return word
    return _("%(word)s（%(elapsed)s/%(target)s 分钟）") % {
        "word": word, "elapsed": elapsed, "target": figures.get("target_minutes")}


def _export_queryset() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("business_system", "organization", "requester", "assignee").prefetch_related(
        Prefetch("clocks", queryset=SlaClock.objects.order_by("pk"), to_attr="prefetched_clocks"),
    )


def ticket_export_rows(ids: list[int], *, now: dt.datetime) -> Iterator[list]:
    """One list of cell values per ticket, in the order of `ids`, read CHUNK_SIZE tickets at a time
    (three queries a chunk: tickets with their joins, their clocks, and the calendar years their
    working-hours clocks need, when any). `ids` come from ticket_export_ids (already access-checked)."""
    kinds = dict(Ticket.Kind.choices)
    statuses = dict(Ticket.Status.choices)
    channels = dict(Ticket.Channel.choices)
    clock_labels = [(name, str(label)) for name, label in ClockName.choices]
    yes, no = _("是"), _("否")
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk_ids = ids[start:start + CHUNK_SIZE]
        by_id = {t.pk: t for t in _export_queryset().filter(pk__in=chunk_ids)}
        tickets = [by_id[pk] for pk in chunk_ids if pk in by_id]  # a ticket deleted meanwhile is left out
        days = sla_working_days_for(tickets, now=now)
        for t in tickets:
            sla = ticket_sla(t, now=now, days=days)
            yield [
                t.number, t.title, str(kinds.get(t.kind, t.kind)), t.severity, str(statuses.get(t.status, t.status)),
                t.business_system.name, t.organization.name, t.requester.display_name,
                str(channels.get(t.channel, t.channel)), t.assignee.display_name if t.assignee_id else "",
                _local(t.reported_at), _local(t.acknowledged_at), _local(t.located_at), _local(t.resolved_at),
                _local(t.closed_at),
                *[_clock_text(sla.get(name), label) for name, label in clock_labels],
                yes if t.major_incident else no,
            ]
