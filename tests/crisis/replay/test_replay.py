import json
from datetime import UTC, datetime, timedelta

from crisis.clock import VirtualClock
from crisis.db import session_scope
from crisis.detection.detector import SpikeRules
from crisis.domain import Service
from crisis.pipeline import Pipeline
from crisis.replay.run import replay
from crisis.replay.summary import summarize
from crisis.replies.respond import ReplySetup
from crisis.testing import EchoResponder, KeywordClassifier, RecordingPublisher
from responders.policy import decide
from tests.factories import complaint

START = datetime(2017, 5, 13, 6, 0, tzinfo=UTC)


def at(minutes):
    return (START + timedelta(minutes=minutes)).astimezone().isoformat()


def comment(minutes, cid, text, author=None, **extra):
    return {
        "at": at(minutes),
        "type": "comment",
        "platform": "facebook",
        "id": cid,
        "author": author or f"author-{cid}",
        "text": text,
        "lang": "de",
        **extra,
    }


def write_scenario(path, events):
    path.write_text("\n".join(e if isinstance(e, str) else json.dumps(e) for e in events) + "\n")
    return path


def run(engine, path, until=None):
    clock = VirtualClock(datetime(1970, 1, 1, tzinfo=UTC))
    publisher = RecordingPublisher()
    pipeline = Pipeline(
        replies=ReplySetup(policy=decide, responder=EchoResponder()),
        engine=engine,
        clock=clock,
        classifier=KeywordClassifier({"Internet": complaint(Service.INTERNET)}),
        # No persistence: the summary's contract, not the detector, is tested here.
        rules=SpikeRules(
            window=timedelta(minutes=30),
            min_complaints=3,
            ratio=2.0,
            persistence=timedelta(0),
            significance=1.0,
        ),
    )
    log = replay(path, pipeline, clock, until=until, publisher=publisher)
    with session_scope(engine) as session:
        return summarize(session, comments=log.comments, problems=log.problems), publisher


def small_scenario(tmp_path):
    return write_scenario(
        tmp_path / "s.jsonl",
        [
            {
                "at": at(0),
                "type": "scheduled_post",
                "id": "early",
                "channel": "facebook",
                "publish_at": at(10),
                "text": "Frühlingsangebot",
                "category": "marketing",
            },
            {
                "at": at(0),
                "type": "scheduled_post",
                "id": "muttertag",
                "channel": "facebook",
                "publish_at": at(120),
                "text": "Schon an Mama gedacht?",
                "category": "marketing",
            },
            {
                "at": at(0),
                "type": "scheduled_post",
                "id": "info",
                "channel": "x",
                "publish_at": at(130),
                "text": "Störung in Hamburg",
                "category": "service",
            },
            comment(20, "1", "Wie teuer ist Roaming?"),
            comment(60, "2", "Kein Internet"),
            "this line is broken",
            comment(61, "3", "Internet tot"),
            {"at": at(62), "type": "retweet", "id": "x"},
            comment(63, "4", "Internet weg seit 7 Uhr"),
            comment(63, "4", "Internet weg seit 7 Uhr"),  # delivered twice
            comment(64, "5", "Internet?? Hallo??", author="author-2"),
            {
                "at": at(90),
                "type": "operator",
                "action": "update_incident",
                "service": "internet",
                "status": "identified",
                "eta": at(300),
                "actor": "lena",
            },
            {"at": at(95), "type": "operator", "action": "update_incident", "service": "tv"},
            {
                "at": at(200),
                "type": "operator",
                "action": "resolve_incident",
                "service": "internet",
            },
        ],
    )


