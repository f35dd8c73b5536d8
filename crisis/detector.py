"""Spike detection: open an incident when complaints about one service pile up.

For each service, the complaints of the last window (counted once per author, so one angry
customer is not an outage) are compared with that service's usual rate over the history days
before it. An incident opens when the count reaches both a floor and a multiple of the usual
rate. Complaints that blame us for another company's outage (``third_party``) never count. An
open incident of the service absorbs the spike (its regions grow); after one is resolved, a
cool-down keeps the tail of the same outage from opening a second incident.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from crisis import incidents
from crisis.domain import Service
from crisis.regions import find_regions
from crisis.tables import Classification, Comment, Incident


@dataclass(frozen=True, slots=True)
class SpikeRules:
    window: timedelta = timedelta(minutes=30)
    min_complaints: int = 8
    ratio: float = 4.0
    history: timedelta = timedelta(days=7)
    cooldown: timedelta = timedelta(hours=2)
    prior_per_window: float = 1.0  # assumed usual rate while history is short or empty


@dataclass(frozen=True, slots=True)
class _Complaint:
    comment_id: int
    external_id: str
    author: str
    text: str
    location: str | None


def detect(
    session: Session,
    *,
    model: str,
    now: datetime,
    rules: SpikeRules,
    own_authors: Sequence[str] = (),
) -> list[Incident]:
    """Open (or widen) incidents for the services whose complaints spike at ``now``."""
    recent = _complaints_by_service(session, model, now - rules.window, now, own_authors)
    changed: list[Incident] = []
    for service, complaints in recent.items():
        authors = {c.author.casefold() for c in complaints}
        if len(authors) < rules.min_complaints:
            continue  # below the floor whatever the usual rate: skip the history query
        usual = _usual_per_window(session, model, service, now, rules, own_authors)
        threshold = max(float(rules.min_complaints), rules.ratio * usual)
        if len(authors) < threshold:
            continue
        regions = _regions(complaints)
        current = incidents.open_incident_for(session, service)
        if current is not None:
            if set(regions) - set(current.regions):
                changed.append(
                    incidents.update_incident(
                        session,
                        _id(current),
                        now=now,
                        actor="detector",
                        regions=regions,
                        reason=f"complaints now also from {', '.join(regions)}",
                    )
                )
            continue
        previous = incidents.last_resolved(session, service)
        if previous and previous.resolved_at and now - previous.resolved_at < rules.cooldown:
            continue
        explanation = {
            "window_minutes": int(rules.window.total_seconds() // 60),
            "complaints": len(complaints),
            "authors": len(authors),
            "usual_per_window": round(usual, 2),
            "threshold": round(threshold, 2),
            "examples": [c.external_id for c in complaints[:5]],
        }
        reason = (
            f"{len(authors)} customers complained about {service.value} in the last "
            f"{explanation['window_minutes']} min (usual {usual:.1f}, threshold {threshold:.1f})"
        )
        changed.append(
            incidents.open_incident(
                session,
                service=service,
                now=now,
                opened_by="detector",
                actor="detector",
                reason=reason,
                regions=regions,
                status="suspected",
                explanation=explanation,
            )
        )
    return changed


def _complaints_by_service(
    session: Session,
    model: str,
    start: datetime,
    end: datetime,
    own_authors: Sequence[str],
) -> dict[Service, list[_Complaint]]:
    query = (
        select(Comment, Classification.service)
        .join(Classification, col(Classification.comment_id) == col(Comment.id))
        .where(
            Classification.model == model,
            col(Classification.is_complaint).is_(True),
            col(Classification.third_party).is_(None),
            col(Classification.service).is_not(None),
            col(Comment.created_at) > start,
            col(Comment.created_at) <= end,
            col(Comment.author).not_in(list(own_authors)),
        )
        .order_by(col(Comment.created_at), col(Comment.id))
    )
    found: dict[Service, list[_Complaint]] = defaultdict(list)
    for comment, service in session.exec(query):
        if comment.id is not None and service is not None:
            found[Service(service)].append(
                _Complaint(
                    comment.id, comment.external_id, comment.author, comment.text, comment.location
                )
            )
    return found


def _usual_per_window(
    session: Session,
    model: str,
    service: Service,
    now: datetime,
    rules: SpikeRules,
    own_authors: Sequence[str],
) -> float:
    """Complaints per window over the history before the current window, or the prior."""
    end = now - rules.window
    start = now - rules.history
    first = session.exec(select(func.min(Comment.created_at))).one()
    if first is None or first >= end:
        return rules.prior_per_window
    start = max(start, first)
    count = session.exec(
        select(func.count())
        .select_from(Comment)
        .join(Classification, col(Classification.comment_id) == col(Comment.id))
        .where(
            Classification.model == model,
            col(Classification.is_complaint).is_(True),
            col(Classification.third_party).is_(None),
            Classification.service == service.value,
            col(Comment.created_at) > start,
            col(Comment.created_at) <= end,
            col(Comment.author).not_in(list(own_authors)),
        )
    ).one()
    windows = (end - start) / rules.window
    observed = count / windows if windows >= 1 else rules.prior_per_window
    # Short history is not trusted to be quiet: never assume less than the prior.
    return max(observed, rules.prior_per_window)


def _regions(complaints: Sequence[_Complaint]) -> list[str]:
    counts: Counter[str] = Counter()
    for complaint in complaints:
        counts.update(set(find_regions(complaint.text, complaint.location)))
    # A region must stand out: a national outage has complainers everywhere, a few of them in
    # any one city, and is not a "Bremen outage" because two people there said so.
    floor = max(3, round(0.15 * len(complaints)))
    return [region for region, n in counts.most_common() if n >= floor]


def _id(incident: Incident) -> int:
    assert incident.id is not None
    return incident.id
