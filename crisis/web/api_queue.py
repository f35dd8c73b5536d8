"""The review queue as a JSON API for integrations: the same order, filters and decisions as the
queue page and ``crisis queue ...``, each decision audited with the caller's name.

Reads need a signed-in user (session cookie or ``Authorization: Bearer`` API token); changes
need an API token, or the cookie plus the session's ``X-CSRF-Token``. Errors come back as
``{"error", "kind"}`` with a status (404 unknown item, 409 a refused decision, 422 bad input).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from crisis.replies import bulk, queue
from crisis.tables import ReviewItem
from crisis.web import queue_send
from crisis.web.context import MAX_ID, Ctx, Db, Offset, RowId
from crisis.web.queue_data import MAX_PAGE_SIZE, PAGE_SIZE, build_rows, load_detail, load_page
from crisis.web.queue_data import read_filter as _read_filter
from crisis.web.queue_models import (
    ApproveIn,
    BulkApproveIn,
    BulkApproveOut,
    ClusterOut,
    DetailOut,
    EditIn,
    ItemOut,
    QueueOut,
    RefusedOut,
    RejectIn,
    SendAllOut,
    SendOut,
    cluster_out,
    detail_out,
    item_out,
    queue_out,
    send_out,
)
from crisis.web.queue_seen import check_seen
from crisis.web.security import ApiUser, User

router = APIRouter(tags=["queue"])


@router.get("/queue", summary="List review items in queue order")
def list_queue(
    session: Db,
    ctx: Ctx,
    user: User,
    state: Annotated[str, Query(description="pending, approved, failed, sent, rejected")] = (
        "pending"
    ),
    incident: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this incident's items.")
    ] = None,
    service: str | None = None,
    platform: str | None = None,
    lang: str | None = None,
    kind: Annotated[str | None, Query(description="reply or follow_up")] = None,
    urgent: Annotated[
        bool | None, Query(description="true: only items a person must answer; false: templates")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
    offset: Offset = 0,
) -> QueueOut:
    """Urgent first, then the author's reach, then the oldest comment (the SLA clock)."""
    where = _read_filter(state=state, incident=incident, service=service, platform=platform,
                         lang=lang, kind=kind, urgent=urgent)  # fmt: skip
    found = load_page(session, where=where, now=ctx.clock.now(), limit=limit, offset=offset)
    return queue_out(found)


@router.get("/queue/clusters", summary="Clusters that can be bulk-approved")
def list_clusters(
    session: Db,
    user: User,
    incident: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    lang: str | None = None,
) -> list[ClusterOut]:
    """Pending template replies of one incident with the same kind, language and situation.
    Items a person must answer, or that a person edited, are never part of one."""
    return [cluster_out(c) for c in bulk.clusters(session, incident_id=incident, lang=lang)]


@router.post("/queue/bulk-approve", summary="Approve a cluster after a spot check")
def bulk_approve(session: Db, ctx: Ctx, user: ApiUser, body: BulkApproveIn) -> BulkApproveOut:
    """Needs at least 3 spot-checked ids of the cluster (all of a smaller one); approves only
    items up to ``up_to``. Items the platform would refuse stay pending (``refused``)."""
    result = bulk.bulk_approve(
        session, incident_id=body.incident_id, spot_checked=body.spot_checked, up_to=body.up_to,
        actor=user.name, now=ctx.clock.now(), lang=body.lang,
        claim_ttl=timedelta(minutes=ctx.settings.claim_minutes),
    )  # fmt: skip
    return BulkApproveOut(
        decision_id=result.decision_id,
        cluster=cluster_out(result.cluster),
        approved=result.approved,
        refused=[RefusedOut(id=i, error=why) for i, why in result.refused],
    )


@router.post("/queue/send", summary="Send every approved reply (and retry failed ones due)")
def send_all(ctx: Ctx, user: ApiUser) -> SendAllOut:
    """Each reply at most once. ``not_configured``: the platform has no credentials; those
    items stay approved and nothing was attempted."""
    report = queue_send.send_all(ctx.engine, ctx.settings, actor=user.name, clock=ctx.clock)
    return SendAllOut(
        sent=report.sent, failed=report.failed, gave_up=report.gave_up, waiting=report.waiting,
        skipped=report.skipped, not_configured=report.not_configured, held=report.held,
    )  # fmt: skip


@router.get("/queue/{item_id}", summary="One review item with its history")
def get_item(session: Db, ctx: Ctx, user: User, item_id: RowId) -> DetailOut:
    return detail_out(load_detail(session, item_id, now=ctx.clock.now()))


@router.post("/queue/{item_id}/approve", summary="Approve, optionally with your own text")
def approve(session: Db, ctx: Ctx, user: ApiUser, item_id: RowId, body: ApproveIn) -> ItemOut:
    check_seen(session, item_id, state=body.seen_state, text=body.seen_text)
    item = queue.approve(session, item_id, actor=user.name, now=ctx.clock.now(),
                         text=body.text, force=body.force)  # fmt: skip
    return _one(session, ctx, item)


@router.post("/queue/{item_id}/edit", summary="Change the reply; it stays (or becomes) pending")
def edit(session: Db, ctx: Ctx, user: ApiUser, item_id: RowId, body: EditIn) -> ItemOut:
    check_seen(session, item_id, state=body.seen_state, text=body.seen_text)
    item = queue.edit(session, item_id, text=body.text, actor=user.name, now=ctx.clock.now())
    return _one(session, ctx, item)


@router.post("/queue/{item_id}/reject", summary="Reject: the reply is never sent")
def reject(session: Db, ctx: Ctx, user: ApiUser, item_id: RowId, body: RejectIn) -> ItemOut:
    check_seen(session, item_id, state=body.seen_state)
    reason = (body.reason or "").strip() or None
    item = queue.reject(session, item_id, actor=user.name, now=ctx.clock.now(), reason=reason)
    return _one(session, ctx, item)


@router.post("/queue/{item_id}/send", summary="Send one approved (or failed) reply now")
def send(ctx: Ctx, user: ApiUser, item_id: RowId) -> SendOut:
    """``sent`` says whether it went out; ``state`` and ``error`` say why not."""
    outcome = queue_send.send_one(ctx.engine, ctx.settings, item_id, actor=user.name,
                                  clock=ctx.clock)  # fmt: skip
    return send_out(outcome)


def _one(session: Db, ctx: Ctx, item: ReviewItem) -> ItemOut:
    session.flush()
    [row] = build_rows(session, [item], now=ctx.clock.now())
    return item_out(row)
