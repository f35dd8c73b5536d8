from datetime import UTC, datetime, timedelta

import pytest

from crisis import audit, incidents, posts
from crisis.db import session_scope
from crisis.domain import Service
from crisis.errors import ConfigError, InvalidTransition
from crisis.testing import RecordingPublisher

T0 = datetime(2017, 5, 13, 8, 0, tzinfo=UTC)


def schedule(session, key, *, category="marketing", at=T0 + timedelta(hours=1)):
    return posts.schedule_post(
        session,
        key=key,
        channel="facebook",
        category=category,
        text=f"{key} text",
        publish_at=at,
        now=T0,
        actor="lena",
    )


def open_internet(session, now=T0):
    return incidents.open_incident(
        session,
        service=Service.INTERNET,
        now=now,
        opened_by="operator",
        actor="lena",
        reason="DSL down in Hamburg",
        regions=["Hamburg"],
    )


def test_opening_an_incident_holds_marketing_but_not_service_posts(engine):
    with session_scope(engine) as session:
        schedule(session, "muttertag")
        schedule(session, "stoerungsinfo", category="service")
        incident = open_internet(session)
    with session_scope(engine) as session:
        states = {p.key: (p.state, p.held_by_incident_id) for p in posts.list_posts(session)}
    assert states == {"muttertag": ("held", incident.id), "stoerungsinfo": ("scheduled", None)}


def test_marketing_post_is_not_published_during_open_incident(engine):
    publisher = RecordingPublisher()
    with session_scope(engine) as session:
        open_internet(session)
        schedule(session, "late-marketing")  # scheduled while the incident is open
        schedule(session, "info", category="service")
    with session_scope(engine) as session:
        published = posts.publish_due(session, publisher, now=T0 + timedelta(hours=2))
    assert [p.key for p in published] == ["info"]
    assert [p.idempotency_key for p in publisher.published] == ["post:info"]
    with session_scope(engine) as session:
        assert posts.get_post(session, "late-marketing").state == "held"


def test_hold_is_checked_again_when_the_post_is_claimed(engine):
    """A post that slipped past the hold (e.g. written by another process) is still held."""
    with session_scope(engine) as session:
        incident = open_internet(session)
        post = schedule(session, "slipped")
        post.state, post.held_by_incident_id = "scheduled", None  # as if the hold never ran
        session.add(post)
    with session_scope(engine) as session:
        assert posts.publish_due(session, RecordingPublisher(), now=T0 + timedelta(hours=2)) == []
        assert posts.get_post(session, "slipped").held_by_incident_id == incident.id


def test_held_posts_stay_held_after_resolution_until_resumed(engine):
    publisher = RecordingPublisher()
    with session_scope(engine) as session:
        schedule(session, "muttertag")
        incident = open_internet(session)
        with pytest.raises(InvalidTransition, match="still open"):
            posts.resume_posts(session, keys=["muttertag"], now=T0, actor="lena")
        incidents.resolve_incident(session, incident.id, now=T0 + timedelta(hours=3), actor="lena")
    with session_scope(engine) as session:
        assert posts.publish_due(session, publisher, now=T0 + timedelta(hours=4)) == []
        new_time = T0 + timedelta(days=1)
        posts.resume_posts(
            session,
            keys=["muttertag"],
            now=T0 + timedelta(hours=4),
            actor="lena",
            publish_at=new_time,
        )
    with session_scope(engine) as session:
        assert posts.publish_due(session, publisher, now=T0 + timedelta(hours=5)) == []
        done = posts.publish_due(session, publisher, now=T0 + timedelta(days=1))
    assert [p.key for p in done] == ["muttertag"]
    assert done[0].published_at == T0 + timedelta(days=1)


def test_a_failed_publish_is_visible_not_reported_as_sent(engine):
    with session_scope(engine) as session:
        schedule(session, "info", category="service")
    with session_scope(engine) as session:
        published = posts.publish_due(
            session, RecordingPublisher(fail_times=1), now=T0 + timedelta(hours=2)
        )
    with session_scope(engine) as session:
        post = posts.get_post(session, "info")
    assert published == [] and post.state == "failed" and post.published_at is None


class UnconfiguredPublisher:
    def publish(self, post):
        raise ConfigError("posting to X needs CRISIS_X_USER_TOKEN")


def test_a_publisher_without_credentials_leaves_the_post_scheduled_not_stuck(engine):
    with session_scope(engine) as session:
        schedule(session, "info", category="service")
    with session_scope(engine) as session, pytest.raises(ConfigError, match="CRISIS_X_USER_TOKEN"):
        posts.publish_due(session, UnconfiguredPublisher(), now=T0 + timedelta(hours=2))
    with session_scope(engine) as session:
        assert posts.get_post(session, "info").state == "scheduled"
        done = posts.publish_due(session, RecordingPublisher(), now=T0 + timedelta(hours=2))
    assert [p.key for p in done] == ["info"]


def test_invalid_incident_transitions_are_refused_and_valid_ones_audited(engine):
    with session_scope(engine) as session:
        incident = open_internet(session)
        incidents.update_incident(
            session,
            incident.id,
            now=T0,
            actor="lena",
            status="identified",
            eta=T0 + timedelta(hours=8),
            reason="router firmware",
        )
        with pytest.raises(InvalidTransition, match="'identified' to 'suspected'"):
            incidents.update_incident(
                session, incident.id, now=T0, actor="lena", status="suspected"
            )
        incidents.resolve_incident(session, incident.id, now=T0 + timedelta(hours=5), actor="max")
        with pytest.raises(InvalidTransition):
            incidents.resolve_incident(session, incident.id, now=T0, actor="max")
        with pytest.raises(InvalidTransition):
            incidents.update_incident(session, incident.id, now=T0, actor="max", public_status="x")
        trail = audit.history(session, entity="incident", entity_id=incident.id)
    assert [(e.action, e.actor) for e in trail] == [
        ("incident.open", "lena"),
        ("incident.update", "lena"),
        ("incident.resolve", "max"),
    ]
    assert trail[1].details["status"] == ["investigating", "identified"]
    assert trail[1].reason == "router firmware"