def test_replay_summary_has_the_contracted_shape_and_values(engine, tmp_path):
    summary, publisher = run(engine, small_scenario(tmp_path))

    assert summary["comments"] == 5
    # Comments within a minute form one batch, as a poller would fetch them: the third
    # complainer arrives at minute 63, in the batch that closes with comment 5 at minute 64.
    [incident] = summary["incidents"]
    card = incident.pop("explanation")
    assert card["reason"].startswith("3 customers complained about internet in the last 30 min")
    assert [e["id"] for e in card["examples"]] == ["2", "3", "4", "5"]
    assert summary["incidents"] == [
        {
            "id": 1,
            "service": "internet",
            "regions": [],
            "status": "resolved",
            "opened_at": (START + timedelta(minutes=64)).isoformat(),
            "resolved_at": (START + timedelta(minutes=200)).isoformat(),
            "opened_by": "detector",
            "previous_incident_id": None,
        }
    ]
    assert summary["posts"] == [
        {
            "id": "early",
            "category": "marketing",
            "publish_at": (START + timedelta(minutes=10)).isoformat(),
            "state": "published",
            "published_at": (START + timedelta(minutes=10)).isoformat(),
            "held_by_incident_id": None,
            "held_by_freeze_id": None,
        },
        {
            "id": "muttertag",
            "category": "marketing",
            "publish_at": (START + timedelta(minutes=120)).isoformat(),
            "state": "held",
            "published_at": None,
            "held_by_incident_id": 1,
            "held_by_freeze_id": None,
        },
        {
            "id": "info",
            "category": "service",
            "publish_at": (START + timedelta(minutes=130)).isoformat(),
            "state": "published",
            "published_at": (START + timedelta(minutes=130)).isoformat(),
            "held_by_incident_id": None,
            "held_by_freeze_id": None,
        },
    ]
    assert [p.text for p in publisher.published] == ["Frühlingsangebot", "Störung in Hamburg"]
    suggestions = summary["suggestions"]
    # 2 and 3 came before the incident opened and were attached to it when it did; author-2
    # gets one reply for the incident (not one for 5 too). Resolving it supersedes the pending
    # replies with one follow-up per customer.
    assert [(s["comment_id"], s["kind"], s["incident_id"], s["state"]) for s in suggestions] == [
        ("1", "reply", None, "pending"),  # a question
        ("2", "reply", 1, "rejected"),
        ("3", "reply", 1, "rejected"),
        ("4", "reply", 1, "rejected"),
        ("2", "follow_up", 1, "pending"),
        ("3", "follow_up", 1, "pending"),
        ("4", "follow_up", 1, "pending"),
    ]
    assert [s["situation"] for s in suggestions] == [
        "question",
        *["outage_incident"] * 3,
        *["resolved_follow_up"] * 3,
    ]
    assert {s["lang"] for s in suggestions} == {"de"}
    assert [p["where"] for p in summary["problems"]] == ["s.jsonl:6", "s.jsonl:8", "s.jsonl:13"]
    assert "unknown event type 'retweet'" in summary["problems"][1]["reason"]
    assert "no open tv incident" in summary["problems"][2]["reason"]


def test_replay_is_as_fast_as_the_machine_not_as_slow_as_the_scenario(engine, tmp_path):
    """Three hours of scenario time pass without sleeping: the clock is virtual."""
    import time

    started = time.monotonic()
    run(engine, small_scenario(tmp_path))
    assert time.monotonic() - started < 60


def test_a_scenario_can_freeze_marketing_by_hand_and_the_end_of_it_releases_nothing(
    engine, tmp_path
):
    def post(key, minutes):
        return {
            "at": at(0),
            "type": "scheduled_post",
            "id": key,
            "channel": "facebook",
            "publish_at": at(minutes),
            "text": key,
            "category": "marketing",
        }

    def operator(minutes, action, **fields):
        return {"at": at(minutes), "type": "operator", "action": action, "actor": "lena", **fields}

    path = write_scenario(
        tmp_path / "freeze.jsonl",
        [
            post("before", 5),
            post("during", 30),
            operator(10, "freeze_marketing", reason="Shitstorm"),
            operator(20, "freeze_marketing", reason="twice"),
            operator(60, "unfreeze_marketing", reason="vorbei"),
            operator(70, "resume_posts", posts=["during"], to_draft=True),
            comment(90, "1", "Wie teuer ist Roaming?"),
        ],
    )
    summary, publisher = run(engine, path)
    states = {p["id"]: (p["state"], p["held_by_freeze_id"]) for p in summary["posts"]}
    assert states == {"before": ("published", None), "during": ("draft", None)}
    assert [p.text for p in publisher.published] == ["before"]
    assert [p["where"] for p in summary["problems"]] == ["freeze.jsonl:4"]  # frozen already


def test_a_replay_until_a_time_stops_mid_story_with_the_incident_open_and_marketing_held(
    engine, tmp_path
):
    """``crisis demo --until``: the state in the middle of a crisis, to work it in the web app."""
    summary, publisher = run(engine, small_scenario(tmp_path), until=START + timedelta(minutes=150))
    assert summary["comments"] == 5  # the events after 150 minutes never happened
    [incident] = summary["incidents"]
    assert incident["status"] == "identified" and incident["resolved_at"] is None
    states = {post["id"]: post["state"] for post in summary["posts"]}
    # the clock stands at the stop: the service post due at 130 minutes went out, Mother's Day
    # stays held because the incident is still open
    assert states == {"early": "published", "muttertag": "held", "info": "published"}
