"""The review queue: pending -> approved (maybe edited) -> sent | failed, or rejected.

An approved reply not sent yet can be taken back to pending: by a person who edits it, or by
the responder when the incident's facts changed (``crisis.replies.incident_changes``).

Each decision is one function that refuses an invalid move and is audited with who made it.
It is a compare-and-set: ``lock_item`` locks the row before reading it, so of two people
deciding at the same moment the second waits, reads the first one's outcome and is refused
(``InvalidTransition``: 409 in the web app, saying what the item is now).
The queue page reads stored sort columns under one index: urgent first, then the author's
reach, then the oldest (the SLA clock runs from the comment's arrival). Bulk approval lives in
``crisis.replies.bulk``, sending in ``crisis.replies.sending``; which replies a resolved
incident's follow-up answers instead in ``crisis.replies.answered``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, or_, update
from sqlmodel import Session, col, select

from crisis import audit
from crisis.clock import local_time
from crisis.errors import (
    AnsweredByFollowUp,
    InvalidReply,
    InvalidTransition,
    NotFound,
    StateChanged,
    UnknownName,
)
from crisis.platform_text import too_long
from crisis.replies.answered import answering_follow_up
from crisis.states import REVIEW_TRANSITIONS, move
from crisis.tables import Incident, ReviewItem

KINDS = ("reply", "follow_up")


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Which items a listing shows; ``None`` means any."""

    state: str | None = "pending"
    incident_id: int | None = None
    service: str | None = None
    platform: str | None = None
    lang: str | None = None
    kind: str | None = None
    urgent: bool | None = None  # True: only items a person must answer; False: only templates
    # "my items" (assigned to or claimed by this person) or only those nobody has; claims made
    # before ``claims_from`` have expired (crisis.replies.claims)
    mine: str | None = None
    unassigned: bool = False
    claims_from: datetime | None = None


def get_item(session: Session, item_id: int) -> ReviewItem:
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(f"no review item with id {item_id}")
    return item


def lock_item(session: Session, item_id: int) -> ReviewItem:
    """The item as committed now, its row locked until this transaction ends."""
    # A write before the read: PostgreSQL locks the row (a colleague's decision waits, then
    # reads this one's outcome); SQLite takes its write lock before the read, so the read sees
    # the last committed state (SELECT ... FOR UPDATE does nothing there, and a read first
    # would let a second writer overwrite the first).
    touch = update(ReviewItem).where(col(ReviewItem.id) == item_id).values(state=ReviewItem.state)
    session.execute(touch.execution_options(synchronize_session=False))
    item = session.get(ReviewItem, item_id, populate_existing=True)
    if item is None:
        raise NotFound(f"no review item with id {item_id}")
    return item


def list_items(
    session: Session,
    *,
    state: str | None = "pending",
    where: QueueFilter | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ReviewItem]:
    """Items in queue order: urgent first, then the widest reach, then the oldest comment."""
    chosen = where or QueueFilter(state=state)
    check_filter(session, chosen)
    query = select(ReviewItem).order_by(
        col(ReviewItem.urgency_rank),
        col(ReviewItem.reach_rank),
        col(ReviewItem.arrived_at),
        col(ReviewItem.id),
    )
    for column, value in (
        (ReviewItem.state, chosen.state),
        (ReviewItem.incident_id, chosen.incident_id),
        (ReviewItem.service, chosen.service),
        (ReviewItem.platform, chosen.platform),
        (ReviewItem.lang, chosen.lang),
        (ReviewItem.kind, chosen.kind),
        (ReviewItem.needs_human, chosen.urgent),
    ):
        if value is not None:
            query = query.where(column == value)
    for condition in who_conditions(chosen):
        query = query.where(condition)
    return list(session.exec(query.offset(offset).limit(limit)))


