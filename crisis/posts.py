"""Scheduled posts: publish when due, and never a marketing post while an incident is open.

The schedule lives in our database (a platform's own scheduled posts cannot be paused). When an
incident opens, every unpublished marketing post is held; the hold is checked again when a post
is claimed for publishing, in the same transaction, so a post due a millisecond after the
incident opened is held too. Held posts wait for an explicit resume, never for the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from crisis import audit
from crisis.domain import OutgoingPost
from crisis.errors import ConnectorError, InvalidTransition, NotFound
from crisis.protocols import Publisher
from crisis.states import OPEN_INCIDENT_STATES, POST_TRANSITIONS, move
from crisis.tables import Incident, ScheduledPost

HELD_CATEGORIES = frozenset({"marketing"})


def schedule_post(
    session: Session,
    *,
    key: str,
    channel: str,
    category: str,
    text: str,
    publish_at: datetime,
    now: datetime,
    actor: str,
) -> ScheduledPost:
    """Schedule a post, or change a not yet published one with the same key."""
    post = session.exec(select(ScheduledPost).where(ScheduledPost.key == key)).first()
    if post is not None and post.state == "published":
        raise InvalidTransition(f"post {key}", post.state, "rescheduled")
    if post is None:
        post = ScheduledPost(
            key=key,
            channel=channel,
            category=category,
            text=text,
            publish_at=publish_at,
            state="scheduled",
            created_at=now,
        )
    else:
        post.channel, post.category, post.text = channel, category, text
        post.publish_at = publish_at
    session.add(post)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="post.schedule",
        entity="post",
        entity_id=key,
        details={"category": category, "channel": channel, "publish_at": publish_at.isoformat()},
    )
    blocking = _open_incident_ids(session)
    if post.state == "scheduled" and category in HELD_CATEGORIES and blocking:
        _hold(session, post, incident_id=blocking[0], now=now, actor=actor)
    return post


def hold_marketing(session: Session, *, incident_id: int, now: datetime, actor: str) -> int:
    """Hold every scheduled marketing post because ``incident_id`` opened; returns how many."""
    query = select(ScheduledPost).where(
        ScheduledPost.state == "scheduled", col(ScheduledPost.category).in_(HELD_CATEGORIES)
    )
    held = 0
    for post in session.exec(query):
        _hold(session, post, incident_id=incident_id, now=now, actor=actor)
        held += 1
    return held


def publish_due(
    session: Session, publisher: Publisher, *, now: datetime, actor: str = "publisher"
) -> list[ScheduledPost]:
    """Publish the posts due at ``now``; marketing is held instead while an incident is open."""
    query = (
        select(ScheduledPost)
        .where(ScheduledPost.state == "scheduled", col(ScheduledPost.publish_at) <= now)
        .order_by(col(ScheduledPost.publish_at), col(ScheduledPost.id))
        .with_for_update(skip_locked=True)
    )
    published = []
    for post in session.exec(query).all():
        blocking = _open_incident_ids(session)
        if post.category in HELD_CATEGORIES and blocking:
            _hold(session, post, incident_id=blocking[0], now=now, actor=actor)
            continue
        outgoing = OutgoingPost(
            channel=post.channel, text=post.text, idempotency_key=f"post:{post.key}"
        )
        try:
            post.published_id = publisher.publish(outgoing)
        except ConnectorError as exc:
            _move(session, post, "failed", now=now, actor=actor, reason=str(exc))
            continue
        post.published_at = now
        _move(session, post, "published", now=now, actor=actor)
        published.append(post)
    return published


def resume_posts(
    session: Session,
    *,
    keys: Sequence[str] | None,
    now: datetime,
    actor: str,
    reason: str | None = None,
    publish_at: datetime | None = None,
) -> list[ScheduledPost]:
    """Put held posts back on the schedule (``keys=None``: all held posts).

    Refused while any incident is open. Without ``publish_at`` a post keeps its old time, so a
    post whose time has passed goes out at the next publishing run.
    """
    blocking = _open_incident_ids(session)
    if blocking:
        listed = ", ".join(str(i) for i in blocking)
        raise InvalidTransition("held posts", "held", f"scheduled (incidents still open: {listed})")
    if keys is None:
        chosen = list(session.exec(select(ScheduledPost).where(ScheduledPost.state == "held")))
    else:
        chosen = [get_post(session, key) for key in keys]
    for post in chosen:
        if post.state != "held":
            raise InvalidTransition(f"post {post.key}", post.state, "scheduled")
    for post in chosen:
        if publish_at is not None:
            post.publish_at = publish_at
        post.held_by_incident_id = None
        _move(session, post, "scheduled", now=now, actor=actor, reason=reason or "resumed")
    return chosen


def get_post(session: Session, key: str) -> ScheduledPost:
    post = session.exec(select(ScheduledPost).where(ScheduledPost.key == key)).first()
    if post is None:
        raise NotFound(f"no scheduled post with id {key!r}")
    return post


def list_posts(session: Session, *, state: str | None = None) -> list[ScheduledPost]:
    query = select(ScheduledPost).order_by(col(ScheduledPost.publish_at), col(ScheduledPost.id))
    if state is not None:
        query = query.where(ScheduledPost.state == state)
    return list(session.exec(query))


def _open_incident_ids(session: Session) -> list[int]:
    query = select(Incident.id).where(col(Incident.status).in_(OPEN_INCIDENT_STATES))
    return [i for i in session.exec(query.order_by(col(Incident.id))) if i is not None]


def _hold(
    session: Session, post: ScheduledPost, *, incident_id: int, now: datetime, actor: str
) -> None:
    post.held_by_incident_id = incident_id
    _move(session, post, "held", now=now, actor=actor, reason=f"incident {incident_id} is open")


def _move(
    session: Session,
    post: ScheduledPost,
    state: str,
    *,
    now: datetime,
    actor: str,
    reason: str | None = None,
) -> None:
    move(
        session,
        post,
        state,
        transitions=POST_TRANSITIONS,
        entity="post",
        entity_id=post.key,
        actor=actor,
        now=now,
        reason=reason,
    )
