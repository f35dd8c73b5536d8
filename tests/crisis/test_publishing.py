"""Publishing under pressure: holds that arrive a moment before a post is due, two publishers at
once, manual freezes, and resumes. Real SQLite files and PostgreSQL, real threads."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from crisis import audit, holds, incidents, posts
from crisis.clock import VirtualClock
from crisis.db import session_scope
from crisis.detection.detector import SpikeRules
from crisis.domain import Service
from crisis.errors import InvalidTransition
from crisis.pipeline import Pipeline
from crisis.replies.respond import ReplySetup
from crisis.tables import AuditEntry
from crisis.testing import EchoResponder, KeywordClassifier, RecordingPublisher
from responders.policy import decide
from tests.factories import complaint, make_comment

T0 = datetime(2017, 5, 14, 7, 0, tzinfo=UTC)


class CountingPublisher:
    """Records every call, duplicates included, and takes a moment like a platform does."""

    def __init__(self):
        self.calls = []
        self.lock = threading.Lock()

    def publish(self, post):
        time.sleep(0.002)
        with self.lock:
            self.calls.append(post.idempotency_key.removeprefix("post:"))
            return f"ext-{len(self.calls)}"


def schedule(session, key, *, category="marketing", at=T0):
    return posts.schedule_post(
        session,
        key=key,
        channel="facebook",
        category=category,
        text=key,
        publish_at=at,
        now=T0 - timedelta(days=1),
        actor="lena",
    )


def test_marketing_post_due_one_second_after_the_detector_opens_an_incident_is_held(engine):
    clock = VirtualClock(T0 - timedelta(minutes=20))
    publisher = RecordingPublisher()
    pipeline = Pipeline(
        replies=ReplySetup(responder=EchoResponder(), policy=decide),
        engine=engine,
        classifier=KeywordClassifier({"DSL": complaint(Service.INTERNET)}),
        clock=clock,
        rules=SpikeRules(min_complaints=5),
    )
    spike = [
        make_comment(text="Kein DSL", author=f"c{i}", created_at=T0 - timedelta(minutes=15 - i))
        for i in range(15)
    ]
    clock.set(T0)
    [incident] = pipeline.process(spike).incidents
    assert incident.opened_at == T0
    with session_scope(engine) as session:
        schedule(session, "muttertag", at=T0 + timedelta(seconds=1))  # scheduled long before
    clock.set(T0 + timedelta(seconds=1))
    with session_scope(engine) as session:
        assert posts.publish_due(session, publisher, now=clock.now()) == []
    assert publisher.published == []
    with session_scope(engine) as session:
        post = posts.get_post(session, "muttertag")
        trail = audit.history(session, entity="post", entity_id="muttertag")
    assert (post.state, post.held_by_incident_id, post.published_at) == ("held", incident.id, None)
    assert (
        trail[-1].action == "post.held"
        and trail[-1].reason == f"incident {incident.id} is still open"
    )


def test_two_publishers_racing_an_incident_never_publish_a_post_twice_or_a_held_one(engine):
    publisher = CountingPublisher()
    keys = [f"m{i}" for i in range(30)] + [f"s{i}" for i in range(6)]
    with session_scope(engine) as session:
        for key in keys:
            schedule(session, key, category="service" if key.startswith("s") else "marketing")
    errors = []
    incident_committed = threading.Event()

    def publishing():
        try:
            while True:
                with session_scope(engine) as session:
                    done = posts.publish_due(session, publisher, now=T0 + timedelta(seconds=1))
                if not done:
                    return
        except Exception as exc:  # a locked database or a broken claim fails the test
            errors.append(exc)

    def opening():
        try:
            time.sleep(0.02)  # while the publishers are busy
            with session_scope(engine) as session:
                incidents.open_incident(
                    session,
                    service=Service.INTERNET,
                    now=T0,
                    opened_by="operator",
                    actor="lena",
                    reason="DSL down",
                )
            incident_committed.set()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=f) for f in (publishing, publishing, opening)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert incident_committed.is_set()
    with session_scope(engine) as session:
        # After the incident, one more round publishes nothing: every marketing post is held.
        assert posts.publish_due(session, publisher, now=T0 + timedelta(hours=1)) == []
        states = {p.key: p for p in posts.list_posts(session)}
        claims = session.exec(
            select(AuditEntry.entity_id).where(AuditEntry.action == "post.publishing")
        ).all()
    assert len(publisher.calls) == len(set(publisher.calls))  # nothing published twice
    assert sorted(claims) == sorted(publisher.calls)  # one claim per publication
    published = {k for k, p in states.items() if p.state == "published"}
    held = {k for k, p in states.items() if p.state == "held"}
    assert published == set(publisher.calls)  # what was sent is recorded as sent
    assert published | held == set(keys)  # nothing lost, nothing stuck in "publishing"
    assert all(states[k].published_at is None for k in held)
    assert {f"s{i}" for i in range(6)} <= published  # service posts keep going
    assert held  # the incident came while marketing posts were still due


def test_a_held_post_slipped_past_the_hold_is_held_once_when_two_publishers_find_it(engine):
    with session_scope(engine) as session:
        incidents.open_incident(
            session,
            service=Service.TV,
            now=T0,
            opened_by="operator",
            actor="lena",
            reason="TV down",
        )
        post = schedule(session, "slipped")
        post.state, post.held_by_incident_id = "scheduled", None  # as if written by an old client
        session.add(post)
    publisher = CountingPublisher()
    barrier = threading.Barrier(2)
    errors = []

    def publishing():
        try:
            barrier.wait()
            with session_scope(engine) as session:
                posts.publish_due(session, publisher, now=T0 + timedelta(minutes=1))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=publishing) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and publisher.calls == []
    with session_scope(engine) as session:
        trail = audit.history(session, entity="post", entity_id="slipped")
        assert posts.get_post(session, "slipped").state == "held"
    assert [e.action for e in trail].count("post.held") == 2  # at scheduling, and once now


def test_a_manual_freeze_holds_marketing_like_an_incident_and_its_end_releases_nothing(engine):
    publisher = RecordingPublisher()
    with session_scope(engine) as session:
        schedule(session, "promo", at=T0 + timedelta(hours=1))
        schedule(session, "info", category="service", at=T0 + timedelta(hours=1))
        freeze = holds.freeze_marketing(session, reason="Cyberangriff", now=T0, actor="lena")
        schedule(session, "late-promo", at=T0 + timedelta(hours=2))
        with pytest.raises(InvalidTransition, match="frozen"):
            holds.freeze_marketing(session, reason="again", now=T0, actor="max")
    with session_scope(engine) as session:
        published = posts.publish_due(session, publisher, now=T0 + timedelta(hours=3))
        assert [p.key for p in published] == ["info"]
        with pytest.raises(InvalidTransition, match="frozen by hand"):
            posts.resume_posts(session, keys=["promo"], now=T0, actor="lena")
        holds.unfreeze_marketing(session, now=T0 + timedelta(hours=4), actor="max", reason="ok")
    with session_scope(engine) as session:
        assert posts.publish_due(session, publisher, now=T0 + timedelta(hours=5)) == []
        held = {p.key: p.held_by_freeze_id for p in posts.list_posts(session, state="held")}
        trail = audit.history(session, entity="freeze", entity_id=freeze.id)
    assert held == {"promo": freeze.id, "late-promo": freeze.id}
    assert [(e.action, e.actor, e.reason) for e in trail] == [
        ("marketing.freeze", "lena", "Cyberangriff"),
        ("marketing.unfreeze", "max", "ok"),
    ]


def test_a_stale_held_post_needs_a_new_time_or_goes_back_to_draft(engine):
    publisher = RecordingPublisher()
    with session_scope(engine) as session:
        schedule(session, "muttertag", at=T0 + timedelta(hours=2))
        incident = incidents.open_incident(
            session,
            service=Service.INTERNET,
            now=T0,
            opened_by="operator",
            actor="lena",
            reason="x",
        )
        # Back to draft is allowed while the incident is still open: it publishes nothing.
        [draft] = posts.resume_posts(
            session, keys=["muttertag"], now=T0, actor="lena", to_draft=True, reason="review"
        )
        assert draft.state == "draft"
        schedule(session, "muttertag", at=T0 + timedelta(hours=2))  # re-scheduled: held again
        assert posts.get_post(session, "muttertag").state == "held"
        incidents.resolve_incident(session, incident.id, now=T0 + timedelta(hours=5), actor="lena")
    later = T0 + timedelta(hours=6)
    with session_scope(engine) as session:
        with pytest.raises(InvalidTransition, match="time that has passed"):
            posts.resume_posts(session, keys=None, now=later, actor="lena")
        posts.resume_posts(
            session, keys=None, now=later, actor="lena", publish_at=later + timedelta(days=1)
        )
    with session_scope(engine) as session:
        assert posts.publish_due(session, publisher, now=later) == []
        [done] = posts.publish_due(session, publisher, now=later + timedelta(days=1))
    assert done.key == "muttertag"


def test_a_post_left_in_publishing_by_a_crash_is_never_published_again_until_settled(engine):
    class Crash(Exception):
        pass

    class CrashingPublisher:
        def publish(self, post):
            raise Crash("the process died mid-call")

    with session_scope(engine) as session:
        schedule(session, "info", category="service")
    with pytest.raises(Crash), session_scope(engine) as session:
        posts.publish_due(session, CrashingPublisher(), now=T0)
    publisher = RecordingPublisher()
    with session_scope(engine) as session:
        assert posts.get_post(session, "info").state == "publishing"  # the claim was committed
        assert posts.publish_due(session, publisher, now=T0 + timedelta(hours=1)) == []
        posts.settle_post(
            session, "info", outcome="failed", now=T0, actor="lena", reason="not on the page"
        )
        schedule(session, "info", category="service", at=T0 + timedelta(hours=2))
    with session_scope(engine) as session:
        [done] = posts.publish_due(session, publisher, now=T0 + timedelta(hours=2))
    assert done.key == "info" and len(publisher.published) == 1
