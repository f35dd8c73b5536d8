"""How we answered: first-response times, what became of the suggested replies, urgent cases.

A complaint's response time is its first sent reply's ``sent_at`` minus the comment's
``created_at``. Only answered complaints' two timestamps are read (a team sends hundreds of
replies, not millions); every other number is counted by the database. Median is the middle
value (the mean of the two middle ones for an even count); p90 is the nearest-rank 90th
percentile: the smallest time that at least 90 % of the answered complaints beat or equal.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from crisis.report_period import Period
from crisis.report_sql import (
    in_period,
    is_complaint,
    labelled_by,
    review_join,
    star,
    urgent_nonempty,
)
from crisis.tables import Classification, Comment, ReviewItem, SentReply

HOUR = timedelta(hours=1)
REVIEW_STATES = ("pending", "approved", "sent", "failed", "rejected")


@dataclass(frozen=True, slots=True)
class Answered:
    comment_at: datetime
    service: str | None
    sent_at: datetime

    @property
    def waited(self) -> timedelta:
        return self.sent_at - self.comment_at


@dataclass
class ResponseStats:
    complaints: int
    answered: int
    within_hour: int
    median: timedelta | None
    p90: timedelta | None

    @property
    def answered_share(self) -> float:
        return self.answered / self.complaints if self.complaints else 0.0

    @property
    def within_hour_share(self) -> float:
        return self.within_hour / self.complaints if self.complaints else 0.0


@dataclass
class Urgent:
    comments: int = 0
    by_reason: dict[str, dict[str, int]] = field(default_factory=dict)  # reason -> state -> n
    handled_by: list[tuple[str, int]] = field(default_factory=list)


def answered_complaints(
    session: Session, period: Period, model: str | None, own_authors: Sequence[str]
) -> list[Answered]:
    """Complaints of the period that got a reply, with their first reply's time."""
    if model is None:
        return []
    first_sent = func.min(col(SentReply.sent_at))
    query = (
        sa_select(col(Comment.created_at), col(Classification.service), first_sent)
        .select_from(SentReply)
        .join(ReviewItem, col(ReviewItem.id) == col(SentReply.review_item_id))
        .join(Comment, review_join())
        .join(Classification, labelled_by(model))
        .where(*in_period(period, own_authors), is_complaint())
        .group_by(col(Comment.id), col(Comment.created_at), col(Classification.service))
    )
    rows = session.connection().execute(query)
    return [Answered(_utc(at), service, _utc(sent)) for at, service, sent in rows]


def response_stats(complaints: int, answered: Sequence[Answered]) -> ResponseStats:
    waits = sorted(a.waited for a in answered)
    return ResponseStats(
        complaints=complaints,
        answered=len(waits),
        within_hour=sum(w <= HOUR for w in waits),
        median=_median(waits),
        p90=waits[math.ceil(0.9 * len(waits)) - 1] if waits else None,
    )


def review_states(
    session: Session, period: Period, own_authors: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Replies about the period's comments by state: ``{"suggested"|"for a human": {state: n}}``."""
    query = (
        sa_select(col(ReviewItem.needs_human), col(ReviewItem.state), star())
        .select_from(ReviewItem)
        .join(Comment, review_join())
        .where(*in_period(period, own_authors))
        .group_by(col(ReviewItem.needs_human), col(ReviewItem.state))
    )
    found: dict[str, dict[str, int]] = {
        kind: dict.fromkeys(REVIEW_STATES, 0) for kind in ("suggested", "for a human")
    }
    for needs_human, state, n in session.connection().execute(query):
        found["for a human" if needs_human else "suggested"][state] = int(n)
    return found


def urgent_cases(
    session: Session, period: Period, model: str | None, own_authors: Sequence[str]
) -> Urgent:
    """Urgent comments (churn, legal, business, vulnerable, safety) and what became of them."""
    urgent = Urgent()
    if model is None:
        return urgent
    query = (
        sa_select(col(Classification.urgent), col(ReviewItem.state), col(ReviewItem.decided_by))
        .select_from(Comment)
        .join(Classification, labelled_by(model))
        .outerjoin(ReviewItem, review_join())
        .where(*in_period(period, own_authors), urgent_nonempty())
    )
    by_reason: dict[str, Counter[str]] = defaultdict(Counter)
    people: Counter[str] = Counter()
    for reasons, state, decided_by in session.connection().execute(query):
        urgent.comments += 1
        for reason in dict.fromkeys(reasons or []):
            by_reason[str(reason)][state or "not in the queue"] += 1
        if decided_by:
            people[decided_by] += 1
    urgent.by_reason = {
        r: dict(by_reason[r])
        for r in sorted(by_reason, key=lambda r: (-sum(by_reason[r].values()), r))
    }
    urgent.handled_by = people.most_common()
    return urgent


def _median(waits: Sequence[timedelta]) -> timedelta | None:
    if not waits:
        return None
    return timedelta(seconds=statistics.median(w.total_seconds() for w in waits))


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
