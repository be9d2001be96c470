"""Long lists for the PDF as monospace text: columns aligned by character cells, a few rows per table row.

WeasyPrint spends about 20 ms on a table row of nine cells (every cell is a box laid out and drawn on
its own), so a month with thousands of listed tickets cannot be a real table. Here every row becomes
lines of text in "Noto Sans Mono CJK SC", where a Latin character takes exactly one cell and a Chinese
character exactly two, so columns line up when padded by `text_width` (with ideographic spaces, two
cells a glyph: WeasyPrint shapes and draws padding glyph by glyph too). The text is laid out line by
line (`white-space: pre`); what is left is WeasyPrint's cost per line, about 1 ms, and per glyph.

The rows are grouped in chunks of a few rows, each chunk one row of a CSS table of divs
(`div.listing`, see _print.css): a header group holding the column headings, repeated on every page,
and a body group. WeasyPrint styles every element against the whole stylesheet, so a chunk is one
element (`div.lr`), its text in an anonymous cell, where an HTML table would need a `<tr>` and a `<td>`.

Nothing is cut: text longer than its column (titles, system names) wraps onto continuation lines
within the column, and a cell may hold several lines of its own. Every value is escaped here, so
callers pass user-entered text as it is.

Colour costs boxes: a `Span` (a fragment with a CSS class) is one more inline box, about 2 ms each.
Fine for a few marks, not for thousands. A column with a class (`Column(css=…)`) is laid out in a
cell of its own in each chunk instead (`div.lc`): one box per chunk, but its lines are laid out too
(about 0.7 ms a row).

Chunks alternate their background (bands of `ROWS_PER_CHUNK` rows, as on ledger paper): one rectangle
per chunk, no cost measurable. A chunk of one-line rows may break across pages between any two of its
lines; a chunk holding a longer row has the class "keep" (not broken), so that no row is ever split.
"""

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from django.utils.safestring import SafeString, mark_safe

# A list of at most this many rows is a real table (proportional text, wrapping cells, a coloured
# mark where a clock breached): about 20 ms a row in WeasyPrint, half a second at most. Longer lists
# are listings (about 2 ms a row), so that a pathological month keeps within its 20 s.
TABLE_MAX_ROWS = 30
ROWS_PER_CHUNK = 10  # fewer elements to style and lay out: 10 rows a chunk took ~8 % less time than 5
# A "keep" chunk moves whole to the next page, leaving its height blank at the bottom of the last: short
# (one long row may exceed it). 12 left up to a fifth of a landscape page blank where titles wrap.
LINES_PER_CHUNK = 8
CELL_EM = 0.5  # a half-width cell of the monospace font, in em


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def escape(text: str) -> str:
    """HTML-escape as django.utils.html.escape does, without its lazy-string wrapper (called per value)."""
    return text.translate(_ESCAPES)


class Span(NamedTuple):
    """A fragment of a cell's line with a CSS class (empty: none)."""

    text: str
    css: str = ""


Fragment = str | Span
# A cell: None (empty), one line (a string, a Span, or a tuple of fragments), or a list of such lines.
Cell = Fragment | tuple | list | None


@dataclass(frozen=True)
class Column:
    header: str
    width: int  # in half-width cells
    align: Literal["left", "right"] = "left"
    css: str = ""  # a class for the whole column (laid out in a cell of its own, see the module docstring)
    wraps: bool = False  # in a table (format_table): free text that wraps; the other columns keep to one line


@dataclass(frozen=True)
class Listing:
    header: SafeString  # the header group (a row of headings, repeated on every page)
    chunks: list[SafeString]  # one row each, for the body group
    rows: int
    lines: int
    width: int  # cells of a full line, gaps included

    def __bool__(self) -> bool:
        return self.rows > 0


@lru_cache(maxsize=8192)
def char_width(ch: str) -> int:
    """Cells taken by one character in Noto Sans Mono CJK SC: East Asian wide and full-width
    characters take two, and so do the East Asian "ambiguous" symbols (· × … “” → ① ※), which this
    font draws full-width, except letters (é, α, д) and a few narrow signs; combining marks take none."""
    if ch.isascii():
        return 1
    category = unicodedata.category(ch)
    if category in ("Mn", "Me", "Cf"):
        return 0
    eaw = unicodedata.east_asian_width(ch)
    if eaw in ("W", "F"):
        return 2
    if eaw == "A" and not category.startswith("L") and ch not in _NARROW_AMBIGUOUS:
        return 2
    return 1


_NARROW_AMBIGUOUS = frozenset("–°²³¹´¸¨¯ªº¡¿®¤€′″ˇˊˋ¼½¾")


def text_width(text: str) -> int:
    """Cells taken by `text` (after `clean`)."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


def clean(text: str) -> str:
    """Control and format characters (tabs and line breaks typed into a title, bidi overrides) and
    unusual spaces become plain spaces, which cannot move the columns; the ideographic space stays."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == "\u3000" or unicodedata.category(ch) in ("Co", "Cn") else " "
                   for ch in text)


_BREAK_AFTER = frozenset(" -/_.,;:，。、；：")


