"""The lists of the monthly report PDF (every P1/P2 and breached incident, resource adjustment, open
ticket, downtime record and low rating): the columns of each list and how its values read. A list of
a few rows (reports.listing.TABLE_MAX_ROWS) is a table; a longer one a monospace listing
(reports.listing), 8 pt like the smallest text of the report. The selectors hand over plain values;
the PDF is Chinese only.

Breached clocks are marked by the word 超时; in a listing as text rather than in red: a coloured
fragment is one more box for WeasyPrint (about 2 ms), and a pathological month breaches thousands of
clocks. In a table (few rows) the mark is red as well.
"""

import datetime as dt

from django import template
from django.template.defaultfilters import floatformat

from tickets.selectors.reporting import ticket_choice_labels

from ..listing import TABLE_MAX_ROWS, Column, Listing, Span, Table, format_listing, format_table, text_width
from ..selectors.periods import tz

register = template.Library()

NONE = "―"  # U+2015: exactly two cells in the monospace font (an em dash is 0.89 em and would shift the columns)
# Cells across an A4 page at 8 pt, 4 pt a cell: landscape 273 mm between its 12 mm margins, portrait
# 176 mm, each less the body's 6 pt margins (WeasyPrint's default 8 px), the indent and the borders
# (761.9 pt → 188 cells; 486.9 pt → 120). The free text (a title, a comment, a system name) comes last and
# takes what is left: its line needs no padding after it, and WeasyPrint draws padding glyph by glyph.
LANDSCAPE_CELLS = 188
PORTRAIT_CELLS = 120


def _last(*columns: Column, header: str, cells: int = LANDSCAPE_CELLS, gap: int = 2) -> tuple[Column, ...]:
    """`columns`, then a last column `header` as wide as the rest of a line of `cells`."""
    used = sum(c.width for c in columns) + gap * len(columns)
    return (*columns, Column(header, cells - used, wraps=True))


def _labels(choices) -> dict[str, str]:
    """Choice labels resolved once per list (they are lazy translations; the PDF renders in Chinese)."""
    return {value: str(label) for value, label in choices}


def when(value: dt.datetime | None, *, year: bool = False) -> str:
    """10-05 09:30, or 2026-10-05 09:30 with `year`, in Asia/Shanghai."""
    if not value:
        return NONE
    t = value.astimezone(tz())
    short = f"{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}"
    return f"{t.year}-{short}" if year else short


def duration(minutes: float | None) -> str:
    """Exact to the minute, compact: 7分, 1小时5分, 4小时, 2天3小时10分."""
    if minutes is None:
        return NONE
    minutes = round(minutes)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "", f"{mins}分" if mins or not (days or hours) else ""]
    return "".join(parts)


BREACHED = "超时"


def clock_text(clock: dict | None, mark_at: int = 0, *, table: bool = False) -> str | tuple:
    """7分/15分; 1小时5分/30分 超时; 进行中/4小时 (a running clock has no elapsed time until it stops).
    In a listing the 超时 mark starts at cell `mark_at` when the figures are shorter, so that marks line
    up; in a table it follows the figures, in red."""
    if clock is None:
        return NONE
    used = "进行中" if clock["elapsed_minutes"] is None else duration(clock["elapsed_minutes"])
    text = f"{used}/{duration(clock['target_minutes'])}"
    if clock["state"] != "breached":
        return text
    if table:
        return (f"{text} ", Span(BREACHED, "fail"))
    return text + " " * max(1, mark_at - text_width(text)) + BREACHED


def _list(columns, rows: list, cells) -> Listing | Table:
    """A table for a few rows (reports.listing.TABLE_MAX_ROWS), else a listing; `cells(row, table)`
    gives a row's cells."""
    if len(rows) <= TABLE_MAX_ROWS:
        return format_table(columns, (cells(r, True) for r in rows))
    return format_listing(columns, (cells(r, False) for r in rows))


# One column per SLA clock (tickets' clock names, in their order: response, resolve, restore), so that
# the 超时 marks line up down the page.
CLOCK_COLUMNS = tuple(zip(
    ticket_choice_labels()["clock"],
    (Column("响应用时/目标", 18), Column("定位排除用时/目标", 20), Column("恢复用时/目标", 20)),
    strict=True,
))
INCIDENT_COLUMNS = _last(
    Column("编号", 16), Column("级别", 4), Column("业务系统", 18, wraps=True),
    Column("报告", 11), Column("响应", 11), Column("定位", 11), Column("解决", 11),
    *(column for _name, column in CLOCK_COLUMNS),
    header="标题",
)