def who_conditions(where: QueueFilter) -> list[Any]:
    """The "my items" / "unassigned" part of a filter as SQL conditions."""
    since = where.claims_from or datetime.max.replace(tzinfo=UTC)
    claimed_now = col(ReviewItem.claimed_at) > since
    found: list[Any] = []
    if where.mine is not None:
        found.append(
            or_(
                col(ReviewItem.assigned_to) == where.mine,
                and_(col(ReviewItem.claimed_by) == where.mine, claimed_now),
            )
        )
    if where.unassigned:
        found.append(col(ReviewItem.assigned_to).is_(None))
        found.append(or_(col(ReviewItem.claimed_by).is_(None), col(ReviewItem.claimed_at) <= since))
    return found


def check_filter(session: Session, where: QueueFilter) -> None:
    """Refuse a filter that can match nothing because a value does not exist, saying which do."""
    if where.state is not None and where.state not in REVIEW_TRANSITIONS:
        raise UnknownName("review item state", where.state, REVIEW_TRANSITIONS)
    if where.kind is not None and where.kind not in KINDS:
        raise UnknownName("review item kind", where.kind, KINDS)
    if where.incident_id is not None and session.get(Incident, where.incident_id) is None:
        raise NotFound(f"no incident with id {where.incident_id}")
    for name, column, value in (
        ("platform", ReviewItem.platform, where.platform),
        ("language", ReviewItem.lang, where.lang),
        ("service", ReviewItem.service, where.service),
    ):
        if value is None:
            continue
        if value and session.exec(select(column).where(column == value).limit(1)).first():
            continue  # there: found at once, without reading every row for the list below
        present = sorted(str(v) for v in session.exec(select(column).distinct()) if v)
        raise NotFound(
            f"no items for {name} {value} ({name}s in the queue: {', '.join(present) or '-'})"
        )


def edit(session: Session, item_id: int, *, text: str, actor: str, now: datetime) -> ReviewItem:
    """Change a pending item's text; it stays pending until someone approves it. An approved
    (or failed) one not sent yet is taken back ("reopened", audited) and is pending again."""
    item = lock_item(session, item_id)
    if item.state not in ("pending", "approved", "failed"):
        raise refused(item, "edited")
    check_text(item, text)
    if item.state != "pending":
        move_item(session, item, "pending", actor=actor, now=now, reason="reopened for editing")
    before = item.text
    item.text, item.edited_by, item.edited_at, item.facts_changed = text, actor, now, False
    session.add(item)
    audit.record(
        session,
        at=now,
        actor=actor,
        action="review_item.edited",
        entity="review_item",
        entity_id=item_id,
        details={"before": before, "after": text, "chars": [len(before), len(text)]},
    )
    return item


def approve(
    session: Session,
    item_id: int,
    *,
    actor: str,
    now: datetime,
    text: str | None = None,
    bulk_id: int | None = None,
    force: bool = False,
) -> ReviewItem:
    """Approve a suggestion, optionally with the reviewer's own wording. A reply of a resolved
    incident whose customer a follow-up answers is refused unless ``force`` (audited)."""
    item = lock_item(session, item_id)
    final = item.text if text is None else text
    follow_up = answering_follow_up(session, item)
    if item.state == "approved" and follow_up is not None and force and text is None:
        _confirm(session, item, follow_up, actor=actor, now=now)  # approved before, held since
        return item
    if "approved" not in REVIEW_TRANSITIONS.get(item.state, frozenset()):
        raise refused(item, "approved")
    check_text(item, final)
    if follow_up is not None and not force:
        raise AnsweredByFollowUp(item_id, item.incident_id, follow_up.id)
    reasons: list[str] = []
    edited = final != item.text
    details: dict[str, object] = {"edited": edited}
    if item.attempts or item.last_error:  # approved again by a person: a fresh round of tries
        details["attempts_reset"] = {"attempts": item.attempts, "last_error": item.last_error}
        item.attempts, item.last_error = 0, None
    item.next_attempt_at = None
    if edited:
        item.edited_by, item.edited_at = actor, now
    item.text = final
    if item.needs_human:
        details["needs_human"] = list(item.reasons)
    if bulk_id is not None:
        details["bulk"] = bulk_id
    if follow_up is not None:
        details.update(force=True, follow_up=follow_up.id)
        reasons.append(
            f"approved despite follow-up #{follow_up.id} (incident #{item.incident_id} resolved)"
        )
    if item.facts_changed:  # the reviewer saw the warning and approves with it in view
        details["facts_changed"] = True
        reasons.append("approved despite changed facts")
        item.facts_changed = False
    reason = "; ".join(reasons) or None
    move_item(session, item, "approved", actor=actor, now=now, reason=reason, details=details)
    return item


