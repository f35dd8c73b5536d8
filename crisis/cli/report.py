"""``crisis report``: the crisis report as one HTML file with charts, or its numbers as CSV
or JSON. Thin: the numbers come from ``crisis.reports.data``."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from crisis import db
from crisis.cli.common import (
    DatabaseUrl,
    clock,
    console,
    engine_for,
    settings_for,
)
from crisis.clock import relative_time
from crisis.errors import BadRecord
from crisis.replies.sla import Targets
from crisis.reports.data import Report, build_report
from crisis.reports.export import to_csv, to_json
from crisis.reports.html import render_html
from crisis.reports.period import parse_bound, resolve_period
from crisis.settings import Settings


class Format(StrEnum):
    html = "html"
    csv = "csv"
    json = "json"


def report(
    out: Annotated[
        str, typer.Option("--out", help="File to write; '-' writes to standard output.")
    ] = "report.html",
    since: Annotated[
        str | None,
        typer.Option(
            help="Start: an ISO date (a day in the team's time zone, CRISIS_TIMEZONE) or time "
            "(team time unless it has an "
            "offset), e.g. 2017-05-12T14:00, or relative to now: -7d, -12h, -30m. Alone: up "
            "to now."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            help="End: an ISO date (that whole day included) or time (team time unless it "
            "has an offset), or relative to now: -1d, +2h. Alone: from the first stored "
            "comment."
        ),
    ] = None,
    incident: Annotated[
        int | None,
        typer.Option(
            help="Report on this incident, with as long again (6 to 24 h) before and after it."
        ),
    ] = None,
    output_format: Annotated[
        Format, typer.Option("--format", help="html (charts, default), csv or json (numbers).")
    ] = Format.html,
    database_url: DatabaseUrl = None,
) -> None:
    """Write the crisis report: volume and sentiment, incidents, response times, held posts
    (everything stored unless --since/--until or --incident; times in the team's time zone,
    CRISIS_TIMEZONE)."""
    settings = settings_for(database_url)
    now = clock.now()
    engine = engine_for(database_url)
    try:
        data = _build(engine, settings, now=now, since=since, until=until, incident=incident)
    finally:
        engine.dispose()
    writers = {Format.html: render_html, Format.csv: to_csv, Format.json: to_json}
    text = writers[output_format](data)
    if out == "-":
        sys.stdout.write(text)
        return
    path = Path(out)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadRecord("--out", f"cannot write {path}: {exc.strerror or exc}") from exc
    where = f"#{data.period.incident_id}" if data.period.incident_id is not None else "the period"
    if data.empty:
        where += " (no comments in it)"
    console.print(
        f"wrote {path} ({output_format.value}): {data.volume.comments} comments, "
        f"{len(data.incidents)} incidents, {where}; labels from {data.model or 'no model'}"
    )


def _build(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime,
    since: str | None,
    until: str | None,
    incident: int | None,
) -> Report:
    with db.session_scope(engine) as session:
        period = resolve_period(
            session,
            now=now,
            since=_bound(since, option="--since", now=now),
            until=_bound(until, option="--until", now=now, end=True),
            incident_id=incident,
        )
        return build_report(
            session,
            period,
            now=now,
            classifier=settings.classifier,
            own_authors=settings.own_authors,
            targets=Targets.from_settings(settings),
        )


def _bound(value: str | None, *, option: str, now: datetime, end: bool = False) -> datetime | None:
    """A relative time from now (``-7d``, ``-12h``, ``+1d``), else an ISO date or time."""
    if not value:
        return None
    return relative_time(value, now=now) or parse_bound(value, option=option, end=end)