def _is_word(ch: str) -> bool:
    """Part of a Latin "word" that should not start a line on its own (host-01, 10.1.1.1, /dev/sdb)."""
    return ch.isascii() and not ch.isspace()


def wrap(fragments: Sequence[Span], width: int) -> list[list[Span]]:
    """Break one line of fragments into lines of at most `width` cells. Chinese text breaks anywhere;
    a Latin word moves whole to the next line when a break opportunity (space, hyphen, slash…) exists
    earlier on the line, else it is split. Spaces at a break are dropped; nothing else is."""
    lines: list[list[tuple[str, str, int]]] = []
    current: list[tuple[str, str, int]] = []
    used = 0
    for f in fragments:
        for ch in f.text:
            w = char_width(ch)
            if ch == " " and not current and lines:
                continue  # no leading space on a continuation line
            if used + w > width and current:
                carry: list[tuple[str, str, int]] = []
                if _is_word(ch) and _is_word(current[-1][0]):
                    for i in range(len(current) - 1, 0, -1):
                        if current[i - 1][0] in _BREAK_AFTER:
                            if sum(c[2] for c in current[i:]) + w <= width:
                                carry, current = current[i:], current[:i]
                            break
                while current and current[-1][0] == " ":
                    current.pop()
                lines.append(current)
                current, used = carry, sum(c[2] for c in carry)
                if ch == " ":
                    continue
            current.append((ch, f.css, w))
            used += w
    lines.append(current)
    return [_regroup(line) for line in lines]


def _regroup(chars: list[tuple[str, str, int]]) -> list[Span]:
    out: list[Span] = []
    for ch, css, _w in chars:
        if out and out[-1].css == css:
            out[-1] = Span(out[-1].text + ch, css)
        else:
            out.append(Span(ch, css))
    return out


def _as_line(value) -> list[Span]:
    if value is None:
        return []
    if isinstance(value, Span):
        return [Span(clean(value.text), value.css)] if value.text else []
    if isinstance(value, tuple):
        return [f for part in value for f in _as_line(part)]
    text = clean(str(value))
    return [Span(text)] if text else []


Line = tuple[list[Span], int]  # fragments and their width in cells


def cell_lines(value: Cell, width: int) -> list[Line]:
    """A cell as its physical lines: fragments within `width` cells, with their width."""
    if type(value) is str:  # the common case, without the general machinery
        text = clean(value)
        w = text_width(text)
        if w <= width:
            return [([Span(text)], w)] if text else [([], 0)]
    logical = value if isinstance(value, list) else [value]
    out: list[Line] = []
    for line in logical:
        fragments = _as_line(line)
        w = sum(text_width(f.text) for f in fragments)
        if w <= width:
            out.append((fragments, w))
        else:
            out.extend((frags, sum(text_width(f.text) for f in frags)) for frags in wrap(fragments, width))
    return out or [([], 0)]


@dataclass(frozen=True)
class _Segment:
    """Consecutive columns of the same class: one cell per chunk."""

    css: str
    columns: tuple[Column, ...]
    first: int  # index of its first column in the listing


def _segments(columns: Sequence[Column]) -> list[_Segment]:
    segments: list[_Segment] = []
    for i, column in enumerate(columns):
        if segments and segments[-1].css == column.css:
            last = segments[-1]
            segments[-1] = _Segment(last.css, (*last.columns, column), last.first)
        else:
            segments.append(_Segment(column.css, (column,), i))
    return segments


