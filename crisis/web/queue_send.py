"""Sending approved replies from the web app, as ``crisis queue send`` does.

The publisher is the real one (``crisis.registry.make_publisher``). No database transaction of
the request is held across the platform call: these functions take the engine, and
``crisis.replies.sending`` opens its own short transactions. A platform without credentials is
refused per item (``not_configured``: nothing attempted, the item stays approved) and said as such.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine

from crisis import db, registry
from crisis.protocols import Clock
from crisis.replies import sending
from crisis.settings import Settings

# what each outcome means to the person who pressed "send"
SENT, NOT_CONFIGURED = "sent", "not_configured"


def send_one(
    engine: Engine, settings: Settings, item_id: int, *, actor: str, clock: Clock
) -> sending.Outcome:
    """Send one approved (or failed) item; a pending, sent or rejected one is refused
    (``InvalidTransition``)."""
    publisher = registry.make_publisher(settings, engine=engine, clock=clock)
    return sending.send(
        engine, item_id, publisher, actor=actor, clock=clock, retry=sending.retry_from(settings)
    )


def send_all(engine: Engine, settings: Settings, *, actor: str, clock: Clock) -> sending.SendReport:
    """Send every approved item, and retry the failed ones that are due."""
    publisher = registry.make_publisher(settings, engine=engine, clock=clock)
    return sending.send_due(
        engine, publisher, actor=actor, clock=clock, retry=sending.retry_from(settings)
    )


@dataclass
class Preview:
    """What "send all" would do now (a dry run: nothing sent or changed)."""

    due: list[sending.Outgoing] = field(default_factory=list)
    held: list[sending.Outgoing] = field(default_factory=list)  # a follow-up answers instead
    unconfigured: dict[str, str] = field(default_factory=dict)  # channel -> why
    per_channel: dict[str, int] = field(default_factory=dict)


def preview(engine: Engine, settings: Settings, *, clock: Clock) -> Preview:
    with db.session_scope(engine) as session:
        found = sending.preview(session, now=clock.now(), retry=sending.retry_from(settings))
    result = Preview(
        due=[o for o in found if o.held is None], held=[o for o in found if o.held is not None]
    )
    channels = Counter(o.post.channel for o in result.due)
    result.per_channel = dict(channels)
    result.unconfigured = registry.unpublishable(settings, channels)
    return result
