"""What the incident-driven queue changes share: stored labels, who has a reply, and the
responder's audited state moves."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from crisis import audit
from crisis.classify import from_row
from crisis.domain import Labels, Sentiment
from crisis.errors import StateChanged
from crisis.replies import queue
from crisis.tables import Classification, Comment, ReviewItem

ACTOR = "responder"


def labels_for(session: Session, comment_ids: list[int | None]) -> dict[int, Labels]:
    """The newest stored labels of each comment."""
    ids = [cid for cid in comment_ids if cid is not None]
    if not ids:
        return {}
    rows = session.exec(
        select(Classification)
        .where(col(Classification.comment_id).in_(ids))
        .order_by(col(Classification.created_at), col(Classification.id))
    )
    return {row.comment_id: from_row(row) for row in rows}


def comment_labels(found: dict[int, Labels], comment: Comment) -> Labels:
    """``comment``'s stored labels; a comment stored without any (a hand-made item) counts as
    a plain complaint."""
    if comment.id is not None and comment.id in found:
        return found[comment.id]
    return Labels("none", True, 1.0, None, Sentiment.NEUTRAL, lang=comment.lang)


def replies_by_author(session: Session, incident_id: int) -> dict[str, int]:
    """Each author's first reply item for the incident that was not rejected."""
    rows = session.exec(
        select(Comment.author, ReviewItem.id)
        .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
        .where(
            ReviewItem.incident_id == incident_id,
            ReviewItem.kind == "reply",
            ReviewItem.state != "rejected",
        )
        .order_by(col(ReviewItem.arrived_at), col(ReviewItem.id))
    )
    found: dict[str, int] = {}
    for author, item_id in rows:
        if item_id is not None:
            found.setdefault(author, item_id)
    return found


def move_item(
    session: Session, item: ReviewItem, state: str, *, now: datetime, reason: str
) -> bool:
    """The responder moves an item (audited with its reason). False, and nothing changed, when
    a person's decision on it committed first: theirs stands."""
    try:
        queue.move_item(session, item, state, actor=ACTOR, now=now, reason=reason)
    except StateChanged:
        return False
    return True


def mark_facts_changed(session: Session, item: ReviewItem, *, now: datetime, reason: str) -> None:
    """Flag a person's text as written before the incident's facts changed (audited)."""
    item.facts_changed = True
    session.add(item)
    audit.record(
        session,
        at=now,
        actor=ACTOR,
        action="review_item.facts_changed",
        entity="review_item",
        entity_id=item.id,
        reason=reason,
    )
