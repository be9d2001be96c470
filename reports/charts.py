"""Server-side SVG charts for the monthly report and the dashboard (no JavaScript anywhere).

Each function takes plain numbers and labels and returns a complete, self-contained SVG document as a
string. Every label is XML-escaped here, so callers may pass user-entered text. The same SVG is used in
pages (as an <img> data URI) and in the PDF, where WeasyPrint draws it as vectors.
"""

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT = "Noto Sans CJK SC, Source Han Sans SC, sans-serif"
BAR = "#1f4e79"
BAR_BAD = "#cf222e"
LINE = "#1a7f37"
GRID = "#d0d7de"
TEXT = "#1b1f24"


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def _nice_max(value: float) -> float:
    """The smallest 1/2/5×10^n at or above value (at least 1), for a readable axis."""
    if value <= 0:
        return 1.0
    exp = math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        top = m * 10**exp
        if top >= value:
            return float(top)
    return float(10 ** (exp + 1))


def _fmt(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.3g}"


TITLE_BASELINE = 16  # the title's baseline (13 px text)
LABEL_ROOM = 14  # a data label's height (11 px text) and its gap above its point


def _open(width: int, height: int, title: str) -> list[str]:
    t = escape(title)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{t}" font-family="{FONT}" font-size="11">',
        f"<title>{t}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2:.1f}" y="{TITLE_BASELINE}" text-anchor="middle" font-size="13" fill="{TEXT}">{t}</text>',
    ]


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    y_label: str = "",
    highlight: Sequence[bool] | None = None,
    width: int = 640,
    height: int = 240,
    label_every: int = 1,
    integers: bool = False,
) -> Chart:
    """Vertical bars, one per label; `highlight[i]` draws bar i in the warning colour. `integers`: counts,
    so the axis's four steps are whole numbers (at least 0–4)."""
    left, right, top, bottom = 44, 12, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max(values, default=0)
    top_value = float(max(4, 4 * math.ceil(highest / 4))) if integers else _nice_max(highest)
    parts = _open(width, height, title)
    for i in range(5):
        v = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}">{_fmt(v)}</text>')
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = max(slot * 0.7, 1.0)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * (value / top_value) if top_value else 0
        x = left + i * slot + (slot - bar_w) / 2
        colour = BAR_BAD if highlight and highlight[i] else BAR
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
            f"<title>{escape(str(label))}: {_fmt(value)}</title></rect>"
        )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" fill="{TEXT}">{escape(str(label))}</text>'
            )
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{TEXT}" stroke-width="0.8"/>')
    if y_label:
        parts.append(f'<text x="{left}" y="{height - 4}" fill="{TEXT}">{escape(y_label)}</text>')
    parts.append("</svg>")
    return Chart(title=title, svg="".join(parts))


def percent_line_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    target: float | None = None,
    width: int = 640,
    height: int = 240,
    step: float = 0.1,
    decimals: int = 1,
    label_points: str = "all",
) -> Chart:
    """Shares (0–1) as a line with points; None leaves a gap (no data that week). A dashed line marks
    the target. The axis runs from the lowest value (rounded down to `step`, 10 % unless told: 0.001
    for availability, whose target is 99.99 %) to 100 %; values are printed with `decimals`, over every
    point, or (`label_points="missed"`, for many points whose labels would run into each other) only
    over the points below the target. Each label sits above its point: the plot starts low enough under
    the title (LABEL_ROOM) for a label at 100 % to clear it."""
    left, right, top, bottom = 52, 12, 28 + LABEL_ROOM, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    present = [v for v in values if v is not None]
    floor = min([*present, target if target is not None else 1.0, 1.0])
    low = math.floor(round(floor / step, 9)) * step if floor < 1 else 1.0 - step
    low = max(0.0, min(low, 1.0 - step))
    span = 1.0 - low

    def y_of(v: float) -> float:
        return top + plot_h - plot_h * (v - low) / span

    parts = _open(width, height, title)
    for i in range(5):
        v = low + span * i / 4
        y = y_of(v)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}">{v * 100:.{decimals}f}%</text>')
    if target is not None:
        y = y_of(target)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{BAR_BAD}" stroke-dasharray="4 3" stroke-width="1"/>'
        )
    n = max(len(values), 1)
    slot = plot_w / n
    points: list[tuple[float, float]] = []
    last_label: tuple[int, float, bool] | None = None
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + slot * (i + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle" fill="{TEXT}">{escape(str(label))}</text>')
        if value is None:
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h - 4}" text-anchor="middle" fill="#4a5560">—</text>')
            if len(points) > 1:
                parts.append(_polyline(points))
            points = []
            continue
        y = y_of(value)
        points.append((x, y))
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{LINE}"><title>{escape(str(label))}: {value * 100:.2f}%</title></circle>')
        if label_points == "all" or (target is not None and value < target):
            # A label beside another at about the same height goes under its point, not over the other.
            below = label_points != "all" and last_label is not None and last_label[0] == i - 1 and abs(last_label[1] - y) < 14 \
                and not last_label[2] and y + 14 < top + plot_h
            label_y = y + 14 if below else y - 6
            parts.append(f'<text x="{x:.1f}" y="{label_y:.1f}" text-anchor="middle" fill="{TEXT}">{value * 100:.{decimals}f}%</text>')
            last_label = (i, y, below)
    if len(points) > 1:
        parts.append(_polyline(points))
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{TEXT}" stroke-width="0.8"/>')
    parts.append("</svg>")
    return Chart(title=title, svg="".join(parts))


def _polyline(points: list[tuple[float, float]]) -> str:
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="1.6"/>'
