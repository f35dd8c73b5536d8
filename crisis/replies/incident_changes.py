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
  pending (re-written unless a person edited it), unless the lead who changed the facts
  approved them for the replies too (``approved_by``: the incident page's "approved replies
  keep their approval" box, ``crisis incidents update --keep-approved``, the API's
  ``keep_approved``): then the template replies are re-written and stay approved. A person's
  edited text always goes back to its reviewer. Every such step is audited.
- Resolved: see ``crisis.replies.follow_ups``.

``crisis.incidents`` knows nothing of replies: the callers (pipeline, replay, CLI) call
``after_incident_change`` with the reply setup the registry built.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from crisis import audit, incidents
from crisis.clock import local_time
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
from crisis.replies.respond import LOOKBACK, OUTAGE_SITUATION, ReplySetup, render, set_rank, view
from crisis.tables import Comment, Incident, ReviewItem

ATTACH_LOOKBACK = LOOKBACK  # default of ReplySetup.lookback (CRISIS_INCIDENT_LOOKBACK_MINUTES)
# Situations whose text quotes the incident's facts; other replies ("please DM us") do not.
INCIDENT_SITUATIONS = ("outage_incident", FOLLOW_UP)
ANSWERED = ("approved", "sent", "failed")

__all__ = ["ATTACH_LOOKBACK", "after_incident_change", "queue_follow_ups"]


def after_incident_change(
    session: Session,
    setup: ReplySetup,
    incident: Incident,
    *,
    now: datetime,
    approved_by: str | None = None,
) -> dict[str, int]:
    """Bring the queue in line with ``incident``'s current facts; counts of what changed.
    ``approved_by``: the lead who approved the new facts for already approved replies."""
    if incident.status == "resolved":
        return queue_follow_ups(session, setup, incident, now=now)
    counts = attach_early_complaints(session, setup, incident, now=now)
    counts.update(rerender_incident(session, setup, incident, now=now, approved_by=approved_by))
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
            col(ReviewItem.service).in_(services) | col(ReviewItem.service).is_(None),
            col(ReviewItem.arrived_at) >= incident.opened_at - setup.lookback,
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
        if _situation(setup, comment, found) != OUTAGE_SITUATION:
            continue  # a question or praise of the same service is not about the outage
        kept = taken.get(comment.author)
        if item.state in ANSWERED:
            _link(session, item, incident, now=now)
            taken.setdefault(comment.author, _item_id(item))
            counts["linked"] += 1
            continue
        if kept is not None and not item.needs_human:
            duplicate = (
                f"duplicate: {comment.author} already has reply #{kept} for incident {incident.id}"
            )
            if move_item(session, item, "rejected", now=now, reason=duplicate):
                counts["duplicates"] += 1
            continue
        taken.setdefault(comment.author, _item_id(item))
        before = item.template
        item.incident_id, item.service = incident.id, incident.service
        item.situation = OUTAGE_SITUATION
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
    session: Session,
    setup: ReplySetup,
    incident: Incident,
    *,
    now: datetime,
    approved_by: str | None = None,
) -> dict[str, int]:
    """Re-write the incident's pending suggestions; reopen approved ones written before the
    facts changed (re-write and keep them approved when ``approved_by`` approved the new facts
    and the text is the template's); mark edited ones."""
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
    counts = {"rerendered": 0, "reopened": 0, "marked_changed": 0, "kept_approved": 0}
    for item, comment in rows:
        kept = False
        if item.state in ("approved", "failed"):  # a failed one would be retried as is
            if item.decided_at is not None and item.decided_at > facts_at:
                continue  # approved with these facts in view
            if approved_by is not None and not item.edited_by:
                kept = True  # the lead approved the new facts: the template's text may follow
            else:
                if not move_item(session, item, "pending", now=now, reason=why):
                    continue  # a person decided it a moment ago: theirs stands
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
            reason = (
                f"{why}; new facts approved by {approved_by} on the incident: stays {item.state}"
                if kept
                else why
            )
            audit.record(
                session,
                at=now,
                actor=ACTOR,
                action="review_item.rerendered",
                entity="review_item",
                entity_id=item.id,
                reason=reason,
                details={
                    "chars": [len(before), len(item.text)],
                    "template": item.template,
                    "kept_approved": kept,
                },
            )
            counts["kept_approved" if kept else "rerendered"] += 1
    return counts


def describe(incident: Incident) -> str:
    """The incident's facts in one line, for audit reasons."""
    parts = [f"incident {incident.id} is {incident.status}"]
    if incident.regions:
        parts.append(f"regions {', '.join(incident.regions)}")
    if incident.eta is not None:
        parts.append(f"ETA {local_time(incident.eta)}")
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
