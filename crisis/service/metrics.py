"""Prometheus metrics for ``/metrics`` (``prometheus-client``).

Two kinds: what this process counts as it works (comments ingested per source, classification
latency), and what the database says at each scrape (classification backlog, open incidents,
the review queue by state, replies sent and failed by platform, held posts, each loop's lag).
The database ones are the same whichever process serves them, so with Celery workers on many
machines the web app's ``/metrics`` still shows the whole service.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlmodel import col, select

from crisis.db import session_scope
from crisis.protocols import Clock
from crisis.states import OPEN_INCIDENT_STATES
from crisis.tables import (
    Classification,
    Comment,
    Incident,
    LoopRound,
    PublishIntent,
    ReviewItem,
    ScheduledPost,
)

PROCESS_METRICS = CollectorRegistry()
COMMENTS_INGESTED = Counter(
    "crisis_comments_ingested",
    "New comments stored by this process, by source (platform, or 'file' and 'drop').",
    ["source"],
    registry=PROCESS_METRICS,
)
CLASSIFY_SECONDS = Histogram(
    "crisis_classification_seconds",
    "Seconds to label, detect and suggest for one batch of comments, in this process.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=PROCESS_METRICS,
)
CLASSIFIED = Counter(
    "crisis_comments_classified",
    "Comments labelled by this process.",
    registry=PROCESS_METRICS,
)


class DatabaseCollector(Collector):
    def __init__(self, engine: Engine, *, model: str, clock: Clock) -> None:
        self.engine, self.model, self.clock = engine, model, clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with session_scope(self.engine) as session:
            yield from self._collect(session, self.clock.now())

    def _collect(self, session: Any, now: datetime) -> Iterator[GaugeMetricFamily]:
        stored = GaugeMetricFamily(
            "crisis_comments_stored", "Comments stored, by platform.", labels=["platform"]
        )
        for platform, count in session.exec(
            select(Comment.platform, func.count()).group_by(Comment.platform)
        ):
            stored.add_metric([platform], count)
        yield stored
        by_model = GaugeMetricFamily(
            "crisis_comments_labelled",
            "Comments labelled, by model (its rate is the classification throughput of all "
            "workers together).",
            labels=["model"],
        )
        for model, count in session.exec(
            select(Classification.model, func.count()).group_by(Classification.model)
        ):
            by_model.add_metric([model], count)
        yield by_model
        labelled = select(Classification.comment_id).where(Classification.model == self.model)
        backlog = session.exec(
            select(func.count()).select_from(Comment).where(col(Comment.id).not_in(labelled))
        ).one()
        yield GaugeMetricFamily(
            "crisis_classification_backlog",
            "Stored comments the current model has not labelled yet.",
            value=backlog,
        )
        open_count = session.exec(
            select(func.count())
            .select_from(Incident)
            .where(col(Incident.status).in_(OPEN_INCIDENT_STATES))
        ).one()
        yield GaugeMetricFamily(
            "crisis_incidents_open", "Open incidents (those that hold marketing).", value=open_count
        )
        queue = GaugeMetricFamily(
            "crisis_review_queue", "Review queue items, by state.", labels=["state"]
        )
        for state, count in session.exec(
            select(ReviewItem.state, func.count()).group_by(ReviewItem.state)
        ):
            queue.add_metric([str(state)], count)
        yield queue
        replies = GaugeMetricFamily(
            "crisis_replies",
            "Replies handed to a platform, by platform and outcome (sent, failed, in_flight).",
            labels=["platform", "state"],
        )
        for channel, state, count in session.exec(
            select(PublishIntent.channel, PublishIntent.state, func.count())
            .where(col(PublishIntent.idempotency_key).startswith("reply:"))
            .group_by(PublishIntent.channel, PublishIntent.state)
        ):
            replies.add_metric([channel, state], count)
        yield replies
        held = session.exec(
            select(func.count()).select_from(ScheduledPost).where(ScheduledPost.state == "held")
        ).one()
        yield GaugeMetricFamily("crisis_posts_held", "Scheduled posts held.", value=held)
        lag = GaugeMetricFamily(
            "crisis_loop_lag_seconds",
            "Seconds since each loop's last good round.",
            labels=["loop"],
        )
        failures = GaugeMetricFamily(
            "crisis_loop_failures", "Failed rounds in a row, by loop.", labels=["loop"]
        )
        for row in session.exec(select(LoopRound)):
            if row.last_ok_at is not None:
                lag.add_metric([row.name], (now - row.last_ok_at).total_seconds())
            failures.add_metric([row.name], row.failures)
        yield lag
        yield failures


def exposition(engine: Engine, *, model: str, clock: Clock) -> bytes:
    """The text ``/metrics`` answers: this process's counters and the database's numbers."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(engine, model=model, clock=clock))
    return generate_latest(PROCESS_METRICS) + generate_latest(registry)
