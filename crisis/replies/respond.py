"""Respond step: turn labelled comments into review items for the team.

The rules are the reply policy's (``responders.policy``, wired in by the registry): this module
gathers what the policy needs from the database (who we are, whether a comment is addressed to
us, which incident it belongs to, whether its author already has a reply for that incident),
applies the decision and stores the item with the columns the queue sorts by.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from crisis import audit, incidents
from crisis.domain import CommentView, Labels, ReplyContext, Service, Verdict, account_key
from crisis.errors import Inconsistent
from crisis.protocols import ReplyPolicy, Responder
from crisis.replies.common import comment_labels, labels_for
from crisis.tables import Comment, Incident, ReviewItem, ScheduledPost, SentReply

PRIORITY_URGENT = 100
PRIORITY_INCIDENT = 50
PRIORITY_OTHER = 10
# Followers on the platform -> reach_rank (0 widest). Unknown counts as small: most are.
REACH_TIERS = ((100_000, 0), (10_000, 1), (1_000, 2))
REACH_SMALL = 3
# Platforms whose source reads only comments on our own page: every one is addressed to us.
PAGE_PLATFORMS = frozenset({"facebook"})
# Third-party apps (WhatsApp, Netflix...) run on these: their "outage" during ours is ours.
APP_CARRIERS = (Service.MOBILE, Service.INTERNET)
OUTAGE_SITUATION = "outage_incident"
LOOKBACK = timedelta(minutes=90)
_MENTION = re.compile(r"(?<![\w.])@(\w+)")  # not the @ of an e-mail address


@dataclass(frozen=True)
class ReplySetup:
    """What the respond step is wired with (see ``crisis.registry``)."""

    responder: Responder
    policy: ReplyPolicy
    own_authors: Sequence[str] = ()
    bot_accounts: Sequence[str] = ()
    status_url: str | None = None
    page_lang: str | None = None  # our pages' language, for comments that do not show theirs
    lookback: timedelta = LOOKBACK  # how long before an incident opened a comment may join it

    @property
    def own(self) -> frozenset[str]:
        return frozenset(account_key(name) for name in self.own_authors)

    @property
    def bots(self) -> frozenset[str]:
        return frozenset(account_key(name) for name in self.bot_accounts)


def suggest_replies(
    session: Session, setup: ReplySetup, labelled: Mapping[int, Labels], *, now: datetime
) -> list[ReviewItem]:
    """Queue a review item for each comment in ``labelled`` that the policy does not skip."""
    ids = list(labelled)
    if not ids:
        return []
    open_now = incidents.open_incidents(session)  # oldest first
    comments = {c.id: c for c in session.exec(select(Comment).where(col(Comment.id).in_(ids)))}
    queued = set(
        session.exec(
            select(ReviewItem.comment_id).where(
                col(ReviewItem.comment_id).in_(ids), ReviewItem.kind == "reply"
            )
        )
    )
    fresh = [comments[cid] for cid in ids if cid in comments and cid not in queued]
    threads = known_threads(session, fresh)
    earliest = min((i.opened_at for i in open_now), default=None)
    prior = (
        customer_items(session, [c.author for c in fresh], since=earliest - setup.lookback)
        if earliest is not None
        else {}
    )
    own, bots = setup.own, setup.bots
    created: list[ReviewItem] = []
    for comment in fresh:
        labels = labelled[_id(comment)]
        candidate = incident_for(open_now, labels, comment.created_at, lookback=setup.lookback)
        earlier = prior.get(comment.author)
        answered = (
            earlier is not None
            and candidate is not None
            and earlier.incident_id == candidate.id
            and not updatable(earlier)
        )
        context = ReplyContext(
            own_accounts=own,
            bot_accounts=bots,
            addressed_to_us=addressed_to_us(comment, own, threads),
            already_answered=answered,
            has_incident=candidate is not None,
            languages=setup.responder.languages,
            default_lang=setup.page_lang,
        )
        decision = setup.policy(view(comment), labels, context)
        if decision.verdict == Verdict.SKIP:
            continue
        incident = candidate if decision.situation == OUTAGE_SITUATION else None
        if decision.verdict == Verdict.SUGGEST and earlier is not None:
            # One customer, one reply per incident: a later comment updates the pending reply.
            if incident is not None and updatable(earlier):
                update_for_later_comment(setup, session, earlier, comment, incident, now=now)
                continue
            if earlier.incident_id is not None and (
                incident is None or earlier.incident_id == incident.id
            ):
                continue  # their incident reply answers this one too
        item = ReviewItem(
            comment_id=_id(comment),
            kind="reply",
            incident_id=incident.id if incident else None,
            lang=decision.lang or comment.lang or labels.lang,
            state="pending",
            created_at=now,
            arrived_at=comment.created_at,
            platform=comment.platform,
            service=incident.service if incident else _service(labels),
            reach_rank=reach_rank(comment.raw),
            situation=decision.situation,
        )
        if decision.verdict == Verdict.FLAG:
            item.needs_human, item.reasons = True, list(decision.reasons)
        set_rank(item, urgent=bool(labels.urgent))
        render(setup, item, comment, labels, incident)
        if incident is not None or earlier is None:
            prior[comment.author] = item
        session.add(item)
        created.append(item)
    session.flush()
    for item in created:  # flags are audited; skips are not (one per comment read: too many)
        if item.needs_human:
            record_flag(session, item, now=now)
    return created


def record_flag(session: Session, item: ReviewItem, *, now: datetime) -> None:
    """Audit the responder's decision that a person answers ``item``, with the reasons."""
    audit.record(
        session,
        at=now,
        actor="responder",
        action="review_item.flagged",
        entity="review_item",
        entity_id=item.id,
        reason=", ".join(item.reasons) or None,
        details={"kind": item.kind, "urgent": item.urgency_rank == 0},
    )


