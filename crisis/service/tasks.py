"""The service's jobs as Celery tasks, for many processes on many machines sharing PostgreSQL.

Imported only when ``CRISIS_BROKER_URL`` is set (``crisis worker``, ``crisis scheduler``): the
embedded setup needs no broker. Delivery is at least once: messages are acknowledged after the
task (``acks_late``), a worker process that dies puts its message back
(``task_reject_on_worker_lost``), and a worker that loses its broker connection has its
unacknowledged messages delivered to another. So every task may run twice, and each is
idempotent by the ids it carries:

- ``crisis.classify(ids)``: labels the comments the current model has not labelled (the model
  runs outside any lock), then stores labels, detects and suggests replies in one transaction
  under a PostgreSQL advisory lock (``Pipeline.work``): a comment is labelled once per model
  (also a unique key), and two workers never open the same incident.
- ``crisis.job(name)``: one round of a job of ``jobs.JOBS`` (polling a source, publishing,
  sending, the sweeper, the timers), at most one at a time per job (a session advisory lock,
  released when the worker's connection goes, even by SIGKILL). A reply goes out at most once
  through the publish intents (``crisis.publishing``); a post is claimed before it is published.

Classification has a queue of its own (``<prefix>.classify``) so a backlog of comments never
delays sending; a worker for it runs one model per process (prefork, a process per core, or
solo). The scheduler (Celery beat) only sends ``crisis.job`` messages at each job's interval;
messages it sent while no worker ran expire after one interval instead of piling up. The
sweeper re-enqueues what a lost message left behind: comments stored but still unlabelled
after ``CRISIS_SWEEP_AFTER_SECONDS``. Approved but unsent replies need no sweeper: every
``send-replies`` round finds them by their state.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from celery import Celery
from sqlalchemy import Engine, text
from sqlmodel import col, select

from crisis import db
from crisis.classify import Prelabelled
from crisis.clock import SystemClock
from crisis.errors import ConfigError, UnknownName
from crisis.service import metrics
from crisis.service.health import record_round
from crisis.service.jobs import Context, Job, all_jobs
from crisis.settings import Settings
from crisis.tables import Classification, Comment

log = logging.getLogger("crisis.service.tasks")
ContextFactory = Callable[[Settings, Callable[[Sequence[int]], object]], Context]


def queues(settings: Settings) -> tuple[str, str]:
    """(the queue for jobs, the queue for classification)."""
    return settings.queue_prefix, f"{settings.queue_prefix}.classify"


def broker_url(settings: Settings) -> str:
    if settings.broker_url is None:
        raise ConfigError("set CRISIS_BROKER_URL (amqp://... or redis://...) to use Celery")
    if not settings.database_url.startswith("postgresql"):
        raise ConfigError(
            "workers on several processes share one PostgreSQL database: set "
            "CRISIS_DATABASE_URL to a postgresql:// URL (SQLite is for crisis run)"
        )
    return settings.broker_url.get_secret_value()


def default_context(settings: Settings, work: Callable[[Sequence[int]], object]) -> Context:
    from crisis.registry import build_pipeline, make_publisher

    engine = db.make_engine(settings.database_url)
    clock = SystemClock()
    publisher = make_publisher(settings, engine=engine, clock=clock)
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    return Context(settings, engine, clock, pipeline, work, publisher, publisher)


def make_app(settings: Settings, *, context: ContextFactory = default_context) -> Celery:
    """The Celery app with the service's tasks and schedule; ``context`` builds what the tasks
    work with, once per worker process, on its first task (after the fork: no torch or
    database connection crosses it)."""
    jobs_queue, classify_queue = queues(settings)
    app = Celery("crisis", broker=broker_url(settings), set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # long tasks: reserve one at a time, share fairly
        task_default_queue=jobs_queue,
        task_routes={"crisis.classify": {"queue": classify_queue}},
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        timezone="UTC",
        beat_schedule=schedule(settings),
    )
    built: list[tuple[Context, dict[str, Job]]] = []
    lock = threading.Lock()

    def ctx() -> tuple[Context, dict[str, Job]]:
        with lock:
            if not built:
                jobs, _ = all_jobs(settings)
                made = context(settings, lambda ids: enqueue(app, settings, ids))
                made.queued = lambda: waiting(app, classify_queue)
                built.append((made, {job.name: job for job in jobs}))
            return built[0]

    @app.task(name="crisis.classify")  # type: ignore[untyped-decorator]
    def classify_task(ids: list[int]) -> int:
        return classify(ctx()[0], ids)

    @app.task(name="crisis.job")  # type: ignore[untyped-decorator]
    def job_task(name: str) -> None:
        run_job(*ctx(), name)

    return app


def enqueue(app: Celery, settings: Settings, ids: Sequence[int]) -> None:
    """Send stored comments to the classification queue, in batches."""
    size = settings.classify_batch_size
    for start in range(0, len(ids), size):
        app.send_task("crisis.classify", args=[list(ids[start : start + size])])


def waiting(app: Celery, queue: str) -> int:
    """Messages ready in ``queue`` (not those a worker holds)."""
    with app.connection_for_write() as conn:
        return int(conn.default_channel.queue_declare(queue=queue, passive=True).message_count)


def classify(ctx: Context, ids: Sequence[int]) -> int:
    """Label, detect and respond for ``ids``; what an earlier delivery did is not done again."""
    model = ctx.pipeline.classifier.name
    with db.session_scope(ctx.engine) as session:
        labelled = select(Classification.comment_id).where(Classification.model == model)
        texts = list(
            session.exec(
                select(Comment.text).where(
                    col(Comment.id).in_(ids), col(Comment.id).not_in(labelled)
                )
            )
        )
    if not texts:
        return 0
    with metrics.CLASSIFY_SECONDS.time():
        known = Prelabelled(ctx.pipeline.classifier, texts)  # the model, outside any lock
        result = replace(ctx.pipeline, classifier=known).work(ids)
    metrics.CLASSIFIED.inc(len(result.labels))
    return len(result.labels)


def run_job(ctx: Context, jobs: dict[str, Job], name: str) -> None:
    """One round of the job ``name``, unless another worker is running it now."""
    if name not in jobs:
        raise UnknownName("job", name, jobs)
    job = jobs[name]
    every = job.every(ctx.settings)
    with only_one(ctx.engine, f"crisis.job:{name}") as mine:
        if not mine:
            log.info("%s is running on another worker; this round is skipped", name)
            return
        try:
            job.run(ctx, threading.Event())
        except Exception as exc:
            record_round(ctx.engine, name, every=every, now=ctx.clock.now(), error=repr(exc))
            raise
        record_round(ctx.engine, name, every=every, now=ctx.clock.now())


@contextmanager
def only_one(engine: Engine, name: str) -> Iterator[bool]:
    """A session advisory lock held on a connection of its own for the block (``False``:
    another holds it). A worker that dies drops its connection, and the lock with it."""
    key = db.lock_key(name)
    with engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()


def schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Celery beat's entries: every job at its interval; a message not taken within one
    interval expires (the next one comes anyway)."""
    jobs, _ = all_jobs(settings)
    return {
        job.name: {
            "task": "crisis.job",
            "schedule": job.every(settings),
            "args": (job.name,),
            "options": {"expires": job.every(settings)},
        }
        for job in jobs
    }
