"""Replay: run the real pipeline over a scenario on a virtual clock, as fast as possible.

The clock jumps from event to event; scheduled posts are published at their own due times in
between, so a replayed weekend behaves like the live weekend would have. Comments close in time
are processed as one batch, as a live poller would see them. The summary is a contract other
tools read (see ``crisis.replay.summary``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crisis import holds, incidents, posts
from crisis.alerts.dispatch import discard_pending
from crisis.classify import Prelabelled
from crisis.clock import VirtualClock
from crisis.connectors.records import parse_time
from crisis.db import session_scope, upgrade
from crisis.domain import Problem, Service
from crisis.errors import BadRecord, ConfigError, CrisisError, NotFound
from crisis.ingest import count_comments
from crisis.pipeline import Pipeline
from crisis.protocols import Publisher
from crisis.publishing import RecordingPublisher
from crisis.registry import build_pipeline
from crisis.replay.scenario import CommentEvent, Event, OperatorEvent, PostEvent, read_scenario
from crisis.replay.summary import summarize
from crisis.replies.incident_changes import after_incident_change
from crisis.replies.respond import ReplySetup
from crisis.schedulers.sync import Sync
from crisis.settings import Settings
from crisis.tables import Incident, ScheduledPost

BATCH_SPAN = timedelta(seconds=60)
BATCH_SIZE = 256
ANALYZE_EVERY = 200  # comments
SYNC_EVERY = timedelta(minutes=5)  # between comments; live rounds are every minute or so


@dataclass
class ReplayLog:
    comments: int = 0
    problems: list[Problem] = field(default_factory=list)


def replay(
    path: Path,
    pipeline: Pipeline,
    clock: VirtualClock,
    *,
    on_event: Callable[[int], None] | None = None,
    until: datetime | None = None,
    publisher: Publisher | None = None,
    sync: Sync | None = None,
) -> ReplayLog:
    """Feed every event of ``path`` through ``pipeline``; ``clock`` must be the pipeline's clock.
    With ``until``, stop before the first event after it, and leave the clock there. Due posts
    go to ``publisher`` at their own time (default: a ``RecordingPublisher``, which posts
    nothing). With ``sync`` (on the same clock), other tools' schedules are synced as live:
    after each operator event, at most every ``SYNC_EVERY`` between comments, and at the
    moment each held external post comes within the hold lead of its time."""
    publisher = publisher if publisher is not None else RecordingPublisher()
    log = ReplayLog()
    batch: list[CommentEvent] = []
    synced_at: list[datetime] = []

    def sync_now(force: bool) -> None:
        if sync is not None and (
            force or not synced_at or clock.now() - synced_at[-1] >= SYNC_EVERY
        ):
            sync.round()
            synced_at.append(clock.now())

    def flush() -> None:
        if batch:
            _advance(pipeline, clock, batch[-1].at, publisher, sync)
            sync_now(force=False)
            before = log.comments
            result = pipeline.process([event.comment for event in batch])
            log.comments += len(result.new_comment_ids)
            batch.clear()
            if log.comments // ANALYZE_EVERY > before // ANALYZE_EVERY:
                _refresh_statistics(pipeline.engine)

    for count, event in enumerate(read_scenario(path), start=1):
        if on_event:
            on_event(count)
        if isinstance(event, Problem):
            log.problems.append(event)
            continue
        if until is not None and event.at > until:
            break
        if event.at < clock.now():
            log.problems.append(
                Problem(
                    event.where,
                    f"out of order ({event.at.isoformat()}); handled at {clock.now().isoformat()}",
                )
            )
        if batch and (
            not isinstance(event, CommentEvent)
            or event.at - batch[0].at > BATCH_SPAN
            or len(batch) >= BATCH_SIZE
        ):
            flush()
        if isinstance(event, CommentEvent):
            batch.append(event)
            continue
        _advance(pipeline, clock, event.at, publisher, sync)
        try:
            with session_scope(pipeline.engine) as session:
                _apply(session, event, now=clock.now(), replies=pipeline.replies)
        except CrisisError as exc:
            log.problems.append(Problem(event.where, str(exc)))
        sync_now(force=True)
        if pipeline.alerts is not None:
            pipeline.alerts.deliver_due()
    flush()
    if until is not None:
        _advance(pipeline, clock, until, publisher, sync)
    if pipeline.alerts is not None:
        pipeline.alerts.deliver_due()
    return log


def _refresh_statistics(engine: Engine) -> None:
    """Let PostgreSQL's planner see how fast the tables grow.

    A replay fills tables far faster than autovacuum re-analyses them; with statistics that
    still say "empty", the detector's queries fall into nested-loop scans (20 ms instead of
    well under 1 ms each). Live ingestion grows slowly enough for autovacuum.
    """
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE comments, classifications, review_items")


def _advance(
    pipeline: Pipeline,
    clock: VirtualClock,
    until: datetime,
    publisher: Publisher,
    sync: Sync | None = None,
) -> None:
    """Move the clock to ``until``, publishing each due post at its own time on the way (and
    holding each external one at its source when it comes within the lead)."""
    until = max(until, clock.now())
    while sync is not None:
        lead = sync.lead
        with session_scope(pipeline.engine) as session:
            external = session.exec(
                select(ScheduledPost.publish_at)
                .where(
                    ScheduledPost.state == "held",
                    ScheduledPost.source_state == "scheduled",
                    col(ScheduledPost.publish_at) > clock.now() + lead,
                    col(ScheduledPost.publish_at) <= until + lead,
                )
                .order_by(col(ScheduledPost.publish_at))
                .limit(1)
            ).first()
        if external is None:
            break
        _advance(pipeline, clock, external - lead, publisher)
        sync.round()
    while True:
        with session_scope(pipeline.engine) as session:
            due = session.exec(
                select(ScheduledPost.publish_at)
                .where(
                    ScheduledPost.state == "scheduled",
                    col(ScheduledPost.publish_at) <= until,
                    col(ScheduledPost.source).is_(None),
                )
                .order_by(col(ScheduledPost.publish_at))
                .limit(1)
            ).first()
        if due is None:
            break
        clock.set(max(due, clock.now()))
        with session_scope(pipeline.engine) as session:
            posts.publish_due(session, publisher, now=clock.now())
        if pipeline.alerts is not None:  # a post held at its due time
            pipeline.alerts.deliver_due()
    clock.set(until)


def _apply(session: Session, event: Event, *, now: datetime, replies: ReplySetup) -> None:
    if isinstance(event, PostEvent):
        posts.schedule_post(
            session,
            key=event.key,
            channel=event.channel,
            category=event.category,
            text=event.text,
            publish_at=event.publish_at,
            now=now,
            actor="scenario",
        )
    elif isinstance(event, OperatorEvent):
        incident = _operate(session, event, now=now)
        if incident is not None:
            after_incident_change(session, replies, incident, now=now)


def _operate(session: Session, event: OperatorEvent, *, now: datetime) -> Incident | None:
    """Apply an operator's action; the incident it opened or changed, if any."""
    f, where = event.fields, event.where
    eta = parse_time(f["eta"], "eta", where) if f.get("eta") is not None else None
    public_status = _optional_str(f, "public_status", where)
    regions = _regions(f, where)
    if event.action == "open_incident":
        return incidents.open_incident(
            session,
            service=_service(f, where),
            now=now,
            opened_by="operator",
            actor=event.actor,
            reason=event.reason or "opened by operator",
            regions=regions or (),
            status=_optional_str(f, "status", where) or "investigating",
            public_status=public_status,
            eta=eta,
        )
    if event.action == "update_incident":
        return incidents.update_incident(
            session,
            _target(session, f, where),
            now=now,
            actor=event.actor,
            reason=event.reason,
            status=_optional_str(f, "status", where),
            public_status=public_status,
            eta=eta,
            regions=regions,
        )
    if event.action == "resolve_incident":
        return incidents.resolve_incident(
            session,
            _target(session, f, where),
            now=now,
            actor=event.actor,
            reason=event.reason,
            public_status=public_status,
        )
    if event.action == "resume_posts":
        keys = f.get("posts", "all")
        if keys != "all" and not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
            raise BadRecord(where, "'posts' must be a list of post ids or \"all\"")
        new_time = parse_time(f["publish_at"], "publish_at", where) if f.get("publish_at") else None
        posts.resume_posts(
            session,
            keys=None if keys == "all" else keys,
            now=now,
            actor=event.actor,
            reason=event.reason,
            publish_at=new_time,
            to_draft=f.get("to_draft") is True,
        )
    elif event.action == "freeze_marketing":
        holds.freeze_marketing(session, reason=event.reason or "", now=now, actor=event.actor)
    elif event.action == "unfreeze_marketing":
        holds.unfreeze_marketing(session, now=now, actor=event.actor, reason=event.reason)
    return None


