"""Detection on the comments' own times: an import of an old export finds the spike when it
happened, says how late it was found, and holds nothing in the past."""

from datetime import timedelta

from sqlmodel import select

from crisis import audit, posts
from crisis.clock import VirtualClock
from crisis.db import session_scope
from crisis.detection.detector import SpikeRules
from crisis.domain import Service
from crisis.pipeline import Pipeline
from crisis.publishing import RecordingPublisher
from crisis.replies.respond import ReplySetup
from crisis.tables import Incident, ReviewItem
from crisis.testing import EchoResponder, KeywordClassifier
from responders.policy import decide
from tests.factories import T0, complaint, make_comment

NOW = T0 + timedelta(hours=3)
SPIKE = NOW - timedelta(hours=2)  # the outage began two hours before the import


def make_pipeline(engine, clock):
    return Pipeline(
        replies=ReplySetup(responder=EchoResponder(), policy=decide, own_authors=("Nordtel",)),
        engine=engine,
        classifier=KeywordClassifier({"Internet": complaint(Service.INTERNET)}),
        clock=clock,
        rules=SpikeRules(),  # the shipped defaults
    )


def outage_export():
    """An hour of an outage, 40 customers an hour, after an hour of quiet chatter."""
    chatter = [
        make_comment(created_at=SPIKE - timedelta(minutes=60 - 5 * i), text="Danke!")
        for i in range(12)
    ]
    complaints = [
        make_comment(
            created_at=SPIKE + timedelta(seconds=90 * i),
            text="Internet weg in Hamburg",
            author=f"kunde{i}",
        )
        for i in range(40)
    ]
    return chatter + complaints


def test_importing_a_two_hour_old_outage_export_opens_the_incident_at_the_spikes_time(engine):
    clock = VirtualClock(SPIKE + timedelta(minutes=30))
    with session_scope(engine) as session:  # published before anyone knew of the outage
        posts.schedule_post(session, key="fruehling", channel="x", category="marketing",
                            text="Hallo", publish_at=clock.now(), now=T0, actor="lena")  # fmt: skip
        posts.publish_due(session, RecordingPublisher(), now=clock.now())
        posts.schedule_post(session, key="abend-deal", channel="x", category="marketing",
                            text="Deal", publish_at=NOW + timedelta(minutes=10), now=T0,
                            actor="lena")  # fmt: skip
    clock.set(NOW)

    result = make_pipeline(engine, clock).process(outage_export())

    [incident] = result.incidents
    assert SPIKE < incident.opened_at <= SPIKE + timedelta(minutes=10)
    assert incident.noticed_at == NOW
    assert incident.status == "investigating" and incident.regions == ["Hamburg"]
    late = incident.explanation["found_late_minutes"]
    assert 110 <= late <= 120
    assert incident.explanation["reason"].endswith(f"(found {late} min late)")
    with session_scope(engine) as session:
        assert len(session.exec(select(Incident)).all()) == 1
        # Nothing is held in the past: what went out stays out; the hold starts now.
        assert posts.get_post(session, "fruehling").state == "published"
        assert posts.get_post(session, "abend-deal").state == "held"
        [held] = audit.history(session, entity="post", entity_id="abend-deal")[-1:]
        assert held.action == "post.held" and held.at == NOW
        # Every customer's suggestion names the outage, none asks for a customer number.
        items = session.exec(select(ReviewItem)).all()
        assert len(items) == 40
        assert {item.incident_id for item in items} == {incident.id}


def test_live_comments_are_still_checked_at_the_wall_clock(engine):
    clock = VirtualClock(SPIKE)
    pipeline = make_pipeline(engine, clock)
    opened = []
    for comment in outage_export()[12:]:  # as they happen, one by one
        clock.set(comment.created_at)
        opened += pipeline.process([comment]).incidents
    first = opened[0]
    assert first.noticed_at == first.opened_at
    assert first.explanation["found_late_minutes"] is None
