"""``crisis run``: every job as a supervised loop, each on a thread of its own, in one process.

A round that raises is logged with its error, recorded (``/readyz`` shows it), and retried
after a backoff that doubles up to five minutes; the other loops go on. ``stop`` lets each
loop finish the batch in hand (jobs check the stop event between batches) and joins them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from crisis.db import session_scope
from crisis.domain import CommentIn
from crisis.ingest import store_comments
from crisis.protocols import Clock, Publisher
from crisis.publishing import RecordingPublisher
from crisis.service import metrics
from crisis.service.health import record_round
from crisis.service.jobs import Context, Job, timed_work
from crisis.settings import Settings

log = logging.getLogger("crisis.service.loops")
LONGEST_BACKOFF = 300.0


@dataclass
class Supervisor:
    ctx: Context
    jobs: Sequence[Job]
    stop_event: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for job in self.jobs:
            thread = threading.Thread(
                target=self._loop, args=(job,), name=f"crisis-{job.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 60.0) -> list[str]:
        """Ask every loop to stop after its batch in hand; the names of those still running
        after ``timeout`` seconds (a platform call that hangs) are returned."""
        self.stop_event.set()
        for thread in self._threads:
            thread.join(timeout / max(len(self._threads), 1))
        for job in self.jobs:
            if job.close is not None:
                job.close()
        return [t.name.removeprefix("crisis-") for t in self._threads if t.is_alive()]

    def _loop(self, job: Job) -> None:
        failures = 0
        every = job.every(self.ctx.settings)
        while not self.stop_event.is_set():
            try:
                job.run(self.ctx, self.stop_event)
            except Exception as exc:  # this loop's trouble: log, record, back off, go on
                failures += 1
                wait = min(LONGEST_BACKOFF, every * 2 ** min(failures - 1, 10))
                log.error(
                    "%s failed (%d in a row), retrying in %.0f s: %s",
                    job.name, failures, wait, exc,
                    exc_info=failures == 1, extra={"loop": job.name},
                )  # fmt: skip
                record_round(
                    self.ctx.engine, job.name, every=every, now=self.ctx.clock.now(),
                    error=f"{type(exc).__name__}: {exc}",
                )  # fmt: skip
            else:
                failures, wait = 0, every
                record_round(self.ctx.engine, job.name, every=every, now=self.ctx.clock.now())
            self.stop_event.wait(wait)


def local_context(
    settings: Settings, *, engine: Engine, clock: Clock, recording: bool = False
) -> Context:
    """One process: the pipeline works inline, one step at a time (the webhook, the polls and
    the file drop share it), and posts and replies go to the platforms, or nowhere
    (``recording``: marked published and sent, for a trial)."""
    from crisis.registry import build_pipeline, make_publisher

    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    lock = threading.Lock()

    def work(ids: Sequence[int]) -> object:
        with lock:
            return timed_work(pipeline, ids)

    publisher: Publisher = (
        RecordingPublisher() if recording else make_publisher(settings, engine=engine, clock=clock)
    )
    return Context(settings, engine, clock, pipeline, work, publisher, publisher)


def webhook_job(settings: Settings) -> Job | None:
    """The Facebook webhook receiver, when its three settings are there; its first round starts
    it (a port in use is that round's failure, retried), the stop closes it."""
    needed = ("facebook_page_id", "facebook_app_secret", "facebook_verify_token")
    if not all(getattr(settings, name) for name in needed):
        return None
    from crisis.connectors import webhook

    servers: list[Any] = []

    def run(ctx: Context, stop: threading.Event) -> None:
        if servers:
            return

        def sink(items: list[CommentIn]) -> None:
            with session_scope(ctx.engine) as session:
                ids = store_comments(session, items, now=ctx.clock.now())
            metrics.COMMENTS_INGESTED.labels(source="facebook-webhook").inc(len(ids))
            ctx.work(ids)

        app = webhook.WebhookApp(
            page_id=str(settings.facebook_page_id),
            app_secret=settings.secret("facebook_app_secret"),
            verify_token=settings.secret("facebook_verify_token"),
            sink=sink,
        )
        servers.append(webhook.serve(app, settings.webhook_host, settings.webhook_port))
        log.info("webhook receiver on %s:%s", settings.webhook_host, settings.webhook_port)

    def close() -> None:
        if servers:
            webhook.stop(servers[0])

    return Job("webhook", lambda s: 30.0, run, close)
