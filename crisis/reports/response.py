"""How fast we answered: first-response times per complaint and per customer.

A customer is an author on one platform. A complaint counts as answered when we sent that
customer, on that platform, a reply or a follow-up at or after the complaint (the reply to their
first complaint answers a second one made before it went out; the follow-up after an incident
answers a complaint whose own reply it superseded). Its first-response time runs from the
complaint to the first such answer. Per customer: from their first complaint in the window to
the first answer at or after it. Answers sent after the window still count.

Median is the middle value (the mean of the two middle ones for an even count); p90 is the
nearest-rank 90th percentile: the smallest time that at least 90 % of the answered beat or
equal. The database counts the complaints and customers and pairs them with the sent answers;
only answered ones' two timestamps come back to Python.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from crisis.reports.period import Period
from crisis.reports.sql import (
    answers_to,
    in_period,
    is_complaint,
    labelled_by,
    sent_answers,
    star,
)
from crisis.tables import Classification, Comment

HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Waits:
    """First responses over complaints, or over customers."""

    total: int
    answered: int
    within_hour: int
    median: timedelta | None
    p90: timedelta | None

    @property
    def answered_share(self) -> float:
        return self.answered / self.total if self.total else 0.0

    @property
    def within_hour_share(self) -> float:
        return self.within_hour / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class ResponseStats:
    """First responses to the complaints made in ``[start, end)``."""

    start: datetime
    end: datetime
    complaints: Waits
    customers: Waits


def response_in(
    session: Session,
    window: Period,
    model: str | None,
    own_authors: Sequence[str],
    *,
    services: Sequence[str] | None = None,
) -> ResponseStats:
    """First responses to the complaints of ``window`` (about ``services`` when given)."""
    if model is None or window.end <= window.start:
        return ResponseStats(window.start, window.end, waits(0, []), waits(0, []))
    conditions = [*in_period(window, own_authors), is_complaint()]
    if services is not None:
        conditions.append(col(Classification.service).in_(list(services)))
    customers = (
        sa_select(col(Comment.platform), col(Comment.author), star().label("complaints"))
        .join(Classification, labelled_by(model))
        .where(*conditions)
        .group_by(col(Comment.platform), col(Comment.author))
        .subquery("customers")
    )
    connection = session.connection()
    n_customers, n_complaints = connection.execute(
        sa_select(star(), func.coalesce(func.sum(customers.c.complaints), 0))
    ).one()
    answers = sent_answers()
    answered = (
        sa_select(
            col(Comment.platform),
            col(Comment.author),
            col(Comment.created_at),
            func.min(answers.c.sent_at),
        )
        .join(Classification, labelled_by(model))
        .join(answers, answers_to(Comment, answers, col(Comment.created_at)))
        .where(*conditions, col(Comment.author).in_(sa_select(answers.c.author)))
        .group_by(
            col(Comment.id), col(Comment.platform), col(Comment.author), col(Comment.created_at)
        )
    )
    complaints: list[timedelta] = []
    firsts: dict[tuple[str, str], tuple[datetime, timedelta]] = {}
    for platform, author, asked, sent in connection.execute(answered):
        waited = _utc(sent) - _utc(asked)
        complaints.append(waited)
        # A customer is answered exactly when their first complaint is (an answer after a later
        # one also follows the first), so their first answered complaint is their first.
        first = firsts.get((platform, author))
        if first is None or _utc(asked) < first[0]:
            firsts[(platform, author)] = (_utc(asked), waited)
    return ResponseStats(
        window.start,
        window.end,
        complaints=waits(int(n_complaints), complaints),
        customers=waits(int(n_customers), [waited for _, waited in firsts.values()]),
    )


def waits(total: int, waited: Sequence[timedelta]) -> Waits:
    ordered = sorted(waited)
    return Waits(
        total=total,
        answered=len(ordered),
        within_hour=sum(w <= HOUR for w in ordered),
        median=_median(ordered),
        p90=ordered[math.ceil(0.9 * len(ordered)) - 1] if ordered else None,
    )


def _median(waited: Sequence[timedelta]) -> timedelta | None:
    if not waited:
        return None
    return timedelta(seconds=statistics.median(w.total_seconds() for w in waited))


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
