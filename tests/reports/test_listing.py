"""The monospace listing formatter of the PDF (reports.listing): widths by character cells, wrapping
without loss, alignment, escaping, multi-line cells, chunks. Pure functions: no database."""

import html
import re

import pytest

from reports.listing import Column, Span, cell_lines, char_width, format_listing, text_width, wrap


def _td_lines(row: str, cell: int = 0) -> list[str]:
    """The text lines of one cell of a row (the header or a chunk), tags stripped, entities decoded."""
    cells = re.findall(r'<div class="lc[^"]*"[^>]*>(.*?)</div>', row, re.S)
    if not cells:  # one segment: the text sits in the row (an anonymous cell)
        cells = [re.fullmatch(r'<div class="lr[^"]*">(.*)</div>', row, re.S).group(1)]
    return [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in cells[cell].split("\n")]


def _at(line: str, cell: int) -> str:
    """The text of `line` from display cell `cell` on."""
    pos = 0
    for i, ch in enumerate(line):
        if pos >= cell:
            return line[i:]
        pos += char_width(ch)
    return ""


@pytest.mark.parametrize(("text", "cells"), [
    ("GZ-20261031-0001", 16),
    ("数据库连接失败", 14),
    ("WAF 告警：SQL 注入", 3 + 1 + 4 + 2 + 3 + 1 + 4),
    ("a·b…c×d“e”", 1 + 2 + 1 + 2 + 1 + 2 + 1 + 2 + 1 + 2),  # ambiguous symbols: full width in this font
    ("café", 4),  # a Latin letter with an accent: one cell
    ("\u3000", 2),  # ideographic space
    ("e\u0301", 1),  # combining accent: no cell of its own
])
def test_width_counts_cells_of_the_monospace_font(text, cells):
    assert text_width(text) == cells


def test_chinese_text_wraps_anywhere_and_nothing_is_lost():
    lines = cell_lines("数据库连接失败导致城管执法业务系统全部页面无法打开", 10)
    texts = ["".join(f.text for f in frags) for frags, _w in lines]
    assert texts == ["数据库连接", "失败导致城", "管执法业务", "系统全部页", "面无法打开"]
    assert all(w <= 10 for _f, w in lines)


def test_a_latin_word_moves_whole_to_the_next_line_and_only_the_break_space_goes():
    lines = wrap([Span("disk /dev/sdb1 read-only on host-01")], 12)
    assert ["".join(f.text for f in line) for line in lines] == ["disk /dev/", "sdb1 read-", "only on", "host-01"]
    one_long_word = wrap([Span("abcdefghijklmnop")], 6)
    assert ["".join(f.text for f in line) for line in one_long_word] == ["abcdef", "ghijkl", "mnop"]


def test_columns_align_left_and_right_and_continuation_lines_keep_their_column():
    # Columns start at cells 0, 10, 24 and 32 (two cells between columns).
    columns = [Column("编号", 8), Column("标题", 12), Column("用时", 6, "right"), Column("备注", 4)]
    listing = format_listing(columns, [("A-1", "磁盘只读故障", "15分", "x"), ("B-22", "网络中断后恢复", "2小时", None)],
                             indent=0)
    header = _td_lines(listing.header)[0]
    assert _at(header, 10).startswith("标题") and _at(header, 26).startswith("用时") and _at(header, 32) == "备注"
    first, second, third = _td_lines(listing.chunks[0])
    assert first.startswith("A-1") and _at(first, 10).startswith("磁盘只读故障") and _at(first, 26) == "15分\u3000x"
    assert second.startswith("B-22") and _at(second, 10).startswith("网络中断后恢") and _at(second, 25) == "2小时"
    assert third == "\u3000" * 5 + "复"  # the title's continuation, in its column; no trailing padding
    assert all(text_width(line) <= 36 for line in (first, second, third))
    assert listing.rows == 2 and listing.lines == 3 and listing.width == 36


