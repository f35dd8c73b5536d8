"""What the incident board shows, read in a few queries: the incidents with their queue counts
(pending replies, urgent items, held posts) and who opened them; one incident's card in a
form the page can word, its pending replies as they read now, held posts and audit trail.

Pages and the API both read from here; neither changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, case, col, func, select

from crisis import audit, incidents
from crisis.clock import zone_label
from crisis.errors import Inconsistent
from crisis.holds import held_posts_query
from crisis.replies.queue import QueueFilter, list_items
from crisis.states import INCIDENT_STATES, INCIDENT_TRANSITIONS, OPEN_INCIDENT_STATES
from crisis.tables import AuditEntry, Comment, Incident, ReviewItem, ScheduledPost
from crisis.web.i18n import Translate
from crisis.web.render import berlin

RESOLVED_SHOWN = 20
REPLIES_SHOWN = 100


@dataclass(slots=True)
class Counts:
    pending: int = 0  # pending review items about the incident (replies and follow-ups)
    urgent: int = 0  # of those, the ones a person must see first
    held_posts: int = 0  # posts this incident holds back


@dataclass(slots=True)
class Row:
    incident: Incident
    counts: Counts
    opened_by: str  # "detector", or the name of whoever opened it by hand


@dataclass(slots=True)
class Detail:
    row: Row
    card: dict[str, Any]
    earlier: list[Incident]
    held: list[ScheduledPost]
    replies: list[tuple[ReviewItem, Comment | None]]
    history: list[AuditEntry]
    moves: list[str] = field(default_factory=list)  # statuses the update form may offer


def board(session: Session) -> tuple[list[Row], list[Row]]:
    """Open incidents (newest first), and the most recently resolved ones."""
    open_now = list(
        session.exec(
            select(Incident)
            .where(col(Incident.status).in_(OPEN_INCIDENT_STATES))
            .order_by(col(Incident.opened_at).desc(), col(Incident.id).desc())
        )
    )
    resolved = list(
        session.exec(
            select(Incident)
            .where(Incident.status == "resolved")
            .order_by(col(Incident.resolved_at).desc(), col(Incident.id).desc())
            .limit(RESOLVED_SHOWN)
        )
    )
    rows = rows_for(session, [*open_now, *resolved])
    return rows[: len(open_now)], rows[len(open_now) :]


def rows_for(session: Session, found: list[Incident]) -> list[Row]:
    ids = [i.id for i in found if i.id is not None]
    counts = queue_counts(session, ids)
    openers = opened_by(session, ids)
    return [Row(i, counts.get(_id(i), Counts()), openers.get(_id(i), i.opened_by)) for i in found]


def detail(session: Session, incident_id: int) -> Detail:
    incident = incidents.get_incident(session, incident_id)
    [row] = rows_for(session, [incident])
    items = list_items(
        session, where=QueueFilter(state="pending", incident_id=incident_id), limit=REPLIES_SHOWN
    )
    comments = {
        c.id: c
        for c in session.exec(
            select(Comment).where(col(Comment.id).in_([i.comment_id for i in items]))
        )
    }
    held = session.exec(
        held_posts_query().where(ScheduledPost.held_by_incident_id == incident_id)
    ).all()
    return Detail(
        row=row,
        card=card_view(incident.explanation),
        earlier=incidents.earlier_incidents(session, incident),
        held=list(held),
        replies=[(item, comments.get(item.comment_id)) for item in items],
        history=audit.history(session, entity="incident", entity_id=incident_id),
        moves=moves(incident.status),
    )


def moves(status: str) -> list[str]:
    """The statuses an update may move to (resolving has its own form), in lifecycle order."""
    allowed = INCIDENT_TRANSITIONS.get(status, frozenset())
    return [s for s in INCIDENT_STATES if s in allowed and s != "resolved"]


def queue_counts(session: Session, ids: list[int]) -> dict[int, Counts]:
    if not ids:
        return {}
    urgent = func.sum(case((col(ReviewItem.urgency_rank) == 0, 1), else_=0))
    found: dict[int, Counts] = {}
    pending = session.exec(
        select(col(ReviewItem.incident_id), func.count(), urgent)
        .where(col(ReviewItem.incident_id).in_(ids), ReviewItem.state == "pending")
        .group_by(col(ReviewItem.incident_id))
    )
    for incident_id, n, n_urgent in pending:
        if incident_id is not None:
            found[incident_id] = Counts(pending=int(n), urgent=int(n_urgent or 0))
    held = session.exec(
        select(col(ScheduledPost.held_by_incident_id), func.count())
        .where(col(ScheduledPost.held_by_incident_id).in_(ids), ScheduledPost.state == "held")
        .group_by(col(ScheduledPost.held_by_incident_id))
    )
    for incident_id, n in held:
        if incident_id is not None:
            found.setdefault(incident_id, Counts()).held_posts = int(n)
    return found


def opened_by(session: Session, ids: list[int]) -> dict[int, str]:
    """Who opened each incident, from the audit log (the detector, or a lead's name)."""
    if not ids:
        return {}
    entries = session.exec(
        select(AuditEntry.entity_id, AuditEntry.actor).where(
            AuditEntry.entity == "incident",
            AuditEntry.action == "incident.open",
            col(AuditEntry.entity_id).in_([str(i) for i in ids]),
        )
    )
    return {int(entity_id): actor for entity_id, actor in entries}


def card_view(card: dict[str, Any]) -> dict[str, Any]:
    """The card's numbers with every key the page words (absent ones ``None`` or empty), and
    the examples' times as datetimes. Cards of older versions lack some keys."""
    examples = []
    for item in card.get("examples") or []:
        if isinstance(item, dict):
            examples.append(
                {"id": str(item.get("id", "")), "at": _time(item.get("at")),
                 "text": str(item.get("text", ""))}
            )  # fmt: skip
        else:
            examples.append({"id": "", "at": None, "text": str(item)})
    keys = (
        "reason", "authors", "authors_earlier_window", "window_minutes", "persistence_minutes",
        "usual_per_window", "threshold", "ratio_to_usual", "prior_per_window", "spike_region",
        "samples_window_minutes", "peak_complainers", "complaints",
    )  # fmt: skip
    view: dict[str, Any] = {key: card.get(key) for key in keys}
    view.update(
        detected=card.get("usual_per_window") is not None,
        detected_at=_time(card.get("detected_at")),
        last_spike_at=_time(card.get("last_spike_at")),
        weeks=list(card.get("same_hour_earlier_weeks") or []),
        days=list(card.get("same_hour_earlier_days") or []),
        top_terms=[(str(t[0]), t[1]) for t in card.get("top_terms") or [] if len(t) == 2],
        regions_count=dict(card.get("regions_count") or {}),
        also_services=list(card.get("also_services") or []),
        examples=examples,
        noc=_noc(card.get("noc")),
    )
    return view


def _noc(value: Any) -> dict[str, Any] | None:
    """What the NOC told us (``crisis.noc``): its tool, the cause, and when it reported a fix."""
    if not isinstance(value, dict):
        return None
    return {
        "source": str(value.get("source") or "noc"),
        "cause": value.get("cause") or value.get("ref"),
        "resolved_at": _time(value.get("resolved_at")),
    }


def number(value: Any, lang: str) -> str:
    """A card's number as the language writes it (German: 1,5)."""
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(number(v, lang) for v in value)
    text = str(value)
    return text.replace(".", ",") if lang == "de" else text


def eta_passed(incident: Incident, now: datetime) -> bool:
    """An open incident's ETA has passed: pending replies still promise that time."""
    if incident.eta is None or incident.status == "resolved":
        return False
    eta = incident.eta if incident.eta.tzinfo else incident.eta.replace(tzinfo=UTC)
    return eta <= now


def duration(incident: Incident) -> str:
    """How long it was open: "3 h 20 min" (reads the same in German and English)."""
    if incident.resolved_at is None:
        return "-"
    minutes = int((incident.resolved_at - incident.opened_at).total_seconds() // 60)
    hours, minutes = divmod(max(minutes, 0), 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def change_lines(details: dict[str, Any], t: Translate) -> list[tuple[str, str]]:
    """An audit entry's details as (field, "before → after") for the history table."""
    lines = []
    for key, value in details.items():
        shown = _status if key == "status" else _shown
        # a change is [before, after]; a list of regions when opened is just the regions
        pair = isinstance(value, list) and len(value) == 2
        if pair and (key != "regions" or all(isinstance(v, list) for v in value)):
            lines.append((key, f"{shown(value[0], t)} → {shown(value[1], t)}"))
        else:
            lines.append((key, shown(value, t)))
    return lines


def _status(value: Any, t: Translate) -> str:
    return t(f"incidents.status_{value}") if value in INCIDENT_STATES else _shown(value, t)


def _shown(value: Any, t: Translate) -> str:
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str) and (at := _time(value)) is not None:
        return berlin(at) + f" ({zone_label()})"
    return str(value)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) < 16 or value[4:5] != "-":
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _id(incident: Incident) -> int:
    if incident.id is None:
        raise Inconsistent("incident has no id before flush")
    return incident.id
