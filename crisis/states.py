"""The lifecycles' states and allowed moves, in one place for every module that needs them."""

from __future__ import annotations

INCIDENT_STATES = ("suspected", "investigating", "identified", "monitoring", "resolved")
OPEN_INCIDENT_STATES = INCIDENT_STATES[:-1]
INCIDENT_TRANSITIONS: dict[str, frozenset[str]] = {
    "suspected": frozenset({"investigating", "identified", "monitoring", "resolved"}),
    "investigating": frozenset({"identified", "monitoring", "resolved"}),
    "identified": frozenset({"investigating", "monitoring", "resolved"}),
    "monitoring": frozenset({"identified", "resolved"}),  # back when a fix does not hold
    "resolved": frozenset(),
}

# A held post never publishes by itself: only an explicit resume makes it scheduled again.
POST_TRANSITIONS: dict[str, frozenset[str]] = {
    "scheduled": frozenset({"held", "published", "failed"}),
    "held": frozenset({"scheduled"}),
    "failed": frozenset({"scheduled"}),
    "published": frozenset(),
}

REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"approved", "rejected"}),
    "approved": frozenset({"sent", "failed", "rejected"}),
    "failed": frozenset({"approved", "rejected"}),
    "rejected": frozenset(),
    "sent": frozenset(),
}
