"""The pipeline's seams: one small Protocol per step, one job each.

source -> store -> classify -> incidents -> respond -> queue -> publish
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from crisis.domain import (
    CommentView,
    Decision,
    IncidentFacts,
    Labels,
    OutgoingPost,
    Page,
    ReplyContext,
    Suggestion,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class CommentSource(Protocol):
    def fetch(self, cursor: str | None) -> Page:
        """The next page after ``cursor`` (``None``: from the start)."""
        ...


class Classifier(Protocol):
    name: str

    def classify(self, texts: Sequence[str]) -> list[Labels]:
        """One ``Labels`` per text, in order; a batch in, a batch out."""
        ...


class Responder(Protocol):
    @property
    def languages(self) -> frozenset[str]:
        """The languages it has wordings for."""
        ...

    def respond(
        self,
        comment: CommentView,
        labels: Labels,
        incident: IncidentFacts | None,
        situation: str | None = None,
    ) -> Suggestion | None:
        """A reply for ``situation`` ("outage_incident", "resolved_follow_up", ...; ``None``:
        the responder picks one), or ``None`` when no template fits."""
        ...


class ReplyPolicy(Protocol):
    def __call__(self, comment: CommentView, labels: Labels, context: ReplyContext) -> Decision:
        """Suggest a reply (and for which situation), flag the comment for a person, or skip."""
        ...


class Publisher(Protocol):
    def publish(self, post: OutgoingPost) -> str:
        """Publish and return the platform's id for it."""
        ...
