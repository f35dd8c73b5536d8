"""The incidents of a report's period: their timelines from the audit log, and complaints
before, during and after each (24 h either side, per hour, so spans of any length compare).

An incident's complaints are those about its service (or one the card says joined it, or a
service it carries, like phone lines over DSL) made while it was open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from crisis.clock import local_time
from crisis.incidents import CARRIED_BY
from crisis.reports.period import Period
from crisis.reports.sql import count_int, flag, in_period, is_complaint, labelled_by, star
from crisis.tables import AuditEntry, Classification, Comment, Incident, MarketingFreeze

CONTEXT = timedelta(hours=24)
PHASES = ("before", "during", "after")


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    actor: str
    what: str


@dataclass
class Phase:
    hours: float
    comments: int = 0
    complaints: int = 0
    negative: int = 0

    @property
    def complaints_per_hour(self) -> float:
        return self.complaints / self.hours if self.hours else 0.0


@dataclass
class IncidentReport:
    id: int
    service: str
    services: list[str]
    regions: list[str]
    title: str
    status: str
    opened_by: str
    opened_at: datetime
    resolved_at: datetime | None
    first_complaint_at: datetime | None  # first complaint of the spike that opened it
    events: list[Event] = field(default_factory=list)
    phases: dict[str, Phase] = field(default_factory=dict)
    reason: str | None = None
    examples: list[dict[str, str]] = field(default_factory=list)  # from the card: customers' words

    @property
    def detection_delay(self) -> timedelta | None:
        if self.first_complaint_at is None or self.opened_by != "detector":
            return None
        return self.opened_at - self.first_complaint_at


@dataclass(frozen=True, slots=True)
class Freeze:
    id: int
    reason: str
    started_at: datetime
    started_by: str
    ended_at: datetime | None
    ended_by: str | None


def incidents_in(
    session: Session,
    period: Period,
    model: str | None,
    own_authors: Sequence[str],
    *,
    now: datetime,
) -> list[IncidentReport]:
    """Incidents open at any time in the period, oldest first."""
    query = select(Incident).where(
        col(Incident.opened_at) < period.end,
        or_(col(Incident.resolved_at).is_(None), col(Incident.resolved_at) >= period.start),
    )
    if period.incident_id is not None:
        query = query.where(col(Incident.id) == period.incident_id)
    found = []
    for incident in session.exec(query.order_by(col(Incident.opened_at), col(Incident.id))):
        assert incident.id is not None
        report = IncidentReport(
            id=incident.id,
            service=incident.service,
            services=incident_services(incident),
            regions=list(incident.regions),
            title=incident.title,
            status=incident.status,
            opened_by=incident.opened_by,
            opened_at=incident.opened_at,
            resolved_at=incident.resolved_at,
            first_complaint_at=None,
            reason=(incident.explanation or {}).get("reason"),
            examples=_examples(incident.explanation or {}),
            events=timeline(session, incident.id),
        )
        if model is not None:
            report.phases = phases(session, report, model, own_authors, now=now)
            report.first_complaint_at = _first_complaint(session, incident, model, own_authors)
        found.append(report)
    return found


def incident_services(incident: Incident) -> list[str]:
    services = [incident.service, *(incident.explanation or {}).get("also_services", [])]
    for carried, carrier in CARRIED_BY.items():
        if carrier.value == incident.service:
            services.append(carried.value)
    return list(dict.fromkeys(str(s) for s in services))


def timeline(session: Session, incident_id: int) -> list[Event]:
    query = select(AuditEntry).where(
        AuditEntry.entity == "incident", AuditEntry.entity_id == str(incident_id)
    )
    events = []
    for entry in session.exec(query.order_by(col(AuditEntry.at), col(AuditEntry.id))):
        events.append(Event(entry.at, entry.actor, _describe(entry)))
    return events


def phases(
    session: Session,
    report: IncidentReport,
    model: str,
    own_authors: Sequence[str],
    *,
    now: datetime,
) -> dict[str, Phase]:
    """Comments and the incident's complaints in the 24 h before, while open, and 24 h after."""
    opened, closed = report.opened_at, report.resolved_at or now
    around = Period(start=opened - CONTEXT, end=closed + CONTEXT)
    phase = case(
        (col(Comment.created_at) < opened, "before"),
        (col(Comment.created_at) < closed, "during"),
        else_="after",
    )
    ours = is_complaint() & col(Classification.service).in_(report.services)
    query = (
        sa_select(
            phase,
            star(),
            count_int(flag(ours)),
            count_int(flag(col(Classification.sentiment) == "negative")),
        )
        .select_from(Comment)
        .outerjoin(Classification, labelled_by(model))
        .where(*in_period(around, own_authors))
        .group_by(phase)
    )
    hours = {
        "before": CONTEXT / timedelta(hours=1),
        "during": (closed - opened) / timedelta(hours=1),
        "after": max(min(CONTEXT, now - closed), timedelta(0)) / timedelta(hours=1),
    }
    found = {name: Phase(hours=hours[name]) for name in PHASES}
    for name, n, complaints, negative in session.connection().execute(query):
        found[name].comments, found[name].complaints, found[name].negative = n, complaints, negative
    return found


