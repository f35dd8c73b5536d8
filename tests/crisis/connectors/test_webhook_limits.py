"""The webhook receiver under abuse: lying or missing lengths, huge and slow requests, many
deliveries at once, and deliveries with one malformed change among valid ones."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
import requests

from crisis.connectors.webhook import PATH, WebhookApp, serve, stop
from tests.crisis.connectors.recorded import APP_SECRET, PAGE_ID, PAYLOADS, VERIFY_TOKEN
from tests.crisis.connectors.test_webhook import sign, stored

RAW = (PAYLOADS / "fb_webhook_feed.json").read_bytes()


@pytest.fixture
def server():
    received = []
    app = WebhookApp(
        page_id=PAGE_ID, app_secret=APP_SECRET, verify_token=VERIFY_TOKEN, sink=received.extend
    )
    running = serve(app, "127.0.0.1", 0, read_timeout=1.0)
    host, port = running.server_address[:2]
    yield host, port, received
    stop(running)


def raw_request(host, port, head: bytes, body: bytes = b"", wait: float = 5.0) -> bytes:
    with socket.create_connection((host, port), timeout=wait) as sock:
        sock.sendall(head + body)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer:
                    break
        except TimeoutError:
            return b"(no answer)"
        return answer


@pytest.mark.parametrize("length", [b"-1", b"abc", b"1e3", b"99999999999999999999"])
def test_a_lying_content_length_is_refused_at_once_without_reading_a_body(server, length):
    host, port, received = server
    head = b"POST " + PATH.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: " + length
    started = time.monotonic()
    answer = raw_request(host, port, head + b"\r\n\r\n", b"x" * 1000)
    assert answer.split(b" ")[1] in (b"400", b"413"), answer[:200]
    assert time.monotonic() - started < 3 and received == []


def test_a_body_over_the_limit_is_refused(server):
    host, port, _ = server
    big = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    answer = requests.post(f"http://{host}:{port}{PATH}", data=big, timeout=10,
                           headers={"X-Hub-Signature-256": sign(big)})  # fmt: skip
    assert answer.status_code == 413


def test_a_slow_connection_is_closed_after_the_read_timeout(server):
    host, port, _ = server
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(b"POST " + PATH.encode() + b" HTTP/1.1\r\nHost: x\r\n")  # and then nothing
        started = time.monotonic()
        rest = sock.recv(1024)  # the server closes it (or answers 408)
    assert time.monotonic() - started < 5
    assert rest == b"" or rest.startswith(b"HTTP/1.1 408")


def test_a_hundred_parallel_deliveries_are_all_answered(server):
    host, port, _ = server
    codes: list[int] = []

    def deliver() -> None:
        answer = requests.post(f"http://{host}:{port}{PATH}", data=RAW, timeout=20,
                               headers={"X-Hub-Signature-256": sign(RAW)})  # fmt: skip
        codes.append(answer.status_code)

    threads = [threading.Thread(target=deliver) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == [200] * 100


def test_one_malformed_change_is_reported_and_the_valid_comments_are_stored(engine):
    from crisis.db import session_scope
    from crisis.ingest import store_comments
    from tests.crisis.connectors.test_webhook import NOW

    def sink(items):
        with session_scope(engine) as session:
            store_comments(session, items, now=NOW)

    app = WebhookApp(page_id=PAGE_ID, app_secret=APP_SECRET, verify_token=VERIFY_TOKEN, sink=sink)
    delivery = json.loads(RAW)
    changes = delivery["entry"][0]["changes"]
    broken = json.loads(json.dumps(changes[0]))
    broken["value"]["created_time"] = 1e20
    broken["value"]["comment_id"] = f"{PAGE_ID}_1"
    nul = json.loads(json.dumps(changes[0]))
    nul["value"]["comment_id"] = f"{PAGE_ID}_2"
    nul["value"]["message"] = "Kein\u0000 Netz \ud83d"
    changes[:0] = ["not a change", 42, broken, nul, {"field": "feed", "value": [1, 2]}]
    delivery["entry"].append("not an entry")
    body = json.dumps(delivery).encode()
    reply = app.handle("POST", PATH, {"x-hub-signature-256": sign(body)}, body)
    assert reply.status == 200
    comments = stored(engine)
    assert sorted(comments) == sorted(
        [f"{PAGE_ID}_987654321098765", f"{PAGE_ID}_987654321099100", f"{PAGE_ID}_2"]
    )
    assert comments[f"{PAGE_ID}_2"].text == "Kein Netz \ufffd"
    assert len(app.problems) >= 4
    deep = b'{"object": "page", "entry": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert app.handle("POST", PATH, {"x-hub-signature-256": sign(deep)}, deep).status == 400
