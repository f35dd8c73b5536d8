"""Sending approved replies: at most once each, failures retried with backoff and visible.

Every reply goes out under the idempotency key ``reply:<item id>``; the real publisher
(``registry.make_publisher``: ``OnceOnlyPublisher``) commits that key before it calls the
platform and looks the reply up after a crash, so a reply whose platform call succeeded but
whose success was never recorded here is found, not posted again. A refused or failed call moves
the item to ``failed`` with its error, the number of attempts and when to try next (exponential
backoff with jitter, capped; a rate limit waits for its reset). After ``max_attempts`` the item
stays failed until a person approves it again or rejects it. An attempt the publisher refuses
because another one is still in flight (``InFlight``) is no failed attempt: it waits. Nor is
one to a platform whose credentials are not configured (``ConfigError``, raised before anything
is recorded): the item stays approved, its attempts uncounted, and the others go out.

No database transaction stays open across the platform call: what to send is read and the
session closed, the platform is called, and the result is recorded in a new short transaction
that changes the item only if it is still approved or failed (a conditional ``UPDATE``), so two
overlapping senders, or a reply taken back meanwhile, never overwrite each other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, update
from sqlmodel import Session, col, or_, select

from crisis import audit
from crisis.db import session_scope
from crisis.domain import OutgoingPost
from crisis.errors import (
    ConfigError,
    ConnectorError,
    CrisisError,
    InFlight,
    InvalidTransition,
    NotFound,
    RateLimited,
    UnknownName,
)
from crisis.protocols import Clock, Publisher
from crisis.replies.answered import held_reason
from crisis.replies.queue import get_item, refused
from crisis.settings import Settings
from crisis.tables import Comment, ReviewItem, SentReply

SENDABLE = ("approved", "failed")


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
    waiting: list[tuple[int, datetime]] = field(default_factory=list)  # another attempt runs
    skipped: list[tuple[int, str]] = field(default_factory=list)  # changed while sending
    taken: list[tuple[int, str]] = field(default_factory=list)  # another sender got there first
    not_configured: list[tuple[int, str]] = field(default_factory=list)  # left approved
    held: list[tuple[int, str]] = field(default_factory=list)  # a follow-up answers instead


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one send: ``state`` is sent, failed, gave_up, waiting, skipped,
    not_configured or held (both: nothing attempted, nothing recorded)."""

    item_id: int
    state: str
    error: str | None = None
    next_attempt_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An item's reply as read before the platform call; ``held``: why it is not sent."""

    item_id: int
    state: str
    attempts: int
    post: OutgoingPost
    held: str | None = None


def key_for(item: ReviewItem) -> str:
    return f"reply:{item.id}"


def prepare(session: Session, item_id: int) -> Outgoing:
    """The reply of an approved (or failed, to retry) item; a sent or pending one is refused."""
    item = get_item(session, item_id)
    if item.state not in SENDABLE:
        raise refused(item, "sent")
    comment = session.get(Comment, item.comment_id)
    if comment is None:
        raise NotFound(f"comment {item.comment_id} of review item {item_id} is gone")
    post = OutgoingPost(
        channel=comment.platform,
        text=item.text,
        idempotency_key=key_for(item),
        in_reply_to=comment.external_id,
    )
    return Outgoing(item_id, item.state, item.attempts, post, held_reason(session, item))


def send(
    engine: Engine,
    item_id: int,
    publisher: Publisher,
    *,
    actor: str,
    clock: Clock,
    retry: Retry | None = None,
) -> Outcome:
    """Publish an approved (or failed) reply once, holding no transaction during the call."""
    retry = retry or Retry()
    with session_scope(engine) as session:
        outgoing = prepare(session, item_id)
    if outgoing.held is not None:
        return Outcome(item_id, "held", outgoing.held)
    try:
        external_id = publisher.publish(outgoing.post)
    except InFlight as exc:
        return _waiting(engine, outgoing, exc, now=clock.now())
    except ConfigError as exc:  # raised before any platform call: the item stays as it is
        return Outcome(item_id, "not_configured", str(exc))
    except ConnectorError as exc:
        return _failed(engine, outgoing, exc, actor=actor, now=clock.now(), retry=retry)
    except UnknownName as exc:  # no publisher for this platform: retrying will not help
        gave_up = replace_attempts(outgoing, retry.max_attempts - 1)
        error = ConnectorError(str(exc))
        return _failed(engine, gave_up, error, actor=actor, now=clock.now(), retry=retry)
    now = clock.now()
    with session_scope(engine) as session:
        attempts = outgoing.attempts + 1
        values = {"attempts": attempts, "last_error": None, "next_attempt_at": None}
        if not _record(session, outgoing, "sent", values, actor=actor, now=now):
            return _skipped(engine, outgoing, "it went out, but the item changed meanwhile")
        session.add(
            SentReply(
                review_item_id=item_id,
                idempotency_key=outgoing.post.idempotency_key,
                platform=outgoing.post.channel,
                external_id=external_id,
                sent_at=now,
            )
        )
    return Outcome(item_id, "sent")


def replace_attempts(outgoing: Outgoing, attempts: int) -> Outgoing:
    return Outgoing(
        outgoing.item_id, outgoing.state, max(outgoing.attempts, attempts), outgoing.post
    )