def _pad(cells: int) -> str:
    """Blank `cells` wide, mostly in ideographic spaces (two cells each): WeasyPrint shapes and draws
    every glyph of a line, spaces included, and padding is a third to a half of a listing's cells."""
    return "\u3000" * (cells // 2) + " " * (cells % 2)


def _line(columns: Sequence[Column], cells: Sequence[list[Line]], i: int, gap: int) -> str:
    """Line `i` of a row within one segment, as HTML: padded to the columns, no trailing padding."""
    parts: list[str] = []
    pos = start = 0
    for column, lines in zip(columns, cells, strict=True):
        if i < len(lines) and lines[i][0]:
            fragments, width = lines[i]
            target = start + column.width - width if column.align == "right" else start
            if target > pos:
                parts.append(_pad(target - pos))
            for f in fragments:
                text = escape(f.text)
                parts.append(f'<span class="{escape(f.css)}">{text}</span>' if f.css else text)
            pos = target + width
        start += column.width + gap
    return "".join(parts)


def _segment_width(segment: _Segment, gap: int) -> int:
    return sum(c.width for c in segment.columns) + gap * (len(segment.columns) - 1)


def format_listing(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Cell]],
    *,
    gap: int = 2,
    indent: int = 1,
    rows_per_chunk: int = ROWS_PER_CHUNK,
    lines_per_chunk: int = LINES_PER_CHUNK,
) -> Listing:
    """Lay `rows` (one cell per column) out as aligned lines under a line of headings, in chunks of at
    most `rows_per_chunk` rows and, unless one row alone is longer, `lines_per_chunk` lines. `gap` cells
    separate columns; `indent` cells precede the first (the table's inner margin, inside the stripes).
    Reads `rows` once, so a generator does not have to be held in memory."""
    segments = _segments(columns)
    lead = " " * indent

    def row_lines(values: Sequence[Cell]) -> tuple[list[str], int]:
        """One string per segment, its lines joined by newlines (every segment gets the row's height),
        and that height."""
        cells = [cell_lines(value, column.width) for column, value in zip(columns, values, strict=True)]
        height = max(map(len, cells))
        out = []
        for seg in segments:
            seg_cells = cells[seg.first:seg.first + len(seg.columns)]
            lines = [_line(seg.columns, seg_cells, i, gap) for i in range(height)]
            if seg.first == 0 and lead:
                lines = [lead + line if line else line for line in lines]
            out.append("\n".join(lines))
        return out, height

    widths = [_segment_width(seg, gap) for seg in segments]
    widths[0] += indent

    def row(texts: list[str], *, keep: bool = False, header: bool = False) -> str:
        """A CSS table row (see the module docstring). A body row of one segment has no cell element:
        its text sits in the row, in an anonymous cell, one element fewer to style."""
        if len(segments) == 1 and not header:
            return f'<div class="lr keep">{texts[0]}</div>' if keep else f'<div class="lr">{texts[0]}</div>'
        cells = []
        for i, (seg, text) in enumerate(zip(segments, texts, strict=True)):
            css = f"lc {escape(seg.css)}" if seg.css else "lc"
            # The header row fixes the widths (table-layout: fixed): each cell but the last is exactly
            # its columns and the gap after them.
            width = f' style="width: {(widths[i] + gap) * CELL_EM:g}em"' if header and i < len(segments) - 1 else ""
            cells.append(f'<div class="{css}"{width}>{text}</div>')
        return f'<div class="lr keep">{"".join(cells)}</div>' if keep else f'<div class="lr">{"".join(cells)}</div>'

    header_texts, _ = row_lines([c.header for c in columns])
    chunks: list[SafeString] = []
    pending: list[list[str]] = []  # rows of the chunk being built: one text per segment
    pending_lines = total_rows = total_lines = 0

    def flush() -> None:
        if pending:
            # A chunk of one-line rows may break between any two lines (between rows); one holding a
            # longer row is kept whole, so that no row is split across pages.
            texts = ["\n".join(seg) for seg in zip(*pending, strict=True)]
            chunks.append(mark_safe(row(texts, keep=pending_lines > len(pending))))  # noqa: S308 (escaped in _line)
            pending.clear()

    for values in rows:
        texts, height = row_lines(values)
        if pending and (len(pending) >= rows_per_chunk or pending_lines + height > lines_per_chunk):
            flush()
            pending_lines = 0
        pending.append(texts)
        pending_lines += height
        total_rows += 1
        total_lines += height
    flush()

    return Listing(
        header=mark_safe(f'<div class="lh">{row(header_texts, header=True)}</div>'),  # noqa: S308 (escaped in _line)
        chunks=chunks,
        rows=total_rows,
        lines=total_lines,
        width=sum(widths) + gap * (len(widths) - 1),
    )


@dataclass(frozen=True)
class Table:
    """A short list as an HTML table (`table.rows` in _print.css): the same columns and values as its
    listing would have, the columns' widths in proportion to their cells."""

    html: SafeString
    rows: int
    table: bool = True

    def __bool__(self) -> bool:
        return self.rows > 0


def _cell_html(value: Cell) -> str:
    """A cell's lines (a list) joined by line breaks; fragments with a class in a span; escaped."""
    lines = value if isinstance(value, list) else [value]
    out = []
    for line in lines:
        fragments = _as_line(line)
        out.append("".join(f'<span class="{escape(f.css)}">{escape(f.text)}</span>' if f.css else escape(f.text)
                           for f in fragments))
    return "<br>".join(out)


def format_table(columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> Table:
    """`rows` as a table with a heading row (repeated on every page). The table sets its own widths
    (few rows, so measuring them costs little): a column of numbers, times or codes keeps to one line,
    the free text (`Column.wraps`) wraps in what is left."""
    def css(column: Column) -> str:
        classes = ("num" if column.align == "right" else "", "" if column.wraps else "nowrap")
        joined = " ".join(c for c in classes if c)
        return f' class="{joined}"' if joined else ""

    def th(column: Column) -> str:
        """Long headings wrap (Chinese anywhere), so that they never widen a column; a short one (级别) would
        wrap a character a line, and keeps to its line."""
        classes = " ".join(c for c in ("num" if column.align == "right" else "", "nowrap" if len(column.header) <= 4 else "") if c)
        return f'<th class="{classes}">{escape(column.header)}</th>' if classes else f"<th>{escape(column.header)}</th>"

    head = "".join(map(th, columns))
    body = []
    for values in rows:
        cells = "".join(f"<td{css(c)}>{_cell_html(v)}</td>" for c, v in zip(columns, values, strict=True))
        body.append(f"<tr>{cells}</tr>")
    html = f'<table class="rows"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return Table(html=mark_safe(html), rows=len(body))  # noqa: S308 (escaped in _cell_html)
