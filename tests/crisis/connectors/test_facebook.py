"""The real facebook-sdk client against recorded Graph API payloads (``responses``)."""

import json
import logging
import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from crisis.connectors import facebook as fb
from crisis.db import session_scope
from crisis.domain import OutgoingPost
from crisis.errors import AuthFailed, ConfigError, ConnectorError, RateLimited, ServerError
from crisis.ingest import count_comments, ingest_page, load_cursor
from tests.crisis.connectors.recorded import PAGE_ID, PAGE_TOKEN, make_settings, payload

GRAPH = "https://graph.facebook.com/v21.0"
POST = f"{PAGE_ID}_555"
NOW = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)
PAGE_1, PAGE_2 = payload("fb_comments_page1.json"), payload("fb_comments_page2.json")
AFTER_1 = PAGE_1["paging"]["cursors"]["after"]


class FakeGraph:
    """Serves the recorded feed and comments; tests change ``feed`` and ``comments``."""

    def __init__(self, rsps):
        self.feed = payload("fb_feed.json")
        self.comments = {(POST, None): PAGE_1, (POST, AFTER_1): PAGE_2}
        self.errors = {}  # node, or (node, after) -> (status, body)
        self.seen = []
        rsps.add_callback(responses.GET, re.compile(f"{GRAPH}/.*"), callback=self.reply)

    def reply(self, request):
        url = urlsplit(request.url)
        params = dict(parse_qsl(url.query))
        self.seen.append((url.path, params))
        node, _, edge = url.path.removeprefix("/v21.0/").partition("/")
        key = node if node in self.errors else (node, params.get("after"))
        if key in self.errors:
            status, body = self.errors[key]
            return status, {"content-type": "application/json"}, json.dumps(body)
        if edge == "feed":
            body = self.feed
        else:
            body = self.comments.get((node, params.get("after")), {"data": []})
        return 200, {"content-type": "application/json; charset=UTF-8"}, json.dumps(body)

    def paths(self):
        return [path for path, _ in self.seen]


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


def read_round(source, cursor=None):
    pages = []
    while True:
        page = source.fetch(cursor)
        pages.append(page)
        cursor = page.cursor
        if not page.more:
            return pages, cursor


def test_a_round_reads_every_comment_with_replies_newest_first_and_visitor_posts(rsps, settings):
    graph = FakeGraph(rsps)
    pages, _ = read_round(fb.make_source(settings))
    items = [item for page in pages for item in page.items]

    assert [c.external_id for c in items] == [
        f"{PAGE_ID}_777",  # a visitor post on our page
        f"{PAGE_ID}_987654321098765",
        f"{PAGE_ID}_987654321098766",
        f"{PAGE_ID}_987654321098700",
    ]
    visitor, sam, hidden, jo = items
    assert visitor.in_reply_to is None and visitor.author == "Kim Visitor"
    assert (sam.author, sam.in_reply_to) == ("Sam Customer", POST)
    assert sam.created_at == datetime(2024, 10, 15, 8, 14, 5, tzinfo=UTC)
    # No ``from`` (the commenter's privacy settings): stored, with an unknown author.
    assert hidden.author == "(unknown)" and hidden.in_reply_to == f"{PAGE_ID}_987654321098700"
    assert jo.author == "Jo Bloggs"
    comment_calls = [params for path, params in graph.seen if path.endswith("/comments")]
    assert all(p["filter"] == "stream" for p in comment_calls)
    assert all(p["order"] == "reverse_chronological" for p in comment_calls)
    assert graph.paths()[0] == f"/v21.0/{PAGE_ID}/feed"  # the configured version, not v2.8
    assert all(call.request.req_kwargs["timeout"] == 7 for call in rsps.calls)