def _confirm(
    session: Session, item: ReviewItem, follow_up: ReviewItem, *, actor: str, now: datetime
) -> None:
    """A person approves again, with force, a reply held because a follow-up answers too."""
    audit.record(
        session,
        at=now,
        actor=actor,
        action="review_item.approved",
        entity="review_item",
        entity_id=item.id,
        reason=f"approved despite follow-up #{follow_up.id} "
        f"(incident #{item.incident_id} resolved)",
        details={"state": ["approved", "approved"], "force": True, "follow_up": follow_up.id},
    )
    item.decided_by, item.decided_at = actor, now
    session.add(item)


def reject(
    session: Session, item_id: int, *, actor: str, now: datetime, reason: str | None = None
) -> ReviewItem:
    item = lock_item(session, item_id)
    if "rejected" not in REVIEW_TRANSITIONS.get(item.state, frozenset()):
        raise refused(item, "rejected")
    move_item(session, item, "rejected", actor=actor, now=now, reason=reason)
    return item


def refused(item: ReviewItem, wanted: str) -> InvalidTransition:
    """Why ``item`` cannot become ``wanted``, in a reviewer's words: who decided it, when."""
    name = f"review item #{item.id}"
    if item.state in ("approved", "rejected", "sent"):
        by = f" (by {item.decided_by} at {local_time(item.decided_at)})" if item.decided_by else ""
        done = "already " if item.state == wanted else ""
        message = f"{name} is {done}{item.state}{by}"
        if item.state == "rejected":
            message += "; a rejected reply is never sent"
        elif item.state == "sent":
            message += "; a sent reply cannot be changed"
    elif item.state == "pending" and wanted == "sent":
        message = f"{name} is pending: approve it first"
    else:
        message = ""
    error = InvalidTransition(f"review item {item.id}", item.state, wanted, message)
    if item.state in ("approved", "rejected", "sent") and item.decided_by:
        return error.said_as(
            f"item_decided_{item.state}", id=item.id, by=item.decided_by,
            at=local_time(item.decided_at),
        )  # fmt: skip
    if item.state == "pending" and wanted == "sent":
        return error.said_as("item_approve_first", id=item.id)
    return error


def check_text(item: ReviewItem, text: str) -> None:
    """Refuse an empty reply or one the platform would refuse as too long."""
    if not text.strip():
        raise InvalidReply(item.id, "the reply is empty: write one")
    problem = too_long(item.platform, text)
    if problem:
        raise InvalidReply(item.id, problem)


def move_item(
    session: Session,
    item: ReviewItem,
    state: str,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    details: dict[str, object] | None = None,
) -> None:
    """The one way a review item changes state: checked, audited, and recorded as decided.
    The change is a compare-and-set in the database: if the row is no longer in the state this
    transaction read (someone else's decision committed in between), nothing changes and
    ``InvalidTransition`` says what the item is now."""
    allowed = state in REVIEW_TRANSITIONS.get(item.state, frozenset())
    if allowed and not _compare_and_set(session, item, state):
        session.refresh(item)
        lost = refused(item, state)
        raise StateChanged(lost.entity, lost.current, state, str(lost))
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


def _compare_and_set(session: Session, item: ReviewItem, state: str) -> bool:
    claim = (
        update(ReviewItem)
        .where(col(ReviewItem.id) == item.id, col(ReviewItem.state) == item.state)
        .values(state=state)
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], session.execute(claim))
    return result.rowcount == 1
