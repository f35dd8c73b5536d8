"""Writing an alert: one row per thing the team must hear of, in the transaction of the change.

A crash after the commit loses nothing (the dispatcher finds the row); a rolled-back change
sends nothing. The row keeps what the message will say, as it was at that moment, so a retry
an hour later sends the same words. Nothing here talks to a network.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from crisis.tables import AlertEvent, Incident, MarketingFreeze, ScheduledPost


class AlertKind(StrEnum):
    SUSPECTED = "suspected"  # the detector opened an incident
    CONFIRMED = "confirmed"  # a person (or the NOC) opened one, or confirmed a suspected one
    UPDATED = "updated"  # status, ETA, public text or regions changed
    RESOLVED = "resolved"
    DISMISSED = "dismissed"  # a suspected incident closed without being confirmed
    FROZEN = "frozen"  # marketing frozen by hand
    HELD = "held"  # one post held because marketing is blocked
    NOC_RESOLVED = "noc_resolved"  # the NOC says it is fixed: a lead should resolve ours


ALERT_KINDS = tuple(AlertKind)
HELD_LISTED = 10  # held posts named in one alert; the rest are counted


def incident_alert(
    session: Session,
    incident: Incident,
    kind: AlertKind,
    *,
    now: datetime,
    actor: str,
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
) -> AlertEvent:
    """Alert about ``incident`` (already flushed) as it is now, with the posts it holds."""
    with session.no_autoflush:  # the holds are UPDATEs already run; flush nothing half-done
        held = session.exec(
            select(ScheduledPost)
            .where(ScheduledPost.held_by_incident_id == incident.id, ScheduledPost.state == "held")
            .order_by(col(ScheduledPost.publish_at), col(ScheduledPost.id))
        ).all()
    details: dict[str, Any] = {
        "service": incident.service,
        "title": incident.title,
        "status": incident.status,
        "regions": list(incident.regions),
        "eta": _iso(incident.eta),
        "public_status": incident.public_status,
        "opened_by": incident.opened_by,
        "opened_at": _iso(incident.opened_at),
        "evidence": evidence(incident.explanation),
        "reason": reason,
        "changes": changes or {},
        "dedup_key": dedup_key(incident),
        **_held(held),
    }
    return _add(session, kind, now=now, actor=actor, details=details, incident_id=incident.id)


def freeze_alert(
    session: Session, freeze: MarketingFreeze, *, now: datetime, actor: str
) -> AlertEvent:
    held = session.exec(
        select(ScheduledPost)
        .where(ScheduledPost.held_by_freeze_id == freeze.id, ScheduledPost.state == "held")
        .order_by(col(ScheduledPost.publish_at), col(ScheduledPost.id))
    ).all()
    details = {"reason": freeze.reason, "dedup_key": f"crisis-freeze-{freeze.id}", **_held(held)}
    return _add(
        session, AlertKind.FROZEN, now=now, actor=actor, details=details, freeze_id=freeze.id
    )


def held_alert(
    session: Session, post: ScheduledPost, *, why: str, now: datetime, actor: str
) -> AlertEvent:
    details = {"reason": why, "dedup_key": f"crisis-post-{post.key}", **_held([post])}
    return _add(
        session,
        AlertKind.HELD,
        now=now,
        actor=actor,
        details=details,
        incident_id=post.held_by_incident_id,
        freeze_id=post.held_by_freeze_id,
    )


def dedup_key(incident: Incident) -> str:
    """One key per incident for PagerDuty, unique across databases (a replay's incident 1 must
    never resolve production's incident 1)."""
    return f"crisis-incident-{incident.id}-{incident.opened_at:%Y%m%dT%H%M%SZ}"


def evidence(card: dict[str, Any]) -> str | None:
    """Customers against the usual number, from the incident card; ``None`` when opened by hand."""
    if "authors" not in card:
        return None
    minutes = card.get("window_minutes", "?")
    usual = card.get("usual_per_window")
    where = f" in {card['spike_region']}" if card.get("spike_region") else ""
    said = f"{card['authors']} customers{where} complained in {minutes} min"
    if usual is not None:
        said += f" (usual for this hour: {usual})"
    peak = card.get("peak_complainers")
    if isinstance(peak, int) and peak > int(card["authors"]):
        said += f"; peak so far {peak}"
    return said


def _held(posts: Sequence[ScheduledPost]) -> dict[str, Any]:
    return {
        "held_count": len(posts),
        "held_posts": [
            {"key": p.key, "channel": p.channel, "publish_at": _iso(p.publish_at)}
            for p in posts[:HELD_LISTED]
        ],
    }


def _add(
    session: Session,
    kind: AlertKind,
    *,
    now: datetime,
    actor: str,
    details: dict[str, Any],
    incident_id: int | None = None,
    freeze_id: int | None = None,
) -> AlertEvent:
    event = AlertEvent(
        kind=kind.value,
        incident_id=incident_id,
        freeze_id=freeze_id,
        at=now,
        actor=actor,
        details=details,
    )
    session.add(event)
    return event


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
