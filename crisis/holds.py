"""What stops marketing: any open incident, or an operator's manual freeze.

Both count the same everywhere: scheduling, holding and the publisher's claim. The claim asks
the database itself (``marketing_blocked``, one SQL condition inside the claiming UPDATE), so no
process acts on a stale answer. Holding is one conditional UPDATE as well: a post another
process has just claimed is not also reported as held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, update
from sqlmodel import Session, col, select

from crisis import audit
from crisis.alerts.outbox import freeze_alert, held_alert
from crisis.clock import local_time
from crisis.errors import BadRecord, InvalidTransition
from crisis.states import OPEN_INCIDENT_STATES
from crisis.tables import Incident, MarketingFreeze, ScheduledPost

HELD_CATEGORIES = frozenset({"marketing"})


@dataclass(frozen=True, slots=True)
class Blocker:
    """Why marketing is held now: an open incident, or a manual freeze."""

    incident_id: int | None = None
    freeze_id: int | None = None
    freeze_reason: str | None = None

    @property
    def name(self) -> str:
        if self.incident_id is not None:
            return f"incident {self.incident_id}"
        return f"freeze {self.freeze_id}"

    def describe(self) -> str:
        if self.incident_id is not None:
            return f"incident {self.incident_id} is still open"
        return f"marketing is frozen by hand ({self.freeze_reason})"


def marketing_blocked() -> Any:
    """SQL condition, true while any incident is open or a freeze is active."""
    return or_(
        exists().where(col(Incident.status).in_(OPEN_INCIDENT_STATES)),
        exists().where(col(MarketingFreeze.ended_at).is_(None)),
    )


def current_blocker(session: Session) -> Blocker | None:
    """The oldest open incident, else the active freeze, else ``None``."""
    incident_id = session.exec(
        select(Incident.id)
        .where(col(Incident.status).in_(OPEN_INCIDENT_STATES))
        .order_by(col(Incident.id))
        .limit(1)
    ).first()
    if incident_id is not None:
        return Blocker(incident_id=incident_id)
    freeze = active_freeze(session)
    if freeze is not None:
        return Blocker(freeze_id=freeze.id, freeze_reason=freeze.reason)
    return None


def hold_marketing(session: Session, blocker: Blocker, *, now: datetime, actor: str) -> list[str]:
    """Hold every scheduled marketing post because of ``blocker``; returns the held posts' ids."""
    return _hold_where(session, blocker, now=now, actor=actor)


def hold_post(
    session: Session, post_id: int, blocker: Blocker, *, now: datetime, actor: str
) -> bool:
    """Hold one post if it is still scheduled; whether it was (and the team is alerted)."""
    if not _hold_where(session, blocker, now=now, actor=actor, post_id=post_id):
        return False
    post = session.get_one(ScheduledPost, post_id)
    held_alert(session, post, why=blocker.describe(), now=now, actor=actor)
    return True


def _hold_where(
    session: Session, blocker: Blocker, *, now: datetime, actor: str, post_id: int | None = None
) -> list[str]:
    statement = (
        update(ScheduledPost)
        .where(
            col(ScheduledPost.state) == "scheduled",
            col(ScheduledPost.category).in_(HELD_CATEGORIES),
        )
        .values(
            state="held",
            held_by_incident_id=blocker.incident_id,
            held_by_freeze_id=blocker.freeze_id,
        )
        .returning(col(ScheduledPost.key))
        .execution_options(synchronize_session=False)
    )
    if post_id is not None:
        statement = statement.where(col(ScheduledPost.id) == post_id)
    keys = sorted(session.execute(statement).scalars())
    for key in keys:
        audit.record(
            session,
            at=now,
            actor=actor,
            action="post.held",
            entity="post",
            entity_id=key,
            reason=blocker.describe(),
            details={"state": ["scheduled", "held"]},
        )
    _refresh(session, keys)
    return keys


