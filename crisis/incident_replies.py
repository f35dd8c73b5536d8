"""What the review queue does when an incident opens, changes or is resolved.

- Opened (or its facts changed): complaints of its service that arrived shortly before and are
  still pending without an incident are attached to it and re-written with its facts; a
  customer keeps one reply per incident, further ones are rejected as duplicates (audited).
- Facts changed (status, ETA, public text, regions): pending suggestions are re-written. A text
  a person edited is kept, marked ``facts_changed`` so the reviewer sees it; approved ones too.
- Resolved: every customer who complained about it gets one follow-up in their language, and
  their unedited pending replies ("we are working on it") are superseded by it.

``crisis.incidents`` knows nothing of replies: the callers (pipeline, replay, CLI) call
``after_incident_change`` with the reply setup the registry built.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from crisis import audit, incidents
from crisis.classify import from_row
from crisis.domain import Labels, ReplyContext, Sentiment
from crisis.respond import ReplySetup, render, set_rank, view
from crisis.states import REVIEW_TRANSITIONS, move
from crisis.tables import Classification, Comment, Incident, ReviewItem

ATTACH_LOOKBACK = timedelta(hours=6)  # complaints this long before an incident opened join it
FOLLOW_UP = "resolved_follow_up"
ACTOR = "responder"


def after_incident_change(
    session: Session, setup: ReplySetup, incident: Incident, *, now: datetime
) -> dict[str, int]:
    """Bring the queue in line with ``incident``'s current facts; counts of what changed."""
    if incident.status == "resolved":
        return queue_follow_ups(session, setup, incident, now=now)
    counts = attach_early_complaints(session, setup, incident, now=now)
    counts.update(rerender_incident(session, setup, incident, now=now))
    return counts


def attach_early_complaints(
    session: Session, setup: ReplySetup, incident: Incident, *, now: datetime
) -> dict[str, int]:
    """Attach pending complaints of the incident's service without an incident to it."""
    services = {incident.service} | {
        carried.value
        for carried, carrier in incidents.CARRIED_BY.items()
        if carrier.value == incident.service
    }
    rows = session.exec(
        select(ReviewItem, Comment)
        .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
        .where(
            ReviewItem.kind == "reply",
            ReviewItem.state == "pending",
            col(ReviewItem.incident_id).is_(None),
            col(ReviewItem.service).in_(services),
            col(ReviewItem.arrived_at) >= incident.opened_at - ATTACH_LOOKBACK,
        )
        .order_by(col(ReviewItem.arrived_at), col(ReviewItem.id))
    ).all()
    taken = _replies_by_author(session, _incident_id(incident))
    labels = labels_for(session, [comment.id for _, comment in rows])
    attached = duplicates = 0
    for item, comment in rows:
        comment_labels = labels.get(_item_id_of(comment)) or _fallback(comment)
        if not comment_labels.is_complaint:
            continue  # a question or praise of the same service is not about the outage
        kept = taken.get(comment.author)
        if kept is not None:
            _move(
                item,
                session,
                "rejected",
                now=now,
                reason=(
                    f"duplicate: {comment.author} already has reply #{kept} "
                    f"for incident {incident.id}"
                ),
            )
            duplicates += 1
            continue
        taken[comment.author] = _item_id(item)
        before = item.template
        item.incident_id, item.service = incident.id, incident.service
        item.situation = _situation(setup, comment, comment_labels) or item.situation
        set_rank(item, urgent=item.urgency_rank == 0)
        if item.edited_by:
            item.facts_changed = True
        else:
            render(setup, item, comment, comment_labels, incident)
        session.add(item)
        audit.record(
            session,
            at=now,
            actor=ACTOR,
            action="review_item.attached",
            entity="review_item",
            entity_id=item.id,
            reason=f"complaint arrived before incident {incident.id} was opened",
            details={"incident_id": incident.id, "template": [before, item.template]},
        )
        attached += 1
    return {"attached": attached, "duplicates": duplicates}


def rerender_incident(
    session: Session, setup: ReplySetup, incident: Incident, *, now: datetime
) -> dict[str, int]:
    """Re-write the incident's pending suggestions; mark edited and approved ones instead."""
    rows = session.exec(
        select(ReviewItem, Comment)
        .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
        .where(
            ReviewItem.incident_id == incident.id,
            ReviewItem.kind == "reply",
            col(ReviewItem.state).in_(("pending", "approved")),
        )
    ).all()
    labels = labels_for(session, [comment.id for _, comment in rows])
    rerendered = marked = 0
    for item, comment in rows:
        if item.state == "approved" or item.edited_by:
            if not item.facts_changed:
                item.facts_changed = True
                session.add(item)
                marked += 1
            continue
        before = item.text
        if render(
            setup, item, comment, labels.get(_item_id_of(comment)) or _fallback(comment), incident
        ):
            session.add(item)
            audit.record(
                session,
                at=now,
                actor=ACTOR,
                action="review_item.rerendered",
                entity="review_item",
                entity_id=item.id,
                reason=f"facts of incident {incident.id} changed",
                details={"chars": [len(before), len(item.text)], "template": item.template},
            )
            rerendered += 1
    return {"rerendered": rerendered, "marked_changed": marked}


