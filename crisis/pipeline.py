"""The whole flow, composed once: source -> store -> classify -> incidents -> respond -> queue.
Live ingestion, imports and replays all go through here. Publishing due posts is not part of the
comment flow: the publisher loop (``crisis publish``) and the replay call ``posts.publish_due``.

Detection runs on the comments' own times: a batch of comments from the past (an import, late
webhook deliveries, a backfill) is checked minute by minute as it happened.

Storing is its own transaction (with the source's cursor); labelling, detection and reply
suggestions share the next one. If the process dies in between, ``catch_up`` finds the comments
the current model has not labelled and finishes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

from crisis.classify import classify_comments, unclassified_ids
from crisis.db import session_scope
from crisis.detection.detector import SpikeRules, detect
from crisis.detection.times import detection_times, dismiss_suspicions
from crisis.domain import CommentIn, Labels, Page
from crisis.ingest import ingest_page, store_comments
from crisis.protocols import Classifier, Clock
from crisis.replies.incident_changes import after_incident_change
from crisis.replies.respond import ReplySetup, suggest_replies
from crisis.tables import Incident, ReviewItem


@dataclass
class StepResult:
    new_comment_ids: list[int] = field(default_factory=list)
    labels: dict[int, Labels] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)
    review_items: list[ReviewItem] = field(default_factory=list)


@dataclass
class Pipeline:
    engine: Engine
    classifier: Classifier
    clock: Clock
    replies: ReplySetup  # responder, policy and who we are
    rules: SpikeRules = field(default_factory=SpikeRules)
    batch_size: int = 64

    def process(self, items: Sequence[CommentIn]) -> StepResult:
        """Store new comments and take them through every step."""
        with session_scope(self.engine) as session:
            new_ids = store_comments(session, items, now=self.clock.now())
        return self.work(new_ids)

    def process_page(self, source: str, page: Page) -> StepResult:
        """Like ``process``, saving the source's cursor with the comments."""
        with session_scope(self.engine) as session:
            new_ids = ingest_page(session, source, page, now=self.clock.now())
        return self.work(new_ids)

    def work(self, comment_ids: Sequence[int]) -> StepResult:
        now = self.clock.now()
        with session_scope(self.engine) as session:
            labels = classify_comments(
                session, self.classifier, comment_ids, now=now, batch_size=self.batch_size
            )
            complaints = [cid for cid, label in labels.items() if label.is_complaint]
            # Without a new complaint the window only empties: no new spike to find, but a
            # suspicion may have faded.
            opened = dismiss_suspicions(session, self.rules, now=now)
            for at in detection_times(session, complaints, now=now):
                opened += detect(
                    session,
                    model=self.classifier.name,
                    now=now,
                    at=at,
                    rules=self.rules,
                    own_authors=self.replies.own_authors,
                )
            opened = list({id(incident): incident for incident in opened}.values())
            for incident in opened:  # complaints that came before it was noticed join it
                after_incident_change(session, self.replies, incident, now=now)
            items = suggest_replies(session, self.replies, labels, now=now)
        return StepResult(list(comment_ids), labels, opened, items)

    def catch_up(self) -> StepResult:
        """Finish comments stored but not yet labelled by the current model (after a crash)."""
        with session_scope(self.engine) as session:
            todo = unclassified_ids(session, self.classifier.name)
        return self.work(todo) if todo else StepResult()