def _service(fields: dict[str, Any], where: str) -> Service:
    try:
        return Service(str(fields.get("service")))
    except ValueError:
        known = ", ".join(s.value for s in Service)
        raise BadRecord(
            where, f"unknown service {fields.get('service')!r}; known: {known}"
        ) from None


def _target(session: Session, fields: dict[str, Any], where: str) -> int:
    """The incident an operator event means: ``incident_id``, or the open one of ``service``."""
    if isinstance(fields.get("incident_id"), int):
        return int(fields["incident_id"])
    service = _service(fields, where)
    found = incidents.open_incident_for(session, service)
    if found is None or found.id is None:
        raise NotFound(f"{where}: no open {service.value} incident")
    return found.id


def _optional_str(fields: dict[str, Any], name: str, where: str) -> str | None:
    value = fields.get(name)
    if value is not None and not isinstance(value, str):
        raise BadRecord(where, f"{name!r} must be a string")
    return value


def _regions(fields: dict[str, Any], where: str) -> list[str] | None:
    value = fields.get("regions")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
        raise BadRecord(where, "'regions' must be a list of strings")
    return value


def replay_into(
    engine: Engine,
    path: Path,
    settings: Settings,
    *,
    on_event: Callable[[int], None] | None = None,
    until: datetime | None = None,
    alerts: bool = False,
) -> dict[str, Any]:
    """Replay ``path`` into an empty database and return the summary; with ``until``, only the
    events up to that time (the state in the middle of the story). Alerts go to the configured
    channels only with ``alerts``; otherwise they are kept, routed to nowhere."""
    upgrade(engine)
    with session_scope(engine) as session:
        stored = count_comments(session)
    if stored:
        raise ConfigError(
            f"the database already holds {stored} comments; replay needs an empty database"
        )
    clock = VirtualClock(datetime(1970, 1, 1, tzinfo=UTC))
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    texts = [e.comment.text for e in read_scenario(path) if isinstance(e, CommentEvent)]
    pipeline.classifier = Prelabelled(pipeline.classifier, texts)
    if not alerts:
        pipeline.alerts = None
    log = replay(path, pipeline, clock, on_event=on_event, until=until)
    discard_pending(engine, now=clock.now())
    with session_scope(engine) as session:
        return summarize(session, comments=log.comments, problems=log.problems)
