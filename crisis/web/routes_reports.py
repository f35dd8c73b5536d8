"""The crisis report in the web app: a form (one incident, or a period in Berlin time), the
report itself, and its numbers as CSV or JSON, built as ``crisis report`` builds them.

The report is ``crisis.reports.html.render_html``'s standalone document (inline CSS and SVG, no
scripts), so it is served on its own URL with a Content-Security-Policy of its own: inline
styles allowed, no script at all.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from crisis import incidents
from crisis.clock import relative_time, team_zone
from crisis.errors import BadRecord, NotFound
from crisis.replies.sla import Targets
from crisis.reports.data import Report, build_report
from crisis.reports.export import to_csv, to_json
from crisis.reports.html import render_html
from crisis.reports.period import Period, parse_bound, resolve_period
from crisis.web.context import Ctx, Db, WebContext
from crisis.web.render import page
from crisis.web.security import User

router = APIRouter()
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
RECENT_INCIDENTS = 30


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_page(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: User,
    incident: str = "",
    since: str = "",
    until: str = "",
) -> HTMLResponse:
    """The form (an incident, the newest first, or a period); once filled in, the period it
    covers with links to the report and its CSV and JSON."""
    picked = {"incident": incident, "since": since, "until": until}
    chosen, problem = None, None
    if any(v.strip() for v in picked.values()):
        try:  # a GET changes nothing: show the problem beside the form, with what was typed
            chosen = _period(session, ctx, **picked)
        except (BadRecord, NotFound) as exc:
            problem = str(exc)
    recent = list(reversed(incidents.list_incidents(session)))[:RECENT_INCIDENTS]
    return page(
        request,
        session,
        user,
        "reports.html.j2",
        {
            "incidents": recent,
            "picked": picked,
            "period": chosen,
            "problem": problem,
            "query": query(**picked),
        },
        status_code=422 if problem else 200,
    )


@router.get("/reports/view", response_class=HTMLResponse, include_in_schema=False)
def report_view(
    session: Db, ctx: Ctx, user: User, incident: str = "", since: str = "", until: str = ""
) -> HTMLResponse:
    report = _build(session, ctx, incident=incident, since=since, until=until)
    response = HTMLResponse(render_html(report))
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@router.get("/reports/download.csv", include_in_schema=False)
def report_csv(
    session: Db, ctx: Ctx, user: User, incident: str = "", since: str = "", until: str = ""
) -> Response:
    report = _build(session, ctx, incident=incident, since=since, until=until)
    return _download(to_csv(report), "text/csv; charset=utf-8", _file_name(report, "csv"))


@router.get("/reports/download.json", include_in_schema=False)
def report_json(
    session: Db, ctx: Ctx, user: User, incident: str = "", since: str = "", until: str = ""
) -> Response:
    report = _build(session, ctx, incident=incident, since=since, until=until)
    return _download(to_json(report), "application/json", _file_name(report, "json"))


def query(*, incident: str = "", since: str = "", until: str = "") -> str:
    """The query string of a report's URLs (only the fields given)."""
    given = {k: v for k, v in (("incident", incident), ("since", since), ("until", until)) if v}
    return urlencode(given)


def _build(session: Session, ctx: WebContext, *, incident: str, since: str, until: str) -> Report:
    period = _period(session, ctx, incident=incident, since=since, until=until)
    return build_report(
        session,
        period,
        now=ctx.clock.now(),
        classifier=ctx.settings.classifier,
        own_authors=ctx.settings.own_authors,
        targets=Targets.from_settings(ctx.settings),
    )


def _period(session: Session, ctx: WebContext, *, incident: str, since: str, until: str) -> Period:
    now = ctx.clock.now()
    return resolve_period(
        session,
        now=now,
        since=_bound(since, field="since", now=now),
        until=_bound(until, field="until", now=now, end=True),
        incident_id=_incident_id(incident),
    )


def _incident_id(value: str) -> int | None:
    text = value.strip().lstrip("#")
    if not text:
        return None
    if not text.isdigit():
        raise BadRecord("incident", f"{value[:20]!r} is not an incident number")
    return int(text)


def _bound(value: str, *, field: str, now: datetime, end: bool = False) -> datetime | None:
    """A Berlin date (``until``: that whole day) or time, or relative to now (``-7d``)."""
    text = value.strip()
    if not text:
        return None
    return relative_time(text, now=now) or parse_bound(text, option=field, end=end)


def _file_name(report: Report, ext: str) -> str:
    period = report.period
    if period.incident_id is not None:
        return f"crisis-report-incident-{period.incident_id}.{ext}"
    start = period.start.astimezone(team_zone()).strftime("%Y%m%d-%H%M")
    end = period.end.astimezone(team_zone()).strftime("%Y%m%d-%H%M")
    return f"crisis-report-{start}-{end}.{ext}"


def _download(body: str, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
