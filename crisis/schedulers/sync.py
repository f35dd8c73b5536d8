"""One sync round: mirror the other tools' schedules, hold marketing at its source, put back
what a lead resumed, and keep every failure in front of the team.

For each configured ``Scheduler``, in short transactions of their own (the snapshot must be
committed before the source changes; the release intent commits on its own):

1. **Mirror** the next days into ``scheduled_posts`` as external posts (``source``,
   ``external_id``, ``snapshot``); a new one gets its category from ``rules`` and, while
   marketing is blocked, is held at once, like our own posts. A post changed at its source
   is updated here (audited); one that is back on its source's schedule although we hold it
   (someone re-queued it there) is held again.
2. **Hold** at its source every post we hold that is due within the lead time (default 30
   minutes; at once when sooner): the adapter reads it again, we commit that snapshot, then it
   is taken off (draft, or deleted). A crash in between leaves ``holding`` and the snapshot;
   the next round finishes it, and "no longer there" then means it is held.
3. **Release** at its source every post a lead resumed (``crisis posts resume``): re-created
   or re-queued once, through ``OnceOnlyPublisher`` (a publish intent per hold), or left off
   its source when it was sent back to draft.

What fails is written on the post (``hold_error``: the banner and ``crisis posts list`` show
it), audited (``post.hold_failed``, in the report's "what almost published") and returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, or_
from sqlmodel import Session, col, select

from crisis import audit
from crisis.connectors.retry import Backoff, call_with_retry
from crisis.db import session_scope
from crisis.domain import ExternalPost, OutgoingPost
from crisis.errors import ConnectorError, InFlight, RemoteNotFound
from crisis.holds import HELD_CATEGORIES, current_blocker, hold_post
from crisis.protocols import Clock, Scheduler
from crisis.publishing import OnceOnlyPublisher
from crisis.schedulers.rules import category_for
from crisis.states import POST_TRANSITIONS, move
from crisis.tables import Incident, MarketingFreeze, ScheduledPost

ACTOR = "scheduler-sync"
FIND_SPAN = timedelta(minutes=1)  # how near its time a re-created post is looked for


@dataclass
class SyncReport:
    imported: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (post, why)
    problems: list[str] = field(default_factory=list)  # a source that could not be read


@dataclass
class Sync:
    engine: Engine
    schedulers: Sequence[Scheduler]
    clock: Clock
    days: int = 7
    lead: timedelta = timedelta(minutes=30)
    default_category: str = "marketing"
    backoff: Backoff = field(default_factory=lambda: Backoff(base=1.0, cap=30.0, attempts=4))
    sleep: Callable[[float], object] = time.sleep
    longest_wait: float = 60.0  # seconds a round may wait for one call

    def round(self) -> SyncReport:
        """One round over every scheduler; a periodic loop calls this."""
        report = SyncReport()
        for scheduler in self.schedulers:
            self._mirror(scheduler, report)
            self._hold_due(scheduler, report)
            self._release(scheduler, report)
        return report

    def _retrying(self, fn: Callable[[], object]) -> object:
        def give_up_on_long_waits(error: ConnectorError, seconds: float) -> None:
            # A round that sleeps until a rate limit resets holds nothing else meanwhile:
            # fail this post now (the banner shows it) and try again next round.
            if seconds > self.longest_wait:
                raise error

        return call_with_retry(
            fn,
            backoff=self.backoff,
            on_wait=give_up_on_long_waits,
            sleep=self.sleep,
            now=self.clock.now,
        )

    # 1. mirror -------------------------------------------------------------------------------

    def _mirror(self, scheduler: Scheduler, report: SyncReport) -> None:
        now = self.clock.now()
        try:
            found: list[ExternalPost] = []
            self._retrying(
                lambda: found.extend(scheduler.scheduled(now, now + timedelta(days=self.days)))
            )
        except ConnectorError as exc:
            report.problems.append(f"{scheduler.source}: {exc}")
            return
        with session_scope(self.engine) as session:
            rows = {
                row.external_id: row
                for row in session.exec(
                    select(ScheduledPost).where(ScheduledPost.source == scheduler.source)
                )
            }
            # Resumed posts about to be put back: a post like one of them (text, channel,
            # time; media URLs change when a tool re-uploads) is our own re-creation whose
            # new id a crash kept us from recording; the release's intent finds it.
            ours_in_flight = {
                (snapshot["text"], snapshot["channel"], row.publish_at)
                for row in rows.values()
                if (snapshot := row.snapshot)
                and row.state == "scheduled"
                and row.source_state == "held"
            }
            for post in found:
                row = rows.get(post.external_id)
                if row is None:
                    if (post.text, post.channel, post.publish_at) in ours_in_flight:
                        continue
                    self._import(session, post, now=now, report=report)
                else:
                    self._update(session, row, post, now=now, report=report)
            listed = {post.external_id for post in found}
            for row in rows.values():
                if (
                    row.source_state == "scheduled"
                    and row.publish_at <= now
                    and row.external_id not in listed
                ):
                    self._went_out(session, row, now=now, report=report)

    def _import(
        self, session: Session, post: ExternalPost, *, now: datetime, report: SyncReport
    ) -> None:
        category = category_for(session, post, default=self.default_category)
        row = ScheduledPost(
            key=f"{post.source}:{post.external_id}",
            channel=post.channel,
            category=category,
            text=post.text,
            publish_at=post.publish_at,
            state="scheduled",
            created_at=now,
            source=post.source,
            external_id=post.external_id,
            snapshot=post.to_json(),
            source_state="scheduled",
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            at=now,
            actor=ACTOR,
            action="post.imported",
            entity="post",
            entity_id=row.key,
            details={
                "source": post.source,
                "category": category,
                "channel": post.channel,
                "publish_at": post.publish_at.isoformat(),
            },
        )
        report.imported.append(row.key)
        blocker = current_blocker(session)
        if blocker is not None and category in HELD_CATEGORIES and row.id is not None:
            hold_post(session, row.id, blocker, now=now, actor=ACTOR)

    def _update(
        self,
        session: Session,
        row: ScheduledPost,
        post: ExternalPost,
        *,
        now: datetime,
        report: SyncReport,
    ) -> None:
        if row.source_state in ("holding", "retime"):
            return  # step 2 owns it: a hold cut short, or a new time to bring to the source
        before = ExternalPost.from_json(row.snapshot) if row.snapshot else None
        if (
            before is not None
            and row.state == "scheduled"
            and row.source_state == "scheduled"
            and before.same_content(post)
            and row.publish_at != before.publish_at
        ):
            # Unchanged there, re-timed here: a lead resumed it at a new time before its tool
            # held it. Step 2 takes it off and step 3 puts it back at that time.
            row.source_state = "retime"
            session.add(row)
            return
        if row.source_state == "held" and row.state == "held":
            # Someone put it back on the schedule there while we hold it: hold it again.
            row.source_state = "scheduled"
            audit.record(
                session,
                at=now,
                actor=ACTOR,
                action="post.requeued_at_source",
                entity="post",
                entity_id=row.key,
                reason=f"back on the schedule at {post.source} while held; holding it again",
            )
        elif row.source_state == "held":
            return  # being released: step 3 owns it
        if row.snapshot and not ExternalPost.from_json(row.snapshot).same_content(post):
            audit.record(
                session,
                at=now,
                actor=ACTOR,
                action="post.changed_at_source",
                entity="post",
                entity_id=row.key,
                details={
                    "text": [row.text, post.text],
                    "publish_at": [row.publish_at.isoformat(), post.publish_at.isoformat()],
                },
            )
            report.changed.append(row.key)
        row.text, row.publish_at, row.channel = post.text, post.publish_at, post.channel
        row.snapshot = post.to_json()
        was, row.source_state = row.source_state, "scheduled"
        if row.state == "draft" and was == "draft":  # a draft here, scheduled again there
            self._move(session, row, "scheduled", now=now, reason=f"scheduled at {post.source}")
        session.add(row)
        blocker = current_blocker(session)
        if (
            row.state == "scheduled"
            and blocker is not None
            and row.category in HELD_CATEGORIES
            and row.id is not None
        ):
            hold_post(session, row.id, blocker, now=now, actor=ACTOR)

    def _went_out(
        self, session: Session, row: ScheduledPost, *, now: datetime, report: SyncReport
    ) -> None:
        """Its time has passed and its tool no longer lists it as scheduled: it went out there
        (or someone deleted it at the last moment; the tool's own history tells which)."""
        said = (
            f"due {row.publish_at:%Y-%m-%d %H:%M}Z and no longer scheduled at {row.source}: "
            "it went out there"
        )
        row.source_state, row.published_at = "published", row.publish_at
        if row.state == "scheduled":
            self._move(session, row, "publishing", now=now, reason=said)
            self._move(session, row, "published", now=now, reason=said)
        elif row.publish_at < _blocked_since(session, row):
            # It went out before anything blocked marketing; the hold came after the fact.
            row.state, row.held_by_incident_id, row.held_by_freeze_id = "published", None, None
            self._audit(session, row, "post.published", reason=said,
                        details={"state": "held -> published"})  # fmt: skip
        else:  # held here, but not held there in time: the team must know
            row.hold_error = f"not held at {row.source} in time: {said}"
            self._audit(session, row, "post.hold_failed", reason=row.hold_error)
            report.failed.append((row.key, row.hold_error))
        session.add(row)

    # 2. hold ---------------------------------------------------------------------------------

    def _hold_due(self, scheduler: Scheduler, report: SyncReport) -> None:
        now = self.clock.now()
        with session_scope(self.engine) as session:
            # A hold cut short ("holding") is finished whatever happened since: it may be
            # half done at the source, and a release must not re-create what is still there.
            # A post a lead sent back to draft before its tool held it comes off at once.
            due = session.exec(
                select(ScheduledPost.id).where(
                    ScheduledPost.source == scheduler.source,
                    or_(
                        col(ScheduledPost.source_state).in_(("holding", "retime")),
                        and_(
                            col(ScheduledPost.state) == "held",
                            col(ScheduledPost.source_state) == "scheduled",
                            col(ScheduledPost.publish_at) <= now + self.lead,
                        ),
                        and_(
                            col(ScheduledPost.state) == "draft",
                            col(ScheduledPost.source_state) == "scheduled",
                        ),
                    ),
                )
            ).all()
        for row_id in due:
            if row_id is not None:
                self._hold_one(scheduler, row_id, report)

    def _hold_one(self, scheduler: Scheduler, row_id: int, report: SyncReport) -> None:
        with session_scope(self.engine) as session:
            row = session.get_one(ScheduledPost, row_id)
            key, post = row.key, ExternalPost.from_json(row.snapshot or {})

        def snapshot(fresh: ExternalPost) -> None:
            """Committed before the adapter changes anything at the source."""
            with session_scope(self.engine) as session:
                row = session.get_one(ScheduledPost, row_id)
                now = self.clock.now()
                keep_time = row.source_state == "retime"  # the lead's new time stays ours
                if not ExternalPost.from_json(row.snapshot or {}).same_content(fresh):
                    audit.record(
                        session,
                        at=now,
                        actor=ACTOR,
                        action="post.changed_at_source",
                        entity="post",
                        entity_id=key,
                        reason="changed at its source since the last sync; this copy is held",
                        details={"text": [row.text, fresh.text]},
                    )
                    report.changed.append(key)
                    row.text = fresh.text
                    if not keep_time:
                        row.publish_at = fresh.publish_at
                if row.source_state != "holding":
                    row.holds += 1
                row.snapshot, row.source_state = fresh.to_json(), "holding"
                session.add(row)

        try:
            self._retrying(lambda: scheduler.hold(post, snapshot=snapshot))
        except RemoteNotFound as exc:
            with session_scope(self.engine) as session:
                row = session.get_one(ScheduledPost, row_id)
                if row.source_state == "holding":  # an earlier try got as far as taking it off
                    self._held(session, row, report, note="it was already off its source")
                else:
                    row.source_state = "gone"
                    session.add(row)
                    self._audit(session, row, "post.gone_at_source", reason=str(exc))
            return
        except ConnectorError as exc:
            self._failed(row_id, "post.hold_failed", f"not held at {scheduler.source}: {exc}",
                         report)  # fmt: skip
            return
        with session_scope(self.engine) as session:
            self._held(session, session.get_one(ScheduledPost, row_id), report)

    def _held(
        self, session: Session, row: ScheduledPost, report: SyncReport, note: str | None = None
    ) -> None:
        row.source_state, row.hold_error = "held", None
        session.add(row)
        self._audit(session, row, "post.held_at_source", reason=note)
        report.held.append(row.key)

    # 3. release ------------------------------------------------------------------------------

    def _release(self, scheduler: Scheduler, report: SyncReport) -> None:
        with session_scope(self.engine) as session:
            ids = session.exec(
                select(ScheduledPost.id).where(
                    ScheduledPost.source == scheduler.source,
                    ScheduledPost.source_state == "held",
                    col(ScheduledPost.state).in_(("scheduled", "draft")),
                )
            ).all()
        for row_id in ids:
            if row_id is None:
                continue
            with session_scope(self.engine) as session:
                row = session.get_one(ScheduledPost, row_id)
                if row.state == "draft":  # stays off its source; the snapshot is here
                    row.source_state, row.hold_error = "draft", None
                    session.add(row)
                    self._audit(session, row, "post.draft_at_source")
                    continue
                post = ExternalPost.from_json(row.snapshot or {})
                publish_at, intent = row.publish_at, f"release:{row.key}:{row.holds}"
            once = OnceOnlyPublisher(
                inner=_Releasing(scheduler, post, publish_at), engine=self.engine, clock=self.clock
            )
            try:
                new_id = once.publish(
                    OutgoingPost(channel=scheduler.source, text=post.text, idempotency_key=intent)
                )
            except InFlight:
                continue  # another worker is on it; the next round looks again
            except ConnectorError as exc:
                why = f"not put back at {scheduler.source}: {exc}"
                self._failed(row_id, "post.release_failed", why, report)
                continue
            with session_scope(self.engine) as session:
                row = session.get_one(ScheduledPost, row_id)
                moved = ExternalPost.from_json(row.snapshot or {})
                row.external_id, row.source_state, row.hold_error = new_id, "scheduled", None
                row.snapshot = {
                    **moved.to_json(),
                    "external_id": new_id,
                    "publish_at": publish_at.isoformat(),
                }
                session.add(row)
                self._audit(
                    session,
                    row,
                    "post.released_at_source",
                    details={"external_id": new_id, "publish_at": publish_at.isoformat()},
                )
                report.released.append(row.key)

    # helpers ---------------------------------------------------------------------------------

    def _failed(self, row_id: int, action: str, why: str, report: SyncReport) -> None:
        with session_scope(self.engine) as session:
            row = session.get_one(ScheduledPost, row_id)
            row.hold_error = why
            session.add(row)
            self._audit(session, row, action, reason=why)
            report.failed.append((row.key, why))

    def _audit(
        self,
        session: Session,
        row: ScheduledPost,
        action: str,
        *,
        reason: str | None = None,
        details: dict[str, str] | None = None,
    ) -> None:
        audit.record(
            session,
            at=self.clock.now(),
            actor=ACTOR,
            action=action,
            entity="post",
            entity_id=row.key,
            reason=reason,
            details={"source": row.source or "", **(details or {})},
        )

    def _move(self, session: Session, row: ScheduledPost, state: str, *, now: datetime,
              reason: str) -> None:  # fmt: skip
        move(session, row, state, transitions=POST_TRANSITIONS, entity="post",
             entity_id=row.key, actor=ACTOR, now=now, reason=reason)  # fmt: skip


@dataclass
class _Releasing:
    """One release as a publisher, so ``OnceOnlyPublisher`` makes it happen once."""

    scheduler: Scheduler
    post: ExternalPost
    publish_at: datetime

    def publish(self, outgoing: OutgoingPost) -> str:
        return self.scheduler.release(self.post, publish_at=self.publish_at)

    def find(self, outgoing: OutgoingPost) -> str | None:
        """An earlier attempt's result: the same post on the schedule at that time."""
        near = self.scheduler.scheduled(self.publish_at - FIND_SPAN, self.publish_at + FIND_SPAN)
        for candidate in near:
            if candidate.text == self.post.text and candidate.channel == self.post.channel:
                return candidate.external_id
        return None


def _blocked_since(session: Session, row: ScheduledPost) -> datetime:
    """When the incident or freeze that holds ``row`` began (its own time when unknown)."""
    if row.held_by_incident_id is not None:
        incident = session.get(Incident, row.held_by_incident_id)
        if incident is not None:
            return incident.opened_at
    if row.held_by_freeze_id is not None:
        freeze = session.get(MarketingFreeze, row.held_by_freeze_id)
        if freeze is not None:
            return freeze.started_at
    return row.publish_at
