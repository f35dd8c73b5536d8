"""The pipeline's seams: one small Protocol per step, one job each.

source -> store -> classify -> incidents -> respond -> queue -> publish
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from crisis.domain import CommentView, IncidentFacts, Labels, OutgoingPost, Page, Suggestion


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
    def respond(
        self, comment: CommentView, labels: Labels, incident: IncidentFacts | None
    ) -> Suggestion | None:
        """A reply suggestion, or ``None`` when this comment gets no templated reply."""
        ...


class Publisher(Protocol):
    def publish(self, post: OutgoingPost) -> str:
        """Publish and return the platform's id for it."""
        ...