def render(
    setup: ReplySetup,
    item: ReviewItem,
    comment: Comment,
    labels: Labels,
    incident: Incident | None,
) -> bool:
    """(Re-)write ``item``'s text for its situation and the incident's facts; ``True`` if the
    text changed. A suggestion that finds no wording goes to a person, saying why."""
    if item.situation is None:
        return False
    # The day an ETA is said against ("heute Abend"): when the customer wrote, which is close
    # to when the reply goes out; a reply re-written the next day says the day again.
    as_of = _aware(comment.created_at)
    facts = (
        incidents.facts(incident, status_url=setup.status_url, as_of=as_of) if incident else None
    )
    suggestion = setup.responder.respond(view(comment), labels, facts, item.situation)
    if suggestion is None:
        if not item.needs_human:
            item.needs_human = True
            item.reasons = [f"no template for {item.situation} in language {item.lang or '?'}"]
        return False
    changed = suggestion.text != item.text
    item.text, item.template, item.lang = suggestion.text, suggestion.template, suggestion.lang
    return changed


def set_rank(item: ReviewItem, *, urgent: bool) -> None:
    """The sort columns: urgent first, then replies about an incident, then the rest."""
    if urgent:
        item.urgency_rank, item.priority = 0, PRIORITY_URGENT
    elif item.incident_id is not None:
        item.urgency_rank, item.priority = 1, PRIORITY_INCIDENT
    else:
        item.urgency_rank, item.priority = 2, PRIORITY_OTHER


def view(comment: Comment) -> CommentView:
    return CommentView(_id(comment), comment.platform, comment.author, comment.text, comment.lang)


def incident_for(
    open_now: Sequence[Incident],
    labels: Labels,
    written_at: datetime | None = None,
    *,
    lookback: timedelta = LOOKBACK,
) -> Incident | None:
    """The open incident a comment may belong to (the policy decides whether it does): one of
    its service, or of the service carrying it; for a third-party app, our mobile or internet
    outage; with no service named, the only open one. Never for a comment written more than
    ``lookback`` before the incident opened: that one is about something else."""
    if written_at is not None:
        open_now = [i for i in open_now if written_at >= _aware(i.opened_at) - lookback]
    if labels.service is not None:
        same = [i for i in open_now if i.service == labels.service.value]
        carrier = incidents.CARRIED_BY.get(labels.service)
        if not same and carrier is not None:  # "Festnetz tot" during a DSL outage
            same = [i for i in open_now if i.service == carrier.value]
        if same:
            return same[-1]
        if labels.third_party is None:
            return None
    if labels.third_party is not None:  # "WhatsApp geht nicht" during our mobile outage
        carriers = [i for i in open_now if i.service in {s.value for s in APP_CARRIERS}]
        return carriers[-1] if carriers else None
    # "Bei mir auch", "Und jetzt?": no service named, but while exactly one outage is open it
    # is almost always about that one. A person reviews the suggestion before it goes out.
    return open_now[0] if len(open_now) == 1 else None


