"""The real tweepy client against recorded X API v2 payloads (``responses`` intercepts HTTP)."""

import json
import random
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from crisis.connectors import x
from crisis.connectors.retry import Backoff, call_with_retry
from crisis.db import session_scope
from crisis.domain import OutgoingPost
from crisis.errors import AuthFailed, ConfigError, RateLimited, ServerError
from crisis.ingest import count_comments, ingest_page, load_cursor
from tests.crisis.connectors.recorded import BEARER, BRAND_ID, make_settings, payload

MENTIONS = f"https://api.twitter.com/2/users/{BRAND_ID}/mentions"
NOW = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)


def query(request):
    return dict(parse_qsl(urlsplit(request.url).query))


def serve_mentions(rsps, pages_by_token, seen=None):
    """One callback keyed on the pagination token (responses pops repeated registrations)."""

    def reply(request):
        params = query(request)
        if seen is not None:
            seen.append(params)
        body = pages_by_token[params.get("pagination_token")]
        return 200, {"content-type": "application/json"}, json.dumps(body)

    rsps.add_callback(responses.GET, MENTIONS, callback=reply)


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


def test_mentions_are_read_page_by_page_with_author_language_and_reply_target(rsps, settings):
    page1, page2 = payload("x_mentions_page1.json"), payload("x_mentions_page2.json")
    seen = []
    serve_mentions(rsps, {None: page1, page1["meta"]["next_token"]: page2}, seen)
    source = x.make_source(settings)

    first = source.fetch(None)
    second = source.fetch(first.cursor)

    assert [c.external_id for c in first.items] == ["1846200000000000002", "1846199000000000001"]
    assert first.more and not second.more
    sam, jo = first.items
    assert (sam.platform, sam.author, sam.lang) == ("x", "sam_c", "en")
    assert sam.created_at == datetime(2024, 10, 15, 8, 12, 44, tzinfo=UTC)
    assert sam.in_reply_to is None and jo.in_reply_to == "1846198000000000000"
    assert [c.author for c in second.items] == ["jobloggs"]
    # The next round asks only for what is newer than the newest mention of this round.
    assert json.loads(second.cursor) == {"since_id": "1846200000000000002"}
    assert seen[0]["expansions"] == "author_id,in_reply_to_user_id,referenced_tweets.id"
    assert "created_at" in seen[0]["tweet.fields"] and "lang" in seen[0]["tweet.fields"]
    assert seen[1]["pagination_token"] == page1["meta"]["next_token"]
    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {BEARER}"
    assert all(call.request.req_kwargs["timeout"] == 7 for call in rsps.calls)


def test_a_quiet_round_keeps_the_since_id_and_asks_for_nothing_older(rsps, settings):
    seen = []
    serve_mentions(rsps, {None: {"meta": {"result_count": 0}}}, seen)
    page = x.make_source(settings).fetch(json.dumps({"since_id": "1846200000000000002"}))
    assert page.items == [] and not page.more
    assert json.loads(page.cursor) == {"since_id": "1846200000000000002"}
    assert seen[0]["since_id"] == "1846200000000000002"


def test_own_tweets_unknown_authors_and_broken_tweets_are_handled_per_tweet():
    body = payload("x_mentions_page1.json")
    body["data"].append({**body["data"][0], "id": "1", "author_id": BRAND_ID})  # our own reply
    body["data"].append({**body["data"][0], "id": "2", "author_id": "404", "lang": "und"})
    body["data"].append({"id": "3", "text": "no date"})
    items, problems = x.parse_tweets(body, account_id=BRAND_ID)
    assert [c.external_id for c in items] == ["1846200000000000002", "1846199000000000001", "2"]
    assert (items[2].author, items[2].lang) == ("id:404", None)
    assert [p.where for p in problems] == ["x tweet 3"]


def test_a_crash_between_fetch_and_commit_resumes_with_no_loss_and_no_duplicates(
    rsps, settings, engine
):
    page1, page2 = payload("x_mentions_page1.json"), payload("x_mentions_page2.json")
    serve_mentions(rsps, {None: page1, page1["meta"]["next_token"]: page2})
    name = x.make_source(settings).name

    def run_once(crash_after_fetching_page2: bool) -> None:
        source = x.make_source(settings)  # a new process: nothing but the database survives
        while True:
            with session_scope(engine) as session:
                cursor = load_cursor(session, name)
            page = source.fetch(cursor)
            if crash_after_fetching_page2 and cursor is not None:
                return  # died before the transaction that stores page 2
            with session_scope(engine) as session:
                ingest_page(session, name, page, now=NOW)
            if not page.more:
                return

    run_once(crash_after_fetching_page2=True)
    with session_scope(engine) as session:
        assert count_comments(session) == 2
    run_once(crash_after_fetching_page2=False)
    with session_scope(engine) as session:
        assert count_comments(session) == 3
        assert json.loads(load_cursor(session, name)) == {"since_id": "1846200000000000002"}


