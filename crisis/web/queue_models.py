"""The queue API's request and response bodies (Pydantic), so the OpenAPI document says what
an integration sends and gets back."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from crisis.replies import bulk, sending
from crisis.web.queue_data import Detail, QueuePage, Row


class LabelOut(BaseModel):
    model: str = Field(description="Which classifier said this (e.g. outage.v1).")
    is_complaint: bool
    complaint_score: float
    service: str | None
    sentiment: str
    urgent: list[str] = Field(description="Why a person must answer (legal, safety, ...).")
    lang: str | None


class CommentOut(BaseModel):
    id: int
    platform: str
    external_id: str
    author: str = Field(description="Untrusted text: escape it when you show it.")
    text: str = Field(description="Untrusted text: escape it when you show it.")
    created_at: datetime


class IncidentRef(BaseModel):
    id: int
    title: str
    status: str
    service: str
    regions: list[str] = []


class ItemOut(BaseModel):
    id: int
    kind: str = Field(description="reply or follow_up")
    state: str = Field(description="pending, approved, failed, sent or rejected")
    text: str = Field(description="The suggested (or edited) reply.")
    template: str | None
    lang: str | None
    platform: str
    service: str | None
    needs_human: bool = Field(description="A person must answer: never bulk-approved.")
    reasons: list[str]
    facts_changed: bool = Field(description="The incident's facts changed since the edit.")
    edited_by: str | None
    decided_by: str | None
    decided_at: datetime | None
    arrived_at: datetime = Field(description="When the comment arrived: the SLA clock.")
    waiting_seconds: int
    urgency_rank: int
    reach_rank: int
    limit: int | None = Field(description="The platform's length limit (weighted), if any.")
    weight: int = Field(description="The reply's length as the platform counts it.")
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    incident: IncidentRef | None
    comment: CommentOut | None
    labels: list[LabelOut]


class QueueOut(BaseModel):
    items: list[ItemOut]
    limit: int
    offset: int
    more: bool = Field(description="Another page follows (ask with offset + limit).")
    total: int | None = Field(description="How many items match the filter.")


class HistoryEntryOut(BaseModel):
    at: datetime
    actor: str
    action: str
    reason: str | None


class DetailOut(BaseModel):
    item: ItemOut
    history: list[HistoryEntryOut]
    follow_up_id: int | None = Field(
        description="A resolved incident's follow-up answering this customer: approving this "
        "reply needs force."
    )
    open_replies: list[int] = Field(description="For a follow-up: this customer's open replies.")


class SeenStateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seen_state: str | None = Field(
        default=None,
        description="The state you saw: if the item is in another state now (a colleague "
        "decided it), 409 and nothing changes.",
    )


class SeenIn(SeenStateIn):
    seen_text: str | None = Field(
        default=None,
        description="The reply text you saw: if it was changed since, 409 and nothing changes.",
    )


class ApproveIn(SeenIn):
    text: str | None = Field(default=None, description="Your own wording instead.")
    force: bool = Field(
        default=False,
        description="Approve a resolved incident's reply although a follow-up answers the same "
        "customer (audited).",
    )


class EditIn(SeenIn):
    text: str


class RejectIn(SeenStateIn):
    reason: str | None = Field(default=None, description="Why (kept in the audit log).")


class SendOut(BaseModel):
    item_id: int
    state: str = Field(
        description="sent, failed, gave_up, waiting, skipped, not_configured (nothing was "
        "attempted: the platform has no credentials; the item stays approved) or held."
    )
    sent: bool
    error: str | None
    next_attempt_at: datetime | None


class SendAllOut(BaseModel):
    sent: list[int]
    failed: list[tuple[int, str]]
    gave_up: list[int]
    waiting: list[tuple[int, datetime]]
    skipped: list[tuple[int, str]]
    not_configured: list[tuple[int, str]]
    held: list[tuple[int, str]]


class ClusterOut(BaseModel):
    incident_id: int
    kind: str
    lang: str
    situation: str
    size: int
    sample_ids: list[int] = Field(description="Read at least 3 of these (spot check) first.")
    up_to: int = Field(description="The snapshot: only items up to this id are approved.")


class BulkApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    incident_id: int
    spot_checked: list[int] = Field(description="Ids you read (at least 3 of the cluster).")
    up_to: int
    lang: str | None = None


class RefusedOut(BaseModel):
    id: int
    error: str


class BulkApproveOut(BaseModel):
    decision_id: int
    cluster: ClusterOut
    approved: list[int]
    refused: list[RefusedOut]


def item_out(row: Row) -> ItemOut:
    item, comment, incident = row.item, row.comment, row.incident
    return ItemOut(
        id=item.id or 0,
        kind=item.kind,
        state=item.state,
        text=item.text,
        template=item.template,
        lang=item.lang,
        platform=item.platform,
        service=item.service,
        needs_human=item.needs_human,
        reasons=list(item.reasons),
        facts_changed=item.facts_changed,
        edited_by=item.edited_by,
        decided_by=item.decided_by,
        decided_at=item.decided_at,
        arrived_at=item.arrived_at,
        waiting_seconds=row.waiting_seconds,
        urgency_rank=item.urgency_rank,
        reach_rank=item.reach_rank,
        limit=row.limit,
        weight=row.weight,
        attempts=item.attempts,
        last_error=item.last_error,
        next_attempt_at=item.next_attempt_at,
        incident=None
        if incident is None
        else IncidentRef(
            id=incident.id or 0,
            title=incident.title,
            status=incident.status,
            service=incident.service,
            regions=list(incident.regions),
        ),
        comment=None
        if comment is None
        else CommentOut(
            id=comment.id or 0,
            platform=comment.platform,
            external_id=comment.external_id,
            author=comment.author,
            text=comment.text,
            created_at=comment.created_at,
        ),
        labels=[
            LabelOut(
                model=label.model,
                is_complaint=label.is_complaint,
                complaint_score=label.complaint_score,
                service=label.service,
                sentiment=label.sentiment,
                urgent=list(label.urgent),
                lang=label.lang,
            )
            for label in row.labels
        ],
    )


def queue_out(found: QueuePage) -> QueueOut:
    return QueueOut(
        items=[item_out(row) for row in found.rows],
        limit=found.limit,
        offset=found.offset,
        more=found.more,
        total=found.total,
    )


def detail_out(detail: Detail) -> DetailOut:
    return DetailOut(
        item=item_out(detail.row),
        history=[
            HistoryEntryOut(at=e.at, actor=e.actor, action=e.action, reason=e.reason)
            for e in detail.history
        ],
        follow_up_id=detail.follow_up.id if detail.follow_up else None,
        open_replies=[r.id for r in detail.earlier if r.id is not None],
    )


def send_out(outcome: sending.Outcome) -> SendOut:
    return SendOut(
        item_id=outcome.item_id,
        state=outcome.state,
        sent=outcome.state == "sent",
        error=outcome.error,
        next_attempt_at=outcome.next_attempt_at,
    )


def cluster_out(cluster: bulk.Cluster) -> ClusterOut:
    return ClusterOut(
        incident_id=cluster.incident_id,
        kind=cluster.kind,
        lang=cluster.lang,
        situation=cluster.situation,
        size=cluster.size,
        sample_ids=list(cluster.sample_ids),
        up_to=cluster.up_to,
    )