def customer_items(
    session: Session, authors: Sequence[str], *, since: datetime
) -> dict[str, ReviewItem]:
    """Each author's newest reply item (not rejected) for a comment written since ``since``."""
    if not authors:
        return {}
    rows = session.exec(
        select(Comment.author, ReviewItem)
        .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
        .where(
            col(Comment.author).in_(set(authors)),
            ReviewItem.kind == "reply",
            ReviewItem.state != "rejected",
            col(ReviewItem.arrived_at) >= since,
        )
        .order_by(col(ReviewItem.arrived_at), col(ReviewItem.id))
    ).all()
    found: dict[str, ReviewItem] = {}
    for author, item in rows:
        if item.incident_id is not None or author not in found or found[author].incident_id is None:
            found[author] = item  # an incident reply counts over a later "DM us"
    return found


def updatable(item: ReviewItem) -> bool:
    """A suggestion the machine may still re-write: pending, its text not a person's."""
    return item.state == "pending" and not item.edited_by and not item.needs_human


def update_for_later_comment(
    setup: ReplySetup,
    session: Session,
    item: ReviewItem,
    later: Comment,
    incident: Incident,
    *,
    now: datetime,
) -> None:
    """The customer wrote again ("bei mir auch", "und jetzt?"): their pending reply becomes
    (or stays) the incident's, re-written with its facts, instead of a second reply."""
    comment = session.get(Comment, item.comment_id)
    if comment is None:
        raise Inconsistent(f"review item {item.id} has no comment")
    before = (item.situation, item.incident_id)
    item.situation, item.incident_id, item.service = OUTAGE_SITUATION, incident.id, incident.service
    set_rank(item, urgent=item.urgency_rank == 0)
    render(setup, item, comment, _labels_of(session, comment), incident)
    session.add(item)
    audit.record(
        session,
        at=now,
        actor="responder",
        action="review_item.updated",
        entity="review_item",
        entity_id=item.id,
        reason=f"the customer wrote again (comment {later.id}): one reply per incident",
        details={"comment_id": later.id, "before": list(before), "incident_id": incident.id},
    )


def _labels_of(session: Session, comment: Comment) -> Labels:
    return comment_labels(labels_for(session, [comment.id]), comment)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def addressed_to_us(comment: Comment, own: frozenset[str], threads: frozenset[str]) -> bool:
    """Whether the comment speaks to us rather than to someone else.

    Our sources read what is meant for us: comments on our page, posts that mention or name us
    (X's mentions timeline; replays and exports of those). What is not meant for us is someone
    else's conversation: a comment that @-mentions other accounts but none of ours ("@max bei
    mir auch"), or a reply in a thread we do not know.
    """
    if comment.platform in PAGE_PLATFORMS:
        return True
    mentions = {name.casefold() for name in _MENTION.findall(comment.text)}
    if mentions & own:
        return True
    if comment.in_reply_to is not None:
        return comment.in_reply_to in threads
    return not mentions


def known_threads(session: Session, comments: Iterable[Comment]) -> frozenset[str]:
    """Of the ids the comments reply to: those of our posts and replies, or of stored comments
    (a reply under a customer's comment to us is part of the conversation with us)."""
    parents = {c.in_reply_to for c in comments if c.in_reply_to}
    if not parents:
        return frozenset()
    found: set[str] = set()
    for column in (Comment.external_id, ScheduledPost.published_id, SentReply.external_id):
        found.update(
            value for value in session.exec(select(column).where(col(column).in_(parents))) if value
        )
    return frozenset(found)


def reach_rank(raw: Mapping[str, Any]) -> int:
    """0 for an author with 100,000 followers or more ... 3 for few or unknown (X only)."""
    author = raw.get("author") if isinstance(raw, Mapping) else None
    metrics = author.get("public_metrics") if isinstance(author, Mapping) else None
    followers = metrics.get("followers_count") if isinstance(metrics, Mapping) else None
    if not isinstance(followers, int):
        return REACH_SMALL
    return next((rank for floor, rank in REACH_TIERS if followers >= floor), REACH_SMALL)


def _service(labels: Labels) -> str | None:
    return labels.service.value if isinstance(labels.service, Service) else None


def _id(row: Comment) -> int:
    if row.id is None:
        raise Inconsistent("comment has no id before flush")
    return row.id