def queue_follow_ups(
    session: Session, setup: ReplySetup, incident: Incident, *, now: datetime
) -> dict[str, int]:
    """One follow-up per customer who complained about ``incident`` (one per author)."""
    rows = session.exec(
        select(ReviewItem, Comment)
        .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
        .where(
            ReviewItem.incident_id == incident.id,
            col(ReviewItem.kind).in_(("reply", "follow_up")),
            ReviewItem.state != "rejected",
        )
        .order_by(col(ReviewItem.arrived_at), col(ReviewItem.id))
    ).all()
    done = {comment.author for item, comment in rows if item.kind == "follow_up"}
    labels = labels_for(session, [comment.id for _, comment in rows])
    created = superseded = 0
    for reply, comment in rows:
        if reply.kind != "reply":
            continue
        if reply.state == "pending" and not reply.needs_human and not reply.edited_by:
            _move(
                reply,
                session,
                "rejected",
                now=now,
                reason=(
                    f"superseded: incident {incident.id} is resolved; the follow-up answers instead"
                ),
            )
            superseded += 1
        elif reply.state in ("pending", "approved") and not reply.facts_changed:
            reply.facts_changed = True
            session.add(reply)
        if comment.author in done:
            continue
        done.add(comment.author)
        follow_up = ReviewItem(
            comment_id=reply.comment_id,
            kind="follow_up",
            incident_id=incident.id,
            lang=reply.lang,
            state="pending",
            created_at=now,
            arrived_at=now,  # the SLA clock of a follow-up starts when there is news to tell
            platform=reply.platform,
            service=incident.service,
            reach_rank=reply.reach_rank,
            situation=FOLLOW_UP,
            needs_human=reply.needs_human,
            reasons=list(reply.reasons),
        )
        set_rank(follow_up, urgent=reply.urgency_rank == 0)
        render(
            setup,
            follow_up,
            comment,
            labels.get(_item_id_of(comment)) or _fallback(comment),
            incident,
        )
        session.add(follow_up)
        created += 1
    session.flush()
    return {"follow_ups": created, "superseded": superseded}


def labels_for(session: Session, comment_ids: list[int | None]) -> dict[int, Labels]:
    """The newest stored labels of each comment."""
    ids = [cid for cid in comment_ids if cid is not None]
    if not ids:
        return {}
    rows = session.exec(
        select(Classification)
        .where(col(Classification.comment_id).in_(ids))
        .order_by(col(Classification.created_at), col(Classification.id))
    )
    return {row.comment_id: from_row(row) for row in rows}


def _situation(setup: ReplySetup, comment: Comment, labels: Labels) -> str | None:
    """The situation the policy picks now that the comment belongs to an incident."""
    context = ReplyContext(
        own_accounts=frozenset(),
        bot_accounts=frozenset(),
        addressed_to_us=True,
        already_answered=False,
        has_incident=True,
        languages=setup.responder.languages,
    )
    return setup.policy(view(comment), labels, context).situation


def _replies_by_author(session: Session, incident_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Comment.author, ReviewItem.id)
        .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
        .where(
            ReviewItem.incident_id == incident_id,
            ReviewItem.kind == "reply",
            ReviewItem.state != "rejected",
        )
    )
    return {author: item_id for author, item_id in rows if item_id is not None}


def _fallback(comment: Comment) -> Labels:
    """Labels for a comment stored without any (a hand-made item): a plain complaint."""
    return Labels("none", True, 1.0, None, Sentiment.NEUTRAL, lang=comment.lang)


def _move(item: ReviewItem, session: Session, state: str, *, now: datetime, reason: str) -> None:
    details: dict[str, Any] = {}
    move(
        session,
        item,
        state,
        transitions=REVIEW_TRANSITIONS,
        entity="review_item",
        entity_id=item.id,
        actor=ACTOR,
        now=now,
        reason=reason,
        details=details,
    )
    item.decided_by, item.decided_at = ACTOR, now


def _item_id(item: ReviewItem) -> int:
    if item.id is None:
        raise RuntimeError("review item has no id before flush")
    return item.id


def _item_id_of(comment: Comment) -> int:
    if comment.id is None:
        raise RuntimeError("comment has no id before flush")
    return comment.id


def _incident_id(incident: Incident) -> int:
    if incident.id is None:
        raise RuntimeError("incident has no id before flush")
    return incident.id
