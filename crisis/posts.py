"""Scheduled posts: publish when due, and never a marketing post while an incident is open.

The schedule lives in our database (a platform's own scheduled posts cannot be paused). When an
incident opens or marketing is frozen, every unpublished marketing post is held (see
``crisis.holds``). The publisher claims each due post with one conditional UPDATE that checks
the hold in the same statement, so a post due a millisecond after the incident opened is held
too, and of two publishers running at once only one gets a post. Held posts wait for an
explicit resume, never for the clock.

Posts scheduled in other tools are mirrored here too (``source`` set; ``crisis.schedulers``):
they are held and resumed the same way, but never published by us; their tool does that.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, not_, or_, update
from sqlmodel import Session, col, select

from crisis import audit
from crisis.domain import OutgoingPost
from crisis.errors import ConfigError, ConnectorError, InvalidTransition, NotFound
from crisis.holds import HELD_CATEGORIES, current_blocker, hold_post, marketing_blocked
from crisis.protocols import Publisher
from crisis.states import POST_STATES, POST_TRANSITIONS, move
from crisis.tables import ScheduledPost

__all__ = [
    "HELD_CATEGORIES",
    "get_post",
    "list_posts",
    "publish_due",
    "resume_posts",
    "schedule_post",
    "settle_post",
]


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
    """Schedule a post, or change a not yet published one with the same key.

    A draft or failed post goes back on the schedule; a held post stays held (changing its text
    or time is no way around the hold).
    """
    post = session.exec(select(ScheduledPost).where(ScheduledPost.key == key)).first()
    if post is not None and post.source is not None:
        raise InvalidTransition(
            f"post {key}",
            f"scheduled in {post.source}",
            f"changed here (change it in {post.source})",
        )
    if post is not None and post.state in ("published", "publishing"):
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
        if post.state in ("draft", "failed"):
            _move(session, post, "scheduled", now=now, actor=actor, reason="scheduled again")
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
    blocker = current_blocker(session)
    if post.state == "scheduled" and category in HELD_CATEGORIES and blocker:
        assert post.id is not None
        hold_post(session, post.id, blocker, now=now, actor=actor)
        session.refresh(post)
    return post


def publish_due(
    session: Session, publisher: Publisher, *, now: datetime, actor: str = "publisher"
) -> list[ScheduledPost]:
    """Publish the posts due at ``now``; marketing is held instead while anything blocks it.

    Commits as it goes: each claim is its own short transaction (so no lock is held while a
    platform answers), and so is each result. A crash after the claim leaves the post in
    ``publishing``, visible for the team, never published twice.
    """
    session.commit()  # the claim must start a transaction of its own (SQLite: take the lock)
    due = session.exec(
        select(ScheduledPost.id)
        .where(
            ScheduledPost.state == "scheduled",
            col(ScheduledPost.publish_at) <= now,
            col(ScheduledPost.source).is_(None),  # another tool publishes its own posts
        )
        .order_by(col(ScheduledPost.publish_at), col(ScheduledPost.id))
    ).all()
    published = []
    for post_id in due:
        if post_id is None:
            continue
        if not _claim(session, post_id, now=now, actor=actor):
            blocker = current_blocker(session)
            if blocker is not None:  # only marketing is held: hold_post checks the category
                hold_post(session, post_id, blocker, now=now, actor=actor)
            session.commit()
            continue
        session.commit()
        post = session.get_one(ScheduledPost, post_id, populate_existing=True)
        outgoing = OutgoingPost(
            channel=post.channel, text=post.text, idempotency_key=f"post:{post.key}"
        )
        try:
            post.published_id = publisher.publish(outgoing)
        except ConnectorError as exc:
            _move(session, post, "failed", now=now, actor=actor, reason=str(exc))
            session.commit()
            continue
        except ConfigError as exc:  # raised before any platform call: nothing went out
            _move(session, post, "scheduled", now=now, actor=actor, reason=str(exc))
            session.commit()
            raise
        post.published_at = now
        _move(session, post, "published", now=now, actor=actor)
        session.commit()
        published.append(post)
    return published


def _claim(session: Session, post_id: int, *, now: datetime, actor: str) -> bool:
    """Take a due post for publishing, in one statement that also checks the hold."""
    statement = (
        update(ScheduledPost)
        .where(
            col(ScheduledPost.id) == post_id,
            col(ScheduledPost.state) == "scheduled",
            col(ScheduledPost.source).is_(None),
            col(ScheduledPost.publish_at) <= now,
            or_(col(ScheduledPost.category).not_in(HELD_CATEGORIES), not_(marketing_blocked())),
        )
        .values(state="publishing")
    )
    result = cast(CursorResult[tuple[()]], session.connection().execute(statement))
    if result.rowcount != 1:
        return False
    key = session.exec(select(ScheduledPost.key).where(ScheduledPost.id == post_id)).one()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="post.publishing",
        entity="post",
        entity_id=key,
        details={"state": ["scheduled", "publishing"]},
    )
    return True


def resume_posts(
    session: Session,
    *,
    keys: Sequence[str] | None,
    now: datetime,
    actor: str,
    reason: str | None = None,
    publish_at: datetime | None = None,
    to_draft: bool = False,
) -> list[ScheduledPost]:
    """Release held posts (``keys=None``: all of them): back on the schedule, or to draft.

    Back on the schedule only once nothing blocks marketing, and a post whose time has passed
    needs a new ``publish_at``: a stale post never goes out just because the pause ended.
    ``to_draft`` sends posts back to the team for review, which is allowed at any time.
    """
    if keys is None:
        chosen = list(session.exec(select(ScheduledPost).where(ScheduledPost.state == "held")))
    else:
        chosen = [get_post(session, key) for key in keys]
    target = "draft" if to_draft else "scheduled"
    for post in chosen:
        if post.state != "held":
            raise InvalidTransition(f"post {post.key}", post.state, target)
    if not to_draft:
        blocker = current_blocker(session)
        if blocker is not None:
            refused = InvalidTransition("held posts", "held", f"scheduled ({blocker.describe()})")
            if blocker.incident_id is not None:
                raise refused.said_as("posts_blocked_incident", id=blocker.incident_id)
            raise refused.said_as("posts_blocked_freeze", reason=blocker.freeze_reason or "")
        stale = [p.key for p in chosen if publish_at is None and p.publish_at <= now]
        if stale:
            raise InvalidTransition(
                f"post {', '.join(stale)}",
                "held",
                "scheduled at a time that has passed (give a new time, or send it to draft)",
            )
    for post in chosen:
        if publish_at is not None:
            post.publish_at = publish_at
        post.held_by_incident_id = None
        post.held_by_freeze_id = None
        details = {"publish_at": post.publish_at.isoformat()}
        _move(
            session, post, target, now=now, actor=actor, reason=reason or "resumed", details=details
        )
    return chosen


def settle_post(
    session: Session, key: str, *, outcome: str, now: datetime, actor: str, reason: str
) -> ScheduledPost:
    """Say how a post left in ``publishing`` (a publisher died mid-call) really ended, after
    looking on the platform: ``published``, or ``failed`` (then it can be scheduled again)."""
    post = get_post(session, key)
    if post.state != "publishing" or outcome not in ("published", "failed"):
        raise InvalidTransition(f"post {key}", post.state, outcome)
    if outcome == "published":
        post.published_at = now
    _move(session, post, outcome, now=now, actor=actor, reason=reason)
    return post


def get_post(session: Session, key: str) -> ScheduledPost:
    post = session.exec(select(ScheduledPost).where(ScheduledPost.key == key)).first()
    if post is None:
        raise NotFound(f"no scheduled post with id {key!r}")
    return post


def list_posts(session: Session, *, state: str | None = None) -> list[ScheduledPost]:
    if state is not None and state not in POST_STATES:
        raise NotFound(f"no post state {state!r}; states: {', '.join(POST_STATES)}")
    query = select(ScheduledPost).order_by(col(ScheduledPost.publish_at), col(ScheduledPost.id))
    if state is not None:
        query = query.where(ScheduledPost.state == state)
    return list(session.exec(query))


def _move(
    session: Session,
    post: ScheduledPost,
    state: str,
    *,
    now: datetime,
    actor: str,
    reason: str | None = None,
    details: dict[str, str] | None = None,
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
        details=details,
    )
