"""The sync round on a real database: mirror, hold at the source (snapshot first), release
once after a lead's resume, and keep what could not be held in front of the team."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from crisis import incidents, posts
from crisis.clock import VirtualClock
from crisis.db import session_scope
from crisis.domain import Service
from crisis.holds import not_held_at_source
from crisis.reports.data import build_report
from crisis.reports.html import render_html
from crisis.reports.period import Period
from crisis.schedulers import facebook, postiz
from crisis.schedulers.configured import make_sync
from crisis.schedulers.rules import set_rule
from crisis.tables import AuditEntry, PublishIntent, ScheduledPost
from tests.crisis.connectors.recorded import payload
from tests.crisis.schedulers.fakes import Crash, FakeFacebook, FakePostiz

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)  # the Advent post is due at 09:00, Postiz's at 09:20
ADVENT = "facebook:1234567890123456_111"
WINTER = "postiz:cm4winter0001"


@pytest.fixture
def clock():
    return VirtualClock(NOW)


@pytest.fixture
def world(rsps, settings, engine, clock):
    fb, pz = FakeFacebook(rsps), FakePostiz(rsps)
    sleeps = []
    on_postiz = postiz.make_scheduler(settings)
    on_postiz.api.now = clock.now  # Retry-After counts from the test's time
    sync = make_sync(
        settings,
        engine=engine,
        clock=clock,
        schedulers=[facebook.make_scheduler(settings), on_postiz],
    )
    sync.sleep = sleeps.append
    return sync, fb, pz, sleeps


def open_incident(engine, at):
    with session_scope(engine) as session:
        incident = incidents.open_incident(
            session,
            service=Service.INTERNET,
            now=at,
            opened_by="operator",
            actor="lea",
            reason="Glasfaser Leipzig gestört",
        )
        return incident.id


def resolve_and_resume(engine, incident_id, at, **resume):
    with session_scope(engine) as session:
        incidents.resolve_incident(session, incident_id, now=at, actor="lea", reason="behoben")
        return [
            p.key
            for p in posts.resume_posts(
                session, keys=None, now=at, actor="lea", reason="Störung behoben", **resume
            )
        ]


def advent_copies(fb):
    return [c for c in fb.created if c["message"].startswith("Adventsangebot")]


def rows(engine):
    with session_scope(engine) as session:
        return {p.key: p for p in session.exec(select(ScheduledPost))}


def actions(engine, key):
    with session_scope(engine) as session:
        query = select(AuditEntry.action).where(AuditEntry.entity_id == key)
        return list(session.exec(query.order_by(AuditEntry.id)))


def test_sync_mirrors_the_next_week_as_external_posts_with_categories_from_the_rules(world, engine):
    sync, _fb, _pz, _ = world
    with session_scope(engine) as session:
        set_rule(
            session, source="facebook", label="wartung", category="service", now=NOW, actor="lea"
        )
        set_rule(
            session, source="postiz", label="service", category="service", now=NOW, actor="lea"
        )
    report = sync.round()
    mirrored = rows(engine)
    assert sorted(report.imported) == sorted(mirrored)
    assert {k: (p.category, p.state) for k, p in mirrored.items()} == {
        ADVENT: ("marketing", "scheduled"),
        "facebook:1234567890123456_222": ("service", "scheduled"),
        "facebook:1234567890123456_333": ("marketing", "scheduled"),
        WINTER: ("marketing", "scheduled"),
        "postiz:cm4service0003": ("service", "scheduled"),
    }
    assert mirrored[ADVENT].snapshot["media"][0].startswith("https://scontent")
    assert sync.round().imported == []  # a second round adds nothing


def test_marketing_due_during_an_incident_is_held_at_its_source_ahead_of_its_time(
    world, engine, clock
):
    sync, fb, pz, _ = world
    sync.round()
    open_incident(engine, NOW)
    report = sync.round()  # 08:00: nothing is due within 30 minutes yet
    assert report.held == []
    assert all(p.state == "held" for k, p in rows(engine).items() if p.category == "marketing")

    clock.set(NOW + timedelta(minutes=35))  # 08:35: the Advent post (09:00) is due within 30'
    assert sync.round().held == [ADVENT]
    assert "1234567890123456_111" not in fb.posts
    assert pz.posts["cm4winter0001"]["status"] == "scheduled"
    clock.set(NOW + timedelta(minutes=55))  # 08:55: Postiz's 09:20 post too
    assert sync.round().held == [WINTER]
    assert pz.posts["cm4winter0001"]["status"] == "draft"
    mirrored = rows(engine)
    assert (mirrored[ADVENT].state, mirrored[ADVENT].source_state) == ("held", "held")
    assert ["post.imported", "post.held", "post.held_at_source"] == actions(engine, ADVENT)
    assert mirrored["facebook:1234567890123456_222"].source_state == "scheduled"  # service
    assert mirrored["facebook:1234567890123456_333"].source_state == "scheduled"  # due Tuesday


def test_after_the_incident_and_a_leads_resume_both_are_back_at_their_source_once_unchanged(
    world, engine, clock
):
    sync, fb, pz, _ = world
    original = dict(fb.posts["1234567890123456_111"])
    sync.round()
    incident_id = open_incident(engine, NOW)
    clock.set(NOW + timedelta(minutes=55))
    sync.round()
    clock.set(NOW + timedelta(minutes=58))
    resolved = resolve_and_resume(engine, incident_id, clock.now())
    assert set(resolved) >= {ADVENT, WINTER}
    report = sync.round()
    assert sorted(report.released) == [ADVENT, WINTER]
    assert sync.round().released == []  # once

    [created] = fb.created
    assert created["message"] == original["message"]
    assert created["scheduled_publish_time"] == original["scheduled_publish_time"]
    assert fb.photos and list(fb.photos.values()) == [
        original["attachments"]["data"][0]["media"]["image"]["src"]
    ]
    assert pz.puts() == [("cm4winter0001", "draft"), ("cm4winter0001", "schedule")]
    assert pz.posts["cm4winter0001"]["content"].startswith("Winter-Deal")
    advent = rows(engine)[ADVENT]
    assert (advent.state, advent.source_state, advent.external_id) == (
        "scheduled",
        "scheduled",
        created["id"],
    )
    assert sync.round().imported == []  # the re-created post is the same post, not a new one
    with session_scope(engine) as session:
        intents = session.exec(select(PublishIntent.state)).all()
    assert intents == ["sent", "sent"]


def test_a_post_edited_at_the_source_after_the_snapshot_is_held_and_comes_back_as_edited(
    world, engine, clock
):
    sync, fb, _pz, _ = world
    sync.round()  # snapshot at import: the old text
    edited = "Adventsangebot: jetzt 60 GB extra für 9,99 € #advent"
    fb.posts["1234567890123456_111"]["message"] = edited  # someone edits it in Meta Business Suite
    incident_id = open_incident(engine, NOW)
    clock.set(NOW + timedelta(minutes=31))
    report = sync.round()
    assert ADVENT in report.changed and ADVENT in report.held
    assert rows(engine)[ADVENT].text == edited
    clock.set(NOW + timedelta(minutes=40))
    resolve_and_resume(engine, incident_id, clock.now())
    sync.round()
    assert [c["message"] for c in fb.created] == [edited]


def test_a_crash_between_the_delete_and_its_record_loses_no_post(world, engine, clock):
    sync, fb, _pz, _ = world
    sync.round()
    incident_id = open_incident(engine, NOW)
    clock.set(NOW + timedelta(minutes=31))
    fb.crash_after_delete = True
    with pytest.raises(Crash):
        sync.round()
    advent = rows(engine)[ADVENT]
    assert "1234567890123456_111" not in fb.posts  # deleted at Facebook ...
    assert advent.source_state == "holding"  # ... and our copy was written first
    assert advent.snapshot["text"].startswith("Adventsangebot")

    fb.crash_after_delete = False
    assert ADVENT in sync.round().held  # the next round finishes the hold
    assert rows(engine)[ADVENT].source_state == "held"
    clock.set(NOW + timedelta(minutes=40))
    resolve_and_resume(engine, incident_id, clock.now())
    sync.round()
    assert [c["message"] for c in fb.created] == [advent.snapshot["text"]]


def test_429_and_5xx_are_retried_and_the_post_is_still_held(world, engine, clock):
    sync, fb, pz, sleeps = world
    sync.round()
    open_incident(engine, NOW)
    clock.set(NOW + timedelta(minutes=55))
    fb.failures[("DELETE", "1234567890123456_111")] = [(400, payload("fb_error_rate_limit.json"))]
    pz.failures["PUT"] = [
        (503, {"message": "Service Unavailable"}),
        (502, {"message": "Bad Gateway"}),
    ]
    report = sync.round()
    assert sorted(report.held) == [ADVENT, WINTER]
    assert len(sleeps) == 3
    assert pz.posts["cm4winter0001"]["status"] == "draft"


def test_a_post_that_cannot_be_held_is_shown_with_its_reason_until_a_round_holds_it(
    world, engine, clock
):
    sync, _fb, pz, sleeps = world
    sync.round()
    open_incident(engine, NOW)
    clock.set(NOW + timedelta(minutes=55))
    pz.failures["PUT"] = [(401, payload("postiz_error_unauthorized.json"))]
    report = sync.round()
    assert report.failed == [
        (WINTER, f"not held at postiz: {report.failed[0][1].split(': ', 1)[1]}")
    ]
    assert "Invalid API key" in report.failed[0][1]
    assert sleeps == []  # a refused key is not retried
    with session_scope(engine) as session:
        shown = not_held_at_source(session)
    assert [(p.key, "Invalid API key" in (p.hold_error or "")) for p in shown] == [(WINTER, True)]
    assert "post.hold_failed" in actions(engine, WINTER)
    sync.round()  # the key works again
    with session_scope(engine) as session:
        assert not_held_at_source(session) == []
        period = Period(start=NOW, end=NOW + timedelta(days=1))
        report = build_report(session, period, now=clock.now())
    almost = {h.key: h for h in report.almost_published}
    assert almost[WINTER].source == "postiz"
    assert almost[WINTER].held_at_source == clock.now()
    assert len(almost[WINTER].failures) == 1 and "Invalid API key" in almost[WINTER].failures[0]
    assert "Invalid API key" in render_html(report)


def test_a_post_put_back_on_the_schedule_at_postiz_while_held_is_held_again(world, engine, clock):
    sync, _fb, pz, _ = world
    sync.round()
    open_incident(engine, NOW)
    clock.set(NOW + timedelta(minutes=55))
    sync.round()
    pz.posts["cm4winter0001"]["status"] = "scheduled"  # someone clicks "schedule" in Postiz
    sync.round()
    assert pz.posts["cm4winter0001"]["status"] == "draft"
    assert "post.requeued_at_source" in actions(engine, WINTER)


def test_resumed_to_draft_stays_off_its_source_with_the_snapshot_kept(world, engine, clock):
    sync, fb, pz, _ = world
    sync.round()
    incident_id = open_incident(engine, NOW)
    clock.set(NOW + timedelta(minutes=55))
    sync.round()
    resolve_and_resume(engine, incident_id, clock.now(), to_draft=True)
    sync.round()
    mirrored = rows(engine)
    assert (mirrored[ADVENT].state, mirrored[ADVENT].source_state) == ("draft", "draft")
    assert mirrored[ADVENT].snapshot["text"].startswith("Adventsangebot")
    assert fb.created == [] and pz.posts["cm4winter0001"]["status"] == "draft"


def test_our_publisher_never_publishes_a_post_another_tool_has_scheduled(world, engine, clock):
    from crisis.publishing import RecordingPublisher

    sync, _fb, _pz, _ = world
    sync.round()
    clock.set(NOW + timedelta(hours=2))
    publisher = RecordingPublisher()
    with session_scope(engine) as session:
        posts.publish_due(session, publisher, now=clock.now())
    assert publisher.published == []


def test_a_post_its_tool_published_is_marked_published_and_one_not_held_in_time_is_flagged(
    world, engine, clock
):
    sync, fb, _pz, _ = world
    with session_scope(engine) as session:
        set_rule(session, source="facebook", label="wartung", category="service", now=NOW,
                 actor="lea")  # fmt: skip
        set_rule(session, source="postiz", label="service", category="service", now=NOW,
                 actor="lea")  # fmt: skip
    sync.round()
    clock.set(NOW + timedelta(hours=1, minutes=5))  # 09:05: the Advent post went out at 09:00
    del fb.posts["1234567890123456_111"]
    open_incident(engine, clock.now())  # too late for it; Postiz's 09:20 post is held
    report = sync.round()
    assert ADVENT not in [key for key, _ in report.failed]  # it went out before the incident
    mirrored = rows(engine)
    assert (mirrored[ADVENT].state, mirrored[ADVENT].published_at) == (
        "published",
        NOW + timedelta(hours=1),
    )
    assert mirrored[WINTER].source_state == "held"

    # Facebook refuses the hold of the Tuesday post (expired token) until after its time
    incident_id = mirrored["facebook:1234567890123456_333"].held_by_incident_id
    assert incident_id is not None
    tuesday = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    clock.set(tuesday - timedelta(minutes=10))
    fb.failures[("GET", "1234567890123456_333")] = [(400, payload("fb_error_expired_token.json"))]
    assert [key for key, _ in sync.round().failed] == ["facebook:1234567890123456_333"]
    clock.set(tuesday + timedelta(minutes=1))
    del fb.posts["1234567890123456_333"]  # Facebook published it
    [(key, why)] = sync.round().failed
    assert key == "facebook:1234567890123456_333" and "it went out there" in why
    with session_scope(engine) as session:
        assert [p.key for p in not_held_at_source(session)] == [key]


def test_a_crash_after_the_source_recreated_a_post_does_not_recreate_it_twice(world, engine, clock):
    sync, fb, _pz, _ = world
    sync.round()
    incident_id = open_incident(engine, NOW)
    clock.set(NOW + timedelta(minutes=31))
    sync.round()
    clock.set(NOW + timedelta(minutes=35))
    later = NOW + timedelta(hours=3)  # the lead gives it a new time
    resolve_and_resume(engine, incident_id, clock.now(), publish_at=later)
    fb.crash_after_create = True
    with pytest.raises(Crash):
        sync.round()
    fb.crash_after_create = False
    assert len(advent_copies(fb)) == 1
    sync.round()  # at once: another worker may be on it; nothing is posted
    clock.set(NOW + timedelta(minutes=40))  # later: the intent looks on Facebook first
    report = sync.round()
    assert ADVENT in report.released and report.imported == []
    [copy] = advent_copies(fb)
    assert copy["scheduled_publish_time"] == int(later.timestamp())
    assert rows(engine)[ADVENT].external_id == copy["id"]


def test_an_external_post_is_changed_in_its_tool_not_here(world, engine):
    from crisis.errors import InvalidTransition

    sync, _fb, _pz, _ = world
    sync.round()
    with session_scope(engine) as session, pytest.raises(InvalidTransition, match="in postiz"):
        posts.schedule_post(session, key=WINTER, channel="facebook", category="marketing",
                            text="Anders", publish_at=NOW, now=NOW, actor="lea")  # fmt: skip


def test_a_long_rate_limit_fails_the_post_this_round_instead_of_stalling_every_other(
    world, engine, clock
):
    sync, fb, pz, sleeps = world
    sync.round()
    open_incident(engine, NOW)
    clock.set(NOW + timedelta(minutes=55))
    pz.failures["PUT"] = [(429, {"message": "ThrottlerException: Too Many Requests"})]
    pz.retry_after = "1800"
    report = sync.round()
    assert report.held == [ADVENT]  # Facebook's post is held all the same
    assert [key for key, _ in report.failed] == [WINTER]
    assert all(seconds <= 60 for seconds in sleeps)
    pz.retry_after = None
    assert sync.round().held == [WINTER]  # the next round, once Postiz answers again


def test_a_post_sent_back_to_draft_before_its_tool_held_it_comes_off_that_tool(
    world, engine, clock
):
    sync, fb, pz, _ = world
    sync.round()
    incident_id = open_incident(engine, NOW)
    sync.round()  # 08:00: nothing within the lead yet; all still scheduled at their tools
    resolve_and_resume(engine, incident_id, NOW + timedelta(minutes=5), to_draft=True)
    clock.set(NOW + timedelta(minutes=6))
    sync.round()
    mirrored = rows(engine)
    assert (mirrored[WINTER].state, mirrored[WINTER].source_state) == ("draft", "draft")
    assert pz.posts["cm4winter0001"]["status"] == "draft"
    assert (mirrored[ADVENT].state, mirrored[ADVENT].source_state) == ("draft", "draft")
    assert "1234567890123456_111" not in fb.posts and fb.created == []
    sync.round()
    assert rows(engine)[WINTER].state == "draft"  # stays a draft; Postiz lists it as one


def test_resumed_at_a_new_time_before_its_tool_held_it_the_post_moves_there(world, engine, clock):
    sync, fb, pz, _ = world
    sync.round()
    incident_id = open_incident(engine, NOW)
    sync.round()  # 08:00: nothing within the lead yet
    tomorrow = NOW + timedelta(days=1)
    resolve_and_resume(engine, incident_id, NOW + timedelta(minutes=5), publish_at=tomorrow)
    clock.set(NOW + timedelta(minutes=6))
    report = sync.round()
    [created] = [c for c in fb.created if c["message"].startswith("Adventsangebot")]
    assert created["scheduled_publish_time"] == int(tomorrow.timestamp())
    assert ADVENT in report.released
    # Postiz keeps a post's date: it stays a draft there, and the banner says why
    assert pz.posts["cm4winter0001"]["status"] == "draft"
    assert any(key == WINTER and "cannot change a post's date" in why for key, why in report.failed)
    assert rows(engine)[ADVENT].publish_at == tomorrow
