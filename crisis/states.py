"""The lifecycles' states and allowed moves, and the one audited way to move along them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from crisis import audit
from crisis.errors import InvalidTransition

INCIDENT_STATES = ("suspected", "investigating", "identified", "monitoring", "resolved")
OPEN_INCIDENT_STATES = INCIDENT_STATES[:-1]
INCIDENT_TRANSITIONS: dict[str, frozenset[str]] = {
    "suspected": frozenset({"investigating", "identified", "monitoring", "resolved"}),
    "investigating": frozenset({"identified", "monitoring", "resolved"}),
    "identified": frozenset({"investigating", "monitoring", "resolved"}),
    "monitoring": frozenset({"identified", "resolved"}),  # back when a fix does not hold
    "resolved": frozenset(),
}

# A held post never publishes by itself: only an explicit resume makes it scheduled again (or
# sends it back to ``draft``, for the team to review and schedule anew). ``publishing`` is the
# claim: one publisher owns the post; a crash there leaves it visible, never sent twice.
POST_STATES = ("draft", "scheduled", "held", "publishing", "published", "failed")
POST_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"scheduled"}),
    "scheduled": frozenset({"held", "publishing", "draft"}),
    "held": frozenset({"scheduled", "draft"}),
    # back to "scheduled" only when the publisher could not even start (a missing setting)
    "publishing": frozenset({"published", "failed", "scheduled"}),
    "failed": frozenset({"scheduled", "draft"}),
    "published": frozenset(),
}

REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"approved", "rejected"}),
    # back to pending ("reopen"): a person takes it back to edit it, or the incident's facts
    # changed after it was approved, so it must not go out as written
    "approved": frozenset({"sent", "failed", "rejected", "pending"}),
    # a failed send is retried (failed -> sent, or failed again) or taken back, like approved
    "failed": frozenset({"approved", "rejected", "sent", "failed", "pending"}),
    "rejected": frozenset(),
    "sent": frozenset(),
}


class _Stateful(Protocol):
    state: str


def move(
    session: Session,
    row: _Stateful,
    state: str,
    *,
    transitions: Mapping[str, frozenset[str]],
    entity: str,
    entity_id: object,
    actor: str,
    now: datetime,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Move ``row`` to ``state`` if its lifecycle allows it, and audit who did it and why."""
    if state not in transitions.get(row.state, frozenset()):
        raise InvalidTransition(f"{entity.replace('_', ' ')} {entity_id}", row.state, state)
    before, row.state = row.state, state
    session.add(row)
    audit.record(
        session,
        at=now,
        actor=actor,
        action=f"{entity}.{state}",
        entity=entity,
        entity_id=entity_id,
        reason=reason,
        details={"state": [before, state], **(details or {})},
    )
