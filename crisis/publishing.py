"""Publishing through the platforms exactly once, crashes included.

Neither X nor Facebook accepts an idempotency key, so a reply whose API call succeeded but
whose success was never recorded (the process died, the database went away) would go out twice
on a naive retry. ``OnceOnlyPublisher`` therefore records an intent, committed on its own,
before it calls the platform, and the platform's id after. A retry that finds:

- ``sent``: returns the recorded id and calls nothing;
- ``in_flight`` (an earlier attempt may have reached the platform): asks the platform whether
  our account already published that text there (``find``) and only posts when it did not;
  an attempt younger than ``grace`` is refused instead (``InFlight``, not a failure), as
  another worker may be on it and the platform's read API may not show a fresh reply yet;
- ``failed`` (the platform refused it, so it was not published): posts again.

The guarantee: at most once as far as the platform's read API shows our own replies and posts,
which covers everything but a reply deleted in between.

A channel whose platform client cannot be built (its credentials are not configured) is refused
with ``NotConfigured`` before any intent is recorded: nothing was attempted, nothing is counted.

The intent commits in its own transaction, so on SQLite the caller must not hold a write
transaction open across ``publish`` (``sending.send`` holds none).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from crisis.db import session_scope
from crisis.domain import OutgoingPost
from crisis.errors import (
    ConfigError,
    ConnectorError,
    InFlight,
    NotConfigured,
    ServerError,
    UnknownName,
)
from crisis.protocols import Clock, Publisher
from crisis.tables import PublishIntent


class FindingPublisher(Publisher, Protocol):
    def find(self, post: OutgoingPost) -> str | None:
        """The platform's id of ``post`` if our account already published it, else ``None``."""
        ...


@runtime_checkable
class Checked(Protocol):
    def ready(self, channel: str) -> None:
        """Raise ``NotConfigured`` (or ``UnknownName``) if ``channel`` cannot be published to."""
        ...


@dataclass
class ChannelPublisher:
    """Sends each post to its channel's publisher; the publishers are built on first use."""

    factories: Mapping[str, Callable[[], FindingPublisher]]
    _built: dict[str, FindingPublisher] = field(default_factory=dict)

    def _for(self, channel: str) -> FindingPublisher:
        if channel not in self._built:
            if channel not in self.factories:
                raise UnknownName("publishing channel", channel, self.factories)
            try:
                self._built[channel] = self.factories[channel]()
            except NotConfigured:
                raise
            except ConfigError as exc:
                raise NotConfigured(channel, str(exc)) from exc
        return self._built[channel]

    def ready(self, channel: str) -> None:
        """Build ``channel``'s client now: ``NotConfigured`` names the missing settings."""
        self._for(channel)

    def publish(self, post: OutgoingPost) -> str:
        return self._for(post.channel).publish(post)

    def find(self, post: OutgoingPost) -> str | None:
        return self._for(post.channel).find(post)


@dataclass
class OnceOnlyPublisher:
    inner: FindingPublisher
    engine: Engine
    clock: Clock
    grace: timedelta = timedelta(minutes=2)

    def publish(self, post: OutgoingPost) -> str:
        if isinstance(self.inner, Checked):  # before any intent: an unconfigured channel
            self.inner.ready(post.channel)  # leaves no trace and counts no attempt
        earlier, sent_id = self._begin(post)
        if sent_id is not None:
            return sent_id
        if earlier == "in_flight":
            found = self.inner.find(post)
            if found is not None:
                self._finish(post, "sent", external_id=found)
                return found
        try:
            external_id = self.inner.publish(post)
        except (ConfigError, UnknownName) as exc:  # refused before reaching the platform
            self._finish(post, "failed", error=str(exc))
            raise
        except ConnectorError as exc:
            # A server error or a timeout may have posted it after all: leave it in flight,
            # so the next attempt looks first. Any other refusal means it was not posted.
            if not isinstance(exc, ServerError):
                self._finish(post, "failed", error=str(exc))
            raise
        self._finish(post, "sent", external_id=external_id)
        return external_id

    def _begin(self, post: OutgoingPost) -> tuple[str | None, str | None]:
        """Record the attempt: (the earlier attempt's state, the id if it was sent)."""
        now = self.clock.now()
        try:
            with session_scope(self.engine) as session:
                row = session.get(PublishIntent, post.idempotency_key, with_for_update=True)
                if row is None:
                    session.add(
                        PublishIntent(
                            idempotency_key=post.idempotency_key,
                            channel=post.channel,
                            in_reply_to=post.in_reply_to,
                            state="in_flight",
                            attempts=1,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    return None, None
                if row.state == "sent" and row.external_id is not None:
                    return row.state, row.external_id
                earlier = row.state
                if earlier == "in_flight" and now - row.updated_at < self.grace:
                    waited = int((now - row.updated_at).total_seconds())
                    raise InFlight(
                        f"{post.idempotency_key} is being published (started {waited} s ago); "
                        "try again in a few minutes",
                        retry_at=row.updated_at + self.grace,
                    )
                row.state, row.attempts, row.updated_at = "in_flight", row.attempts + 1, now
                session.add(row)
                return earlier, None
        except IntegrityError:  # another worker recorded the same key a moment ago
            raise InFlight(
                f"{post.idempotency_key} is being published", retry_at=now + self.grace
            ) from None

    def _finish(
        self,
        post: OutgoingPost,
        state: str,
        *,
        external_id: str | None = None,
        error: str | None = None,
    ) -> None:
        with session_scope(self.engine) as session:
            row = session.get(PublishIntent, post.idempotency_key)
            if row is None:  # pragma: no cover - _begin wrote it
                raise ConnectorError(f"intent {post.idempotency_key} vanished")
            row.state, row.external_id, row.error = state, external_id, error
            row.updated_at = self.clock.now()
            session.add(row)


@dataclass
class RecordingPublisher:
    """Publishes nothing: keeps what it is asked to publish, for trials, the demo and replays.

    A repeated idempotency key publishes nothing new; ``fail_times`` simulates a platform that
    is down that many times."""

    fail_times: int = 0
    published: list[OutgoingPost] = field(default_factory=list)
    _ids: dict[str, str] = field(default_factory=dict)

    def publish(self, post: OutgoingPost) -> str:
        if post.idempotency_key in self._ids:
            return self._ids[post.idempotency_key]
        if self.fail_times > 0:
            self.fail_times -= 1
            raise ConnectorError("platform unavailable (simulated)")
        self.published.append(post)
        external_id = f"{post.channel}-{len(self.published)}"
        self._ids[post.idempotency_key] = external_id
        return external_id