def test_the_next_round_reads_only_updated_posts_and_stops_at_seen_comments(rsps, settings):
    graph = FakeGraph(rsps)
    source = fb.make_source(settings)
    _, cursor = read_round(source)
    new = {
        "id": f"{PAGE_ID}_987654321099000",
        "message": "Still down in Leeds!",
        "from": {"name": "Ann", "id": "700111"},
        "created_time": "2024-10-15T08:40:00+0000",
    }
    newest_first = {"data": [new, *PAGE_1["data"]], "paging": PAGE_1["paging"]}
    graph.comments = {(POST, None): newest_first}
    graph.feed["data"][1]["updated_time"] = "2024-10-15T08:40:00+0000"
    graph.seen.clear()

    pages, _ = read_round(source, cursor)

    items = [item for page in pages for item in page.items]
    assert f"{PAGE_ID}_987654321099000" in [c.external_id for c in items]
    # Unchanged posts are not read again; the updated one until comments older than what was
    # stored (less a few minutes' overlap, as Graph's lists can lag): page 2 ends it.
    comments = f"/v21.0/{POST}/comments"
    assert graph.paths() == [f"/v21.0/{PAGE_ID}/feed", comments, comments]


def test_a_crash_between_fetch_and_commit_resumes_with_no_loss_and_no_duplicates(
    rsps, settings, engine
):
    FakeGraph(rsps)
    name = fb.make_source(settings).name

    def run(crash_at_fetch: int | None) -> None:
        source = fb.make_source(settings)  # a new process: only the database survives
        fetched = 0
        while True:
            with session_scope(engine) as session:
                cursor = load_cursor(session, name)
            page = source.fetch(cursor)
            fetched += 1
            if fetched == crash_at_fetch:
                return
            with session_scope(engine) as session:
                ingest_page(session, name, page, now=NOW)
            if not page.more:
                return

    # Fetches: the feed, post 777's comments, then post 555's two pages: die holding page 2.
    run(crash_at_fetch=4)
    with session_scope(engine) as session:
        assert count_comments(session) == 3
    run(crash_at_fetch=None)
    with session_scope(engine) as session:
        assert count_comments(session) == 4
        assert json.loads(load_cursor(session, name))["marks"][POST] == "2024-10-15T08:14:05+0000"


def test_a_deleted_post_is_skipped_and_the_round_goes_on(rsps, settings):
    graph = FakeGraph(rsps)
    error = {
        "message": "Object with ID does not exist",
        "type": "GraphMethodException",
        "code": 100,
        "error_subcode": 33,
    }
    graph.errors[f"{PAGE_ID}_777"] = (400, {"error": error})
    pages, _ = read_round(fb.make_source(settings))
    assert len([item for page in pages for item in page.items]) == 4


def graph_error(rsps, status, body, content_type="application/json", headers=None):
    rsps.add(
        responses.GET,
        f"{GRAPH}/{PAGE_ID}/feed",
        status=status,
        body=body,
        content_type=content_type,
        headers=headers or {},
    )


def test_a_throttled_app_is_rate_limited_until_facebook_says(rsps, settings):
    usage = {PAGE_ID: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}]}
    error = {
        "message": "(#4) Application request limit reached",
        "type": "OAuthException",
        "code": 4,
        "is_transient": True,
    }
    graph_error(
        rsps,
        400,
        json.dumps({"error": error}),
        headers={"x-business-use-case-usage": json.dumps(usage)},
    )
    with pytest.raises(RateLimited) as caught:
        fb.make_source(settings).fetch(None)
    assert caught.value.retryable and caught.value.reset_at is not None
    minutes = (caught.value.reset_at - datetime.now(UTC)).total_seconds() / 60
    assert 6.9 < minutes <= 7.0


def test_a_rate_limit_without_usage_headers_has_no_reset_time(rsps, settings):
    error = {"message": "(#17) User request limit reached", "type": "OAuthException", "code": 17}
    graph_error(rsps, 400, json.dumps({"error": error}))
    with pytest.raises(RateLimited) as caught:
        fb.make_source(settings).fetch(None)
    assert caught.value.reset_at is None


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (502, "<html><body>Bad Gateway</body></html>", "text/html"),
        (
            500,
            json.dumps({"error": {"message": "An unknown error", "code": 1}}),
            "application/json",
        ),
        (200, "not json at all", "application/json"),
    ],
    ids=["html-502", "json-500", "broken-json-200"],
)
def test_server_trouble_is_a_retryable_server_error(rsps, settings, status, body, content_type):
    graph_error(rsps, status, body, content_type)
    with pytest.raises(ServerError) as caught:
        fb.make_source(settings).fetch(None)
    assert caught.value.retryable


