"""The pipeline's seams: one small Protocol per step, one job each.

source -> store -> classify -> incidents -> respond -> queue -> publish

``Scheduler`` is the one seam outside that flow: another tool's schedule, held during an
incident where it lives (see ``crisis.schedulers``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from crisis.domain import (
    CommentView,
    Decision,
    ExternalPost,
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


class Scheduler(Protocol):
    """Another tool's schedule: list what is due, take one post off it, put one back."""

    source: str

    def scheduled(self, start: datetime, end: datetime) -> list[ExternalPost]:
        """The posts due in ``[start, end)`` that will go out unless someone stops them."""
        ...

    def hold(self, post: ExternalPost, *, snapshot: Callable[[ExternalPost], None]) -> None:
        """Stop ``post`` from going out. First read it again at its source and hand that copy
        to ``snapshot`` (which stores it durably), then change anything there: a crash in
        between loses no post. ``RemoteNotFound``: it is no longer there."""
        ...

    def release(self, post: ExternalPost, *, publish_at: datetime) -> str:
        """Put a held ``post`` back on its source's schedule at ``publish_at``; its id there
        (a tool that can only delete gives it a new one)."""
        ...