def test_rate_limit_with_reset_header_waits_until_the_reset_then_succeeds(rsps, settings):
    reset = int(NOW.timestamp()) + 42
    rsps.add(
        responses.GET,
        MENTIONS,
        status=429,
        json={"title": "Too Many Requests"},
        headers={"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"},
    )
    rsps.add(responses.GET, MENTIONS, json={"meta": {"result_count": 0}})
    source = x.make_source(settings)
    slept, told = [], []

    page = call_with_retry(
        lambda: source.fetch(None),
        backoff=Backoff(),
        sleep=slept.append,
        now=lambda: NOW,
        on_wait=lambda error, seconds: told.append(str(error)),
    )

    assert page.items == [] and slept == [43.0]
    assert told == ["X rate limit reached until 09:00:42Z"]


def test_rate_limit_without_reset_header_backs_off_with_growing_jittered_waits(rsps, settings):
    rsps.add(
        responses.GET, MENTIONS, status=429, body="Too Many Requests", content_type="text/plain"
    )
    source = x.make_source(settings)
    slept = []
    with pytest.raises(RateLimited) as caught:
        call_with_retry(
            lambda: source.fetch(None),
            backoff=Backoff(base=2.0, cap=10.0, attempts=5, rng=random.Random(1)),
            sleep=slept.append,
            now=lambda: NOW,
        )
    assert caught.value.reset_at is None
    assert len(rsps.calls) == 5 and len(slept) == 4  # gave up instead of hammering forever
    assert all(0 <= wait <= min(10.0, 2.0 * 2**n) for n, wait in enumerate(slept))
    assert len(set(slept)) == 4


def test_server_errors_with_html_bodies_are_retryable_server_errors(rsps, settings):
    rsps.add(
        responses.GET,
        MENTIONS,
        status=503,
        body="<html>Over capacity</html>",
        content_type="text/html",
    )
    with pytest.raises(ServerError, match="X server error \\(503\\)") as caught:
        x.make_source(settings).fetch(None)
    assert caught.value.retryable


def test_a_refused_token_is_auth_failed_and_never_shows_the_token(rsps, settings):
    rsps.add(
        responses.GET,
        MENTIONS,
        status=401,
        json={"title": "Unauthorized", "detail": "Unauthorized", "status": 401},
    )
    with pytest.raises(AuthFailed) as caught:
        x.make_source(settings).fetch(None)
    assert not caught.value.retryable
    assert BEARER not in str(caught.value) and BEARER not in repr(caught.value)
    assert "CRISIS_X_" in str(caught.value)


def test_missing_settings_name_the_environment_variable():
    with pytest.raises(ConfigError, match="CRISIS_X_BEARER_TOKEN"):
        x.make_source(make_settings(x_bearer_token=None))
    with pytest.raises(ConfigError, match="CRISIS_X_ACCOUNT_HANDLE"):
        x.make_source(make_settings(x_account_id=None))
    with pytest.raises(ConfigError, match="CRISIS_X_ACCESS_TOKEN_SECRET.*CRISIS_X_USER_TOKEN"):
        x.make_publisher(make_settings(x_access_token_secret=None))


def test_the_account_id_is_looked_up_from_the_handle(rsps):
    rsps.add(
        responses.GET,
        "https://api.twitter.com/2/users/by/username/AcmeTelecom",
        json={"data": {"id": BRAND_ID, "name": "Acme", "username": "AcmeTelecom"}},
    )
    source = x.make_source(make_settings(x_account_id=None, x_account_handle="@AcmeTelecom"))
    assert source.account_id == BRAND_ID


