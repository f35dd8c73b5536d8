"""A NOC report onto our incidents.

1. A report about an outage that matches an open incident (same service, or the service that
   carries it; regions that overlap, or either side without regions) gives it the NOC's facts:
   the state ("identified": the cause is known), the public text, the ETA and the regions,
   through ``incidents.update_incident``; pending replies are re-written through
   ``after_incident_change``, as when a lead changes the facts. The cause is kept on the
   incident card (``explanation["noc"]``) and in the audit entry's reason.
2. An outage with no matching incident opens one, by "noc": marketing is held at once.
3. A resolve from the NOC never resolves ours by itself (customers may still be offline, the
   team decides what to tell them): it is recorded as a proposal on the incident's history and
   sent as an alert, for a lead to resolve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from crisis import audit, incidents
from crisis.alerts.outbox import AlertKind, incident_alert
from crisis.errors import Inconsistent
from crisis.noc.reports import NocReport
from crisis.replies.incident_changes import after_incident_change
from crisis.replies.respond import ReplySetup
from crisis.states import INCIDENT_TRANSITIONS
from crisis.tables import Incident

# Our open states, in the order an outage moves through them.
FORWARD = ("suspected", "investigating", "identified", "monitoring")


@dataclass(frozen=True, slots=True)
class NocOutcome:
    """``action``: updated, unchanged, opened, resolve_proposed or no_open_incident."""

    ref: str
    action: str
    incident_id: int | None = None
    queue: dict[str, int] = field(default_factory=dict)


def apply_report(
    session: Session, report: NocReport, *, setup: ReplySetup, now: datetime, actor: str
) -> NocOutcome:
    incident = matching_incident(session, report)
    if report.resolved:
        if incident is None:
            return NocOutcome(report.ref, "no_open_incident")
        return _propose_resolve(session, incident, report, now=now, actor=actor)
    why = f"NOC ({report.source}): {report.cause or 'outage reported'}"
    if incident is None:
        incident = incidents.open_incident(
            session,
            service=report.service,
            now=now,
            opened_by="noc",
            actor=actor,
            reason=why,
            regions=report.regions,
            status=report.status or "identified",
            public_status=report.public_status,
            eta=report.eta,
            explanation={"reason": why, "noc": _card(report, now)},
        )
        queue = after_incident_change(session, setup, incident, now=now)
        return NocOutcome(report.ref, "opened", _id(incident), queue)
    before = _facts(incident)
    incidents.update_incident(
        session,
        _id(incident),
        now=now,
        actor=actor,
        reason=why,
        status=_status(incident, report),
        public_status=report.public_status,
        eta=report.eta,
        regions=report.regions or None,
    )
    _remember(session, incident, _card(report, now))
    if _facts(incident) == before:
        return NocOutcome(report.ref, "unchanged", _id(incident))
    queue = after_incident_change(session, setup, incident, now=now)
    return NocOutcome(report.ref, "updated", _id(incident), queue)


def matching_incident(session: Session, report: NocReport) -> Incident | None:
    """The newest open incident of the report's service (or of the service carrying it) whose
    regions overlap the report's (either side without regions overlaps everything) and whose
    time does: an outage the NOC says ended before ours opened was another one."""
    services = [report.service]
    carrier = incidents.CARRIED_BY.get(report.service)
    if carrier is not None:
        services.append(carrier)
    for service in services:
        for incident in reversed(incidents.open_incidents(session, service=service)):
            if report.ended_at is not None and report.ended_at < incident.opened_at:
                continue
            ours, theirs = set(incident.regions), set(report.regions)
            if not ours or not theirs or ours & theirs:
                return incident
    return None


def _propose_resolve(
    session: Session, incident: Incident, report: NocReport, *, now: datetime, actor: str
) -> NocOutcome:
    card = dict(incident.explanation.get("noc") or {})
    if card.get("resolved_ref") == report.ref:  # the same resolve sent again
        return NocOutcome(report.ref, "unchanged", _id(incident))
    reason = f"NOC ({report.source}) reports it resolved: {report.cause or report.ref}"
    audit.record(
        session,
        at=now,
        actor=actor,
        action="incident.resolve_proposed",
        entity="incident",
        entity_id=_id(incident),
        reason=reason,
        details={"source": report.source, "ref": report.ref},
    )
    _remember(
        session, incident, {**card, "resolved_ref": report.ref, "resolved_at": now.isoformat()}
    )
    incident_alert(session, incident, AlertKind.NOC_RESOLVED, now=now, actor=actor, reason=reason)
    return NocOutcome(report.ref, "resolve_proposed", _id(incident))


def _status(incident: Incident, report: NocReport) -> str | None:
    """Where the NOC's state moves ours: forward only (a NOC repeating "identified" leaves our
    "monitoring" alone; taking a fix back is a lead's call), and only along our lifecycle."""
    wanted = report.status or "identified"
    if wanted not in FORWARD or incident.status not in FORWARD:
        return None
    if FORWARD.index(wanted) <= FORWARD.index(incident.status):
        return None
    return wanted if wanted in INCIDENT_TRANSITIONS.get(incident.status, frozenset()) else None


def _facts(incident: Incident) -> tuple[object, ...]:
    return (incident.status, incident.public_status, incident.eta, tuple(incident.regions))


def _card(report: NocReport, now: datetime) -> dict[str, Any]:
    return {
        "source": report.source,
        "ref": report.ref,
        "cause": report.cause,
        "started_at": report.started_at.isoformat() if report.started_at else None,
        "reported_at": now.isoformat(),
    }


def _remember(session: Session, incident: Incident, card: dict[str, Any]) -> None:
    incident.explanation = {**incident.explanation, "noc": card}  # a new dict: the JSON changes
    session.add(incident)


def _id(incident: Incident) -> int:
    if incident.id is None:
        raise Inconsistent("incident has no id before flush")
    return incident.id
