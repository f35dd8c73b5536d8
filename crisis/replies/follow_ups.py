"""Follow-ups once an incident is resolved: one per customer who complained about it.

The follow-up replies to the customer's urgent comment if they wrote one, and then goes to a
person (with the urgent reasons): someone who threatened to cancel hears from a person, not
only a cheerful "it's fixed". Their replies still waiting ("we are working on it") are stale
now: unedited template replies, pending, approved or failed (to be retried), are superseded by
the follow-up (audited); one a person wrote or one that needs a person goes back to pending,
marked ``facts_changed``. What the follow-up may say about the incident is
``crisis.incidents.facts``: never the outage-time public status or ETA.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from crisis.replies.common import (
    comment_labels,
    labels_for,
    mark_facts_changed,
    move_item,
)
from crisis.replies.respond import ReplySetup, record_flag, render, set_rank
from crisis.tables import Comment, Incident, ReviewItem

FOLLOW_UP = "resolved_follow_up"


def queue_follow_ups(
    session: Session, setup: ReplySetup, incident: Incident, *, now: datetime
) -> dict[str, int]:
    """One follow-up per customer who complained about ``incident``; stale replies settled."""
    rows = session.exec(
        select(ReviewItem, Comment)
        .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
        .where(
            ReviewItem.incident_id == incident.id,
            col(ReviewItem.kind).in_(("reply", "follow_up")),
            ReviewItem.state != "rejected",
        )
        .order_by(col(ReviewItem.arrived_at), col(ReviewItem.id))
    ).all()
    done = {comment.author for item, comment in rows if item.kind == "follow_up"}
    by_author: dict[str, list[tuple[ReviewItem, Comment]]] = {}
    for item, comment in rows:
        if item.kind == "reply":
            by_author.setdefault(comment.author, []).append((item, comment))
    labels = labels_for(session, [comment.id for _, comment in rows])
    counts = {"follow_ups": 0, "superseded": 0, "marked_changed": 0}
    why = f"incident {incident.id} is resolved"
    flagged: list[ReviewItem] = []
    for author, replies in by_author.items():
        for reply, _ in replies:
            settled = _settle(session, reply, now=now, why=why)
            if settled:
                counts[settled] += 1
        if author in done:
            continue
        done.add(author)
        follow_up = _follow_up(replies, incident, now=now)
        _, comment = _answered(replies)
        render(setup, follow_up, comment, comment_labels(labels, comment), incident)
        session.add(follow_up)
        counts["follow_ups"] += 1
        if follow_up.needs_human:
            flagged.append(follow_up)
    session.flush()
    for follow_up in flagged:
        record_flag(session, follow_up, now=now)
    return counts


def _settle(session: Session, reply: ReviewItem, *, now: datetime, why: str) -> str:
    """Supersede a stale template reply, or send a person's one back for review."""
    if reply.state not in ("pending", "approved", "failed"):
        return ""
    template = not reply.needs_human and not reply.edited_by
    if reply.state != "pending" and not template:
        reopened = f"incident facts changed: {why}"
        if not move_item(session, reply, "pending", now=now, reason=reopened):
            return ""  # a person decided it a moment ago: theirs stands
    if template:
        superseded = f"superseded: {why}; the follow-up answers instead"
        return (
            "superseded"
            if move_item(session, reply, "rejected", now=now, reason=superseded)
            else ""
        )
    if reply.facts_changed:
        return ""
    mark_facts_changed(session, reply, now=now, reason=f"incident facts changed: {why}")
    return "marked_changed"


def _answered(replies: Sequence[tuple[ReviewItem, Comment]]) -> tuple[ReviewItem, Comment]:
    """The comment the follow-up answers: the customer's urgent one if any, else the first."""
    return next(((r, c) for r, c in replies if r.urgency_rank == 0), replies[0])


def _follow_up(
    replies: Sequence[tuple[ReviewItem, Comment]], incident: Incident, *, now: datetime
) -> ReviewItem:
    reply, _ = _answered(replies)
    flagged = [r for r, _ in replies if r.needs_human]
    follow_up = ReviewItem(
        comment_id=reply.comment_id,
        kind="follow_up",
        incident_id=incident.id,
        lang=reply.lang,
        state="pending",
        created_at=now,
        arrived_at=now,  # the SLA clock of a follow-up starts when there is news to tell
        platform=reply.platform,
        service=incident.service,
        reach_rank=min(r.reach_rank for r, _ in replies),
        situation=FOLLOW_UP,
        needs_human=bool(flagged),
        reasons=list(dict.fromkeys(reason for r in flagged for reason in r.reasons)),
    )
    set_rank(follow_up, urgent=any(r.urgency_rank == 0 for r, _ in replies))
    return follow_up
