"""The JSON API for incidents: list and read them (everyone signed in), open, update and
resolve them (leads). A change answers with the incident as it is now and what the review
queue did about it (re-written suggestions, replies sent back to pending, follow-ups), the same
counts ``crisis incidents update`` prints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from crisis.detection import card
from crisis.domain import Service
from crisis.web import incident_actions as actions
from crisis.web import incident_input as read
from crisis.web import incident_views as views
from crisis.web.context import Ctx, Db, RowId
from crisis.web.i18n import translator
from crisis.web.security import ApiLead, User

router = APIRouter(prefix="/incidents", tags=["incidents"])
t = translator("en")  # the API speaks English, as the domain's messages do
Eta = Field(
    default=None,
    description="Expected fix: ISO 8601 (with an offset; without one it is Berlin time), or "
    "relative to now: +30m, +2h, +1d.",
    examples=["2017-05-13T18:00+02:00", "+2h"],
)


class Counts(BaseModel):
    pending_replies: int = Field(description="Pending review items about this incident.")
    urgent: int = Field(description="Of those, the ones a person must see first.")
    held_posts: int = Field(description="Posts this incident holds back.")


class IncidentOut(BaseModel):
    id: int
    service: str
    regions: list[str]
    status: str
    title: str
    public_status: str | None
    public_status_at: datetime | None
    eta: datetime | None
    opened_at: datetime
    opened_by: str = Field(description="'detector', 'operator' or 'noc'.")
    opened_by_name: str = Field(description="Who opened it: 'detector' or the person's name.")
    resolved_at: datetime | None
    previous_incident_id: int | None
    counts: Counts
    allowed_statuses: list[str] = Field(description="Statuses an update may move it to.")


class ReplyOut(BaseModel):
    id: int
    kind: str
    author: str | None
    comment: str | None
    text: str = Field(description="The reply as it reads now (re-written when facts change).")
    urgent: bool
    needs_human: bool
    facts_changed: bool


class HistoryOut(BaseModel):
    at: datetime
    actor: str
    action: str
    reason: str | None
    details: dict[str, Any]


class IncidentDetailOut(IncidentOut):
    card: dict[str, Any] = Field(description="Why it opened (the detector's numbers).")
    card_lines: list[str] = Field(description="The card in plain English lines.")
    earlier_incident_ids: list[int]
    held_post_keys: list[str]
    pending_replies: list[ReplyOut] = Field(description="Up to 100, in queue order.")
    history: list[HistoryOut]


class OpenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service: Service
    reason: str = Field(description="Why (kept in the audit log).")
    regions: list[str] = []
    status: Literal["investigating", "identified", "monitoring"] = "investigating"
    public_status: str | None = None
    eta: str | None = Eta
    separate: bool = Field(
        default=False,
        description="Open it although an incident of this service is open (else refused).",
    )


class UpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="Why (kept in the audit log).")
    status: str | None = Field(default=None, description="See allowed_statuses.")
    public_status: str | None = None
    eta: str | None = Eta
    regions: list[str] = Field(default=[], description="Regions to add.")
    keep_approved: bool = Field(
        default=False,
        description="The lead approves the new facts for replies already approved: their "
        "template text is re-written and they stay approved (edited text goes back to review).",
    )


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="Why (kept in the audit log).")
    public_status: str | None = Field(default=None, description="The status text after the fix.")


class ChangeOut(BaseModel):
    incident: IncidentOut
    changed: list[str] = Field(description="Which facts changed ('opened' for a new one).")
    queue_changes: dict[str, int] = Field(description="What the review queue did, by kind.")
    message: str = Field(description="All of it in words.")
    held_posts: int = Field(description="After a resolve: posts still held until resumed.")


@router.get("", response_model=list[IncidentOut])
def list_incidents(
    session: Db,
    user: User,
    state: Literal["open", "resolved", "all"] = "open",
) -> list[IncidentOut]:
    """Open incidents newest first; ``resolved``: the 20 resolved last; ``all``: both."""
    open_rows, resolved_rows = views.board(session)
    rows = {"open": open_rows, "resolved": resolved_rows, "all": [*open_rows, *resolved_rows]}
    return [_out(row) for row in rows[state]]


@router.get("/{incident_id}", response_model=IncidentDetailOut)
def get_incident(session: Db, user: User, incident_id: RowId) -> IncidentDetailOut:
    d = views.detail(session, incident_id)
    incident = d.row.incident
    return IncidentDetailOut(
        **_out(d.row).model_dump(),
        card=incident.explanation,
        card_lines=card.describe(incident.explanation),
        earlier_incident_ids=[e.id for e in d.earlier if e.id is not None],
        held_post_keys=[p.key for p in d.held],
        pending_replies=[
            ReplyOut(
                id=item.id or 0,
                kind=item.kind,
                author=comment.author if comment else None,
                comment=comment.text if comment else None,
                text=item.text,
                urgent=item.urgency_rank == 0,
                needs_human=item.needs_human,
                facts_changed=item.facts_changed,
            )
            for item, comment in d.replies
        ],
        history=[
            HistoryOut(at=e.at, actor=e.actor, action=e.action, reason=e.reason, details=e.details)
            for e in d.history
        ],  # fmt: skip
    )


@router.post("", response_model=ChangeOut, status_code=201)
def open_incident(session: Db, ctx: Ctx, user: ApiLead, body: OpenIn) -> ChangeOut:
    now = ctx.clock.now()
    outcome = actions.open_by_hand(
        session,
        ctx.settings,
        actor=user.name,
        now=now,
        service=body.service,
        reason=read.reason_of(body.reason, t),
        regions=read.regions_of(body.regions, t),
        status=body.status,
        public_status=read.public_status_of(body.public_status, t),
        eta=read.eta_of(body.eta, now=now, t=t),
        separate=body.separate,
        t=t,
    )
    return _change(session, outcome)


@router.patch("/{incident_id}", response_model=ChangeOut)
def update_incident(
    session: Db, ctx: Ctx, user: ApiLead, incident_id: RowId, body: UpdateIn
) -> ChangeOut:
    now = ctx.clock.now()
    outcome = actions.update(
        session,
        ctx.settings,
        incident_id,
        actor=user.name,
        now=now,
        reason=read.reason_of(body.reason, t),
        status=read.status_of(body.status),
        public_status=read.public_status_of(body.public_status, t),
        eta=read.eta_of(body.eta, now=now, t=t),
        regions=read.regions_of(body.regions, t),
        keep_approved=body.keep_approved,
    )
    return _change(session, outcome)


@router.post("/{incident_id}/resolve", response_model=ChangeOut)
def resolve_incident(
    session: Db, ctx: Ctx, user: ApiLead, incident_id: RowId, body: ResolveIn
) -> ChangeOut:
    outcome = actions.resolve(
        session,
        ctx.settings,
        incident_id,
        actor=user.name,
        now=ctx.clock.now(),
        reason=read.reason_of(body.reason, t),
        public_status=read.public_status_of(body.public_status, t),
    )
    return _change(session, outcome)


def _change(session: Session, outcome: actions.Outcome) -> ChangeOut:
    session.flush()
    [row] = views.rows_for(session, [outcome.incident])
    return ChangeOut(
        incident=_out(row),
        changed=outcome.changed,
        queue_changes={k: n for k, n in outcome.queue.items() if n},
        message=actions.message(outcome, t),
        held_posts=outcome.held_posts,
    )


def _out(row: views.Row) -> IncidentOut:
    i = row.incident
    return IncidentOut(
        id=i.id or 0,
        service=i.service,
        regions=list(i.regions),
        status=i.status,
        title=i.title,
        public_status=i.public_status,
        public_status_at=i.public_status_at,
        eta=i.eta,
        opened_at=i.opened_at,
        opened_by=i.opened_by,
        opened_by_name=row.opened_by,
        resolved_at=i.resolved_at,
        previous_incident_id=i.previous_incident_id,
        counts=Counts(
            pending_replies=row.counts.pending,
            urgent=row.counts.urgent,
            held_posts=row.counts.held_posts,
        ),
        allowed_statuses=views.moves(i.status),
    )
