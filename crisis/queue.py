"""The review queue: pending -> approved (maybe edited) -> sent | failed, or rejected.

Each decision is one function that refuses an invalid move and is audited with who made it.
Sending records the reply under an idempotency key, so a reply goes out at most once.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from crisis.domain import OutgoingPost
from crisis.errors import ConnectorError, InvalidTransition, NotFound
from crisis.protocols import Publisher
from crisis.states import REVIEW_TRANSITIONS, move
from crisis.tables import Comment, ReviewItem, SentReply


def get_item(session: Session, item_id: int) -> ReviewItem:
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(f"no review item with id {item_id}")
    return item


def list_items(session: Session, *, state: str | None = "pending") -> list[ReviewItem]:
    query = select(ReviewItem).order_by(
        col(ReviewItem.priority).desc(), col(ReviewItem.created_at), col(ReviewItem.id)
    )
    if state is not None:
        query = query.where(ReviewItem.state == state)
    return list(session.exec(query))


def approve(
    session: Session, item_id: int, *, actor: str, now: datetime, text: str | None = None
) -> ReviewItem:
    """Approve a suggestion, optionally with the reviewer's own wording."""
    item = get_item(session, item_id)
    final = item.text if text is None else text
    if not final.strip():
        raise InvalidTransition(f"review item {item_id}", item.state, "approved (reply is empty)")
    edited = final != item.text
    item.text = final
    _move(session, item, "approved", actor=actor, now=now, details={"edited": edited})
    return item


def reject(
    session: Session, item_id: int, *, actor: str, now: datetime, reason: str | None = None
) -> ReviewItem:
    item = get_item(session, item_id)
    _move(session, item, "rejected", actor=actor, now=now, reason=reason)
    return item


def send(
    session: Session, item_id: int, publisher: Publisher, *, actor: str, now: datetime
) -> ReviewItem:
    """Publish an approved reply once; a second call for a sent item is refused.

    The real publisher (``registry.make_publisher``) commits its own record of the attempt
    before calling the platform, so on SQLite ``session`` must have no writes pending here.
    """
    item = get_item(session, item_id)
    if item.state != "approved":
        raise InvalidTransition(f"review item {item_id}", item.state, "sent")
    comment = session.get(Comment, item.comment_id)
    if comment is None:
        raise NotFound(f"comment {item.comment_id} of review item {item_id} is gone")
    key = f"reply:{item.id}"
    post = OutgoingPost(
        channel=comment.platform,
        text=item.text,
        idempotency_key=key,
        in_reply_to=comment.external_id,
    )
    try:
        external_id = publisher.publish(post)
    except ConnectorError as exc:
        _move(session, item, "failed", actor=actor, now=now, reason=str(exc))
        return item
    session.add(
        SentReply(
            review_item_id=item_id,
            idempotency_key=key,
            platform=comment.platform,
            external_id=external_id,
            sent_at=now,
        )
    )
    _move(session, item, "sent", actor=actor, now=now)
    return item


def _move(
    session: Session,
    item: ReviewItem,
    state: str,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    details: dict[str, object] | None = None,
) -> None:
    move(
        session,
        item,
        state,
        transitions=REVIEW_TRANSITIONS,
        entity="review_item",
        entity_id=item.id,
        actor=actor,
        now=now,
        reason=reason,
        details=details,
    )
    item.decided_by, item.decided_at = actor, now