def freezes_in(session: Session, period: Period) -> list[Freeze]:
    query = select(MarketingFreeze).where(
        col(MarketingFreeze.started_at) < period.end,
        or_(col(MarketingFreeze.ended_at).is_(None), col(MarketingFreeze.ended_at) >= period.start),
    )
    return [
        Freeze(f.id or 0, f.reason, f.started_at, f.started_by, f.ended_at, f.ended_by)
        for f in session.exec(query.order_by(col(MarketingFreeze.started_at)))
    ]


def _first_complaint(
    session: Session, incident: Incident, model: str, own_authors: Sequence[str]
) -> datetime | None:
    """The first complaint of the spike that opened it: in the card's windows before opening."""
    card: dict[str, Any] = incident.explanation or {}
    if "window_minutes" not in card:
        return None
    span = timedelta(minutes=int(card["window_minutes"]) + int(card.get("persistence_minutes", 0)))
    window = Period(start=incident.opened_at - span, end=incident.opened_at + timedelta(seconds=1))
    query = (
        sa_select(col(Comment.created_at))
        .join(Classification, labelled_by(model))
        .where(*in_period(window, own_authors), is_complaint())
        .where(col(Classification.service).in_(incident_services(incident)))
        .order_by(col(Comment.created_at))
        .limit(1)
    )
    first = session.connection().execute(query).scalar()
    return first.astimezone(UTC) if first is not None else None


def _examples(card: dict[str, Any], limit: int = 3) -> list[dict[str, str]]:
    found = [e for e in card.get("examples", []) if isinstance(e, dict) and e.get("text")]
    return [{"at": str(e.get("at", "")), "text": str(e["text"])} for e in found[-limit:]]


def _describe(entry: AuditEntry) -> str:
    details = entry.details or {}
    if entry.action == "incident.open":
        regions = ", ".join(details.get("regions") or []) or "no region"
        text = f"opened ({details.get('status', '?')}, {regions})"
    elif entry.action == "incident.resolve":
        text = "resolved"
    else:
        parts = []
        for name, change in details.items():
            if isinstance(change, list) and len(change) == 2:
                before, after = change
                shown = ", ".join(after) if isinstance(after, list) else _when(after)
                parts.append(f"{name.replace('_', ' ')} → {shown}")
        text = "; ".join(parts) or entry.action
    if details.get("eta") and entry.action == "incident.open":
        text += f", ETA {_when(details['eta'])}"
    return f"{text} — {entry.reason}" if entry.reason else text


def _when(value: Any) -> str:
    """ISO times in the log, as the team reads them (team time, labelled)."""
    if not isinstance(value, str):
        return str(value)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value
    if at.tzinfo is None:
        return value
    return local_time(at, fmt="%a %d.%m. %H:%M")
