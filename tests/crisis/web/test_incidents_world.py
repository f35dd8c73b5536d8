"""Incidents as the team meets them, built by the real pipeline: comments classified (by
keyword), a spike the detector opens an incident for (with its card), and pending replies the
real template responder wrote, then an ETA set the way ``crisis incidents update`` sets it.

Shared by the incident board's tests; it holds no tests itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import col, select

from crisis import incidents
from crisis.clock import VirtualClock
from crisis.db import session_scope
from crisis.detection.detector import SpikeRules
from crisis.domain import Service
from crisis.pipeline import Pipeline
from crisis.registry import reply_setup
from crisis.replies.incident_changes import after_incident_change
from crisis.settings import Settings
from crisis.tables import Incident, ReviewItem
from crisis.testing import KeywordClassifier
from tests.factories import complaint, make_comment

# Small spikes open incidents here (no Poisson term): these tests are about the board.
RULES = SpikeRules(window=timedelta(minutes=30), min_complaints=5, ratio=3.0, significance=1.0)
DEFAULT_TEXTS = [
    "Internet in Hamburg tot seit heute Mittag",
    "Kein Internet in Hamburg, Router blinkt rot",
    "Internet weg, Hamburg Altona",
    "Seit einer Stunde kein Internet, Router blinkt",
    "Internet in Hamburg geht nicht, Homeoffice unmöglich",
    "Internet tot, Router blinkt rot",
    "Hamburg: Internet weg seit Mittag",
    "Internet ausgefallen, Router blinkt",
]


@dataclass(frozen=True, slots=True)
class World:
    incident_id: int
    reply_ids: list[int]


def pipeline(engine: Engine, clock: VirtualClock, settings: Settings) -> Pipeline:
    classifier = KeywordClassifier({"Internet": complaint(Service.INTERNET)})
    return Pipeline(
        replies=reply_setup(settings),
        engine=engine,
        classifier=classifier,
        clock=clock,
        rules=RULES,
    )


def outage(
    engine: Engine,
    clock: VirtualClock,
    settings: Settings,
    *,
    texts: list[str] | None = None,
    eta: datetime | None = None,
) -> World:
    """Complaints arrive minute by minute until the detector opens an internet incident and
    replies to them wait in the queue; with ``eta``, a lead has set it (as the CLI does)."""
    run = pipeline(engine, clock, settings)
    for i, text in enumerate(texts or DEFAULT_TEXTS):
        clock.advance(timedelta(minutes=2))
        run.process([make_comment(text=text, author=f"kunde{i}", created_at=clock.now())])
    with session_scope(engine) as session:
        incident = session.exec(select(Incident).order_by(col(Incident.id))).first()
        assert incident is not None and incident.id is not None, "the detector opened nothing"
        if eta is not None:
            incident = incidents.update_incident(
                session, incident.id, now=clock.now(), actor="lena", reason="Technik sagt 18 Uhr",
                eta=eta,
            )  # fmt: skip
            after_incident_change(session, reply_setup(settings), incident, now=clock.now())
        replies = session.exec(
            select(ReviewItem.id)
            .where(ReviewItem.incident_id == incident.id, ReviewItem.state == "pending")
            .order_by(col(ReviewItem.id))
        ).all()
        return World(incident.id, [r for r in replies if r is not None])
