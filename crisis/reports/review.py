"""What became of the review queue's items: replies and follow-ups by state, urgent cases.

"Rejected" is two different things to management: a person decided not to send (``rejected``),
or the responder withdrew the item itself (``withdrawn``): a pending "we are on it" superseded by
the follow-up once the incident was resolved, or a customer's second reply for the same
incident (see ``crisis.replies.incident_changes``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from crisis.replies.common import ACTOR as RESPONDER
from crisis.reports.period import Period
from crisis.reports.sql import in_period, labelled_by, review_join, star, urgent_nonempty
from crisis.tables import Classification, Comment, ReviewItem

STATES = ("pending", "approved", "sent", "failed", "rejected", "withdrawn")
ROWS = ("suggested", "for a human", "follow-ups")


@dataclass
class Urgent:
    comments: int = 0
    by_reason: dict[str, dict[str, int]] = field(default_factory=dict)  # reason -> state -> n
    handled_by: list[tuple[str, int]] = field(default_factory=list)


def shown_state() -> Any:
    """The item's state, with the responder's own rejections told apart as ``withdrawn``."""
    return case(
        (
            (col(ReviewItem.state) == "rejected") & (col(ReviewItem.decided_by) == RESPONDER),
            "withdrawn",
        ),
        else_=col(ReviewItem.state),
    )


def review_states(
    session: Session, period: Period, own_authors: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Queue items about the period's comments by state: replies suggested, replies flagged for
    a person, and follow-ups (``{row: {state: n}}``, every row and state present)."""
    state = shown_state()
    query = (
        sa_select(col(ReviewItem.kind), col(ReviewItem.needs_human), state, star())
        .select_from(ReviewItem)
        .join(Comment, col(ReviewItem.comment_id) == col(Comment.id))
        .where(*in_period(period, own_authors))
        .group_by(col(ReviewItem.kind), col(ReviewItem.needs_human), state)
    )
    found = {row: dict.fromkeys(STATES, 0) for row in ROWS}
    for kind, needs_human, shown, n in session.connection().execute(query):
        if kind == "follow_up":
            row = "follow-ups"
        elif kind == "reply":
            row = "for a human" if needs_human else "suggested"
        else:
            continue
        found[row][shown] = found[row].get(shown, 0) + int(n)
    return found


def follow_ups_by_incident(
    session: Session, incident_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    """Each incident's follow-ups by state, all of them (also to customers who complained
    before the report's period): did everyone hear that it is fixed?"""
    found = {incident_id: dict.fromkeys(STATES, 0) for incident_id in incident_ids}
    if not found:
        return found
    state = shown_state()
    query = (
        sa_select(col(ReviewItem.incident_id), state, star())
        .where(
            col(ReviewItem.kind) == "follow_up",
            col(ReviewItem.incident_id).in_(list(found)),
        )
        .group_by(col(ReviewItem.incident_id), state)
    )
    for incident_id, shown, n in session.connection().execute(query):
        found[int(incident_id)][shown] = int(n)
    return found


def urgent_cases(
    session: Session, period: Period, model: str | None, own_authors: Sequence[str]
) -> Urgent:
    """Urgent comments (churn, legal, business, vulnerable, safety) and what became of the
    replies to them."""
    urgent = Urgent()
    if model is None:
        return urgent
    query = (
        sa_select(col(Classification.urgent), shown_state(), col(ReviewItem.decided_by))
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
        if decided_by and decided_by != RESPONDER:
            people[decided_by] += 1
    urgent.by_reason = {
        r: dict(by_reason[r])
        for r in sorted(by_reason, key=lambda r: (-sum(by_reason[r].values()), r))
    }
    urgent.handled_by = people.most_common()
    return urgent
