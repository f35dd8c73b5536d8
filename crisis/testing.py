"""Fakes for every seam, shipped with the package (as httpx ships ``MockTransport``).

Tests use them to drive the pipeline without platforms. ``RecordingPublisher`` (the demo's and
``crisis publish --publisher recording``'s) is a real publisher for trials and lives in
``crisis.publishing``; it is re-exported here for the tests that use it as a fake.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from crisis.domain import (
    CommentIn,
    CommentView,
    ExternalPost,
    IncidentFacts,
    Labels,
    OutgoingPost,
    Page,
    Sentiment,
    Suggestion,
)
from crisis.errors import ConnectorError, RemoteNotFound
from crisis.publishing import RecordingPublisher

__all__ = ["RecordingPublisher"]  # and the fakes below


class StaticSource:
    """Serves fixed pages; the cursor is the index of the next page."""

    name = "static"

    def __init__(self, pages: Iterable[Sequence[CommentIn]]) -> None:
        self._pages = [list(page) for page in pages]

    def fetch(self, cursor: str | None) -> Page:
        index = int(cursor or 0)
        items = self._pages[index] if index < len(self._pages) else []
        following = min(index + 1, len(self._pages))
        return Page(items=items, cursor=str(following), more=following < len(self._pages))


class KeywordClassifier:
    """Labels a text by the first keyword it contains; anything else is a neutral non-complaint."""

    name = "keywords.test"

    def __init__(self, rules: Mapping[str, Labels]) -> None:
        self.rules = dict(rules)
        self.calls: list[list[str]] = []

    def classify(self, texts: Sequence[str]) -> list[Labels]:
        self.calls.append(list(texts))
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> Labels:
        for keyword, labels in self.rules.items():
            if keyword in text:
                return labels
        return Labels(self.name, False, 0.0, None, Sentiment.NEUTRAL)


class EchoResponder:
    """Suggests a reply that names the incident and its status, so tests can see which one was
    used; its template name is ``<lang>/<situation>#1``, like the real responder's."""

    languages = frozenset({"de", "en"})

    def respond(
        self,
        comment: CommentView,
        labels: Labels,
        incident: IncidentFacts | None,
        situation: str | None = None,
    ) -> Suggestion | None:
        lang = comment.lang or labels.lang
        if lang not in self.languages:
            return None
        about = (
            f"incident {incident.id} ({incident.service.value}, {incident.status})"
            if incident
            else "no incident"
        )
        return Suggestion(
            lang=lang,
            text=f"Reply to {comment.author}: {about}",
            template=f"{lang}/{situation or 'complaint'}#1",
        )


class SimulatedCrash(BaseException):
    """The process dies here: no handler runs, nothing after it is recorded."""


@dataclass
class PlatformFake:
    """A platform that keeps what was posted and can find it again (``FindingPublisher``).

    ``crash_after_publish`` posts and then "kills the process" that many times; ``errors``
    are raised, one per call, before anything is posted.
    """

    crash_after_publish: int = 0
    errors: list[ConnectorError] = field(default_factory=list)
    posted: list[OutgoingPost] = field(default_factory=list)

    def publish(self, post: OutgoingPost) -> str:
        if self.errors:
            raise self.errors.pop(0)
        self.posted.append(post)
        if self.crash_after_publish > 0:
            self.crash_after_publish -= 1
            raise SimulatedCrash(f"died after posting {post.idempotency_key}")
        return f"{post.channel}-{len(self.posted)}"

    def find(self, post: OutgoingPost) -> str | None:
        for number, earlier in enumerate(self.posted, start=1):
            if (earlier.in_reply_to, earlier.text) == (post.in_reply_to, post.text):
                return f"{post.channel}-{number}"
        return None


@dataclass
class SchedulerFake:
    """Another tool's schedule in memory (``Scheduler``): holding deletes after the snapshot,
    releasing re-creates under a new id, like Facebook, Buffer and Hootsuite; ``errors`` are
    raised, one per call, before anything changes."""

    source: str = "fake"
    posts: dict[str, ExternalPost] = field(default_factory=dict)
    errors: list[ConnectorError] = field(default_factory=list)
    released: list[ExternalPost] = field(default_factory=list)

    def add(self, post: ExternalPost) -> ExternalPost:
        self.posts[post.external_id] = post
        return post

    def scheduled(self, start: datetime, end: datetime) -> list[ExternalPost]:
        self._fail()
        return sorted(
            (p for p in self.posts.values() if start <= p.publish_at < end),
            key=lambda p: (p.publish_at, p.external_id),
        )

    def hold(self, post: ExternalPost, *, snapshot: Callable[[ExternalPost], None]) -> None:
        self._fail()
        if post.external_id not in self.posts:
            raise RemoteNotFound(f"{self.source}: {post.external_id} is no longer there")
        snapshot(self.posts[post.external_id])
        del self.posts[post.external_id]

    def release(self, post: ExternalPost, *, publish_at: datetime) -> str:
        self._fail()
        again = replace(post, external_id=f"{post.external_id}-r{len(self.released) + 1}",
                        publish_at=publish_at)  # fmt: skip
        self.released.append(self.add(again))
        return again.external_id

    def _fail(self) -> None:
        if self.errors:
            raise self.errors.pop(0)
