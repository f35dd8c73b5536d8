"""What the service does again and again, as one registry of jobs; each run is one round.

``crisis run`` runs every job as a supervised loop in one process (``loops``); with a broker,
``crisis scheduler`` sends each job to the Celery workers at its interval (``tasks``). A job
gets the ``Context`` and a stop event it checks between batches, so a stop finishes the batch
in hand. The comment flow after storing (label, detect, respond) is ``Context.work``: inline in
one process, a message to the classification queue with a broker.

Other subsystems add their timers to ``JOBS`` with one line (a name, an interval, a function).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crisis import posts
from crisis.connectors.retry import Backoff, call_with_retry
from crisis.db import session_scope
from crisis.errors import ConnectorError
from crisis.ingest import ingest_page, load_cursor
from crisis.pipeline import Pipeline
from crisis.protocols import Clock, CommentSource, Publisher
from crisis.replies import sending
from crisis.service import metrics
from crisis.settings import Settings
from crisis.tables import Classification, Comment

log = logging.getLogger("crisis.service")


@dataclass
class Context:
    """What jobs work with; built once per process."""

    settings: Settings
    engine: Engine
    clock: Clock
    pipeline: Pipeline
    work: Callable[[Sequence[int]], object]  # label, detect, respond the stored comments
    post_publisher: Publisher
    reply_publisher: Publisher
    # Batches waiting for the classifier (a broker's queue); the sweeper waits while there are.
    queued: Callable[[], int] = lambda: 0


Run = Callable[[Context, threading.Event], object]


@dataclass(frozen=True)
class Job:
    name: str
    every: Callable[[Settings], float]  # seconds between rounds
    run: Run
    close: Callable[[], None] | None = None  # for a job that holds something open


def publish_posts(ctx: Context, stop: threading.Event) -> int:
    with session_scope(ctx.engine) as session:
        done = posts.publish_due(session, ctx.post_publisher, now=ctx.clock.now())
    for post in done:
        log.info("published post %s on %s", post.key, post.channel)
    return len(done)


def send_replies(ctx: Context, stop: threading.Event) -> int:
    report = sending.send_due(
        ctx.engine,
        ctx.reply_publisher,
        actor="sender",
        clock=ctx.clock,
        retry=sending.retry_from(ctx.settings),
    )
    for item_id, error in report.failed:
        log.warning("reply #%s failed, will retry: %s", item_id, error)
    for item_id, why in report.not_configured:
        log.warning("reply #%s not sent, still approved: %s", item_id, why)
    if report.sent:
        log.info("sent %d replies", len(report.sent), extra={"count": len(report.sent)})
    return len(report.sent)


# Only comments stored this recently are swept: after a change of model, the history is not
# labelled again (and its complaints not answered again) behind the team's back.
SWEEP_HORIZON = timedelta(days=1)


def stale_unlabelled(
    session: Session, model: str, *, before: datetime, limit: int = 10_000
) -> list[int]:
    """Comments stored before ``before`` (within a day of it) that ``model`` has not labelled:
    their message was lost, or their process died between the steps."""
    labelled = select(Classification.comment_id).where(Classification.model == model)
    query = (
        select(Comment.id)
        .where(
            col(Comment.ingested_at) < before,
            col(Comment.ingested_at) >= before - SWEEP_HORIZON,
            col(Comment.id).not_in(labelled),
        )
        .order_by(col(Comment.id))
        .limit(limit)
    )
    return [cid for cid in session.exec(query) if cid is not None]


def sweep(ctx: Context, stop: threading.Event) -> int:
    """Finish what a lost message or a crash left: stored but unlabelled comments. (Approved but
    unsent replies need no sweep: ``send_replies`` finds them by their state every round.)"""
    if ctx.queued():  # a backlog, not a loss: sweeping now would only queue it twice
        return 0
    before = ctx.clock.now() - timedelta(seconds=ctx.settings.sweep_after_seconds)
    with session_scope(ctx.engine) as session:
        todo = stale_unlabelled(session, ctx.pipeline.classifier.name, before=before)
    size = ctx.pipeline.batch_size * 4
    for start in range(0, len(todo), size):
        if stop.is_set():
            break
        ctx.work(todo[start : start + size])
    if todo:
        log.warning("sweeper: %d stored comments were not labelled; sent on", len(todo))
    return len(todo)


def poll_round(ctx: Context, name: str, source: CommentSource, stop: threading.Event) -> int:
    """Every page the source has now; each page stored with its cursor, then worked on."""
    with session_scope(ctx.engine) as session:
        cursor = load_cursor(session, name)
    new = 0
    while not stop.is_set():
        page = call_with_retry(
            partial(source.fetch, cursor),
            backoff=Backoff(attempts=5),
            on_wait=partial(_waiting, name),
            sleep=stop.wait,
        )
        with session_scope(ctx.engine) as session:
            ids = ingest_page(session, name, page, now=ctx.clock.now())
        for problem in page.problems:
            log.warning("%s: skipped %s: %s", name, problem.where, problem.reason)
        metrics.COMMENTS_INGESTED.labels(source=_label(name)).inc(len(ids))
        if ids:
            ctx.work(ids)
        new += len(ids)
        cursor = page.cursor if page.cursor is not None else cursor
        if not page.more:
            break
    if new:
        log.info("%s: %d new comments", name, new, extra={"source": name, "count": new})
    return new


def _waiting(name: str, error: ConnectorError, seconds: float) -> None:
    log.warning("%s: waiting %.0f s: %s", name, seconds, error)


def _label(name: str) -> str:
    """A metric label: a platform's name, or ``file`` for every file (no unbounded labels)."""
    return name.split(":", 1)[0] if ":" in name else name


