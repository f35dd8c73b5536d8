"""Delivering alerts after the commit: route each new alert to the channels that take its kind,
then send what is due, in order per channel, with retries and backoff.

Called after each pipeline step, by ``crisis alerts deliver [--follow]`` and after a replay
with ``--alerts``. It never raises into its caller and never waits: a failed send is retried
later (``next_attempt_at``), and while a channel's oldest alert waits, its later alerts wait
too, so a channel never hears "resolved" before "opened". Each attempt claims its delivery
with a conditional UPDATE (two dispatchers never send the same alert at once; a crash after
the claim retries it after ``CLAIM``). Sent and failed are recorded on the incident's history.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from crisis import audit
from crisis.alerts.channels import Channel, configured, routes, secrets_of
from crisis.alerts.message import compose
from crisis.db import session_scope
from crisis.errors import ConnectorError, CrisisError, RateLimited
from crisis.protocols import Clock
from crisis.replies.sending import Retry
from crisis.settings import Settings
from crisis.tables import AlertDelivery, AlertEvent

log = logging.getLogger("crisis.alerts")
CLAIM = timedelta(minutes=5)  # a crashed attempt is retried after this


@dataclass
class DeliveryReport:
    sent: list[tuple[int, str]] = field(default_factory=list)  # (event id, channel)
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # ... and why
    waiting: int = 0  # deliveries left for later


@dataclass
class Dispatcher:
    engine: Engine
    channels: Sequence[Channel]
    clock: Clock
    routes: dict[str, frozenset[str]] = field(default_factory=dict)
    retry: Retry = field(default_factory=Retry)
    public_url: str | None = None
    secrets: Sequence[str] = field(default_factory=list, repr=False)

    def deliver_due(self) -> DeliveryReport:
        """Route new alerts and send what is due; never raises (the pipeline must go on)."""
        report = DeliveryReport()
        try:
            self._route()
            for channel in self.channels:
                self._deliver(channel, report)
        except (CrisisError, SQLAlchemyError) as exc:
            log.warning("alerts: delivery stopped, retried on the next round: %s",
                        self.scrub(str(exc)).splitlines()[0])  # fmt: skip
        except Exception:  # a bug of ours must not stop the pipeline that called us
            log.exception("alerts: delivery failed; retried on the next round")
        return report

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def _route(self) -> None:
        now = self.clock.now()
        with session_scope(self.engine) as session:
            new = session.exec(
                select(AlertEvent.id, AlertEvent.kind)
                .where(col(AlertEvent.routed_at).is_(None))
                .order_by(col(AlertEvent.id))
            ).all()
            for event_id, kind in new:
                if event_id is None:
                    continue
                claimed = session.execute(
                    update(AlertEvent)
                    .where(col(AlertEvent.id) == event_id, col(AlertEvent.routed_at).is_(None))
                    .values(routed_at=now)
                    .execution_options(synchronize_session=False)
                )
                if claimed.rowcount != 1:  # type: ignore[attr-defined]
                    continue  # another dispatcher routed it
                for channel in self.channels:
                    if kind in self.routes.get(channel.name, frozenset()):
                        session.add(AlertDelivery(event_id=event_id, channel=channel.name))

    def _deliver(self, channel: Channel, report: DeliveryReport) -> None:
        with session_scope(self.engine) as session:
            pending = session.exec(
                select(AlertDelivery.id)
                .where(AlertDelivery.channel == channel.name, AlertDelivery.state == "pending")
                .order_by(col(AlertDelivery.id))
            ).all()
        for position, delivery_id in enumerate(pending):
            if delivery_id is None or not self._attempt(channel, delivery_id, report):
                report.waiting += len(pending) - position
                return

    def _attempt(self, channel: Channel, delivery_id: int, report: DeliveryReport) -> bool:
        """Send one delivery if it is due; whether the channel may go on to the next one."""
        now = self.clock.now()
        with session_scope(self.engine) as session:
            delivery = session.get_one(AlertDelivery, delivery_id)
            if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                return False
            attempts = delivery.attempts + 1
            claimed = session.execute(
                update(AlertDelivery)
                .where(
                    col(AlertDelivery.id) == delivery_id,
                    col(AlertDelivery.state) == "pending",
                    col(AlertDelivery.attempts) == delivery.attempts,
                )
                .values(attempts=attempts, next_attempt_at=now + CLAIM)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return False  # another dispatcher sends it now
            event = session.get_one(AlertEvent, delivery.event_id)
        try:
            channel.send(compose(event, public_url=self.public_url))
        except ConnectorError as exc:
            return self._failed(channel, delivery_id, attempts, exc, report)
        except (KeyError, TypeError, ValueError) as exc:  # an alert row we cannot read
            unreadable = ConnectorError(f"{channel.name}: cannot compose alert ({exc!r})")
            return self._failed(channel, delivery_id, attempts, unreadable, report)
        with session_scope(self.engine) as session:
            row = session.get_one(AlertDelivery, delivery_id)
            row.state, row.sent_at, row.next_attempt_at, row.last_error = "sent", now, None, None
            session.add(row)
            self._record(session, row, "alert.sent", now=now, attempt=attempts)
        report.sent.append((event.id or 0, channel.name))
        return True

    def _failed(
        self,
        channel: Channel,
        delivery_id: int,
        attempts: int,
        exc: ConnectorError,
        report: DeliveryReport,
    ) -> bool:
        now = self.clock.now()
        error = self.scrub(str(exc))
        final = not exc.retryable or attempts >= self.retry.max_attempts
        retry_at = None if final else self.retry.next_at(delivery_id, attempts, now)
        if retry_at is not None and isinstance(exc, RateLimited) and exc.reset_at is not None:
            retry_at = max(retry_at, now + (exc.reset_at - datetime.now(UTC)))
        with session_scope(self.engine) as session:
            row = session.get_one(AlertDelivery, delivery_id)
            row.state = "failed" if final else "pending"
            row.next_attempt_at, row.last_error = retry_at, error
            session.add(row)
            self._record(session, row, "alert.failed", now=now, attempt=attempts, error=error,
                         retry_at=retry_at.isoformat() if retry_at else None)  # fmt: skip
            event_id = row.event_id
        log.warning("alert %s to %s failed (attempt %d, %s): %s", event_id, channel.name,
                    attempts, "gave up" if final else "retried later", error)  # fmt: skip
        report.failed.append((event_id, channel.name, error))
        return final  # a given-up alert no longer holds the later ones back

    def _record(
        self, session: Session, row: AlertDelivery, action: str, *, now: datetime, **details: object
    ) -> None:
        event = session.get_one(AlertEvent, row.event_id)
        if event.incident_id is not None:
            entity, entity_id = "incident", str(event.incident_id)
        elif event.freeze_id is not None:
            entity, entity_id = "freeze", str(event.freeze_id)
        else:
            entity, entity_id = "alert", str(event.id)
        audit.record(
            session,
            at=now,
            actor="alerts",
            action=action,
            entity=entity,
            entity_id=entity_id,
            details={"channel": row.channel, "alert": event.kind, "alert_id": event.id, **details},
        )


def make_dispatcher(settings: Settings, *, engine: Engine, clock: Clock) -> Dispatcher:
    """The dispatcher the settings describe (no channel set: it only routes, to nowhere)."""
    return Dispatcher(
        engine=engine,
        channels=configured(settings),
        clock=clock,
        routes=routes(settings),
        retry=Retry(
            max_attempts=settings.alert_max_attempts,
            first=timedelta(seconds=settings.alert_retry_seconds),
            cap=timedelta(seconds=settings.alert_retry_max_seconds),
        ),
        public_url=settings.public_url,
        secrets=secrets_of(settings),
    )


def discard_pending(engine: Engine, *, now: datetime) -> int:
    """Route every new alert to nowhere (a replay without ``--alerts``); how many."""
    with session_scope(engine) as session:
        result = session.execute(
            update(AlertEvent)
            .where(col(AlertEvent.routed_at).is_(None))
            .values(routed_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def deliver_in_background(dispatcher: Dispatcher, *, interval: float) -> threading.Event:
    """Deliver every ``interval`` seconds in a daemon thread (``crisis serve``: the web app's
    changes alert without a separate ``crisis alerts deliver --follow``); set the event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            dispatcher.deliver_due()

    threading.Thread(target=loop, name="crisis-alerts", daemon=True).start()
    return stop
