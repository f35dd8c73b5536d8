"""The report as one self-contained HTML file: inline CSS and SVG charts, no scripts, no fonts
or images to fetch, so it opens offline and prints. Jinja2 with autoescaping: comment text,
top terms and post texts are untrusted and are escaped wherever they are shown."""

from __future__ import annotations

from datetime import datetime, timedelta

from jinja2 import Environment, PackageLoader, select_autoescape

from crisis.clock import local_time
from crisis.reports.charts import Shade, bar_chart, timeline_chart
from crisis.reports.data import Report
from crisis.reports.incidents import CONTEXT
from crisis.reports.volume import TOP_REGIONS

SECTIONS = (
    ("summary", "Summary"),
    ("timeline", "Volume and sentiment over time"),
    ("services", "Complaints by service"),
    ("regions", "Complaints by region"),
    ("terms", "Top terms in complaints"),
    ("incidents", "Incidents and their timelines"),
    ("response", "First response to complaints"),
    ("replies", "Replies sent, rejected and pending"),
    ("urgent", "Urgent cases"),
    ("posts", "Marketing posts held and resumed"),
    ("almost", "What almost published"),
)


def render_html(report: Report) -> str:
    env = Environment(
        loader=PackageLoader("crisis.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        local=local, duration=duration, percent=percent, number=number, isotime=isotime
    )
    template = env.get_template("report.html.j2")
    return template.render(
        r=report, sections=SECTIONS, charts=charts(report), top_regions=TOP_REGIONS
    )


def charts(report: Report) -> dict[str, object]:
    shades = []
    for incident in report.incidents:
        end = incident.resolved_at or report.generated_at
        label = f"#{incident.id} {incident.service}"
        shades.append(Shade("", incident.opened_at - CONTEXT, incident.opened_at, "context"))
        shades.append(Shade("", end, end + CONTEXT, "context"))
        shades.append(Shade(label, incident.opened_at, end, "during"))
    for freeze in report.freezes:
        shades.append(
            Shade(
                f"freeze #{freeze.id}",
                freeze.started_at,
                freeze.ended_at or report.generated_at,
                "freeze",
            )
        )
    regions = list(report.text.regions)
    if report.text.other_regions:
        regions.append(("other regions", report.text.other_regions))
    if report.text.no_region:
        regions.append(("no region named", report.text.no_region))
    return {
        "timeline": timeline_chart(report.volume.buckets, report.volume.bucket, shades),
        "services": bar_chart(report.volume.services, title="Complaints by service"),
        "regions": bar_chart(regions, title="Complaints by region", colour="#3d6c99"),
        "sentiment": bar_chart(
            [(mood, n) for mood, n in report.volume.sentiment.items()],
            title="Sentiment",
            colour="#6b7c8f",
        ),
    }


def local(value: datetime | None, fmt: str = "%a %d.%m.%Y %H:%M") -> str:
    """A time as the team reads it: team time, labelled (a date alone is not)."""
    return local_time(value, fmt=fmt, labelled="%H" in fmt) if value else "—"


def isotime(value: str) -> str:
    """An ISO time from a stored card, in Berlin time; left as it is when it is not one."""
    try:
        return local(datetime.fromisoformat(value), "%a %H:%M")
    except (TypeError, ValueError):
        return value


def duration(value: timedelta | None) -> str:
    """``—``, ``45 s``, ``12 min``, ``1 h 05 min``, ``2 d 3 h``."""
    if value is None:
        return "—"
    seconds = int(round(value.total_seconds()))
    sign, seconds = ("−", -seconds) if seconds < 0 else ("", seconds)
    if seconds < 60:
        return f"{sign}{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{sign}{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{sign}{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{sign}{days} d {hours} h"


def percent(value: float) -> str:
    return f"{value * 100:.0f} %" if value * 100 >= 10 or value == 0 else f"{value * 100:.1f} %"


def number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