def test_user_text_is_escaped_everywhere():
    columns = [Column("<th>", 10), Column("标题", 40)]
    listing = format_listing(columns, [("x&y", "<script>alert(1)</script> <b>粗体</b>")], indent=0)
    raw = listing.header + "".join(listing.chunks)
    assert "<script>" not in raw and "<b>" not in raw and "&lt;th&gt;" in raw and "x&amp;y" in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;粗体&lt;/b&gt;" in raw
    assert _td_lines(listing.chunks[0])[0].endswith("<script>alert(1)</script> <b>粗体</b>")


def test_tabs_and_line_breaks_typed_into_a_title_cannot_move_the_columns():
    columns = [Column("标题", 12), Column("系统", 6)]
    listing = format_listing(columns, [("a\tb\nc\u202ed", "门户")], indent=0)
    (line,) = _td_lines(listing.chunks[0])
    assert line.startswith("a b c d") and _at(line, 14) == "门户"


def test_a_cell_may_hold_several_lines_and_fragments_may_carry_a_class():
    columns = [Column("编号", 6), Column("计时", 20)]
    listing = format_listing(columns, [("T1", ["响应 5分/15分", ("解决 45分/30分 ", Span("超时", "fail"))])], indent=0)
    chunk = listing.chunks[0]
    assert '<span class="fail">超时</span>' in chunk
    assert _td_lines(chunk) == ["T1" + "\u3000" * 3 + "响应 5分/15分", "\u3000" * 4 + "解决 45分/30分 超时"]
    assert chunk.startswith('<div class="lr keep">')  # a chunk with a two-line row is never split across pages


def test_a_column_with_a_class_gets_its_own_cell_per_chunk():
    columns = [Column("编号", 6), Column("超时", 6, css="fail")]
    listing = format_listing(columns, [("T1", "响应"), ("T2", None)], indent=0)
    # The header row fixes the widths: 6 cells + 2 of gap, at half an em a cell.
    assert listing.header == ('<div class="lh"><div class="lr"><div class="lc" style="width: 4em">编号</div>'
                              '<div class="lc fail">超时</div></div></div>')
    assert listing.chunks[0] == '<div class="lr"><div class="lc">T1\nT2</div><div class="lc fail">响应\n</div></div>'


def test_rows_are_grouped_in_chunks_of_a_few_rows_or_lines():
    columns = [Column("编号", 6), Column("标题", 4)]
    rows = [(f"T{i}", "短") for i in range(12)]
    listing = format_listing(columns, rows, rows_per_chunk=5)
    assert [c.count("\n") + 1 for c in listing.chunks] == [5, 5, 2]
    assert all(c.startswith('<div class="lr">') for c in listing.chunks)  # one-line rows: may break between rows
    tall = format_listing(columns, [("T", "四行标题文字很长")] * 3, rows_per_chunk=5, lines_per_chunk=6)
    assert [c.count("\n") + 1 for c in tall.chunks] == [4, 4, 4]  # 4 + 4 > 6 lines
    assert listing.rows == 12 and tall.lines == 12
    empty = format_listing(columns, [])
    assert not empty and empty.chunks == []


@pytest.mark.parametrize(("minutes", "text"), [
    (0, "0分"), (7, "7分"), (65, "1小时5分"), (240, "4小时"), (3070, "2天3小时10分"), (2880, "2天"), (None, "―"),
])
def test_durations_read_exactly_to_the_minute(minutes, text):
    from reports.templatetags.reports_listing import duration

    assert duration(minutes) == text


def test_a_breached_clock_is_marked_at_the_same_cell_whatever_its_figures():
    from reports.templatetags.reports_listing import clock_text

    met = {"elapsed_minutes": 7, "target_minutes": 15, "state": "met"}
    late = {"elapsed_minutes": 20, "target_minutes": 15, "state": "breached"}
    running_late = {"elapsed_minutes": None, "target_minutes": 240, "state": "breached"}
    assert clock_text(met, 14) == "7分/15分" and clock_text(None, 14) == "―"
    assert [clock_text(c, 14) for c in (late, running_late)] == ["20分/15分     超时", "进行中/4小时  超时"]
    assert {text_width(clock_text(c, 14)) for c in (late, running_late)} == {18}
