"""The report's charts as inline SVG, drawn here: no JavaScript, no web fonts, nothing to
download, so the file reads offline, prints, and shows the same in any browser. Every text
that goes into a chart is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from markupsafe import Markup

from crisis.clock import team_zone
from crisis.reports.volume import Bucket, next_start

COLOURS = {
    "negative": "#d1495b",
    "neutral": "#9aa5b1",
    "positive": "#3c9d5d",
    "unlabelled": "#dde2e7",
    "complaints": "#1f3a5f",
    "during": "rgba(209,73,91,0.16)",
    "context": "rgba(31,58,95,0.05)",
    "freeze": "rgba(237,174,73,0.22)",
}
FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True, slots=True)
class Shade:
    label: str
    start: datetime
    end: datetime
    kind: str  # "during" | "context" | "freeze"


HOURS = {"hour": 1, "6 hours": 6, "day": 24}  # the buckets counted in hours; else weeks, months


def timeline_chart(buckets: Sequence[Bucket], size: str, shades: Sequence[Shade]) -> Markup:
    """Stacked bars of comments per bucket by sentiment, the complaints as a line, and the
    incidents (and 24 h before and after them) and freezes as shaded spans."""
    width, height, left, right, top, bottom = 960, 340, 52, 16, 46, 58
    if not buckets:
        return _empty(width, "no comments in this period")
    plot_w, plot_h = width - left - right, height - top - bottom
    start, end = buckets[0].start, next_start(buckets[-1].start, size)
    span = (end - start).total_seconds() or 1.0
    peak = _nice(max(b.comments for b in buckets))

    def x(at: datetime) -> float:
        seconds = min(max((at - start).total_seconds(), 0.0), span)
        return left + plot_w * seconds / span

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / peak

    parts = [_open(width, height, "Comments per bucket by sentiment, complaints as a line")]
    labelled = 0
    for shade in shades:
        x0, x1 = x(shade.start), x(shade.end)
        if x1 - x0 < 0.5:
            continue
        parts.append(_rect(x0, top, x1 - x0, plot_h, COLOURS[shade.kind]))
        if shade.label:  # two rows, so neighbouring incidents' names do not overlap
            row = 6 + 16 * (labelled % 2)
            parts.append(_line(x0, x0, top - row + 3, top + plot_h, "#b3261e"))
            parts.append(_text(x0 + 3, top - row, shade.label, size=11, anchor="start"))
            labelled += 1
    for tick in _ticks(peak):
        parts.append(_line(left, left + plot_w, y(tick), y(tick), "#e5e8eb"))
        parts.append(_text(left - 6, y(tick) + 4, f"{tick:g}", size=11, anchor="end"))
    bar = plot_w / len(buckets)
    for i, b in enumerate(buckets):
        base = 0
        for mood in ("negative", "neutral", "positive", "unlabelled"):
            n = getattr(b, mood)
            if n:
                parts.append(
                    _rect(
                        left + i * bar + bar * 0.1,
                        y(base + n),
                        bar * 0.8,
                        y(base) - y(base + n),
                        COLOURS[mood],
                    )
                )
                base += n
    points = " ".join(
        f"{left + (i + 0.5) * bar:.1f},{y(b.complaints):.1f}" for i, b in enumerate(buckets)
    )
    line = COLOURS["complaints"]
    parts.append(f'<polyline points="{points}" fill="none" stroke="{line}" stroke-width="2"/>')
    dated = with_year(start, end)
    for i in tick_indices(buckets, size, most=9 if dated else 14):
        label = tick_label(buckets[i].start, size, dated=dated)
        parts.append(_line(left + i * bar, left + i * bar, top + plot_h, top + plot_h + 4, "#888"))
        parts.append(_text(left + i * bar, top + plot_h + 16, label, size=11))
    parts.append(_line(left, left + plot_w, top + plot_h, top + plot_h, "#888"))
    parts.append(_legend(left, height - 14))
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(rows: Sequence[tuple[str, int]], *, title: str, colour: str = "#1f3a5f") -> Markup:
    """Horizontal bars, one per row, with the label left and the number right."""
    width, row_h, left, right = 640, 24, 170, 60
    if not rows:
        return _empty(width, "nothing to show")
    height = row_h * len(rows) + 8
    peak = max(n for _, n in rows) or 1
    parts = [_open(width, height, title)]
    for i, (label, n) in enumerate(rows):
        y0 = 4 + i * row_h
        w = (width - left - right) * n / peak
        parts.append(_text(left - 8, y0 + 16, _short(label), size=12, anchor="end"))
        parts.append(_rect(left, y0 + 3, max(w, 1.0), row_h - 8, colour))
        parts.append(_text(left + w + 6, y0 + 16, f"{n:,}", size=12, anchor="start"))
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(left: float, y: float) -> str:
    items = [
        ("negative", "negative"),
        ("neutral", "neutral"),
        ("positive", "positive"),
        ("unlabelled", "not labelled"),
    ]
    parts: list[str] = []
    at = left
    for key, label in items:
        parts.append(_rect(at, y - 9, 12, 12, COLOURS[key]))
        parts.append(_text(at + 16, y + 1, label, size=12, anchor="start"))
        at += 28 + 7 * len(label)
    parts.append(_line(at, at + 18, y - 3, y - 3, COLOURS["complaints"], width=2))
    parts.append(_text(at + 22, y + 1, "complaints", size=12, anchor="start"))
    at += 110
    for key, label in (
        ("during", "incident open"),
        ("context", "24 h before / after"),
        ("freeze", "marketing freeze"),
    ):
        parts.append(_rect(at, y - 9, 12, 12, COLOURS[key]))
        parts.append(
            f'<rect x="{at}" y="{y - 9}" width="12" height="12" fill="none" stroke="#bbb"/>'
        )
        parts.append(_text(at + 16, y + 1, label, size=12, anchor="start"))
        at += 28 + 7 * len(label)
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )


def _empty(width: int, message: str) -> Markup:
    return Markup(_open(width, 40, message) + _text(width / 2, 24, message, size=13) + "</svg>")


def _rect(x: float, y: float, w: float, h: float, fill: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{max(h, 0):.1f}" fill="{fill}"/>'


def _line(x1: float, x2: float, y1: float, y2: float, colour: str, *, width: int = 1) -> str:
    return (
        f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y1:.1f}" y2="{y2:.1f}" stroke="{colour}" '
        f'stroke-width="{width}"/>'
    )


def _text(x: float, y: float, text: str, *, size: int, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'{FONT} fill="#333">{escape(text)}</text>'
    )


def with_year(start: datetime, end: datetime) -> bool:
    """Axis labels name the year when the chart crosses into a new year or covers more than
    about two months."""
    last = (end - timedelta(seconds=1)).astimezone(team_zone())
    return start.astimezone(team_zone()).year != last.year or end - start > timedelta(days=62)


def tick_indices(buckets: Sequence[Bucket], size: str, *, most: int = 14) -> list[int]:
    """Buckets that get a label, at most ``most`` of them: at round local times (every 1, 2, 3,
    6 or 12 h, or 1, 2, 7, 14 or 28 days); for weeks and months, where a month begins (every 1,
    2, 3 or 6 months, or 1, 2, 5 or 10 years)."""
    if size not in HOURS:
        return _month_ticks(buckets, size, most)
    hours = HOURS[size]
    for step in (1, 2, 3, 6, 12, 24, 48, 168, 336, 672):
        if step < hours or len(buckets) * hours / step > most:
            continue
        picked = []
        for i, b in enumerate(buckets):
            local = b.start.astimezone(team_zone())
            if step < 24 and local.hour % step == 0 and local.minute == 0:
                picked.append(i)
            elif step >= 24 and local.hour == 0 and local.toordinal() % (step // 24) == 0:
                picked.append(i)
        if picked:
            return picked
    return [0]


def _month_ticks(buckets: Sequence[Bucket], size: str, most: int) -> list[int]:
    begun = [_month_begun(b.start, size) for b in buckets]
    for step in (1, 2, 3, 6, 12, 24, 60, 120, 240):
        picked = [i for i, m in enumerate(begun) if m is not None and m % step == 0]
        if picked and len(picked) <= most:
            return picked
    return [0]


def _month_begun(at: datetime, size: str) -> int | None:
    """The month (as ``year * 12 + month - 1``) whose first day lies in the week or month
    starting at ``at``; ``None`` for a week wholly inside one month."""
    day = at.astimezone(team_zone()).date()
    if size == "week":
        firsts = [d for d in (day + timedelta(days=k) for k in range(7)) if d.day == 1]
        if not firsts:
            return None
        day = firsts[0]
    return day.year * 12 + day.month - 1


def tick_label(at: datetime, size: str, *, dated: bool = False) -> str:
    """``Sat 13.05.`` at midnight and for days, else the hour: ``14:00``; with the year when
    ``dated``: ``13.05.2017``. Weeks and months by the month that begins: ``May 2017``, or the
    year alone in January: ``2018``."""
    local = at.astimezone(team_zone())
    if size not in HOURS:
        month = _month_begun(at, size)
        assert month is not None
        year, number = divmod(month, 12)
        return str(year) if number == 0 else f"{MONTHS[number]} {year}"
    if size == "day" or (local.hour == 0 and local.minute == 0):
        return local.strftime("%d.%m.%Y" if dated else "%a %d.%m.")
    return local.strftime("%H:%M")


MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _nice(value: float) -> float:
    """A round number at or above ``value`` for the top of an axis: a multiple of its step."""
    step = _step(value)
    return step * max(1, math.ceil(value / step))


def _step(value: float) -> float:
    """The gridline spacing: 1, 2 or 5 times a power of ten, about a quarter of ``value``,
    never below 1 (these are counts)."""
    if value <= 4:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value / 4))
    for factor in (1, 2, 5, 10):
        if value / (factor * magnitude) <= 5:
            return float(factor * magnitude)
    return float(10 * magnitude)


def _ticks(peak: float) -> list[float]:
    step = _step(peak)
    return [step * i for i in range(int(peak / step) + 1)]


def _short(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
