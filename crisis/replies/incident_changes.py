"""What the review queue does when an incident opens or its facts change.

- Opened (or its facts changed): complaints of its service that arrived shortly before are
  attached to it. Pending ones are re-written with its facts; a customer keeps one template
  reply per incident, further template replies are rejected as duplicates (audited), but an
  item that needs a person is never rejected by the machine. Replies already approved, sent or
  failed (the "please DM us" of an early complainer) are only linked, text and state untouched,
  so the follow-up reaches those customers too.
- Facts changed (status, ETA, public text, regions): pending suggestions are re-written. A text
  a person edited is kept, marked ``facts_changed`` so the reviewer sees it. An approved (or
  failed, to be retried) reply written before the change is not sent stale: it goes back to
  pending (re-written unless a person edited it). Every such step is audited.
- Resolved: see ``crisis.replies.follow_ups``.
- Suspected or dismissed: nothing. A suspicion is the team's alone; when it is confirmed, the
  complaints that came meanwhile are attached to it as to a newly opened incident.

``crisis.incidents`` knows nothing of replies: the callers (pipeline, replay, CLI) call
``after_incident_change`` with the reply setup the registry built.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from crisis import audit, incidents
from crisis.domain import Labels, ReplyContext, account_key
from crisis.errors import Inconsistent
from crisis.replies.common import (
    ACTOR,
    comment_labels,
    labels_for,
    mark_facts_changed,
    move_item,
    replies_by_author,
)
from crisis.replies.follow_ups import FOLLOW_UP, queue_follow_ups
from crisis.replies.respond import ReplySetup, render, set_rank, view
from crisis.tables import Comment, Incident, ReviewItem

ATTACH_LOOKBACK = timedelta(hours=6)  # complaints this long before an incident opened join it
# Situations whose text quotes the incident's facts; other replies ("please DM us") do not.
INCIDENT_SITUATIONS = ("outage_incident", FOLLOW_UP)
ANSWERED = ("approved", "sent", "failed")

__all__ = ["ATTACH_LOOKBACK", "after_incident_change", "queue_follow_ups"]


def after_incident_change(
    session: Session, setup: ReplySetup, incident: Incident, *, now: datetime
) -> dict[str, int]:
    """Bring the queue in line with ``incident``'s current facts; counts of what changed."""
    if incident.status == "resolved":
        return queue_follow_ups(session, setup, incident, now=now)
    if incident.status in ("suspected", "dismissed"):
        return {}  # customers hear of an incident once it is confirmed, never of a suspicion
    counts = attach_early_complaints(session, setup, incident, now=now)
    counts.update(rerender_incident(session, setup, incident, now=now))
    return counts


def attach_early_complaints(
    session: Session, setup: ReplySetup, incident: Incident, *, now: datetime
) -> dict[str, int]:
    """Attach (pending) or link (already answered) earlier complaints of its service."""
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
            col(ReviewItem.state).in_(("pending", *ANSWERED)),
            col(ReviewItem.incident_id).is_(None),
            col(ReviewItem.service).in_(services),
            col(ReviewItem.arrived_at) >= incident.opened_at - ATTACH_LOOKBACK,
        )
        .order_by(col(ReviewItem.arrived_at), col(ReviewItem.id))
    ).all()
    taken = replies_by_author(session, _incident_id(incident))
    labels = labels_for(session, [comment.id for _, comment in rows])
    counts = {"attached": 0, "linked": 0, "duplicates": 0}
    for item, comment in rows:
        if account_key(comment.author) in setup.own:
            continue
        found = comment_labels(labels, comment)
        if not found.is_complaint:
            continue  # a question or praise of the same service is not about the outage
        kept = taken.get(comment.author)
        if item.state in ANSWERED:
            _link(session, item, incident, now=now)
            taken.setdefault(comment.author, _item_id(item))
            counts["linked"] += 1
            continue
        if kept is not None and not item.needs_human:
            move_item(
                session,
                item,
                "rejected",
                now=now,
                reason=(
                    f"duplicate: {comment.author} already has reply #{kept} "
                    f"for incident {incident.id}"
                ),
            )
            counts["duplicates"] += 1
            continue
        taken.setdefault(comment.author, _item_id(item))
        before = item.template
        item.incident_id, item.service = incident.id, incident.service
        item.situation = _situation(setup, comment, found) or item.situation
        set_rank(item, urgent=item.urgency_rank == 0)
        if item.edited_by:
            item.facts_changed = True
        else:
            render(setup, item, comment, found, incident)
        session.add(item)
        audit.record(
            session,
            at=now,
            actor=ACTOR,
            action="review_item.attached",
            entity="review_item",
            entity_id=item.id,
            reason=f"complaint arrived before incident {incident.id} was opened",
            details={
                "incident_id": incident.id,
                "template": [before, item.template],
                "facts_changed": item.facts_changed,
            },
        )
        counts["attached"] += 1
    return counts


