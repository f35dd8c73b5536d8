"""The lifecycles' states and allowed moves, and the one audited way to move along them.

The states are ``StrEnum``s: they compare equal to (and are stored as) their plain values, so a
row read back from the database, an API payload and the code all speak the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from crisis import audit
from crisis.errors import InvalidTransition


class IncidentStatus(StrEnum):
    SUSPECTED = "suspected"
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class PostState(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    HELD = "held"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"


class ReviewState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SENT = "sent"
    FAILED = "failed"


_I, _P, _R = IncidentStatus, PostState, ReviewState

INCIDENT_STATES = tuple(IncidentStatus)
OPEN_INCIDENT_STATES = INCIDENT_STATES[:-1]
INCIDENT_TRANSITIONS: dict[str, frozenset[str]] = {
    _I.SUSPECTED: frozenset({_I.INVESTIGATING, _I.IDENTIFIED, _I.MONITORING, _I.RESOLVED}),
    _I.INVESTIGATING: frozenset({_I.IDENTIFIED, _I.MONITORING, _I.RESOLVED}),
    _I.IDENTIFIED: frozenset({_I.INVESTIGATING, _I.MONITORING, _I.RESOLVED}),
    _I.MONITORING: frozenset({_I.IDENTIFIED, _I.RESOLVED}),  # back when a fix does not hold
    _I.RESOLVED: frozenset(),
}

# A held post never publishes by itself: only an explicit resume makes it scheduled again (or
# sends it back to ``draft``, for the team to review and schedule anew). ``publishing`` is the
# claim: one publisher owns the post; a crash there leaves it visible, never sent twice.
POST_STATES = tuple(PostState)
POST_TRANSITIONS: dict[str, frozenset[str]] = {
    _P.DRAFT: frozenset({_P.SCHEDULED}),
    _P.SCHEDULED: frozenset({_P.HELD, _P.PUBLISHING, _P.DRAFT}),
    _P.HELD: frozenset({_P.SCHEDULED, _P.DRAFT}),
    # back to "scheduled" only when the publisher could not even start (a missing setting)
    _P.PUBLISHING: frozenset({_P.PUBLISHED, _P.FAILED, _P.SCHEDULED}),
    _P.FAILED: frozenset({_P.SCHEDULED, _P.DRAFT}),
    _P.PUBLISHED: frozenset(),
}

REVIEW_STATES = tuple(ReviewState)
REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    _R.PENDING: frozenset({_R.APPROVED, _R.REJECTED}),
    # back to pending ("reopen"): a person takes it back to edit it, or the incident's facts
    # changed after it was approved, so it must not go out as written
    _R.APPROVED: frozenset({_R.SENT, _R.FAILED, _R.REJECTED, _R.PENDING}),
    # a failed send is retried (failed -> sent, or failed again) or taken back, like approved
    _R.FAILED: frozenset({_R.APPROVED, _R.REJECTED, _R.SENT, _R.FAILED, _R.PENDING}),
    _R.REJECTED: frozenset(),
    _R.SENT: frozenset(),
}


def move(
    session: Session,
    row: object,
    state: str,
    *,
    transitions: Mapping[str, frozenset[str]],
    entity: str,
    entity_id: object,
    actor: str,
    now: datetime,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
    field: str = "state",
    action: str | None = None,
) -> None:
    """Move ``row`` to ``state`` if its lifecycle allows it, and audit who did it and why.

    ``field`` names the row's state column (an incident's is ``status``); ``action`` names the
    audit entry when one entry records the move together with other changes (``details``)."""
    before = getattr(row, field)
    if state not in transitions.get(before, frozenset()):
        raise InvalidTransition(f"{entity.replace('_', ' ')} {entity_id}", before, state)
    setattr(row, field, str(state))  # the plain value, as a row read back from the database
    session.add(row)
    audit.record(
        session,
        at=now,
        actor=actor,
        action=action or f"{entity}.{state}",
        entity=entity,
        entity_id=entity_id,
        reason=reason,
        details={field: [str(before), str(state)], **(details or {})},
    )