def poll_job(platform: str, make: Callable[[], tuple[str, CommentSource]]) -> Job:
    """Polling one platform; its client is built on the first round (a failure there is that
    round's), and its cursor is kept under the name ``crisis ingest`` uses."""
    built: list[tuple[str, CommentSource]] = []

    def run(ctx: Context, stop: threading.Event) -> int:
        if not built:
            built.append(make())
        name, source = built[0]
        return poll_round(ctx, name, source, stop)

    return Job(f"poll:{platform}", lambda settings: settings.poll_interval_seconds, run)


def file_drop_job(folder: Path) -> Job:
    from crisis.service.filedrop import FileDrop

    drop = FileDrop(folder)
    return Job("file-drop", lambda settings: settings.drop_interval_seconds, drop.round)


def deliver_alerts(ctx: Context, stop: threading.Event) -> int:
    """Alerts the changes of other processes wrote (the web app, the NOC, a lead's command)."""
    if ctx.pipeline.alerts is None:
        return 0
    return len(ctx.pipeline.alerts.deliver_due().sent)


def sync_schedulers(ctx: Context, stop: threading.Event) -> int:
    """One round of the other tools' schedules (Postiz, Facebook, Buffer, Hootsuite): mirror,
    hold marketing at its source while blocked, put back what a lead resumed."""
    from crisis.schedulers.configured import make_schedulers, make_sync

    schedulers = make_schedulers(ctx.settings)
    if not schedulers:
        return 0
    sync = make_sync(ctx.settings, engine=ctx.engine, clock=ctx.clock, schedulers=schedulers)
    return len(sync.round().held)


JOBS: list[Job] = [
    Job("publish-posts", lambda s: s.publish_interval_seconds, publish_posts),
    Job("send-replies", lambda s: s.send_interval_seconds, send_replies),
    Job("sweep", lambda s: s.sweep_after_seconds / 2, sweep),
    Job("alert-delivery", lambda s: s.alert_interval_seconds, deliver_alerts),
    Job("scheduler-sync", lambda s: s.scheduler_sync_seconds, sync_schedulers),
    # Timers of other subsystems, one line each, e.g.
    # Job("incident-timers", lambda s: 60.0, incidents.run_timers),  (dismissal, escalation)
]


def platform_sources(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """The platforms to poll (name -> ``--source`` spec) and, for the others, why not."""
    wanted = settings.sources
    needs = {
        "x": (("x_bearer_token",), ("x_account_id", "x_account_handle")),
        "facebook": (("facebook_page_id",), ("facebook_page_token",)),
    }
    on: dict[str, str] = {}
    off: dict[str, str] = {}
    for platform, groups in needs.items():
        if wanted is not None and platform not in wanted:
            off[platform] = "not in CRISIS_SOURCES"
            continue
        missing = [
            " or ".join(f"CRISIS_{n.upper()}" for n in group)
            for group in groups
            if all(getattr(settings, n) in (None, "") for n in group)
        ]
        if missing:
            off[platform] = "needs " + ", ".join(missing)
        else:
            on[platform] = platform
    for name in wanted or ():
        if name not in needs:
            off[name] = "unknown source (known: x, facebook)"
    return on, off


def all_jobs(settings: Settings) -> tuple[list[Job], dict[str, str]]:
    """Every job this configuration runs, and what is off with the reason."""
    from crisis.registry import make_source

    on, off = platform_sources(settings)
    jobs = list(JOBS)
    for platform, spec in on.items():
        jobs.append(poll_job(platform, partial(make_source, spec, settings)))
    if settings.drop_dir is not None:
        jobs.append(file_drop_job(settings.drop_dir))
    else:
        off["file drop"] = "set CRISIS_DROP_DIR to a folder to watch for .jsonl/.csv exports"
    return jobs, off


def timed_work(pipeline: Pipeline, ids: Sequence[int]) -> object:
    """``pipeline.work``, counted and timed for ``/metrics``."""
    with metrics.CLASSIFY_SECONDS.time():
        result = pipeline.work(ids)
    metrics.CLASSIFIED.inc(len(result.labels))
    return result
