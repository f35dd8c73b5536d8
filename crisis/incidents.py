"""Incidents and their lifecycle, following status-page conventions.

    suspected -> investigating -> identified -> monitoring -> resolved

Every state but ``resolved`` counts as open: marketing is held while any incident is open.
The detector opens incidents as ``suspected``, an operator as ``investigating`` or later.
Each change is one function that refuses an invalid transition and writes the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from crisis import audit
from crisis.alerts.outbox import AlertKind, incident_alert
from crisis.clock import require_aware
from crisis.domain import IncidentFacts, Service
from crisis.errors import Inconsistent, InvalidTransition, NotFound
from crisis.holds import Blocker, hold_marketing, pass_on_held
from crisis.states import (
    INCIDENT_TRANSITIONS,
    OPEN_INCIDENT_STATES,
    IncidentStatus,
    move,
)
from crisis.tables import Incident

# A service whose outage is usually another service's outage: our landlines are VoIP over the
# DSL line, so "Telefon tot" during a DSL outage is that outage (one incident, one status text).
CARRIED_BY: dict[Service, Service] = {Service.PHONE: Service.INTERNET}


def open_incident(
    session: Session,
    *,
    service: Service,
    now: datetime,
    opened_by: str,
    actor: str,
    reason: str,
    regions: Sequence[str] = (),
    status: str = "investigating",
    public_status: str | None = None,
    eta: datetime | None = None,
    explanation: dict[str, Any] | None = None,
) -> Incident:
    if status not in OPEN_INCIDENT_STATES:
        raise InvalidTransition("new incident", "(none)", status)
    eta = _in_utc(eta)
    previous = last_incident(session, service)
    incident = Incident(
        service=service.value,
        regions=list(dict.fromkeys(regions)),
        status=status,
        title=_title(service, regions),
        public_status=public_status,
        public_status_at=now if public_status is not None else None,
        facts_at=now,
        eta=eta,
        opened_at=now,
        opened_by=opened_by,
        explanation=explanation or {"reason": reason},
        previous_incident_id=previous.id if previous else None,
    )
    session.add(incident)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="incident.open",
        entity="incident",
        entity_id=incident.id,
        reason=reason,
        details={
            "service": service.value,
            "regions": incident.regions,
            "status": status,
            "public_status": public_status,
            "eta": _iso(eta),
            "previous_incident_id": incident.previous_incident_id,
        },
    )
    hold_marketing(session, Blocker(incident_id=_id(incident)), now=now, actor=actor)
    kind = AlertKind.SUSPECTED if status == IncidentStatus.SUSPECTED else AlertKind.CONFIRMED
    incident_alert(session, incident, kind, now=now, actor=actor, reason=reason)
    return incident


def update_incident(
    session: Session,
    incident_id: int,
    *,
    now: datetime,
    actor: str,
    reason: str | None = None,
    status: str | None = None,
    public_status: str | None = None,
    eta: datetime | None = None,
    regions: Sequence[str] | None = None,
) -> Incident:
    """Change status, public text, ETA or regions of an open incident."""
    incident = get_incident(session, incident_id)
    eta = _in_utc(eta)
    changes: dict[str, Any] = {}
    moving = status is not None and status != incident.status
    confirming = moving and incident.status == IncidentStatus.SUSPECTED
    if moving:
        if status == IncidentStatus.RESOLVED:
            raise InvalidTransition(
                f"incident {incident_id}", incident.status, "resolved (use resolve)"
            )
        _check(incident, str(status))
    elif incident.status == IncidentStatus.RESOLVED:
        raise InvalidTransition(f"incident {incident_id}", "resolved", "updated")
    if public_status is not None and public_status != incident.public_status:
        changes["public_status"] = [incident.public_status, public_status]
        incident.public_status, incident.public_status_at = public_status, now
    if eta is not None and eta != incident.eta:
        changes["eta"] = [_iso(incident.eta), _iso(eta)]
        incident.eta = eta
    if regions is not None:
        merged = list(dict.fromkeys([*incident.regions, *regions]))
        if merged != incident.regions:
            changes["regions"] = [incident.regions, merged]
            incident.regions = merged
            incident.title = _title(Service(incident.service), merged)
    if moving or changes:
        incident.facts_at = now
        session.add(incident)
    before = incident.status
    if moving:  # the move and the other changes in one audit entry
        move(session, incident, IncidentStatus(str(status)), transitions=INCIDENT_TRANSITIONS,
             entity="incident", entity_id=incident_id, actor=actor, now=now, reason=reason,
             details=changes, field="status", action="incident.update")  # fmt: skip
    elif changes:
        audit.record(
            session,
            at=now,
            actor=actor,
            action="incident.update",
            entity="incident",
            entity_id=incident_id,
            reason=reason,
            details=changes,
        )
    if moving or changes:
        kind = AlertKind.CONFIRMED if confirming else AlertKind.UPDATED
        if moving:
            changes = {"status": [before, incident.status], **changes}
        incident_alert(
            session, incident, kind, now=now, actor=actor, reason=reason, changes=changes
        )
    return incident


def resolve_incident(
    session: Session,
    incident_id: int,
    *,
    now: datetime,
    actor: str,
    reason: str | None = None,
    public_status: str | None = None,
) -> Incident:
    """Close an incident. Held posts stay held: they wait for an explicit resume, held by the
    blocker that still holds marketing if there is one (``holds.pass_on_held``)."""
    incident = get_incident(session, incident_id)
    _check(incident, IncidentStatus.RESOLVED)
    suspected = incident.status == IncidentStatus.SUSPECTED
    incident.resolved_at = now
    details: dict[str, Any] = {}
    if public_status is not None:
        details["public_status"] = [incident.public_status, public_status]
        incident.public_status, incident.public_status_at = public_status, now
    move(session, incident, IncidentStatus.RESOLVED, transitions=INCIDENT_TRANSITIONS,
         entity="incident", entity_id=incident_id, actor=actor, now=now, reason=reason,
         details=details, field="status", action="incident.resolve")  # fmt: skip
    pass_on_held(session, Blocker(incident_id=incident_id), now=now, actor=actor)
    kind = AlertKind.DISMISSED if suspected else AlertKind.RESOLVED
    incident_alert(session, incident, kind, now=now, actor=actor, reason=reason)
    return incident


def get_incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident with id {incident_id}")
    return incident


def open_incidents(session: Session, *, service: Service | None = None) -> list[Incident]:
    query = select(Incident).where(col(Incident.status).in_(OPEN_INCIDENT_STATES))
    if service is not None:
        query = query.where(Incident.service == service.value)
    return list(session.exec(query.order_by(col(Incident.opened_at), col(Incident.id))))


def open_incident_for(session: Session, service: Service) -> Incident | None:
    """The newest open incident of a service, if any."""
    found = open_incidents(session, service=service)
    return found[-1] if found else None


def last_resolved(session: Session, service: Service) -> Incident | None:
    query = (
        select(Incident)
        .where(Incident.service == service.value, Incident.status == "resolved")
        .order_by(col(Incident.resolved_at).desc())
        .limit(1)
    )
    return session.exec(query).first()


def last_incident(session: Session, service: Service) -> Incident | None:
    """The newest incident of a service, open or resolved."""
    query = (
        select(Incident)
        .where(Incident.service == service.value)
        .order_by(col(Incident.opened_at).desc(), col(Incident.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


def earlier_incidents(session: Session, incident: Incident, *, limit: int = 10) -> list[Incident]:
    """The chain of earlier incidents of the same service, newest first."""
    chain: list[Incident] = []
    current = incident
    while current.previous_incident_id is not None and len(chain) < limit:
        current = get_incident(session, current.previous_incident_id)
        chain.append(current)
    return chain


def list_incidents(session: Session) -> list[Incident]:
    return list(session.exec(select(Incident).order_by(col(Incident.opened_at), col(Incident.id))))


def facts(
    incident: Incident, *, status_url: str | None, as_of: datetime | None = None
) -> IncidentFacts:
    """What a reply may say now. Once resolved, the outage-time public text and ETA ("we
    expect a fix by 6 pm") are stale: only a public status set at/after resolution is kept."""
    public_status, eta = incident.public_status, incident.eta
    if incident.status == "resolved":
        eta = None
        set_at, resolved_at = incident.public_status_at, incident.resolved_at
        if set_at is None or resolved_at is None or set_at < resolved_at:
            public_status = None
    return IncidentFacts(
        id=_id(incident),
        service=Service(incident.service),
        regions=tuple(incident.regions),
        status=incident.status,
        public_status=public_status,
        eta=eta,
        status_url=status_url,
        as_of=as_of,
    )


def _check(incident: Incident, wanted: str) -> None:
    if wanted not in INCIDENT_TRANSITIONS.get(incident.status, frozenset()):
        raise InvalidTransition(f"incident {incident.id}", incident.status, wanted)


def _title(service: Service, regions: Sequence[str]) -> str:
    where = f" in {', '.join(regions)}" if regions else ""
    return f"{service.value} outage{where}"[:256]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _id(incident: Incident) -> int:
    if incident.id is None:
        raise Inconsistent("incident has no id before flush")
    return incident.id


def _in_utc(value: datetime | None) -> datetime | None:
    """An ETA given with any offset, kept (and printed, and audited) in UTC."""
    return None if value is None else require_aware(value, "ETA").astimezone(UTC)
