"""Approved replies go out through the real platform clients exactly once, crashes included."""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import pytest
import responses

from crisis.clock import VirtualClock
from crisis.db import session_scope
from crisis.domain import OutgoingPost
from crisis.errors import InvalidTransition
from crisis.ingest import store_comments
from crisis.registry import make_publisher
from crisis.replies import queue, sending
from crisis.tables import PublishIntent, ReviewItem, SentReply
from tests.crisis.connectors.recorded import PAGE_ID
from tests.factories import make_comment

GRAPH = "https://graph.facebook.com/v21.0"
COMMENT = f"{PAGE_ID}_987654321098765"
REPLY_ID = f"{PAGE_ID}_987654321099999"
TEXT = "Sorry Sam, the Leeds fault is fixed by 6pm."
NOW = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)


class SimulatedCrash(BaseException):
    """The process dies: nothing after this point runs, no handler catches it."""


def approved_item(engine, platform="facebook", external_id=COMMENT):
    comment = make_comment(platform=platform, external_id=external_id, text="Still down!")
    with session_scope(engine) as session:
        [cid] = store_comments(session, [comment], now=NOW)
        item = ReviewItem(
            comment_id=cid, lang="en", text=TEXT, state="pending", created_at=NOW, arrived_at=NOW
        )
        session.add(item)
        session.flush()
        item_id = item.id
    with session_scope(engine) as session:
        queue.approve(session, item_id, actor="lena", now=NOW)
    return item_id


def send(engine, item_id, publisher, clock=None):
    clock = clock or VirtualClock(NOW)
    return sending.send(engine, item_id, publisher, actor="lena", clock=clock).state


