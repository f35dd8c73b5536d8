"""Replies a resolved incident's follow-up answers instead.

Once an incident is resolved, each customer who complained gets one follow-up ("it's fixed").
A reply of theirs still open (a person's text, or one for a person) must not go out beside it
by mistake: ``crisis.replies.queue.approve`` refuses it without ``force``, and
``crisis.replies.sending`` holds one approved before unless its latest approval was given with
``force``.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from crisis.tables import AuditEntry, Comment, Incident, ReviewItem


def answering_follow_up(session: Session, item: ReviewItem) -> ReviewItem | None:
    """The follow-up (not rejected) that answers this reply's customer, once the reply's
    incident is resolved; ``None`` for a follow-up itself or an incident still open."""
    if item.kind != "reply" or item.incident_id is None:
        return None
    incident = session.get(Incident, item.incident_id)
    comment = session.get(Comment, item.comment_id)
    if incident is None or incident.status != "resolved" or comment is None:
        return None
    query = (
        select(ReviewItem)
        .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
        .where(
            ReviewItem.kind == "follow_up",
            ReviewItem.incident_id == item.incident_id,
            ReviewItem.state != "rejected",
            Comment.author == comment.author,
        )
        .order_by(col(ReviewItem.id))
    )
    return session.exec(query).first()


def open_replies_answered_by(session: Session, follow_up: ReviewItem) -> list[ReviewItem]:
    """The same customer's replies of the follow-up's incident still waiting to be sent."""
    comment = session.get(Comment, follow_up.comment_id)
    if follow_up.kind != "follow_up" or comment is None:
        return []
    query = (
        select(ReviewItem)
        .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
        .where(
            ReviewItem.kind == "reply",
            ReviewItem.incident_id == follow_up.incident_id,
            col(ReviewItem.state).in_(("pending", "approved", "failed")),
            Comment.author == comment.author,
        )
        .order_by(col(ReviewItem.id))
    )
    return list(session.exec(query))


def approved_with_force(session: Session, item_id: int) -> bool:
    """Whether the item's latest approval was given with ``force``."""
    query = (
        select(AuditEntry)
        .where(
            AuditEntry.entity == "review_item",
            AuditEntry.entity_id == str(item_id),
            AuditEntry.action == "review_item.approved",
        )
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    )
    latest = session.exec(query).first()
    return latest is not None and bool((latest.details or {}).get("force"))


def held_reason(session: Session, item: ReviewItem) -> str | None:
    """A reply approved before its incident was resolved, whose customer a follow-up answers
    now, is not sent unless a person approved it again with ``force``."""
    follow_up = answering_follow_up(session, item)
    if follow_up is None or item.id is not None and approved_with_force(session, item.id):
        return None
    return (
        f"incident #{item.incident_id} is resolved; follow-up #{follow_up.id} answers this "
        "customer — edit and approve that, or reject this reply (or approve this one again "
        "with --force)"
    )
