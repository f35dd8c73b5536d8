"""What the posts page and the posts API show and accept: the posts grouped as a team lead
reads them (held first, with what held each one and since when), and a lead's resume request
turned into one call of ``posts.resume_posts``.

Why a post is held comes from the post itself (``held_by_incident_id`` / ``held_by_freeze_id``)
and since when from the audit log (``post.held``), the same trail ``crisis posts show`` prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlmodel import Session, col, select

from crisis import holds, incidents, posts
from crisis.clock import local_time, zone_label
from crisis.errors import BadRecord, NotFound
from crisis.platform_text import LENGTH_LIMITS, x_length
from crisis.tables import AuditEntry, Incident, MarketingFreeze, ScheduledPost
from crisis.web.form_times import local_input as local_input
from crisis.web.form_times import read_time

RECENTLY_PUBLISHED = 20
MAX_REASON = 1000  # a freeze's reason stands in the banner on every page
CHANNELS = ("facebook", "x")  # what the publisher posts to
CATEGORIES = ("marketing", "service")  # marketing is held while an incident is open
_Row = TypeVar("_Row", Incident, MarketingFreeze)


@dataclass(frozen=True, slots=True)
class HeldBy:
    """What holds a post, and since when (from its last ``post.held`` audit entry)."""

    since: datetime | None
    why: str | None
    incident: Incident | None
    freeze: MarketingFreeze | None


@dataclass(frozen=True, slots=True)
class PostRow:
    post: ScheduledPost
    overdue: bool  # its time has passed: resuming it on the schedule needs a new time
    held: HeldBy | None = None
    last: AuditEntry | None = None  # the latest change: who, when, why (failed, stuck, drafts)


@dataclass(slots=True)
class Board:
    """Everything on the posts page, in the order a lead reads it."""

    blocker: holds.Blocker | None
    open_incidents: list[Incident]
    freeze: MarketingFreeze | None
    held: list[PostRow] = field(default_factory=list)
    scheduled: list[PostRow] = field(default_factory=list)
    drafts: list[PostRow] = field(default_factory=list)
    stuck: list[PostRow] = field(default_factory=list)  # publishing (a publisher died) or failed
    published: list[PostRow] = field(default_factory=list)


def board(session: Session, *, now: datetime) -> Board:
    found = Board(
        blocker=holds.current_blocker(session),
        open_incidents=incidents.open_incidents(session),
        freeze=holds.active_freeze(session),
    )
    found.held = post_rows(session, posts.list_posts(session, state="held"), now=now)
    found.scheduled = post_rows(session, posts.list_posts(session, state="scheduled"), now=now)
    found.drafts = post_rows(session, posts.list_posts(session, state="draft"), now=now)
    stuck = posts.list_posts(session, state="publishing") + posts.list_posts(
        session, state="failed"
    )
    found.stuck = post_rows(session, stuck, now=now)
    published = session.exec(
        select(ScheduledPost)
        .where(ScheduledPost.state == "published")
        .order_by(col(ScheduledPost.published_at).desc(), col(ScheduledPost.id).desc())
        .limit(RECENTLY_PUBLISHED)
    ).all()
    found.published = post_rows(session, published, now=now)
    return found


def post_rows(session: Session, chosen: Sequence[ScheduledPost], *, now: datetime) -> list[PostRow]:
    """The posts with what holds them and their latest audit entry (two queries for all)."""
    keys = [p.key for p in chosen]
    last: dict[str, AuditEntry] = {}
    last_held: dict[str, AuditEntry] = {}
    for entry in _entries(session, keys):
        last[entry.entity_id] = entry
        if entry.action == "post.held":
            last_held[entry.entity_id] = entry
    rows = []
    for post in chosen:
        held = None
        if post.state == "held":
            mark = last_held.get(post.key)
            held = HeldBy(
                since=mark.at if mark else None,
                why=mark.reason if mark else None,
                incident=_get(session, Incident, post.held_by_incident_id),
                freeze=_get(session, MarketingFreeze, post.held_by_freeze_id),
            )
        overdue = _aware(post.publish_at) <= now
        rows.append(PostRow(post=post, overdue=overdue, held=held, last=last.get(post.key)))
    return rows


def _entries(session: Session, keys: Sequence[str]) -> Iterable[AuditEntry]:
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        yield from session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity == "post", col(AuditEntry.entity_id).in_(chunk))
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        )


def _get(session: Session, table: type[_Row], key: int | None) -> _Row | None:
    return None if key is None else session.get(table, key)


def resume(
    session: Session,
    *,
    keys: Sequence[str] | None,
    at: str | None,
    to_draft: bool,
    reason: str,
    now: datetime,
    actor: str,
) -> list[ScheduledPost]:
    """Resume the held posts ``keys`` (``None``: all held posts) on their own time (``at``
    empty), on a new time (``at``: Berlin time, an offset, or ``+2h``), or back to draft."""
    why = reason_of(reason, "reason")
    if not why:
        raise BadRecord(
            "reason", "say why the posts may go out again (kept in the audit log)"
        ).said_as("resume_reason")
    if keys is not None and not keys:
        raise BadRecord("posts", "tick the held posts to resume, or resume all held posts").said_as(
            "tick_posts"
        )
    if to_draft and at:
        raise BadRecord(
            "new time", "back to draft takes no new time: give one or the other"
        ).said_as("draft_no_time")
    if keys is None and not posts.list_posts(session, state="held"):
        raise BadRecord("posts", "no post is held: nothing to resume").said_as("none_held")
    publish_at = new_time(at, now=now) if at else None
    return posts.resume_posts(
        session,
        keys=keys,
        now=now,
        actor=actor,
        reason=why,
        publish_at=publish_at,
        to_draft=to_draft,
    )


def reason_of(value: str, what: str) -> str:
    """A reason for the audit log (and, for a freeze, the banner), stripped; refused when
    longer than the forms allow."""
    text = value.strip()
    if len(text) > MAX_REASON:
        raise BadRecord(what, f"at most {MAX_REASON} characters ({len(text)} given)")
    return text


def schedule(
    session: Session,
    *,
    key: str,
    channel: str,
    category: str,
    text: str,
    at: str,
    editing: bool,
    now: datetime,
    actor: str,
) -> ScheduledPost:
    """Schedule a new post, or change an unpublished one (``editing``): a draft or failed post
    goes back on the schedule, a held one stays held, marketing is held at once while blocked."""
    name, body = key.strip(), text.strip()
    if not name or len(name) > 128:
        raise BadRecord("post id", "give the post an id of 1 to 128 characters")
    if channel not in CHANNELS or category not in CATEGORIES:
        raise BadRecord(
            "post", f"channel: {', '.join(CHANNELS)}; category: {', '.join(CATEGORIES)}"
        )
    if not body:
        raise BadRecord("text", "the post has no text").said_as("no_text")
    limit = LENGTH_LIMITS.get(channel)
    if limit is not None and x_length(body) > limit:
        over = x_length(body) - limit
        raise BadRecord("text", f"too long for {channel} (links count 23): shorten it by {over}")
    exists = session.exec(select(ScheduledPost.id).where(ScheduledPost.key == name)).first()
    if exists is not None and not editing:
        raise BadRecord("post id", f"{name!r} is taken: choose another id, or edit that post")
    if exists is None and editing:
        raise NotFound(f"no scheduled post with id {name!r}")
    if not at.strip():
        raise BadRecord(
            "time", f"give the time ({zone_label()}) or a relative one like +2h"
        ).said_as("need_time")
    return posts.schedule_post(
        session,
        key=name,
        channel=channel,
        category=category,
        text=body,
        publish_at=new_time(at, now=now),
        now=now,
        actor=actor,
    )


def new_time(value: str, *, now: datetime) -> datetime:
    """A new publishing time: ``2017-05-13T18:00`` (Berlin time, as a datetime-local field
    sends it), ISO 8601 with an offset, or relative to now (``+30m``, ``+2h``, ``+1d``).
    Refused when it has passed: the post would go out at once."""
    text = value.strip()
    when = read_time(text, now=now)
    if when is None:
        raise BadRecord(
            "new time",
            f"{text[:40]!r} is not a time: give e.g. 2017-05-13T18:00 ({zone_label()}) or +2h",
        )
    when = when.astimezone(UTC)
    if when <= now:
        raise BadRecord(
            "new time", f"{local_time(when)} has already passed: give a time in the future"
        )
    return when


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
