"""The replay summary: the contract other tools read after ``crisis replay``.

    {"comments": int,
     "incidents": [{"id", "service", "regions", "status", "opened_at", "resolved_at", "opened_by",
                    "previous_incident_id", "explanation"}],
     "posts": [{"id", "category", "publish_at", "state", "published_at", "held_by_incident_id",
                "held_by_freeze_id"}],
     "suggestions": [{"comment_id", "incident_id", "lang", "text", "kind", "situation",
                      "template", "state"}],
     "flagged": [{"comment_id", "incident_id", "reasons", "kind", "state"}],
     "problems": [{"where", "reason"}]}

Times are ISO 8601 in UTC; ``comment_id`` is the platform's id of the comment. ``explanation``
is the incident card (``crisis.detection.card``): why it opened, top terms, examples. ``kind``
is "reply" or "follow_up" (queued when the incident is resolved; the customer's pending "we are
on it" reply is then ``rejected``, superseded by it); ``state`` is the review state at the end.
Fields may be added, never removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from crisis import incidents, posts
from crisis.domain import Problem
from crisis.tables import Comment, Incident, ReviewItem, ScheduledPost


def summarize(session: Session, *, comments: int, problems: Sequence[Problem]) -> dict[str, Any]:
    """The replay summary: comments, incidents, posts, suggestions, flagged items, problems."""
    items = session.exec(
        select(ReviewItem, Comment.external_id)
        .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
        .order_by(col(ReviewItem.id))
    ).all()
    return {
        "comments": comments,
        "incidents": [_incident(i) for i in incidents.list_incidents(session)],
        "posts": [_post(p) for p in posts.list_posts(session)],
        "suggestions": [
            {
                "comment_id": ext,
                "incident_id": item.incident_id,
                "lang": item.lang,
                "text": item.text,
                "kind": item.kind,
                "situation": item.situation,
                "template": item.template,
                "state": item.state,
            }
            for item, ext in items
            if not item.needs_human
        ],
        "flagged": [
            {
                "comment_id": ext,
                "incident_id": item.incident_id,
                "reasons": item.reasons,
                "kind": item.kind,
                "state": item.state,
            }
            for item, ext in items
            if item.needs_human
        ],
        "problems": [{"where": p.where, "reason": p.reason} for p in problems],
    }


def _incident(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "service": incident.service,
        "regions": incident.regions,
        "status": incident.status,
        "opened_at": _iso(incident.opened_at),
        "resolved_at": _iso(incident.resolved_at),
        "opened_by": incident.opened_by,
        "previous_incident_id": incident.previous_incident_id,
        "explanation": incident.explanation,
    }


def _post(post: ScheduledPost) -> dict[str, Any]:
    return {
        "id": post.key,
        "category": post.category,
        "publish_at": _iso(post.publish_at),
        "state": post.state,
        "published_at": _iso(post.published_at),
        "held_by_incident_id": post.held_by_incident_id,
        "held_by_freeze_id": post.held_by_freeze_id,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
