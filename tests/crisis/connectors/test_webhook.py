"""The Facebook webhook on a real loopback HTTP server, called by a real HTTP client."""

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
import requests
from sqlmodel import select

from crisis.connectors.facebook_comments import parse_comments
from crisis.connectors.webhook import PATH, WebhookApp, serve, stop
from crisis.db import session_scope
from crisis.ingest import count_comments, store_comments
from crisis.tables import Comment
from tests.crisis.connectors.recorded import APP_SECRET, PAGE_ID, PAYLOADS, VERIFY_TOKEN, payload

NOW = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)
RAW = (PAYLOADS / "fb_webhook_feed.json").read_bytes()


def sign(raw: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


@pytest.fixture
def webhook(engine):
    def sink(items):
        with session_scope(engine) as session:
            store_comments(session, items, now=NOW)

    app = WebhookApp(page_id=PAGE_ID, app_secret=APP_SECRET, verify_token=VERIFY_TOKEN, sink=sink)
    server = serve(app, "127.0.0.1", 0)
    host, port = server.server_address[:2]
    yield app, f"http://{host}:{port}{PATH}"
    stop(server)


def stored(engine):
    with session_scope(engine) as session:
        return {c.external_id: c for c in session.exec(select(Comment))}


def test_the_subscription_handshake_echoes_the_challenge_only_for_our_verify_token(webhook):
    _, url = webhook
    params = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": ""}
    ok = requests.get(url, params={**params, "hub.verify_token": VERIFY_TOKEN}, timeout=5)
    wrong = requests.get(url, params={**params, "hub.verify_token": "guess"}, timeout=5)
    missing = requests.get(url, params={"hub.challenge": "1158201444"}, timeout=5)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    assert wrong.status_code == 403 and missing.status_code == 403


def test_a_signed_delivery_stores_new_comments_once_even_when_delivered_again(webhook, engine):
    _, url = webhook
    headers = {"X-Hub-Signature-256": sign(RAW), "Content-Type": "application/json"}
    first = requests.post(url, data=RAW, headers=headers, timeout=5)
    again = requests.post(url, data=RAW, headers=headers, timeout=5)

    assert first.status_code == again.status_code == 200
    comments = stored(engine)
    # Our own reply, the reaction and the edit are not new customer comments.
    assert sorted(comments) == [f"{PAGE_ID}_987654321098765", f"{PAGE_ID}_987654321099100"]
    sam = comments[f"{PAGE_ID}_987654321098765"]
    assert (sam.author, sam.in_reply_to) == ("Sam Customer", f"{PAGE_ID}_555")
    assert sam.created_at == datetime(2024, 10, 15, 8, 14, 5, tzinfo=UTC)
    assert comments[f"{PAGE_ID}_987654321099100"].in_reply_to == f"{PAGE_ID}_987654321098765"


def test_a_comment_pushed_and_then_polled_is_stored_once(webhook, engine):
    _, url = webhook
    requests.post(url, data=RAW, headers={"X-Hub-Signature-256": sign(RAW)}, timeout=5)
    polled, _ = parse_comments(
        payload("fb_comments_page1.json")["data"], post_id=f"{PAGE_ID}_555", page_id=PAGE_ID
    )
    with session_scope(engine) as session:
        new = store_comments(session, polled, now=NOW)
        assert len(new) == 1  # only the comment the webhook never delivered
        assert count_comments(session) == 3


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "sha256=" + "0" * 64,
        sign(RAW, "another-app-secret"),
        "sha1=" + hmac.new(APP_SECRET.encode(), RAW, hashlib.sha1).hexdigest(),
    ],
    ids=["missing", "zeros", "other-secret", "sha1"],
)
def test_a_delivery_without_our_signature_is_refused_and_stores_nothing(webhook, engine, signature):
    _, url = webhook
    headers = {"X-Hub-Signature-256": signature} if signature else {}
    answer = requests.post(url, data=RAW, headers=headers, timeout=5)
    assert answer.status_code == 403
    assert stored(engine) == {}


def test_a_tampered_or_reserialised_body_fails_the_signature(webhook, engine):
    _, url = webhook
    signature = sign(RAW)
    tampered = RAW.replace(b"Leeds", b"Derby")
    reserialised = json.dumps(json.loads(RAW)).encode()
    for body in (tampered, reserialised):
        answer = requests.post(
            url, data=body, headers={"X-Hub-Signature-256": signature}, timeout=5
        )
        assert answer.status_code == 403
    assert stored(engine) == {}


def test_a_delivery_the_store_cannot_take_is_answered_500_so_facebook_retries():
    def broken(items):
        raise RuntimeError("database is down")

    app = WebhookApp(page_id=PAGE_ID, app_secret=APP_SECRET, verify_token=VERIFY_TOKEN, sink=broken)
    server = serve(app, "127.0.0.1", 0)
    try:
        host, port = server.server_address[:2]
        answer = requests.post(
            f"http://{host}:{port}{PATH}",
            data=RAW,
            headers={"X-Hub-Signature-256": sign(RAW)},
            timeout=5,
        )
        assert answer.status_code == 500
    finally:
        stop(server)


def test_the_app_never_shows_its_secrets():
    app = WebhookApp(page_id=PAGE_ID, app_secret=APP_SECRET, verify_token=VERIFY_TOKEN, sink=print)
    assert APP_SECRET not in repr(app) and VERIFY_TOKEN not in repr(app)
