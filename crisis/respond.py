"""Respond step: turn labelled complaints into review items for the team.

The policy lives here, the wording in the responder: each complaint gets at most one item, a
customer gets one reply per incident, our own accounts get none, and urgent comments (churn,
legal, business, vulnerable, safety) or comments we have no template language for go to a
human, flagged, instead of getting a template.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from crisis import incidents
from crisis.domain import CommentView, Labels
from crisis.protocols import Responder
from crisis.tables import Comment, Incident, ReviewItem

PRIORITY_URGENT = 100
PRIORITY_INCIDENT = 50
PRIORITY_OTHER = 10


def suggest_replies(
    session: Session,
    responder: Responder,
    labelled: Mapping[int, Labels],
    *,
    now: datetime,
    own_authors: Sequence[str] = (),
    status_url: str | None = None,
) -> list[ReviewItem]:
    """Queue a review item for each complaint in ``labelled`` that should get one."""
    ours = {name.casefold() for name in own_authors}
    ids = [cid for cid, labels in labelled.items() if labels.is_complaint]
    if not ids:
        return []
    open_now = incidents.open_incidents(session)  # oldest first
    comments = {c.id: c for c in session.exec(select(Comment).where(col(Comment.id).in_(ids)))}
    queued = set(
        session.exec(select(ReviewItem.comment_id).where(col(ReviewItem.comment_id).in_(ids)))
    )
    created: list[ReviewItem] = []
    for cid in ids:
        comment, labels = comments.get(cid), labelled[cid]
        if comment is None or cid in queued or comment.author.casefold() in ours:
            continue
        incident = _incident_for(open_now, labels)
        incident_id = incident.id if incident else None
        if incident_id is not None and _already_answered(session, comment.author, incident_id):
            continue
        lang = comment.lang or labels.lang
        item = ReviewItem(
            comment_id=cid, incident_id=incident_id, lang=lang, state="pending", created_at=now
        )
        if labels.urgent:
            item.needs_human = True
            item.reasons = [reason.value for reason in labels.urgent]
            item.priority = PRIORITY_URGENT
        else:
            view = CommentView(cid, comment.platform, comment.author, comment.text, lang)
            facts = incidents.facts(incident, status_url=status_url) if incident else None
            suggestion = responder.respond(view, labels, facts)
            item.priority = PRIORITY_INCIDENT if incident else PRIORITY_OTHER
            if suggestion is None:
                item.needs_human = True
                item.reasons = [f"no template for language {lang or 'unknown'}"]
            else:
                item.text, item.template, item.lang = (
                    suggestion.text,
                    suggestion.template,
                    suggestion.lang,
                )
        session.add(item)
        created.append(item)
    session.flush()
    return created


def _incident_for(open_now: Sequence[Incident], labels: Labels) -> Incident | None:
    if labels.service is not None:
        same = [i for i in open_now if i.service == labels.service.value]
        carrier = incidents.CARRIED_BY.get(labels.service)
        if not same and carrier is not None:  # "Festnetz tot" during a DSL outage
            same = [i for i in open_now if i.service == carrier.value]
        return same[-1] if same else None
    # "Bei mir auch", "Und jetzt?": no service named, but while exactly one outage is open it
    # is almost always about that one. A person reviews the suggestion before it goes out.
    return open_now[0] if len(open_now) == 1 and labels.third_party is None else None


def _already_answered(session: Session, author: str, incident_id: int) -> bool:
    query = (
        select(ReviewItem.id)
        .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
        .where(ReviewItem.incident_id == incident_id, Comment.author == author)
        .limit(1)
    )
    return session.exec(query).first() is not None