def pass_on_held(session: Session, ended: Blocker, *, now: datetime, actor: str) -> list[str]:
    """``ended`` (a resolved incident, an ended freeze) no longer blocks marketing: if another
    blocker still does, the posts ``ended`` held are held by that one now, so every list and
    count names what holds them now. With nothing left blocking they stay with ``ended`` and
    wait for a person's resume. Returns the keys of the posts passed on."""
    successor = current_blocker(session)
    if successor is None:
        return []
    held_by_ended = (
        col(ScheduledPost.held_by_incident_id) == ended.incident_id
        if ended.incident_id is not None
        else col(ScheduledPost.held_by_freeze_id) == ended.freeze_id
    )
    statement = (
        update(ScheduledPost)
        .where(col(ScheduledPost.state) == "held", held_by_ended)
        .values(held_by_incident_id=successor.incident_id, held_by_freeze_id=successor.freeze_id)
        .returning(col(ScheduledPost.key))
        .execution_options(synchronize_session=False)
    )
    keys = sorted(session.execute(statement).scalars())
    for key in keys:
        audit.record(
            session,
            at=now,
            actor=actor,
            action="post.hold_passed",
            entity="post",
            entity_id=key,
            reason=successor.describe(),
            details={"held_by": [ended.name, successor.name]},
        )
    _refresh(session, keys)
    return keys


def _refresh(session: Session, keys: list[str]) -> None:
    for row in list(session.identity_map.values()):
        if isinstance(row, ScheduledPost) and row.key in keys:
            session.refresh(row)  # loaded copies must not show the old holder


def held_posts_query() -> Any:
    """The held posts, soonest due first."""
    return (
        select(ScheduledPost)
        .where(ScheduledPost.state == "held")
        .order_by(col(ScheduledPost.publish_at), col(ScheduledPost.id))
    )


def not_held_at_source(session: Session) -> list[ScheduledPost]:
    """Posts of another tool that could not be held (or put back) there, with the reason in
    ``hold_error``, soonest due first: the banner shows them until a sync round succeeds."""
    return list(
        session.exec(
            select(ScheduledPost)
            .where(col(ScheduledPost.hold_error).is_not(None))
            .order_by(col(ScheduledPost.publish_at), col(ScheduledPost.id))
        )
    )


def active_freeze(session: Session) -> MarketingFreeze | None:
    query = select(MarketingFreeze).where(col(MarketingFreeze.ended_at).is_(None))
    return session.exec(query.order_by(col(MarketingFreeze.id)).limit(1)).first()


def freeze_marketing(
    session: Session, *, reason: str, now: datetime, actor: str
) -> MarketingFreeze:
    """Stop all marketing by hand until ``unfreeze_marketing``; held posts wait for a resume."""
    if not reason.strip():
        raise BadRecord("freeze", "give a reason the team can read later").said_as("freeze_reason")
    current = active_freeze(session)
    if current is not None:
        since = local_time(current.started_at)
        raise InvalidTransition("marketing", f"frozen since {since}", "frozen again").said_as(
            "already_frozen", since=since, by=current.started_by
        )
    freeze = MarketingFreeze(reason=reason.strip(), started_at=now, started_by=actor)
    session.add(freeze)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="marketing.freeze",
        entity="freeze",
        entity_id=freeze.id,
        reason=freeze.reason,
    )
    hold_marketing(
        session, Blocker(freeze_id=freeze.id, freeze_reason=freeze.reason), now=now, actor=actor
    )
    freeze_alert(session, freeze, now=now, actor=actor)
    return freeze


def unfreeze_marketing(
    session: Session, *, now: datetime, actor: str, reason: str | None = None
) -> MarketingFreeze:
    """End the manual freeze. Like a resolved incident, it releases no post by itself."""
    freeze = active_freeze(session)
    if freeze is None:
        raise InvalidTransition("marketing", "not frozen", "unfrozen")
    freeze.ended_at, freeze.ended_by = now, actor
    session.add(freeze)
    audit.record(
        session,
        at=now,
        actor=actor,
        action="marketing.unfreeze",
        entity="freeze",
        entity_id=freeze.id,
        reason=reason,
    )
    pass_on_held(session, Blocker(freeze_id=freeze.id), now=now, actor=actor)
    return freeze
