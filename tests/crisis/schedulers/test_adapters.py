"""Each adapter's real HTTP calls (requests, facebook-sdk) against recorded payloads."""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import pytest
import responses

from crisis.errors import AuthFailed, ConnectorError, RateLimited, RemoteNotFound, ServerError
from crisis.schedulers import buffer, facebook, hootsuite, postiz
from tests.crisis.connectors.recorded import PAGE_TOKEN, make_settings, payload
from tests.crisis.schedulers.fakes import GRAPH, POSTIZ, FakeFacebook, FakePostiz

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
WEEK = NOW + timedelta(days=7)


def test_facebook_lists_the_pages_scheduled_posts_across_pages_with_photos_links_and_hashtags(
    rsps, settings
):
    rsps.add(
        responses.GET,
        f"{GRAPH}/1234567890123456/scheduled_posts",
        json=payload("fb_scheduled_posts_page1.json"),
    )
    rsps.add(
        responses.GET,
        f"{GRAPH}/1234567890123456/scheduled_posts",
        json=payload("fb_scheduled_posts_page2.json"),
    )
    found = facebook.make_scheduler(settings).scheduled(NOW, WEEK)
    assert [p.external_id for p in found] == [
        "1234567890123456_111",
        "1234567890123456_222",
        "1234567890123456_333",
    ]
    advent, _maintenance, family = found
    assert advent.publish_at == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert advent.media[0].startswith("https://scontent.xx.fbcdn.net/")
    assert advent.labels == ("advent", "angebot")
    assert family.extra == {"link": "https://nordtel.example/familie"}
    second = dict(parse_qsl(rsps.calls[1].request.url.split("?", 1)[1]))
    assert second["after"] == "QVFIUmFzY2hlZHVsZWQy"


def test_facebook_hold_stores_the_snapshot_before_it_deletes_and_release_recreates_it(
    rsps, settings
):
    fake = FakeFacebook(rsps)
    scheduler = facebook.make_scheduler(settings)
    listed = scheduler.scheduled(NOW, WEEK)[0]
    seen_at_snapshot = []
    scheduler.hold(listed, snapshot=lambda copy: seen_at_snapshot.append((copy, fake.methods())))
    copy, calls_so_far = seen_at_snapshot[0]
    assert ("DELETE", listed.external_id) not in calls_so_far  # the copy came first
    assert fake.methods()[-1] == ("DELETE", listed.external_id)
    assert listed.external_id not in fake.posts

    new_id = scheduler.release(copy, publish_at=copy.publish_at + timedelta(hours=2))
    created = fake.posts[new_id]
    assert created["message"] == listed.text
    assert created["scheduled_publish_time"] == int(
        (listed.publish_at + timedelta(hours=2)).timestamp()
    )
    assert fake.created[0]["published"] == "false"
    assert created["attachments"]["data"][0]["media"]["image"]["src"] == listed.media[0]


def test_facebook_expired_page_token_is_auth_failed_and_the_message_carries_no_token(
    rsps, settings
):
    rsps.add(
        responses.GET,
        f"{GRAPH}/1234567890123456/scheduled_posts",
        status=400,
        json=payload("fb_error_expired_token.json"),
    )
    with pytest.raises(AuthFailed) as caught:
        facebook.make_scheduler(settings).scheduled(NOW, WEEK)
    assert "Session has expired" in str(caught.value)
    assert PAGE_TOKEN not in str(caught.value)


def test_postiz_lists_only_scheduled_posts_and_sends_the_bare_api_key(rsps, settings):
    fake = FakePostiz(rsps)
    found = postiz.make_scheduler(settings).scheduled(NOW, WEEK)
    assert [p.external_id for p in found] == ["cm4winter0001", "cm4service0003"]
    winter = found[0]
    assert winter.channel == "facebook"
    assert winter.labels == ("Kampagne Winter",)
    assert winter.media == ("https://uploads.postiz.example/2026/12/winter.png",)
    assert fake.auth == ["test-postiz-key-0123"]  # no "Bearer": Postiz wants the key itself
    assert fake.calls[0][2] == {
        "startDate": "2026-12-06T08:00:00Z",
        "endDate": "2026-12-13T08:00:00Z",
    }


def test_postiz_hold_is_a_draft_toggle_after_the_snapshot_and_release_puts_it_back(rsps, settings):
    fake = FakePostiz(rsps)
    scheduler = postiz.make_scheduler(settings)
    winter = scheduler.scheduled(NOW, WEEK)[0]
    puts_at_snapshot = []
    scheduler.hold(winter, snapshot=lambda copy: puts_at_snapshot.append(fake.puts()))
    assert puts_at_snapshot == [[]]
    assert fake.posts["cm4winter0001"]["status"] == "draft"
    assert scheduler.release(winter, publish_at=winter.publish_at) == "cm4winter0001"
    assert fake.puts() == [("cm4winter0001", "draft"), ("cm4winter0001", "schedule")]


def test_postiz_cannot_put_a_post_back_at_another_time(rsps, settings):
    FakePostiz(rsps)
    scheduler = postiz.make_scheduler(settings)
    winter = scheduler.scheduled(NOW, WEEK)[0]
    with pytest.raises(ConnectorError, match="cannot change a post's date"):
        scheduler.release(winter, publish_at=winter.publish_at + timedelta(days=1))


