"""The lead's incident changes, for the forms and the API alike: open, update, resolve through
``crisis.incidents`` with the signed-in user as the actor, then bring the review queue in line
with the new facts exactly as ``crisis incidents`` does (``after_incident_change`` with the
registry's reply setup), and say what changed in the user's words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, func, select

from crisis import incidents
from crisis.domain import Service
from crisis.errors import BadRecord
from crisis.registry import reply_setup
from crisis.replies.incident_changes import after_incident_change
from crisis.settings import Settings
from crisis.tables import Incident, ScheduledPost
from crisis.web.i18n import Translate

# The order the counts are told in: what the lead most needs to know first.
QUEUE_KEYS = (
    "rerendered",
    "kept_approved",
    "reopened",
    "marked_changed",
    "attached",
    "linked",
    "duplicates",
    "follow_ups",
    "superseded",
)
FIELDS = ("status", "public_status", "eta", "regions")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one change did: the incident now, which of its facts changed, and the queue."""

    incident: Incident
    changed: list[str]
    queue: dict[str, int] = field(default_factory=dict)
    held_posts: int = 0  # all posts still held (said after a resolve: they wait for a resume)


def open_by_hand(
    session: Session,
    settings: Settings,
    *,
    actor: str,
    now: datetime,
    service: Service,
    reason: str,
    regions: list[str],
    status: str,
    public_status: str | None,
    eta: datetime | None,
    separate: bool,
    t: Translate,
) -> Outcome:
    """Open an incident; while one of the same service is open, only when the lead asks for a
    ``separate`` one (a double click, or two leads at once, would open it twice)."""
    already = incidents.open_incidents(session, service=service)
    if already and not separate:
        raise BadRecord(
            t("incidents.field_service"),
            t("incidents.error_already_open", id=already[0].id, title=label(already[0], t)),
        )
    incident = incidents.open_incident(
        session,
        service=service,
        now=now,
        opened_by="operator",
        actor=actor,
        reason=reason,
        regions=regions,
        status=status,
        public_status=public_status,
        eta=eta,
    )
    queue = after_incident_change(session, reply_setup(settings), incident, now=now)
    return Outcome(incident, ["opened"], queue)


def update(
    session: Session,
    settings: Settings,
    incident_id: int,
    *,
    actor: str,
    now: datetime,
    reason: str,
    status: str | None,
    public_status: str | None,
    eta: datetime | None,
    regions: list[str] | None,
    keep_approved: bool = False,
) -> Outcome:
    before = _facts(incidents.get_incident(session, incident_id))
    incident = incidents.update_incident(
        session,
        incident_id,
        now=now,
        actor=actor,
        reason=reason,
        status=status,
        public_status=public_status,
        eta=eta,
        regions=regions or None,
    )
    after = _facts(incident)
    changed = [name for name in FIELDS if before[name] != after[name]]
    approved_by = actor if keep_approved else None  # the lead approves the facts for replies
    queue = after_incident_change(
        session, reply_setup(settings), incident, now=now, approved_by=approved_by
    )
    return Outcome(incident, changed, queue)


def resolve(
    session: Session,
    settings: Settings,
    incident_id: int,
    *,
    actor: str,
    now: datetime,
    reason: str,
    public_status: str | None,
) -> Outcome:
    incident = incidents.resolve_incident(
        session, incident_id, now=now, actor=actor, reason=reason, public_status=public_status
    )
    queue = after_incident_change(session, reply_setup(settings), incident, now=now)
    return Outcome(incident, ["status"], queue, held_posts=held_count(session))


def held_count(session: Session) -> int:
    """All held posts: each waits for a lead's resume, whichever incident (or freeze) held it,
    so resolving the last incident must not leave them forgotten."""
    held = session.exec(
        select(func.count()).select_from(ScheduledPost).where(ScheduledPost.state == "held")
    ).one()
    return int(held)


def queue_words(queue: dict[str, int], t: Translate) -> str:
    """ "12 suggestions re-written, 2 approved replies sent back to pending" (nothing: "")."""
    said = []
    for key in (*QUEUE_KEYS, *sorted(set(queue) - set(QUEUE_KEYS))):
        n = queue.get(key, 0)
        if not n:
            continue
        if key in QUEUE_KEYS:
            said.append(t(f"incidents.queue_{key}_{'one' if n == 1 else 'other'}", n=n))
        else:
            said.append(f"{n} {key}")
    return ", ".join(said)


def message(outcome: Outcome, t: Translate) -> str:
    """The line the lead reads after the change."""
    incident = outcome.incident
    if outcome.changed == ["opened"]:
        head = t("incidents.done_opened", id=incident.id, title=label(incident, t))
    elif incident.status == "resolved":
        head = t("incidents.done_resolved", id=incident.id)
    elif outcome.changed:
        what = ", ".join(t(f"incidents.field_{name}") for name in outcome.changed)
        head = t("incidents.done_updated", id=incident.id, what=what)
    else:
        head = t("incidents.done_nothing", id=incident.id)
    words = queue_words(outcome.queue, t)
    parts = [head, t("incidents.done_queue", what=words) if words else t("incidents.done_no_queue")]
    if outcome.held_posts:
        parts.append(t("incidents.done_still_held", n=outcome.held_posts))
    return " ".join(parts)


def label(incident: Incident, t: Translate) -> str:
    """ "Internet (Hamburg, München)" in the user's words (the stored title is English)."""
    service = t(f"incidents.service_{incident.service}")
    return f"{service} ({', '.join(incident.regions)})" if incident.regions else service


def _facts(incident: Incident) -> dict[str, object]:
    return {
        "status": incident.status,
        "public_status": incident.public_status,
        "eta": incident.eta,
        "regions": list(incident.regions),
    }
