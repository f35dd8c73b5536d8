"""Sending approved replies: at most once each, failures retried with backoff and visible.

Every reply goes out under the idempotency key ``reply:<item id>``; the real publisher
(``registry.make_publisher``: ``OnceOnlyPublisher``) commits that key before it calls the
platform and looks the reply up after a crash, so a reply whose platform call succeeded but
whose success was never recorded here is found, not posted again. A refused or failed call moves
the item to ``failed`` with its error, the number of attempts and when to try next (exponential
backoff with jitter, capped; a rate limit waits for its reset). After ``max_attempts`` the item
stays failed until a person approves it again or rejects it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_
from sqlmodel import Session, col, or_, select

from crisis.db import session_scope
from crisis.domain import OutgoingPost
from crisis.errors import (
    ConnectorError,
    CrisisError,
    InvalidTransition,
    NotFound,
    RateLimited,
    UnknownName,
)
from crisis.protocols import Clock, Publisher
from crisis.queue import _move, get_item
from crisis.tables import Comment, ReviewItem, SentReply


@dataclass(frozen=True, slots=True)
class Retry:
    max_attempts: int = 5
    first: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=1)

    def next_at(self, item_id: int, attempts: int, now: datetime) -> datetime:
        """``first`` doubled per attempt up to ``cap``, times a jitter in [0.5, 1) that is the
        same for the same item and attempt (so a test or a re-run sees the same schedule)."""
        base = min(self.cap, self.first * (1 << min(max(attempts - 1, 0), 30)))
        digest = hashlib.blake2b(f"{item_id}:{attempts}".encode(), digest_size=4).digest()
        jitter = 0.5 + int.from_bytes(digest, "big") / 2**33
        return now + base * jitter


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    gave_up: list[int] = field(default_factory=list)


def key_for(item: ReviewItem) -> str:
    return f"reply:{item.id}"


def send(
    session: Session,
    item_id: int,
    publisher: Publisher,
    *,
    actor: str,
    now: datetime,
    retry: Retry | None = None,
) -> ReviewItem:
    """Publish an approved (or failed, to retry) reply once; a sent one is refused.

    With the real publisher ``session`` must have no writes pending here on SQLite: the
    publisher commits its own record of the attempt first.
    """
    retry = retry or Retry()
    item = get_item(session, item_id)
    if item.state not in ("approved", "failed"):
        raise InvalidTransition(f"review item {item_id}", item.state, "sent")
    comment = session.get(Comment, item.comment_id)
    if comment is None:
        raise NotFound(f"comment {item.comment_id} of review item {item_id} is gone")
    post = OutgoingPost(
        channel=comment.platform,
        text=item.text,
        idempotency_key=key_for(item),
        in_reply_to=comment.external_id,
    )
    try:
        external_id = publisher.publish(post)
    except ConnectorError as exc:
        _failed(session, item, exc, actor=actor, now=now, retry=retry)
        return item
    except UnknownName as exc:  # no publisher for this platform: retrying will not help
        item.attempts = max(item.attempts, retry.max_attempts - 1)
        _failed(session, item, ConnectorError(str(exc)), actor=actor, now=now, retry=retry)
        return item
    session.add(
        SentReply(
            review_item_id=item_id,
            idempotency_key=post.idempotency_key,
            platform=comment.platform,
            external_id=external_id,
            sent_at=now,
        )
    )
    item.attempts += 1
    item.last_error, item.next_attempt_at = None, None
    _move(session, item, "sent", actor=actor, now=now, details={"attempts": item.attempts})
    return item


def _failed(
    session: Session,
    item: ReviewItem,
    exc: ConnectorError,
    *,
    actor: str,
    now: datetime,
    retry: Retry,
) -> None:
    item.attempts += 1
    item.last_error = str(exc)[:2000]
    if item.attempts >= retry.max_attempts:
        item.next_attempt_at = None  # a person decides now: approve again, or reject
    else:
        when = retry.next_at(_id(item), item.attempts, now)
        if isinstance(exc, RateLimited) and exc.reset_at is not None:
            when = max(when, exc.reset_at)
        item.next_attempt_at = when
    _move(
        session,
        item,
        "failed",
        actor=actor,
        now=now,
        reason=str(exc),
        details={
            "attempts": item.attempts,
            "next_attempt_at": item.next_attempt_at.isoformat() if item.next_attempt_at else None,
        },
    )


def due_ids(session: Session, *, now: datetime, retry: Retry) -> list[int]:
    """Approved items, and failed ones whose next attempt has come, oldest decision first."""
    query = (
        select(ReviewItem.id)
        .where(
            or_(
                ReviewItem.state == "approved",
                and_(
                    col(ReviewItem.state) == "failed",
                    col(ReviewItem.next_attempt_at) <= now,
                    col(ReviewItem.attempts) < retry.max_attempts,
                ),
            )
        )
        .order_by(col(ReviewItem.decided_at), col(ReviewItem.id))
    )
    return [item_id for item_id in session.exec(query) if item_id is not None]


def send_due(
    engine: Engine,
    publisher: Publisher,
    *,
    actor: str,
    clock: Clock,
    retry: Retry | None = None,
    only: int | None = None,
) -> SendReport:
    """Send every due item (or just ``only``), each in its own transaction."""
    retry = retry or Retry()
    with session_scope(engine) as session:
        ids = [only] if only is not None else due_ids(session, now=clock.now(), retry=retry)
    report = SendReport()
    for item_id in ids:
        with session_scope(engine) as session:
            item = send(session, item_id, publisher, actor=actor, now=clock.now(), retry=retry)
            if item.state == "sent":
                report.sent.append(item_id)
            elif item.next_attempt_at is None:
                report.gave_up.append(item_id)
            else:
                report.failed.append((item_id, item.last_error or ""))
    return report


def _id(item: ReviewItem) -> int:
    if item.id is None:
        raise CrisisError("review item has no id before flush")
    return item.id
