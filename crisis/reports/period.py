"""Which stretch of time a report covers: given dates, one incident with context, or everything.

A report after a crisis is usually about one incident: its span plus the same length of
ordinary time before and after it (at least 6 h, at most 24 h each side), so the chart shows
what normal looked like. Dates without a time are days in Europe/Berlin, the team's time zone;
``--until 2017-05-14`` includes that whole day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from crisis.clock import local_time, team_zone
from crisis.errors import BadRecord, NotFound
from crisis.tables import (
    AuditEntry,
    Comment,
    Incident,
    MarketingFreeze,
    ReviewItem,
    ScheduledPost,
    SentReply,
)

MIN_CONTEXT = timedelta(hours=6)
MAX_CONTEXT = timedelta(hours=24)
DEFAULT_LENGTH = timedelta(days=7)  # a period given by one bound only, when the data cannot say
SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` in UTC; ``incident_id`` when the report is about one incident."""

    start: datetime
    end: datetime
    incident_id: int | None = None
    empty_store: bool = False  # no comments stored at all: the period is only a placeholder

    @property
    def length(self) -> timedelta:
        return self.end - self.start


def parse_bound(value: str, *, option: str, end: bool = False) -> datetime:
    """An ISO date (a Berlin day; as ``end``, the end of that day) or datetime (Berlin time
    unless it names an offset), in UTC."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            local = datetime.combine(day + timedelta(days=1) if end else day, time(), team_zone())
            return local.astimezone(UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRecord(
            option,
            f"{value!r} is not an ISO date or time (e.g. 2017-05-12 or 2017-05-12T14:30) "
            "or a time relative to now (e.g. -7d, -12h, +30m)",
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=team_zone())
    return parsed.astimezone(UTC)


def resolve_period(
    session: Session,
    *,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    incident_id: int | None = None,
) -> Period:
    """The period a report covers; only an explicit ``since >= until`` is refused.

    Without bounds: everything stored (``stored_span``; the day before ``now`` when nothing
    is). With ``since``
    only: up to now (or the last comment, if later; a week when ``since`` lies beyond both).
    With ``until`` only: from the first comment (a week before ``until`` when there is none
    before it). A period without comments gives a report that says it is empty.
    """
    if incident_id is not None:
        if since is not None or until is not None:
            raise BadRecord("--incident", "give either an incident or --since/--until, not both")
        return _incident_period(session, incident_id, now=now)
    if since is not None and until is not None and until <= since:
        raise BadRecord(
            "--since/--until",
            f"the period must end after it starts ({_show(since)} to {_show(until)})",
        )
    first, last = session.exec(
        select(func.min(Comment.created_at), func.max(Comment.created_at))
    ).one()
    earliest, latest = _aware(first), _aware(last)
    empty = earliest is None
    if since is None and until is None:
        span = stored_span(session, now=now)
        if span is None:  # nothing stored: the last day, saying so
            return Period(start=now - timedelta(days=1), end=now, empty_store=True)
        return Period(start=span[0], end=span[1], empty_store=empty)
    if until is None:  # up to now, or the last comment when the data runs ahead of the clock
        assert since is not None
        stop = max(now, latest + SECOND) if latest is not None else now
        until = stop if stop > since else since + DEFAULT_LENGTH
    elif since is None:  # from the first comment, or the week before when there is none
        since = earliest if earliest is not None and earliest < until else until - DEFAULT_LENGTH
    return Period(start=since, end=until, empty_store=empty)


def stored_span(session: Session, *, now: datetime) -> tuple[datetime, datetime] | None:
    """``[start, end)`` of everything stored: from the first comment or incident to a second
    after the last thing that happened (a comment; an incident opened, changed or resolved; a
    reply or follow-up sent; a post held, resumed or published; a freeze), or to ``now`` while an
    incident is still open. ``None`` when neither comments nor incidents are stored."""
    firsts = [
        session.exec(select(func.min(Comment.created_at))).one(),
        session.exec(select(func.min(Incident.opened_at))).one(),
    ]
    starts = [a for a in (_aware(v) for v in firsts) if a is not None]
    if not starts:
        return None
    happened: list[Any] = [
        select(func.max(Comment.created_at)),
        select(func.max(Incident.opened_at)),
        select(func.max(Incident.resolved_at)),
        select(func.max(AuditEntry.at)).where(
            col(AuditEntry.entity).in_(("incident", "post", "freeze"))
        ),
        select(func.max(SentReply.sent_at))
        .join(ReviewItem, col(ReviewItem.id) == col(SentReply.review_item_id))
        .where(col(ReviewItem.kind).in_(("reply", "follow_up"))),
        select(func.max(ScheduledPost.published_at)),
        select(func.max(MarketingFreeze.started_at)),
        select(func.max(MarketingFreeze.ended_at)),
    ]
    lasts = [session.exec(query).one() for query in happened]
    ends = [a for a in (_aware(v) for v in lasts) if a is not None]
    end = max(ends) + SECOND
    still_open = session.exec(
        select(func.count()).select_from(Incident).where(col(Incident.resolved_at).is_(None))
    ).one()
    if still_open:
        end = max(end, now)
    return min(starts), end


def _incident_period(session: Session, incident_id: int, *, now: datetime) -> Period:
    incident = session.get(Incident, incident_id)
    if incident is None:
        known = session.exec(select(Incident.id).order_by(col(Incident.id))).all()
        listed = ", ".join(str(i) for i in known) or "none stored"
        raise NotFound(f"no incident with id {incident_id} (incidents: {listed})")
    opened = _aware(incident.opened_at)
    assert opened is not None
    closed = _aware(incident.resolved_at) or max(now, opened + timedelta(hours=1))
    context = min(max(closed - opened, MIN_CONTEXT), MAX_CONTEXT)
    # Never past now: the hours after a still open (or just resolved) incident have not
    # happened yet, and counting them as quiet would make its complaints seem to fall to 0.
    end = min(closed + context, max(now, opened + SECOND))
    return Period(start=opened - context, end=end, incident_id=incident_id)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _show(value: datetime) -> str:
    return local_time(value)
