"""First-response targets (the SLA): how long a comment may wait for the team's answer, per
priority, and how the team does against them.

Priorities follow the queue's order: ``urgent`` (a person must answer: legal threats, churn,
vulnerable customers), ``incident`` (a reply about an open incident), ``other``. Targets come
from settings (``CRISIS_SLA_*_MINUTES``); with ``CRISIS_SLA_BUSINESS_HOURS`` ("08:00-20:00",
team time) the clock of ``other`` items runs only in those hours, urgent and incident replies
are answered around the clock.

A comment is answered when a person approved its reply (``decided_at``; sending is the
machine's part), by that person (``decided_by``); rejected items need no answer. A breach is
an answer later than the target, or an item still pending past it. Median and p90 as in the
report (nearest-rank p90).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from crisis.clock import age, team_zone
from crisis.errors import ConfigError
from crisis.settings import Settings
from crisis.tables import ReviewItem

PRIORITIES = ("urgent", "incident", "other")
Window = tuple[datetime, datetime] | None
ANSWERED = ("approved", "sent", "failed")


def priority(urgency_rank: int) -> str:
    return PRIORITIES[min(max(urgency_rank, 0), 2)]


@dataclass(frozen=True, slots=True)
class Targets:
    urgent: timedelta
    incident: timedelta
    other: timedelta
    business_hours: tuple[time, time] | None = None  # for "other" only

    @classmethod
    def from_settings(cls, settings: Settings) -> Targets:
        return cls(
            urgent=timedelta(minutes=settings.sla_urgent_minutes),
            incident=timedelta(minutes=settings.sla_incident_minutes),
            other=timedelta(minutes=settings.sla_other_minutes),
            business_hours=parse_hours(settings.sla_business_hours),
        )

    def target(self, rank: int) -> timedelta:
        chosen: timedelta = getattr(self, priority(rank))
        return chosen

    def waited(self, rank: int, start: datetime, end: datetime) -> timedelta:
        """How long the SLA clock ran from ``start`` to ``end`` for an item of ``rank``."""
        if self.business_hours is None or priority(rank) != "other":
            return max(end - start, timedelta(0))
        return business_time(start, end, self.business_hours)

    def left(self, item: ReviewItem, now: datetime) -> timedelta:
        """Time left to answer a pending item (negative: overdue by that much)."""
        return self.target(item.urgency_rank) - self.waited(item.urgency_rank, item.arrived_at, now)


def parse_hours(text: str | None) -> tuple[time, time] | None:
    """``"08:00-20:00"`` -> (08:00, 20:00); ``None`` or blank: around the clock."""
    if not text or not text.strip():
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ConfigError(
            f"CRISIS_SLA_BUSINESS_HOURS: expected e.g. 08:00-20:00, got {text!r}"
        ) from None
    if end <= start:
        raise ConfigError(f"CRISIS_SLA_BUSINESS_HOURS: {text!r} ends before it starts")
    return start, end


def business_time(start: datetime, end: datetime, hours: tuple[time, time]) -> timedelta:
    """The part of ``[start, end)`` inside the daily ``hours`` (team time)."""
    zone = team_zone()
    total = timedelta(0)
    day = start.astimezone(zone).date()
    while end > start and day <= end.astimezone(zone).date():
        opens = datetime.combine(day, hours[0], zone)
        closes = datetime.combine(day, hours[1], zone)
        overlap = min(end, closes) - max(start, opens)
        total += max(overlap, timedelta(0))
        day += timedelta(days=1)
    return total


@dataclass(frozen=True, slots=True)
class Waiting:
    """One priority in the queue now: how many wait, how many are past the target, the oldest."""

    priority: str
    target: timedelta
    pending: int
    breached: int
    oldest_id: int | None
    oldest_left: timedelta | None  # negative: overdue


def queue_status(session: Session, targets: Targets, *, now: datetime) -> list[Waiting]:
    """Per priority: the pending replies, how many are past the target, the oldest. Each is a
    range of ``ix_review_items_sla`` that the database counts without reading rows (the queue
    page shows it over 100,000 pending items); only the candidates for a breach of an "other"
    item under business hours are read, to count their hours."""
    found = []
    for rank, name in enumerate(PRIORITIES):
        pending = (
            ReviewItem.state == "pending",
            col(ReviewItem.kind) == "reply",
            col(ReviewItem.urgency_rank) == rank,
        )
        target = targets.target(rank)
        # The SLA clock never runs faster than the wall clock: only these can be overdue.
        late = col(ReviewItem.arrived_at) < now - target
        n = session.exec(select(func.count()).select_from(ReviewItem).where(*pending)).one()
        oldest = session.exec(
            select(ReviewItem.id, ReviewItem.arrived_at)
            .where(*pending)
            .order_by(col(ReviewItem.arrived_at), col(ReviewItem.id))
            .limit(1)
        ).first()
        if targets.business_hours is not None and name == "other":
            candidates = session.exec(select(ReviewItem.arrived_at).where(*pending, late))
            breached = sum(1 for at in candidates if targets.waited(rank, at, now) > target)
        else:
            breached = session.exec(
                select(func.count()).select_from(ReviewItem).where(*pending, late)
            ).one()
        found.append(
            Waiting(
                priority=name,
                target=target,
                pending=int(n),
                breached=int(breached),
                oldest_id=oldest[0] if oldest else None,
                oldest_left=target - targets.waited(rank, oldest[1], now) if oldest else None,
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class Figures:
    """How one agent or one incident did: answered, within target, median and p90 first
    response, breaches (late answers and items still pending past the target)."""

    name: str
    answered: int
    within: int
    median: timedelta | None
    p90: timedelta | None
    breaches: int

    @property
    def within_share(self) -> float:
        return self.within / self.answered if self.answered else 0.0


def by_agent(
    session: Session, targets: Targets, *, now: datetime, arrived: Window = None
) -> list[Figures]:
    """Per person who answered: their answers and late ones (pending items are nobody's);
    ``arrived``: only comments that arrived in ``[start, end)``."""
    groups: dict[str, list[tuple[timedelta, timedelta]]] = {}
    for item in _answered(session, arrived):
        groups.setdefault(item.decided_by or "?", []).append(_timing(item, targets))
    return [_figures(name, waits, pending_late=0) for name, waits in sorted(groups.items())]


def by_incident(
    session: Session, targets: Targets, *, now: datetime, arrived: Window = None
) -> list[Figures]:
    """Per incident: its replies' answers, and its pending replies past the target."""
    groups: dict[int, list[tuple[timedelta, timedelta]]] = {}
    for item in _answered(session, arrived):
        if item.incident_id is not None:
            groups.setdefault(item.incident_id, []).append(_timing(item, targets))
    late: dict[int, int] = {}
    pending = select(ReviewItem).where(
        ReviewItem.state == "pending",
        col(ReviewItem.kind) == "reply",
        col(ReviewItem.incident_id).is_not(None),
    )
    for item in session.exec(_within(pending, arrived)):
        assert item.incident_id is not None
        groups.setdefault(item.incident_id, [])
        if targets.left(item, now) < timedelta(0):
            late[item.incident_id] = late.get(item.incident_id, 0) + 1
    return [
        _figures(f"#{incident_id}", waits, pending_late=late.get(incident_id, 0))
        for incident_id, waits in sorted(groups.items())
    ]


def _answered(session: Session, arrived: Window) -> list[ReviewItem]:
    query = select(ReviewItem).where(
        col(ReviewItem.state).in_(ANSWERED),
        col(ReviewItem.kind) == "reply",
        col(ReviewItem.decided_at).is_not(None),
    )
    return list(session.exec(_within(query, arrived)))


def _within(query: Any, arrived: Window) -> Any:
    if arrived is None:
        return query
    start, end = arrived
    return query.where(col(ReviewItem.arrived_at) >= start, col(ReviewItem.arrived_at) < end)


def _timing(item: ReviewItem, targets: Targets) -> tuple[timedelta, timedelta]:
    """(how long the customer waited, the target) for an answered item."""
    assert item.decided_at is not None
    return (
        targets.waited(item.urgency_rank, item.arrived_at, item.decided_at),
        targets.target(item.urgency_rank),
    )


def _figures(name: str, waits: list[tuple[timedelta, timedelta]], *, pending_late: int) -> Figures:
    times = sorted(waited for waited, _ in waits)
    within = sum(1 for waited, target in waits if waited <= target)
    return Figures(
        name=name,
        answered=len(waits),
        within=within,
        median=_median(times),
        p90=times[math.ceil(0.9 * len(times)) - 1] if times else None,
        breaches=len(waits) - within + pending_late,
    )


def _median(times: list[timedelta]) -> timedelta | None:
    """The middle value of sorted ``times`` (the mean of the two middle ones)."""
    if not times:
        return None
    half = len(times) // 2
    return times[half] if len(times) % 2 else (times[half - 1] + times[half]) / 2


def short(delta: timedelta | None) -> str:
    """A duration as the queue shows ages: 45s, 12m, 3h05m, 2d04h (``-`` for none)."""
    if delta is None:
        return "-"
    start = datetime(2000, 1, 1, tzinfo=UTC)
    return age(start + abs(delta), start)