def test_an_expired_token_is_auth_failed_and_never_shows_the_token(rsps, settings):
    error = {
        "message": "Error validating access token: Session has expired",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 463,
    }
    graph_error(rsps, 400, json.dumps({"error": error}))
    with pytest.raises(AuthFailed) as caught:
        fb.make_source(settings).fetch(None)
    assert "CRISIS_FACEBOOK_PAGE_TOKEN" in str(caught.value)
    assert PAGE_TOKEN not in str(caught.value) and caught.value.__cause__ is not None


def test_an_unreachable_graph_is_a_server_error_without_the_token_in_the_url(settings):
    with responses.RequestsMock():  # no registration: every request is refused
        with pytest.raises(ServerError) as caught:
            fb.make_source(settings).fetch(None)
    assert PAGE_TOKEN not in str(caught.value) and caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_tokens_in_logged_urls_are_blanked(caplog):
    logger = logging.getLogger("urllib3.connectionpool")
    with caplog.at_level(logging.DEBUG, logger="urllib3.connectionpool"):
        logger.debug(
            '%s "%s %s"', "graph.facebook.com", "GET", f"/v21.0/x?access_token={PAGE_TOKEN}&a=1"
        )
    assert PAGE_TOKEN not in caplog.text and "access_token=***&a=1" in caplog.text


def test_missing_settings_name_the_environment_variables():
    with pytest.raises(ConfigError, match="CRISIS_FACEBOOK_PAGE_ID, CRISIS_FACEBOOK_PAGE_TOKEN"):
        fb.make_source(make_settings(facebook_page_id=None, facebook_page_token=None))


def test_a_reply_goes_to_the_comment_and_a_post_to_the_page_feed(rsps, settings):
    comment = f"{PAGE_ID}_987654321098765"
    rsps.add(responses.POST, f"{GRAPH}/{comment}/comments", json={"id": f"{PAGE_ID}_9999"})
    rsps.add(responses.POST, f"{GRAPH}/{PAGE_ID}/feed", json={"id": f"{PAGE_ID}_888"})
    publisher = fb.make_publisher(settings)

    reply = publisher.publish(OutgoingPost("facebook", "Sorry Sam, fixed by 6pm", "r:1", comment))
    post = publisher.publish(OutgoingPost("facebook", "Broadband is back in Leeds", "p:1"))

    assert (reply, post) == (f"{PAGE_ID}_9999", f"{PAGE_ID}_888")
    form = dict(parse_qsl(rsps.calls[0].request.body))
    assert form["message"] == "Sorry Sam, fixed by 6pm"


def test_a_refused_reply_is_a_connector_error(rsps, settings):
    error = {"message": "(#200) Permissions error", "type": "OAuthException", "code": 200}
    rsps.add(responses.POST, f"{GRAPH}/c1/comments", status=403, json={"error": error})
    with pytest.raises(AuthFailed, match="code 200"):
        fb.make_publisher(settings).publish(OutgoingPost("facebook", "hi", "r:1", "c1"))
    assert isinstance(AuthFailed("x"), ConnectorError)


def test_an_earlier_reply_of_the_page_is_found_by_its_text(rsps, settings):
    rsps.add(
        responses.GET,
        f"{GRAPH}/c1/comments",
        json={
            "data": [
                {"id": "c1_1", "message": "Sorry Sam", "from": {"id": "7001", "name": "Someone"}},
                {"id": "c1_2", "message": "Sorry Sam", "from": {"id": PAGE_ID, "name": "Acme"}},
            ]
        },
    )
    publisher = fb.make_publisher(settings)
    assert publisher.find(OutgoingPost("facebook", "Sorry Sam", "r:1", "c1")) == "c1_2"


def test_a_paging_cursor_graph_no_longer_takes_reads_the_post_again(rsps, settings):
    graph = FakeGraph(rsps)
    error = {"message": "(#100) Invalid cursor", "type": "OAuthException", "code": 100}
    graph.errors[(POST, "stale")] = (400, {"error": error})
    cursor = {
        "marks": {},
        "queue": [],
        "scan": {"post": POST, "after": "stale", "newest": "2024-10-15T08:14:05+0000"},
    }
    page = fb.make_source(settings).fetch(json.dumps(cursor))
    assert [c.external_id for c in page.items] == [
        f"{PAGE_ID}_987654321098765",
        f"{PAGE_ID}_987654321098766",
    ]
    assert [params.get("after") for _, params in graph.seen] == ["stale", None]