@pytest.fixture
def graph():
    """Facebook: replies are accepted and then show up among the comment's replies."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        posted = []

        def post_reply(request):
            posted.append(dict(parse_qsl(request.body)))
            return 200, {"content-type": "application/json"}, json.dumps({"id": REPLY_ID})

        def list_replies(request):
            mine = [
                {"id": REPLY_ID, "message": p["message"], "from": {"id": PAGE_ID}} for p in posted
            ]
            return 200, {"content-type": "application/json"}, json.dumps({"data": mine})

        rsps.add_callback(responses.POST, f"{GRAPH}/{COMMENT}/comments", callback=post_reply)
        rsps.add_callback(responses.GET, f"{GRAPH}/{COMMENT}/comments", callback=list_replies)
        rsps.posted = posted
        yield rsps


def test_an_approved_reply_is_published_on_facebook_once(engine, settings, graph):
    item_id = approved_item(engine)
    publisher = make_publisher(settings, engine=engine, clock=VirtualClock(NOW))

    assert send(engine, item_id, publisher) == "sent"
    with pytest.raises(InvalidTransition):
        send(engine, item_id, publisher)

    assert graph.posted == [{"message": TEXT, "access_token": "EAAB-TEST-PAGE-TOKEN"}]
    with session_scope(engine) as session:
        sent = session.get(SentReply, 1)
        assert sent is not None and (sent.platform, sent.external_id) == ("facebook", REPLY_ID)


def test_a_crash_after_facebook_took_the_reply_does_not_post_it_again(engine, settings, graph):
    item_id = approved_item(engine)
    clock = VirtualClock(NOW)
    publisher = make_publisher(settings, engine=engine, clock=clock)
    platform = publisher.inner

    class DiesAfterPosting:
        def publish(self, post):
            platform.publish(post)
            raise SimulatedCrash  # before anything could record that it went out

        def find(self, post):
            return platform.find(post)

    publisher.inner = DiesAfterPosting()
    with pytest.raises(SimulatedCrash):
        send(engine, item_id, publisher)
    publisher.inner = platform
    with session_scope(engine) as session:
        assert session.get(ReviewItem, item_id).state == "approved"  # nothing recorded
        assert session.get(PublishIntent, f"reply:{item_id}").state == "in_flight"

    # Right after the crash the attempt may still be running elsewhere: it waits, not posted,
    # and no failed attempt is counted.
    assert send(engine, item_id, publisher, clock) == "waiting"
    with session_scope(engine) as session:
        assert session.get(ReviewItem, item_id).attempts == 0
    clock.advance(timedelta(minutes=5))
    assert send(engine, item_id, publisher, clock) == "sent"

    assert len(graph.posted) == 1  # found on Facebook instead of posted twice
    with session_scope(engine) as session:
        assert session.get(SentReply, 1).external_id == REPLY_ID


def test_a_crash_after_recording_the_reply_but_before_the_queue_commit_reuses_it(
    engine, settings, graph
):
    item_id = approved_item(engine)
    publisher = make_publisher(settings, engine=engine, clock=VirtualClock(NOW))

    class DiesBeforeRecording:
        def publish(self, post):
            publisher.publish(post)
            raise SimulatedCrash  # the queue never records it

    with pytest.raises(SimulatedCrash):
        send(engine, item_id, DiesBeforeRecording())

    assert send(engine, item_id, publisher) == "sent"
    assert len(graph.posted) == 1
    assert [c.request.method for c in graph.calls] == ["POST"]  # not even a look-up


def test_a_server_error_is_looked_up_before_posting_again(engine, settings):
    item_id = approved_item(engine)
    clock = VirtualClock(NOW)
    publisher = make_publisher(settings, engine=engine, clock=clock)
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.POST,
            f"{GRAPH}/{COMMENT}/comments",
            status=503,
            body="<html>oops",
            content_type="text/html",
        )
        assert send(engine, item_id, publisher) == "failed"
    clock.advance(timedelta(minutes=5))
    with session_scope(engine) as session:
        queue.approve(session, item_id, actor="lena", now=clock.now())
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"{GRAPH}/{COMMENT}/comments", json={"data": []})
        rsps.add(responses.POST, f"{GRAPH}/{COMMENT}/comments", json={"id": REPLY_ID})
        assert send(engine, item_id, publisher) == "sent"
        assert [c.request.method for c in rsps.calls] == ["GET", "POST"]


def test_a_refused_reply_was_not_posted_so_a_retry_posts_without_looking(engine, settings):
    item_id = approved_item(engine)
    publisher = make_publisher(settings, engine=engine, clock=VirtualClock(NOW))
    error = {"message": "(#200) Permissions error", "type": "OAuthException", "code": 200}
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, f"{GRAPH}/{COMMENT}/comments", status=403, json={"error": error})
        assert send(engine, item_id, publisher) == "failed"
    with session_scope(engine) as session:
        queue.approve(session, item_id, actor="lena", now=NOW)
        intent = session.get(PublishIntent, f"reply:{item_id}")
        assert intent.state == "failed" and "Permissions error" in intent.error
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, f"{GRAPH}/{COMMENT}/comments", json={"id": REPLY_ID})
        assert send(engine, item_id, publisher) == "sent"
        assert [c.request.method for c in rsps.calls] == ["POST"]


def test_an_approved_reply_to_a_tweet_is_posted_once_as_the_brand(engine, settings):
    item_id = approved_item(engine, platform="x", external_id="1846200000000000002")
    publisher = make_publisher(settings, engine=engine, clock=VirtualClock(NOW))
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.POST,
            "https://api.twitter.com/2/tweets",
            status=201,
            json={"data": {"id": "1846300000000000000", "text": TEXT}},
        )
        assert send(engine, item_id, publisher) == "sent"
        with pytest.raises(InvalidTransition):
            send(engine, item_id, publisher)
        assert len(rsps.calls) == 1
        body = json.loads(rsps.calls[0].request.body)
    assert body["reply"] == {"in_reply_to_tweet_id": "1846200000000000002"}


def test_a_channel_without_a_publisher_says_which_exist(engine, settings):
    publisher = make_publisher(settings, engine=engine, clock=VirtualClock(NOW))
    with pytest.raises(KeyError, match="unknown publishing channel 'mastodon'; known: facebook, x"):
        publisher.publish(OutgoingPost("mastodon", "hi", "post:1"))
