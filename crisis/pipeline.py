"""The whole flow, composed once: source -> store -> classify -> incidents -> respond -> queue.
Live ingestion, imports and replays all go through here. Publishing due posts is not part of the
comment flow: the publisher loop (``crisis publish``) and the replay call ``posts.publish_due``.

Storing is its own transaction (with the source's cursor). The classifier runs outside any
transaction (it is slow: a write lock held meanwhile would keep a web decision waiting on
SQLite); its labels, detection and reply suggestions share the next, short one. If the process
dies in between, ``catch_up`` finds the comments the current model has not labelled and
finishes them, ``CATCH_UP_CHUNK`` at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

from crisis.alerts.dispatch import Dispatcher
from crisis.classify import predict, store_labels, texts_to_label, unclassified_ids
from crisis.db import serialise, session_scope
from crisis.detection.detector import SpikeRules, detect
from crisis.domain import CommentIn, Labels, Page, Problem
from crisis.ingest import ingest_page, store_comments
from crisis.protocols import Classifier, Clock
from crisis.replies.incident_changes import after_incident_change
from crisis.replies.respond import ReplySetup, suggest_replies
from crisis.tables import Incident, ReviewItem

DETECTION_LOCK = "crisis.pipeline.work"
CATCH_UP_CHUNK = 256  # comments per write transaction when catching up


@dataclass
class StepResult:
    new_comment_ids: list[int] = field(default_factory=list)
    labels: dict[int, Labels] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)
    review_items: list[ReviewItem] = field(default_factory=list)
    conflicts: list[Problem] = field(default_factory=list)  # ids stored with another text


@dataclass
class Pipeline:
    engine: Engine
    classifier: Classifier
    clock: Clock
    replies: ReplySetup  # responder, policy and who we are
    rules: SpikeRules = field(default_factory=SpikeRules)
    batch_size: int = 64
    alerts: Dispatcher | None = None  # delivers the alerts a step wrote, after its commit

    def process(self, items: Sequence[CommentIn]) -> StepResult:
        """Store new comments and take them through every step."""
        with session_scope(self.engine) as session:
            new_ids = store_comments(session, items, now=self.clock.now())
        return self.work(new_ids)

    def process_page(self, source: str, page: Page) -> StepResult:
        """Like ``process``, saving the source's cursor with the comments."""
        clashes: list[CommentIn] = []
        with session_scope(self.engine) as session:
            new_ids = ingest_page(session, source, page, now=self.clock.now(), conflicts=clashes)
        result = self.work(new_ids)
        result.conflicts = [
            Problem(
                f"{item.platform} comment {item.external_id}",
                "the same id with a different text: the first one is kept, this one not stored",
            )
            for item in clashes
        ]
        return result

    def work(self, comment_ids: Sequence[int]) -> StepResult:
        with session_scope(self.engine) as session:  # reads only: no write lock
            texts = texts_to_label(session, self.classifier.name, comment_ids)
        predicted = predict(self.classifier, texts, batch_size=self.batch_size)
        now = self.clock.now()
        with session_scope(self.engine) as session:
            # One step at a time across processes and machines (PostgreSQL): each comment's
            # labels are stored once, and two steps never see the same spike and open it twice.
            serialise(session, DETECTION_LOCK)
            labels = store_labels(session, predicted, now=now)
            opened: list[Incident] = []
            if any(label.is_complaint for label in labels.values()):
                # Without a new complaint the window only empties: no new spike to find.
                opened = detect(
                    session,
                    model=self.classifier.name,
                    now=now,
                    rules=self.rules,
                    own_authors=self.replies.own_authors,
                )
            for incident in opened:  # complaints that came before it was noticed join it
                after_incident_change(session, self.replies, incident, now=now)
            items = suggest_replies(session, self.replies, labels, now=now)
        if self.alerts is not None:
            self.alerts.deliver_due()
        return StepResult(list(comment_ids), labels, opened, items)

    def catch_up(self) -> StepResult:
        """Finish comments stored but not yet labelled by the current model (after a crash)."""
        with session_scope(self.engine) as session:
            todo = unclassified_ids(session, self.classifier.name)
        total = StepResult()
        for start in range(0, len(todo), CATCH_UP_CHUNK):
            done = self.work(todo[start : start + CATCH_UP_CHUNK])
            total.new_comment_ids += done.new_comment_ids
            total.labels.update(done.labels)
            total.incidents += done.incidents
            total.review_items += done.review_items
        return total