def test_a_reply_is_posted_as_the_brand_account_in_reply_to_the_tweet(rsps, settings):
    rsps.add(
        responses.POST,
        "https://api.twitter.com/2/tweets",
        status=201,
        json={"data": {"id": "1846300000000000000", "text": "@sam_c Sorry Sam"}},
    )
    publisher = x.make_publisher(settings)
    post = OutgoingPost("x", "@sam_c Sorry Sam", "reply:1", in_reply_to="1846200000000000002")

    assert publisher.publish(post) == "1846300000000000000"
    sent = rsps.calls[0].request
    assert json.loads(sent.body) == {
        "text": "@sam_c Sorry Sam",
        "reply": {"in_reply_to_tweet_id": "1846200000000000002"},
    }
    assert sent.headers["Authorization"].startswith("OAuth ")  # user context, not the bearer


def test_an_earlier_reply_is_found_on_the_brand_timeline(rsps, settings):
    rsps.add(
        responses.GET,
        f"https://api.twitter.com/2/users/{BRAND_ID}/tweets",
        json={
            "data": [
                {
                    "id": "9",
                    "text": "@sam_c Sorry Sam",
                    "referenced_tweets": [{"type": "replied_to", "id": "111"}],
                },
                {
                    "id": "10",
                    "text": "@sam_c Sorry Sam",
                    "referenced_tweets": [{"type": "replied_to", "id": "1846200000000000002"}],
                },
            ],
            "meta": {"result_count": 2},
        },
    )
    publisher = x.make_publisher(settings)
    post = OutgoingPost("x", "@sam_c Sorry Sam", "reply:1", in_reply_to="1846200000000000002")
    assert publisher.find(post) == "10"
    assert publisher.find(OutgoingPost("x", "other text", "reply:2")) is None


def test_an_expired_pagination_token_reads_the_round_again_from_since_id(rsps, settings):
    seen = []

    def reply(request):
        params = query(request)
        seen.append(params)
        if "pagination_token" in params:
            error = {
                "errors": [{"message": "The pagination token is invalid"}],
                "title": "Invalid Request",
            }
            return 400, {"content-type": "application/json"}, json.dumps(error)
        return (
            200,
            {"content-type": "application/json"},
            json.dumps(payload("x_mentions_page2.json")),
        )

    rsps.add_callback(responses.GET, MENTIONS, callback=reply)
    stale = {"since_id": "1846000000000000000", "next": "expired", "newest": "1846200000000000002"}
    page = x.make_source(settings).fetch(json.dumps(stale))
    assert [c.external_id for c in page.items] == ["1846190000000000000"]
    assert (
        seen[1] == {**seen[1], "since_id": "1846000000000000000"}
        and "pagination_token" not in seen[1]
    )
    assert json.loads(page.cursor) == {"since_id": "1846190000000000000"}


def test_without_an_account_id_the_publisher_looks_in_the_timeline_of_its_own_account(rsps):
    rsps.add(
        responses.GET,
        "https://api.twitter.com/2/users/me",
        json={"data": {"id": BRAND_ID, "username": "AcmeTelecom"}},
    )
    rsps.add(
        responses.GET,
        f"https://api.twitter.com/2/users/{BRAND_ID}/tweets",
        json={"meta": {"result_count": 0}},
    )
    publisher = x.make_publisher(make_settings(x_account_id=None, x_bearer_token=None))
    assert publisher.find(OutgoingPost("x", "hello", "post:1")) is None
    assert publisher.find(OutgoingPost("x", "hello", "post:1")) is None
    assert [c.request.url.split("?")[0].rsplit("/", 2)[-2:] for c in rsps.calls] == [
        ["users", "me"],
        [BRAND_ID, "tweets"],
        [BRAND_ID, "tweets"],
    ]


def test_a_reply_is_found_although_x_shows_its_link_as_t_co_and_its_ampersand_escaped(
    rsps, settings
):
    rsps.add(
        responses.GET,
        f"https://api.twitter.com/2/users/{BRAND_ID}/tweets",
        json=payload("x_own_tweets.json"),
    )
    publisher = x.make_publisher(settings)
    text = (
        "@sam_c Sorry Sam & thanks for waiting: the Leeds fault is fixed, details "
        "https://status.acme.example/incidents/42 <3"
    )
    post = OutgoingPost("x", text, "reply:1", in_reply_to="1846200000000000002")
    assert publisher.find(post) == "1846400000000000001"
    other = text.replace("incidents/42", "incidents/43")
    assert publisher.find(OutgoingPost("x", other, "reply:1", "1846200000000000002")) is None