@register.filter
def incident_listing(rows: list[dict]) -> Listing | Table:
    marks = [(name, column.width - text_width(BREACHED)) for name, column in CLOCK_COLUMNS]

    def cells(r: dict, table: bool) -> tuple:
        by_name = {c["name"]: c for c in r["clocks"]}
        return (r["number"], r["severity"], r["business_system__name"], when(r["reported_at"]), when(r["acknowledged_at"]),
                when(r["located_at"]), when(r["resolved_at"]),
                *(clock_text(by_name.get(name), mark_at, table=table) for name, mark_at in marks), r["title"])

    return _list(INCIDENT_COLUMNS, rows, cells)


RESOURCE_COLUMNS = _last(
    Column("编号", 16), Column("资源", 8), Column("方向", 4),
    Column("调整前", 12, "right"), Column("调整后", 12, "right"), Column("申请时间", 11), Column("完成时间", 11),
    Column("用时", 16, "right"), Column("按时完成", 10),
    header="业务系统",
)
ON_TIME = {"met": "是", "breached": "否（超时）", "running": "进行中", "none": NONE}


def amount(value) -> str:
    return NONE if value is None else floatformat(value, -2)


@register.filter
def resource_listing(rows: list[dict]) -> Listing | Table:
    labels = ticket_choice_labels()
    resources, directions = _labels(labels["resource"].items()), _labels(labels["direction"].items())

    def cells(r: dict, table: bool) -> tuple:
        on_time = Span(ON_TIME["breached"], "fail") if table and r["state"] == "breached" else ON_TIME[r["state"]]
        return (r["number"], resources.get(r["resource"], r["resource"]), directions.get(r["direction"], r["direction"]),
                amount(r["amount_before"]), amount(r["amount_after"]), when(r["reported_at"]), when(r["resolved_at"]),
                duration(r["elapsed_minutes"]), on_time, r["business_system__name"])

    return _list(RESOURCE_COLUMNS, rows, cells)


OPEN_COLUMNS = _last(
    Column("编号", 16), Column("级别", 4), Column("业务系统", 24, wraps=True), Column("报告时间", 16), Column("状态", 10),
    Column("处理人", 12),
    header="标题",
)


@register.filter
def open_ticket_listing(rows: list[dict]) -> Listing | Table:
    statuses = _labels(ticket_choice_labels()["status"].items())
    return _list(OPEN_COLUMNS, rows, lambda r, _table: (
        r["number"], r["severity"], r["business_system__name"], when(r["reported_at"], year=True),
        statuses.get(r["status"], r["status"]), r["assignee__real_name"] or r["assignee__username"] or NONE, r["title"]))


DOWNTIME_COLUMNS = _last(
    Column("关联工单", 16), Column("开始", 16), Column("结束", 16), Column("时长", 14, "right"), Column("性质", 30, wraps=True),
    header="业务系统",
)


@register.filter(name="downtime_nature")
def _downtime_nature(row: dict) -> str:
    """计划内维护 only for minutes inside an approved, completed change's window (8.2.8); a claim reads
    with the purchaser's answer. The monthly report's listing and the downtime report alike."""
    if not row["planned_minutes"]:
        if not row["claimed_planned"]:
            return "非计划停机"
        kind, state = row.get("claim") or ("planned", "requested")
        claimed = "不可抗力" if kind == "force_majeure" else "计划内"
        if state == "confirmed":
            return f"{claimed}（采购人已确认，不计入）"
        if state == "requested":
            return f"非计划停机（{claimed}申报待确认）"
        return f"非计划停机（{claimed}申报未获确认）"
    if row["unplanned_minutes"]:  # whole minutes as shown (tickets.selectors.reporting.outage_minutes_shown)
        return f"计划内 {duration(row['planned_minutes'])}，超出 {duration(row['unplanned_minutes'])}"
    return "计划内维护"


@register.filter
def downtime_listing(rows: list[dict]) -> Listing | Table:
    """The records' length is the whole record's (a record crossing the month's start or end included),
    in whole minutes as the downtime report shows it (tickets.selectors.reporting.outage_minutes_shown)."""
    return _list(DOWNTIME_COLUMNS, rows, lambda r, _table: (
        r["ticket__number"] or NONE, when(r["start"], year=True), when(r["end"], year=True) if r["end"] else "尚未恢复",
        duration(r["minutes"]), _downtime_nature(r), r["business_system__name"]))


RATING_COLUMNS = _last(Column("工单", 16), Column("评分", 4, "right"), Column("评价时间", 16), header="评价",
                       cells=PORTRAIT_CELLS)  # section 八 is on portrait pages


@register.filter
def low_rating_listing(rows: list[dict]) -> Listing | Table:
    return _list(RATING_COLUMNS, rows, lambda r, _table: (
        r["ticket__number"], str(r["score"]), when(r["rated_at"], year=True), r["comment"] or NONE))
