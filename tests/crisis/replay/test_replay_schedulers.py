"""The issue's "done when": in a replay, a Facebook-native and a Postiz marketing post due during
an incident are held where they are scheduled and listed as held; after the incident and a
lead's resume they are back there, once, with their content unchanged."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import responses

from crisis import posts
from crisis.clock import VirtualClock
from crisis.db import session_scope
from crisis.detection.detector import SpikeRules
from crisis.domain import Service
from crisis.pipeline import Pipeline
from crisis.replay.run import replay
from crisis.replies.respond import ReplySetup
from crisis.schedulers import facebook, postiz
from crisis.schedulers.configured import make_sync
from crisis.testing import EchoResponder, KeywordClassifier, RecordingPublisher
from responders.policy import decide
from tests.crisis.connectors.recorded import make_settings
from tests.crisis.schedulers.fakes import POSTIZ, FakeFacebook, FakePostiz
from tests.factories import complaint

START = datetime(2026, 12, 6, 7, 30, tzinfo=UTC)  # Advent (Facebook) 09:00, Winter (Postiz) 09:20
ADVENT, WINTER = "facebook:1234567890123456_111", "postiz:cm4winter0001"


def at(hh_mm):
    hours, minutes = map(int, hh_mm.split(":"))
    return START.replace(hour=hours, minute=minutes).isoformat()


def scenario(tmp_path):
    events = [
        {"at": at("07:30"), "type": "comment", "platform": "facebook", "id": "c1",
         "author": "anna", "text": "Wie teuer ist Roaming?", "lang": "de"},
        {"at": at("08:00"), "type": "operator", "action": "open_incident", "service": "internet",
         "regions": ["Leipzig"], "actor": "lea", "reason": "Glasfaser Leipzig gestört"},
        {"at": at("08:10"), "type": "comment", "platform": "facebook", "id": "c2",
         "author": "ben", "text": "Internet in Leipzig weg", "lang": "de"},
        {"at": at("08:30"), "type": "operator", "action": "resolve_incident",
         "service": "internet", "actor": "lea", "reason": "behoben"},
        {"at": at("08:32"), "type": "operator", "action": "resume_posts", "posts": "all",
         "actor": "lea", "reason": "Störung behoben, Marketing wie geplant"},
        {"at": at("08:40"), "type": "comment", "platform": "facebook", "id": "c3",
         "author": "cem", "text": "Danke, geht wieder", "lang": "de"},
    ]  # fmt: skip
    path = tmp_path / "advent.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def sources():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeFacebook(rsps), FakePostiz(rsps)


def run(engine, path, until=None):
    settings = make_settings(
        facebook_native_scheduling=True,
        postiz_url=POSTIZ,
        postiz_api_key="test-postiz-key-0123",
        scheduler_hold_lead_minutes=60,
    )
    clock = VirtualClock(datetime(1970, 1, 1, tzinfo=UTC))
    pipeline = Pipeline(
        replies=ReplySetup(policy=decide, responder=EchoResponder()),
        engine=engine,
        clock=clock,
        classifier=KeywordClassifier({"Internet": complaint(Service.INTERNET)}),
        rules=SpikeRules(
            window=timedelta(minutes=30),
            min_complaints=50,
            ratio=2.0,
            persistence=timedelta(0),
            significance=1.0,
        ),  # fmt: skip
    )
    sync = make_sync(
        settings,
        engine=engine,
        clock=clock,
        schedulers=[facebook.make_scheduler(settings), postiz.make_scheduler(settings)],
    )
    sync = replace(sync, sleep=lambda seconds: None)
    log = replay(path, pipeline, clock, until=until, publisher=RecordingPublisher(), sync=sync)
    assert log.problems == []
    return clock


def test_during_the_incident_both_are_held_at_their_source_and_listed_as_held(
    engine, tmp_path, sources
):
    fb, pz = sources
    run(engine, scenario(tmp_path), until=datetime.fromisoformat(at("08:25")))
    with session_scope(engine) as session:
        held = {p.key: p.source_state for p in posts.list_posts(session, state="held")}
    assert (held.pop(ADVENT), held.pop(WINTER)) == ("held", "held")
    # the others are held here too, but due later than the lead: still untouched there
    assert set(held.values()) == {"scheduled"}
    assert "1234567890123456_111" not in fb.posts  # off Facebook's schedule, copy kept
    assert pz.posts["cm4winter0001"]["status"] == "draft"


def test_after_the_incident_and_a_leads_resume_both_are_back_once_and_unchanged(
    engine, tmp_path, sources
):
    fb, pz = sources
    advent_before = dict(fb.posts["1234567890123456_111"])
    winter_before = dict(pz.posts["cm4winter0001"])
    run(engine, scenario(tmp_path))

    [recreated] = fb.created  # once
    assert recreated["message"] == advent_before["message"]
    assert recreated["scheduled_publish_time"] == advent_before["scheduled_publish_time"]
    assert list(fb.photos.values()) == [
        advent_before["attachments"]["data"][0]["media"]["image"]["src"]
    ]
    assert pz.puts() == [("cm4winter0001", "draft"), ("cm4winter0001", "schedule")]  # once
    assert pz.posts["cm4winter0001"] == winter_before
    with session_scope(engine) as session:
        back = {p.key: (p.state, p.source_state) for p in posts.list_posts(session)
                if p.key in (ADVENT, WINTER)}  # fmt: skip
    assert back == {ADVENT: ("scheduled", "scheduled"), WINTER: ("scheduled", "scheduled")}
