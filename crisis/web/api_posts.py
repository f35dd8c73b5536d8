"""The JSON API for scheduled posts and the marketing hold: list the posts, say what blocks
marketing now, resume held posts, freeze and unfreeze marketing by hand (leads only).

The same domain calls as ``crisis posts ...``, ``crisis freeze`` and ``crisis unfreeze``; every
change is audited with the signed-in user's name.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from crisis import holds, incidents, posts
from crisis.errors import BadRecord
from crisis.tables import Incident, MarketingFreeze
from crisis.web import posts_view
from crisis.web.context import Ctx, Db
from crisis.web.security import ApiLead, User

router = APIRouter(tags=["posts"])


class PostOut(BaseModel):
    key: str = Field(description="The post's id (the team's or the import's).")
    channel: str
    category: str = Field(description="marketing posts are held while marketing is blocked")
    text: str
    state: str = Field(description="draft, scheduled, held, publishing, published or failed")
    publish_at: datetime = Field(description="When it is due (UTC).")
    overdue: bool = Field(description="Its time has passed: resuming it needs a new time.")
    held_by_incident_id: int | None = None
    held_by_freeze_id: int | None = None
    held_since: datetime | None = None
    held_reason: str | None = Field(None, description="Why it was held, from the audit log.")
    published_at: datetime | None = None
    published_id: str | None = None
    source: str | None = Field(
        None, description="Its tool (facebook, postiz, buffer, hootsuite); null: crisis's own."
    )
    source_state: str | None = Field(
        None, description="What its tool has: scheduled, holding, held, draft, gone, published."
    )
    not_held_because: str | None = Field(
        None, description="Why the last hold (or release) at its tool failed; null once one works."
    )


class BlockerOut(BaseModel):
    blocked: bool = Field(description="Whether marketing posts are held now.")
    reason: str | None = Field(None, description="Why, in words.")
    incident_id: int | None = Field(None, description="The oldest open incident, if any.")
    incident_title: str | None = None
    open_incident_ids: list[int] = Field(default_factory=list)
    freeze_id: int | None = Field(None, description="The manual freeze, if one is active.")
    freeze_reason: str | None = None
    held: int = Field(description="How many posts are held now.")


class ResumeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keys: list[str] | None = Field(None, description="The held posts to resume.")
    all_held: bool = Field(False, description="Resume every held post instead of keys.")
    at: str | None = Field(
        None,
        description="New time: 2017-05-13T18:00 (Berlin), ISO 8601 with offset, or +30m, "
        "+2h, +1d. Empty: keep each post's time (refused for a time that has passed).",
    )
    to_draft: bool = Field(False, description="Back to draft, for review, instead.")
    reason: str = Field(description="Why (kept in the audit log).")


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(description="The post's id (yours to choose; 1 to 128 characters).")
    channel: str = Field(description="facebook or x")
    category: str = Field(description="marketing (held while blocked) or service")
    text: str
    at: str = Field(description="When: 2017-05-13T18:00 (Berlin), ISO 8601 with offset, or +2h.")
    replace: bool = Field(
        False, description="Change the unpublished post with this key (else the key must be new)."
    )


class ResumeOut(BaseModel):
    resumed: list[PostOut]


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="Why (kept in the audit log).")


class FreezeOut(BaseModel):
    id: int
    reason: str
    started_at: datetime
    started_by: str
    ended_at: datetime | None = None
    ended_by: str | None = None
    held: int = Field(description="How many posts are held now (they wait for a resume).")


@router.get("/posts", response_model=list[PostOut])
def list_posts(session: Db, ctx: Ctx, user: User, state: str | None = None) -> list[PostOut]:
    """The scheduled posts, soonest due first; ``state`` picks one state (e.g. ``held``)."""
    rows = posts_view.post_rows(
        session, posts.list_posts(session, state=state), now=ctx.clock.now()
    )
    return [_post_out(row) for row in rows]


@router.get("/posts/blocker", response_model=BlockerOut)
def blocker(session: Db, user: User) -> BlockerOut:
    """What holds marketing now: open incidents and a manual freeze (``blocked`` false when
    nothing does)."""
    found = holds.current_blocker(session)
    freeze = holds.active_freeze(session)
    incident = session.get(Incident, found.incident_id) if found and found.incident_id else None
    return BlockerOut(
        blocked=found is not None,
        reason=found.describe() if found else None,
        incident_id=incident.id if incident else None,
        incident_title=incident.title if incident else None,
        open_incident_ids=[i.id for i in incidents.open_incidents(session) if i.id],
        freeze_id=freeze.id if freeze else None,
        freeze_reason=freeze.reason if freeze else None,
        held=len(session.exec(holds.held_posts_query()).all()),
    )


@router.post("/posts", response_model=PostOut)
def schedule(body: ScheduleIn, session: Db, ctx: Ctx, user: ApiLead) -> PostOut:
    """Schedule a post, or change an unpublished one (``replace``; leads). A marketing post is
    held at once while an incident is open or marketing is frozen; a held post stays held."""
    now = ctx.clock.now()
    post = posts_view.schedule(
        session,
        key=body.key,
        channel=body.channel,
        category=body.category,
        text=body.text,
        at=body.at,
        editing=body.replace,
        now=now,
        actor=user.name,
    )
    [row] = posts_view.post_rows(session, [post], now=now)
    return _post_out(row)


@router.post("/posts/resume", response_model=ResumeOut)
def resume(body: ResumeIn, session: Db, ctx: Ctx, user: ApiLead) -> ResumeOut:
    """Resume held posts (leads): on their own time, a new ``at``, or back to draft
    (``to_draft``). Refused (409) while an incident is open or marketing is frozen, unless to
    draft; a post whose time has passed needs ``at``."""
    if bool(body.keys) == body.all_held:
        raise BadRecord("resume", "give the held posts' keys, or all_held: true (not both)")
    now = ctx.clock.now()
    done = posts_view.resume(
        session,
        keys=None if body.all_held else body.keys,
        at=body.at,
        to_draft=body.to_draft,
        reason=body.reason,
        now=now,
        actor=user.name,
    )
    return ResumeOut(resumed=[_post_out(r) for r in posts_view.post_rows(session, done, now=now)])


@router.post("/marketing/freeze", response_model=FreezeOut)
def freeze(body: ReasonIn, session: Db, ctx: Ctx, user: ApiLead) -> FreezeOut:
    """Stop all marketing by hand (leads); scheduled marketing posts are held at once. Counts
    like an open incident until ``/api/marketing/unfreeze``."""
    why = posts_view.reason_of(body.reason, "freeze")
    done = holds.freeze_marketing(session, reason=why, now=ctx.clock.now(), actor=user.name)
    return _freeze_out(session, done)


@router.post("/marketing/unfreeze", response_model=FreezeOut)
def unfreeze(body: ReasonIn, session: Db, ctx: Ctx, user: ApiLead) -> FreezeOut:
    """End the manual freeze (leads). Held posts stay held until resumed."""
    why = posts_view.reason_of(body.reason, "unfreeze")
    if not why:
        raise BadRecord("unfreeze", "say why marketing may go out again (kept in the audit log)")
    done = holds.unfreeze_marketing(session, now=ctx.clock.now(), actor=user.name, reason=why)
    return _freeze_out(session, done)


def _post_out(row: posts_view.PostRow) -> PostOut:
    p = row.post
    return PostOut(
        key=p.key,
        channel=p.channel,
        category=p.category,
        text=p.text,
        state=p.state,
        publish_at=p.publish_at,
        overdue=row.overdue,
        held_by_incident_id=p.held_by_incident_id,
        held_by_freeze_id=p.held_by_freeze_id,
        held_since=row.held.since if row.held else None,
        held_reason=row.held.why if row.held else None,
        published_at=p.published_at,
        published_id=p.published_id,
        source=p.source,
        source_state=p.source_state,
        not_held_because=p.hold_error,
    )


def _freeze_out(session: Session, freeze: MarketingFreeze) -> FreezeOut:
    assert freeze.id is not None
    return FreezeOut(
        id=freeze.id,
        reason=freeze.reason,
        started_at=freeze.started_at,
        started_by=freeze.started_by,
        ended_at=freeze.ended_at,
        ended_by=freeze.ended_by,
        held=len(session.exec(holds.held_posts_query()).all()),
    )