def _failed(
    engine: Engine,
    outgoing: Outgoing,
    exc: ConnectorError,
    *,
    actor: str,
    now: datetime,
    retry: Retry,
) -> Outcome:
    attempts = outgoing.attempts + 1
    when: datetime | None = None
    if attempts < retry.max_attempts:
        when = retry.next_at(outgoing.item_id, attempts, now)
        if isinstance(exc, RateLimited) and exc.reset_at is not None:
            when = max(when, exc.reset_at)
    # else: a person decides now: approve again, or reject
    error = str(exc)[:2000]
    values = {"attempts": attempts, "last_error": error, "next_attempt_at": when}
    with session_scope(engine) as session:
        recorded = _record(
            session,
            outgoing,
            "failed",
            values,
            actor=actor,
            now=now,
            reason=str(exc),
            details={"next_attempt_at": when.isoformat() if when else None},
        )
    if not recorded:
        return _skipped(engine, outgoing, f"failed ({error}), but the item changed meanwhile")
    return Outcome(outgoing.item_id, "failed" if when else "gave_up", error, when)


def _waiting(engine: Engine, outgoing: Outgoing, exc: InFlight, *, now: datetime) -> Outcome:
    """Another attempt is on it: no failed attempt, just look again after its grace."""
    when = exc.retry_at or now
    with session_scope(engine) as session:
        session.execute(
            update(ReviewItem)
            .where(col(ReviewItem.id) == outgoing.item_id, col(ReviewItem.state).in_(SENDABLE))
            .values(next_attempt_at=when)
        )
    return Outcome(outgoing.item_id, "waiting", str(exc), when)


def _skipped(engine: Engine, outgoing: Outgoing, why: str) -> Outcome:
    with session_scope(engine) as session:
        state = get_item(session, outgoing.item_id).state
    return Outcome(outgoing.item_id, "skipped", f"{why} (now {state})")


def _record(
    session: Session,
    outgoing: Outgoing,
    state: str,
    values: dict[str, Any],
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> bool:
    """Move the item to ``state`` only if it is still approved or failed; audited."""
    result = session.execute(
        update(ReviewItem)
        .where(col(ReviewItem.id) == outgoing.item_id, col(ReviewItem.state).in_(SENDABLE))
        .values(state=state, decided_by=actor, decided_at=now, **values)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    audit.record(
        session,
        at=now,
        actor=actor,
        action=f"review_item.{state}",
        entity="review_item",
        entity_id=outgoing.item_id,
        reason=reason,
        details={
            "state": [outgoing.state, state],
            "attempts": values["attempts"],
            **(details or {}),
        },
    )
    return True


def due_ids(session: Session, *, now: datetime, retry: Retry) -> list[int]:
    """Approved items (unless another attempt is on them), and failed ones whose next attempt
    has come, oldest decision first."""
    waited = or_(col(ReviewItem.next_attempt_at).is_(None), col(ReviewItem.next_attempt_at) <= now)
    query = (
        select(ReviewItem.id)
        .where(
            or_(
                and_(col(ReviewItem.state) == "approved", waited),
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


def preview(
    session: Session, *, now: datetime, retry: Retry | None = None, only: int | None = None
) -> list[Outgoing]:
    """What ``send_due`` would send now, changing nothing (a dry run)."""
    ids = [only] if only is not None else due_ids(session, now=now, retry=retry or Retry())
    return [prepare(session, item_id) for item_id in ids]


def send_due(
    engine: Engine,
    publisher: Publisher,
    *,
    actor: str,
    clock: Clock,
    retry: Retry | None = None,
    only: int | None = None,
) -> SendReport:
    """Send every due item (or just ``only``), each on its own. An item that another sender
    (or a person) took after the list was read is skipped and counted in ``taken``."""
    retry = retry or Retry()
    with session_scope(engine) as session:
        ids = [only] if only is not None else due_ids(session, now=clock.now(), retry=retry)
    report = SendReport()
    for item_id in ids:
        try:
            outcome = send(engine, item_id, publisher, actor=actor, clock=clock, retry=retry)
        except (InvalidTransition, NotFound) as exc:
            if only is not None:
                raise  # the one asked for: say why it cannot be sent
            # Due when the list was read, sent (or taken back) by another ``send --all`` or a
            # person since: not this run's to send, and no reason to stop the rest.
            report.taken.append((item_id, _taken(exc)))
            continue
        if outcome.state == "sent":
            report.sent.append(item_id)
        elif outcome.state == "gave_up":
            report.gave_up.append(item_id)
        elif outcome.state == "waiting" and outcome.next_attempt_at is not None:
            report.waiting.append((item_id, outcome.next_attempt_at))
        elif outcome.state == "skipped":
            report.skipped.append((item_id, outcome.error or ""))
        elif outcome.state == "not_configured":
            report.not_configured.append((item_id, outcome.error or ""))
        elif outcome.state == "held":
            report.held.append((item_id, outcome.error or ""))
        else:
            report.failed.append((item_id, outcome.error or ""))
    return report


def _taken(exc: CrisisError) -> str:
    if isinstance(exc, InvalidTransition) and exc.current == "sent":
        return f"sent by another sender meanwhile ({exc})"
    return f"changed meanwhile ({exc})"


def _id(item: ReviewItem) -> int:
    if item.id is None:
        raise CrisisError("review item has no id before flush")
    return item.id


def retry_from(settings: Settings) -> Retry:
    """The retry schedule the settings ask for (``CRISIS_SEND_*``)."""
    return Retry(
        max_attempts=settings.send_max_attempts,
        first=timedelta(seconds=settings.send_retry_seconds),
        cap=timedelta(seconds=settings.send_retry_max_seconds),
    )
