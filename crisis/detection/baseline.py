"""A service's usual number of complainers for the hour of the week: what a spike is measured by.

Complaints follow the day (quiet at night, busy after work) and the week (Sunday is not Monday),
so "usual" is learned per hour of the week: the same window one, two, ... weeks back. Until
there are enough weeks, the same window on previous days (the daily rhythm) fills in. Each
sample is one count of distinct complaining customers in one window; the median of the samples
ignores one odd week, and windows overlapping an incident of the service (from a little before
it opened until the cool-down after it was resolved) are left out, so past outages never make a
new outage look normal.

With few samples the estimate leans on a prior: the service's recent rate (the day before the
window, outside incidents) or ``prior_per_window``, whichever is higher, weighted as
``prior_weight`` samples. A fresh installation therefore starts cautious, not trigger-happy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from crisis.domain import Service
from crisis.tables import Classification, Comment, Incident

WEEK = timedelta(days=7)
DAY = timedelta(days=1)
MIN_WEEKS = 2  # weekly samples needed before the daily ones are no longer used
# Each sample spans this much either side of the window: counts of a few complaints are noisy,
# and the usual number changes slowly from hour to hour.
SPREAD = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Baseline:
    usual: float  # complaining customers per window, usually, at this hour of the week
    weekly: tuple[float, ...]  # per window, around the same hour in earlier weeks
    # per window, around the same hour on earlier days (while weeks are few)
    daily: tuple[float, ...]
    prior: float
    spans: tuple[tuple[datetime, datetime], ...] = ()  # the history the samples counted

    def as_card(self) -> dict[str, Any]:
        return {
            "usual_per_window": round(self.usual, 2),
            "same_hour_earlier_weeks": list(self.weekly),
            "same_hour_earlier_days": list(self.daily),
            "prior_per_window": round(self.prior, 2),
        }


def complaints_filter(model: str, own_authors: Sequence[str]) -> list[Any]:
    """Which stored comments count as complaints for the detector (third-party blame never)."""
    return [
        col(Classification.comment_id) == col(Comment.id),
        Classification.model == model,
        col(Classification.is_complaint).is_(True),
        col(Classification.third_party).is_(None),
        col(Comment.author).not_in(list(own_authors)),
    ]


def usual_complainers(
    session: Session,
    *,
    model: str,
    service: Service,
    now: datetime,
    window: timedelta,
    history: timedelta,
    cooldown: timedelta,
    prior_per_window: float,
    prior_weight: float,
    own_authors: Sequence[str] = (),
) -> Baseline:
    first = session.exec(select(func.min(Comment.created_at))).one()
    if first is None:
        return Baseline(prior_per_window, (), (), prior_per_window)
    periods = _incident_periods(session, service, now=now, window=window, cooldown=cooldown)

    def quiet(start: datetime, end: datetime) -> bool:
        return all(end <= p_start or start >= p_end for p_start, p_end in periods)

    def usable(end: datetime) -> bool:
        start, stop = end - window - SPREAD, end + SPREAD
        return start >= first and stop <= now - window and quiet(start, stop)

    weekly = [now - k * WEEK for k in range(1, int(history / WEEK) + 1)]
    ends = [end for end in weekly if usable(end)]
    daily_ends = [now - k * DAY for k in range(1, 7)] if len(ends) < MIN_WEEKS else []
    daily_ends = [end for end in daily_ends if usable(end)]
    spans = [(end - window - SPREAD, end + SPREAD) for end in ends + daily_ends]
    per_window = window / (window + 2 * SPREAD)
    counts = [
        round(n * per_window, 2) for n in _counts(session, model, service, own_authors, spans)
    ]
    # The recent rate: the day before the window, after the last incident period in it.
    recent_end = now - window
    recent_start = max(
        [first, now - window - DAY, *(p_end for _, p_end in periods if p_end <= recent_end)]
    )
    recent = 0.0
    if recent_end - recent_start >= window and quiet(recent_start, recent_end):
        total = _count_complaints(session, model, service, own_authors, recent_start, recent_end)
        recent = total / ((recent_end - recent_start) / window)
    prior = max(prior_per_window, recent)
    if counts:
        middle = median(counts)
        blended = (len(counts) * middle + prior_weight * prior) / (len(counts) + prior_weight)
        usual = max(middle, blended)  # the prior may only raise it: it is the day's average
    elif recent_end - recent_start >= window and quiet(recent_start, recent_end):
        # Not one earlier day yet: the hour now may be far busier than the night we have seen,
        # so assume it can be as busy as the busiest window so far.
        peak = _peak(session, model, service, own_authors, recent_start, recent_end, window)
        usual = max(prior, float(peak))
    else:
        usual = prior
    return Baseline(
        usual=usual,
        weekly=tuple(counts[: len(ends)]),
        daily=tuple(counts[len(ends) :]),
        prior=prior,
        spans=tuple(spans),
    )


def region_samples(
    session: Session,
    *,
    model: str,
    service: Service,
    baseline: Baseline,
    window: timedelta,
    own_authors: Sequence[str] = (),
) -> dict[str, list[float]]:
    """Per region, the baseline's samples counted for that region alone (per window)."""
    from crisis.detection.regions import find_regions  # only here: most checks never need it

    found: dict[str, list[float]] = {}
    per_window = window / (window + 2 * SPREAD)
    for i, (start, end) in enumerate(baseline.spans):
        rows = session.exec(
            select(Comment.author, Comment.text, Comment.location)
            .select_from(Comment, Classification)
            .where(
                *complaints_filter(model, own_authors),
                Classification.service == service.value,
                col(Comment.created_at) > start,
                col(Comment.created_at) <= end,
            )
        ).all()
        authors: dict[str, set[str]] = {}
        for author, text, location in rows:
            for region in set(find_regions(text, location)):
                authors.setdefault(region, set()).add(author.casefold())
        for region, who in authors.items():
            found.setdefault(region, [0.0] * len(baseline.spans))[i] = len(who) * per_window
    return found