def test_postiz_refused_key_is_auth_failed_and_unknown_post_is_not_found(rsps, settings):
    fake = FakePostiz(rsps)
    fake.failures["GET"] = [(401, payload("postiz_error_unauthorized.json"))]
    scheduler = postiz.make_scheduler(settings)
    with pytest.raises(AuthFailed, match="Invalid API key.*CRISIS_POSTIZ_API_KEY") as caught:
        scheduler.scheduled(NOW, WEEK)
    assert "test-postiz-key-0123" not in str(caught.value)
    gone = scheduler.scheduled(NOW, WEEK)[0]
    del fake.posts[gone.external_id]
    with pytest.raises(RemoteNotFound):
        scheduler.hold(gone, snapshot=lambda copy: None)


def test_postiz_rate_limit_carries_the_reset_time_and_a_5xx_is_a_server_error(rsps, settings):
    fake = FakePostiz(rsps)
    fake.failures["GET"] = [(429, {"message": "ThrottlerException: Too Many Requests"})]
    scheduler = postiz.make_scheduler(settings)
    rsps.calls.reset()
    with pytest.raises(RateLimited):
        scheduler.scheduled(NOW, WEEK)
    fake.failures["GET"] = [(503, {"message": "Service Unavailable"})]
    with pytest.raises(ServerError):
        scheduler.scheduled(NOW, WEEK)


def test_buffer_reads_pending_updates_destroys_after_snapshot_and_recreates(rsps):
    settings = make_settings(
        buffer_access_token="buffer-test-token", buffer_profile_ids=["4eb854340acb04e870000010"]
    )
    base = "https://api.bufferapp.com/1"
    update = payload("buffer_pending.json")["updates"][0]
    rsps.add(
        responses.GET,
        f"{base}/profiles/4eb854340acb04e870000010/updates/pending.json",
        json=payload("buffer_pending.json"),
    )
    rsps.add(responses.GET, f"{base}/updates/{update['id']}.json", json=update)
    rsps.add(
        responses.POST,
        f"{base}/updates/{update['id']}/destroy.json",
        json=payload("buffer_destroy.json"),
    )
    rsps.add(responses.POST, f"{base}/updates/create.json", json=payload("buffer_create.json"))
    scheduler = buffer.make_scheduler(settings)
    [post] = scheduler.scheduled(NOW, WEEK)
    assert (post.channel, post.publish_at) == ("twitter", datetime(2026, 12, 6, 9, 0, tzinfo=UTC))
    copies = []
    scheduler.hold(post, snapshot=lambda copy: copies.append(len(rsps.calls)))
    assert copies == [2]  # after the read, before the destroy
    new_id = scheduler.release(post, publish_at=post.publish_at)
    assert new_id == "4ecda256512f7ee521000004"
    sent = dict(parse_qsl(rsps.calls[-1].request.body))
    assert sent["text"] == post.text
    assert sent["profile_ids[]"] == "4eb854340acb04e870000010"
    assert sent["media[link]"] == "https://nordtel.example/nikolaus"
    assert all(c.request.headers["Authorization"] == "Bearer buffer-test-token" for c in rsps.calls)


def test_hootsuite_deletes_after_snapshot_and_recreates_with_tags_and_media(rsps):
    settings = make_settings(hootsuite_access_token="hs-test-token")
    base = "https://platform.hootsuite.com/v1"
    message = payload("hootsuite_messages.json")["data"][0]
    rsps.add(responses.GET, f"{base}/messages", json=payload("hootsuite_messages.json"))
    rsps.add(responses.GET, f"{base}/messages/8271635493", json={"data": [message]})
    rsps.add(responses.DELETE, f"{base}/messages/8271635493", status=204)
    rsps.add(responses.POST, f"{base}/messages", json=payload("hootsuite_created.json"))
    scheduler = hootsuite.make_scheduler(settings)
    [post] = scheduler.scheduled(NOW, WEEK)
    assert post.channel == "facebookpage" and post.labels == ("advent", "marketing")
    scheduler.hold(post, snapshot=lambda copy: None)
    assert [c.request.method for c in rsps.calls] == ["GET", "GET", "DELETE"]
    assert scheduler.release(post, publish_at=post.publish_at) == "8271635555"
    body = json.loads(rsps.calls[-1].request.body)
    assert body["socialProfileIds"] == ["135791113"]
    assert body["scheduledSendTime"] == "2026-12-06T09:00:00Z"
    assert body["mediaUrls"] == [{"url": message["mediaUrls"][0]["url"]}]


def test_hootsuite_expired_token_is_auth_failed(rsps):
    settings = make_settings(hootsuite_access_token="hs-test-token")
    rsps.add(
        responses.GET,
        "https://platform.hootsuite.com/v1/messages",
        status=401,
        json=payload("hootsuite_error_unauthorized.json"),
    )
    with pytest.raises(AuthFailed, match="Access token expired"):
        hootsuite.make_scheduler(settings).scheduled(NOW, WEEK)


def test_a_half_configured_tool_names_the_missing_setting():
    from crisis.errors import ConfigError
    from crisis.schedulers.configured import make_schedulers

    with pytest.raises(ConfigError, match="CRISIS_POSTIZ_API_KEY"):
        make_schedulers(make_settings(postiz_url=POSTIZ))
    with pytest.raises(ConfigError, match="CRISIS_BUFFER_PROFILE_IDS"):
        make_schedulers(make_settings(buffer_access_token="buffer-test-token"))
    assert make_schedulers(make_settings()) == []