def _link(session: Session, item: ReviewItem, incident: Incident, *, now: datetime) -> None:
    item.incident_id = incident.id
    session.add(item)
    audit.record(
        session,
        at=now,
        actor=ACTOR,
        action="review_item.linked",
        entity="review_item",
        entity_id=item.id,
        reason=(
            f"answered ({item.state}) before incident {incident.id} was opened; linked so the "
            "follow-up reaches this customer (text and state unchanged)"
        ),
        details={"incident_id": incident.id, "state": item.state},
    )


def rerender_incident(
    session: Session, setup: ReplySetup, incident: Incident, *, now: datetime
) -> dict[str, int]:
    """Re-write the incident's pending suggestions; reopen approved ones written before the
    facts changed; mark edited ones."""
    rows = session.exec(
        select(ReviewItem, Comment)
        .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
        .where(
            ReviewItem.incident_id == incident.id,
            ReviewItem.kind == "reply",
            col(ReviewItem.state).in_(("pending", "approved", "failed")),
            col(ReviewItem.situation).in_(INCIDENT_SITUATIONS),
        )
    ).all()
    labels = labels_for(session, [comment.id for _, comment in rows])
    facts_at = incident.facts_at or incident.opened_at
    why = f"incident facts changed: {describe(incident)}"
    counts = {"rerendered": 0, "reopened": 0, "marked_changed": 0}
    for item, comment in rows:
        if item.state in ("approved", "failed"):  # a failed one would be retried as is
            if item.decided_at is not None and item.decided_at > facts_at:
                continue  # approved with these facts in view
            move_item(session, item, "pending", now=now, reason=why)
            counts["reopened"] += 1
        if item.edited_by:
            if not item.facts_changed and (item.edited_at is None or item.edited_at <= facts_at):
                reason = f"{why}; the edited text is kept for its reviewer"
                mark_facts_changed(session, item, now=now, reason=reason)
                counts["marked_changed"] += 1
            continue
        before = item.text
        if render(setup, item, comment, comment_labels(labels, comment), incident):
            session.add(item)
            audit.record(
                session,
                at=now,
                actor=ACTOR,
                action="review_item.rerendered",
                entity="review_item",
                entity_id=item.id,
                reason=why,
                details={"chars": [len(before), len(item.text)], "template": item.template},
            )
            counts["rerendered"] += 1
    return counts


def describe(incident: Incident) -> str:
    """The incident's facts in one line, for audit reasons."""
    parts = [f"incident {incident.id} is {incident.status}"]
    if incident.regions:
        parts.append(f"regions {', '.join(incident.regions)}")
    if incident.eta is not None:
        parts.append(f"ETA {incident.eta.astimezone(UTC):%Y-%m-%d %H:%M}Z")
    if incident.public_status:
        parts.append(f"public status {incident.public_status[:80]!r}")
    return ", ".join(parts)


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


def _item_id(item: ReviewItem) -> int:
    if item.id is None:
        raise Inconsistent("review item has no id before flush")
    return item.id


def _incident_id(incident: Incident) -> int:
    if incident.id is None:
        raise Inconsistent("incident has no id before flush")
    return incident.id
