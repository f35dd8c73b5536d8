"""Marketing during the crisis: which posts were held, by what, who resumed them and when, which
would have gone out in the middle of an outage ("what almost published"), and any marketing
post that did go out while an incident was open or marketing was frozen (there should be none).

The audit log is the source: each hold and each resume is an entry, so a post held and
resumed twice shows twice. Posts are few (dozens a week), so their entries are read as rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from crisis.holds import HELD_CATEGORIES
from crisis.reports.period import Period
from crisis.tables import AuditEntry, Incident, MarketingFreeze, ScheduledPost

_ACTIONS = ("post.schedule", "post.held", "post.scheduled", "post.draft", "post.imported",
            "post.held_at_source", "post.hold_failed", "post.release_failed")  # fmt: skip
# An outage begins before the detector sees it: marketing published this long before an
# incident's detection went out during the outage.
BEFORE_DETECTION = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Span:
    """Something that blocked marketing: an incident or a freeze, ``[start, end)``."""

    kind: str  # "incident" | "freeze"
    id: int
    start: datetime
    end: datetime | None

    def covers(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)

    @property
    def name(self) -> str:
        return f"incident #{self.id}" if self.kind == "incident" else f"freeze #{self.id}"


@dataclass
class Hold:
    key: str
    channel: str
    category: str
    text: str
    due: datetime  # when it was due to go out when it was held
    held_at: datetime
    held_by: str  # "incident #2", "freeze #1", or "?" when the log does not say
    state: str  # the post's state now
    released_at: datetime | None = None
    released_by: str | None = None
    released_to: str | None = None  # "scheduled" | "draft"
    new_due: datetime | None = None
    due_during: str | None = None  # the incidents or freezes that were on when it fell due
    source: str | None = None  # the tool it was scheduled in (None: ours)
    held_at_source: datetime | None = None  # when that tool stopped it
    # why it could not be held (or put back) there, each time that failed: "what almost
    # published" says so, as the banner did at the time
    failures: list[str] = field(default_factory=list)

    @property
    def margin(self) -> timedelta:
        """How long before it was due it was held (0 when held at the moment it fell due)."""
        return max(self.due - self.held_at, timedelta(0))

    @property
    def almost_published(self) -> bool:
        """Due while an incident was open or marketing frozen: without the hold it would have
        gone out in the middle of it."""
        return self.category in HELD_CATEGORIES and self.due_during is not None


@dataclass(frozen=True, slots=True)
class Published:
    key: str
    channel: str
    text: str
    published_at: datetime
    during: str  # the incident or freeze that was on


def blocking_spans(session: Session) -> list[Span]:
    spans = [
        Span("incident", i.id or 0, i.opened_at, i.resolved_at)
        for i in session.exec(select(Incident).order_by(col(Incident.opened_at)))
    ]
    spans += [
        Span("freeze", f.id or 0, f.started_at, f.ended_at)
        for f in session.exec(select(MarketingFreeze).order_by(col(MarketingFreeze.started_at)))
    ]
    return spans


def holds_in(session: Session, period: Period, spans: list[Span]) -> list[Hold]:
    """Every hold of a post that was on at some time in the period, by when it was held."""
    entries = session.exec(
        select(AuditEntry)
        .where(
            AuditEntry.entity == "post",
            col(AuditEntry.action).in_(_ACTIONS),
            col(AuditEntry.at) < period.end,
        )
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    per_post: dict[str, list[AuditEntry]] = defaultdict(list)
    for entry in entries:
        per_post[entry.entity_id].append(entry)
    if not per_post:
        return []
    posts = {
        p.key: p
        for p in session.exec(select(ScheduledPost).where(col(ScheduledPost.key).in_(per_post)))
    }
    found: list[Hold] = []
    for key, log in per_post.items():
        post = posts.get(key)
        if post is not None:
            found += _episodes(post, log, spans)
    kept = [
        h for h in found if h.held_at < period.end and (h.released_at or period.end) >= period.start
    ]
    return sorted(kept, key=lambda h: (h.held_at, h.key))


def published_during_blocks(session: Session, period: Period, spans: list[Span]) -> list[Published]:
    """Marketing posts published while an incident was open or marketing frozen, or in the
    hour before an incident was detected: an outage starts before its complaints pile up, so
    a post that went out then went out during it, before we knew."""
    query = select(ScheduledPost).where(
        col(ScheduledPost.category).in_(HELD_CATEGORIES),
        col(ScheduledPost.published_at) >= period.start,
        col(ScheduledPost.published_at) < period.end,
    )
    found = []
    for post in session.exec(query.order_by(col(ScheduledPost.published_at))):
        at = post.published_at
        assert at is not None
        on = [s.name for s in spans if s.covers(at)]
        on += [
            f"{_short(s.start - at)} before {s.name} was detected"
            for s in spans
            if s.kind == "incident" and s.start - BEFORE_DETECTION <= at < s.start
        ]
        if on:
            found.append(Published(post.key, post.channel, post.text, at, ", ".join(on)))
    return found


def _short(gap: timedelta) -> str:
    minutes, seconds = divmod(int(gap.total_seconds()), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def _episodes(post: ScheduledPost, log: list[AuditEntry], spans: list[Span]) -> list[Hold]:
    episodes: list[Hold] = []
    due: datetime | None = None
    current: Hold | None = None
    for entry in log:
        details = entry.details or {}
        given = _time(details.get("publish_at"))
        if entry.action in ("post.schedule", "post.imported") and given is not None:
            due = given
        elif entry.action == "post.held_at_source" and current is not None:
            current.held_at_source = current.held_at_source or entry.at
        elif entry.action in ("post.hold_failed", "post.release_failed"):
            if current is not None and entry.reason:
                current.failures.append(f"{entry.at:%Y-%m-%d %H:%M}Z {entry.reason}")
        elif entry.action == "post.held":
            blocker = _blocker(post, entry.at, spans)
            due_at = due or post.publish_at
            current = Hold(
                key=post.key,
                channel=post.channel,
                category=post.category,
                text=post.text,
                due=due_at,
                held_at=entry.at,
                held_by=blocker.name if blocker else "?",
                state=post.state,
                due_during=", ".join(s.name for s in spans if s.covers(due_at)) or None,
                source=post.source,
            )
            episodes.append(current)
        elif current is not None and (details.get("state") or [None])[0] == "held":
            current.released_at, current.released_by = entry.at, entry.actor
            current.released_to = entry.action.removeprefix("post.")
            current.new_due = given
            due, current = given or due, None
    return episodes


def _blocker(post: ScheduledPost, at: datetime, spans: list[Span]) -> Span | None:
    """What held the post at ``at``: of what was on then, the one the post's columns name (a
    post still held by it), else the first incident, else a freeze; the columns alone when
    nothing was on (a hold passed on names what holds it now, not what held it then)."""
    named = {("incident", post.held_by_incident_id), ("freeze", post.held_by_freeze_id)}
    on = [s for s in spans if s.covers(at)]
    chosen = (
        [s for s in on if (s.kind, s.id) in named]
        or [s for s in on if s.kind == "incident"]
        or on
        or [s for s in spans if (s.kind, s.id) in named]
    )
    return chosen[0] if chosen else None


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