def _incident_periods(
    session: Session, service: Service, *, now: datetime, window: timedelta, cooldown: timedelta
) -> list[tuple[datetime, datetime]]:
    """When ``service`` was out: from a little before each incident opened (the spike that
    opened it) to the end of the cool-down after it was resolved (or still open)."""
    rows = session.exec(
        select(Incident.opened_at, Incident.resolved_at).where(
            Incident.service == service.value, col(Incident.opened_at) <= now
        )
    )
    return [(opened - 2 * window, (resolved or now) + cooldown) for opened, resolved in rows]


def _counts(
    session: Session,
    model: str,
    service: Service,
    own_authors: Sequence[str],
    windows: Sequence[tuple[datetime, datetime]],
) -> list[int]:
    """Distinct complaining customers in each window, in one round trip."""
    if not windows:
        return []
    columns = [
        select(func.count(func.distinct(Comment.author)))
        .select_from(Comment, Classification)
        .where(
            *complaints_filter(model, own_authors),
            Classification.service == service.value,
            col(Comment.created_at) > start,
            col(Comment.created_at) <= end,
        )
        .scalar_subquery()
        for start, end in windows
    ]
    row = session.connection().execute(select(*columns)).one()
    return [int(value or 0) for value in row]


def _peak(
    session: Session,
    model: str,
    service: Service,
    own_authors: Sequence[str],
    start: datetime,
    end: datetime,
    window: timedelta,
) -> int:
    """The most distinct complaining customers in any window between ``start`` and ``end``."""
    rows = session.exec(
        select(Comment.created_at, Comment.author)
        .select_from(Comment, Classification)
        .where(
            *complaints_filter(model, own_authors),
            Classification.service == service.value,
            col(Comment.created_at) > start,
            col(Comment.created_at) <= end,
        )
        .order_by(col(Comment.created_at))
    ).all()
    best, first = 0, 0
    for last, (at, _) in enumerate(rows):
        while rows[first][0] <= at - window:
            first += 1
        best = max(best, len({author.casefold() for _, author in rows[first : last + 1]}))
    return best


def _count_complaints(
    session: Session,
    model: str,
    service: Service,
    own_authors: Sequence[str],
    start: datetime,
    end: datetime,
) -> int:
    return session.exec(
        select(func.count())
        .select_from(Comment, Classification)
        .where(
            *complaints_filter(model, own_authors),
            Classification.service == service.value,
            col(Comment.created_at) > start,
            col(Comment.created_at) <= end,
        )
    ).one()
