"""Facebook Page ``feed`` webhooks: comments the moment they are written.

Facebook first proves the endpoint with a handshake (``GET ?hub.mode=subscribe&hub.verify_token
=...&hub.challenge=...``, answered with the challenge), then POSTs events signed with the app
secret (``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``). The signature is
checked on the raw bytes, in constant time, before anything is parsed. Events become the same
``CommentIn`` as polling produces (same ids), and go into the same store, which keeps each
comment once: a webhook delivered twice, or a comment both pushed and polled, is stored once.
Deliveries get lost, so ``crisis webhook serve`` keeps polling too (reconciliation).

``WebhookApp.handle`` knows nothing of HTTP servers; ``serve`` puts it on the standard library's
threading server, and a web framework can call ``handle`` from a route just as well.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from crisis.domain import CommentIn, Problem

PATH = "/webhooks/facebook"
MAX_BODY = 1024 * 1024  # Facebook batches at most 1000 changes; this is plenty
Sink = Callable[[list[CommentIn]], None]


def handshake(params: Mapping[str, str], verify_token: str) -> str | None:
    """The challenge to echo when the subscription request carries our verify token."""
    offered = params.get("hub.verify_token", "")
    if params.get("hub.mode") != "subscribe" or not offered:
        return None
    if not hmac.compare_digest(offered.encode(), verify_token.encode()):
        return None
    return params.get("hub.challenge")


def signature_ok(raw: bytes, header: str | None, app_secret: str) -> bool:
    """Whether ``header`` is ``sha256=`` and the hex HMAC-SHA256 of ``raw`` with the secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256=").strip().encode(), expected.encode())


def parse_feed(payload: Any, *, page_id: str) -> tuple[list[CommentIn], list[Problem]]:
    """New comments and visitor posts in a ``feed`` delivery; edits, likes and ours are skipped."""
    items: list[CommentIn] = []
    problems: list[Problem] = []
    if not isinstance(payload, dict) or payload.get("object") != "page":
        return [], [Problem("facebook webhook", "not a page event")]
    for entry in payload.get("entry") or []:
        if str(entry.get("id")) != page_id:
            problems.append(
                Problem("facebook webhook", f"event for another page {entry.get('id')}")
            )
            continue
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            if change.get("field") != "feed" or value.get("verb") != "add":
                continue
            if value.get("item") not in ("comment", "post", "status"):
                continue
            if str((value.get("from") or {}).get("id")) == page_id:
                continue
            try:
                items.append(_comment(value))
            except (KeyError, TypeError, ValueError, OSError) as exc:
                problems.append(Problem("facebook webhook", f"unreadable change: {exc!r}"))
    return items, problems


def _comment(value: Mapping[str, Any]) -> CommentIn:
    post_id = str(value["post_id"])
    is_comment = value["item"] == "comment"
    parent = value.get("parent_id")
    created = value["created_time"]
    return CommentIn(
        platform="facebook",
        external_id=str(value["comment_id"] if is_comment else post_id),
        author=str((value.get("from") or {}).get("name") or "(unknown)"),
        text=str(value.get("message") or ""),
        created_at=(
            datetime.fromtimestamp(created, UTC)
            if isinstance(created, int | float)
            else datetime.fromisoformat(str(created)).astimezone(UTC)
        ),
        in_reply_to=(str(parent) if parent else post_id) if is_comment else None,
        raw={**value, "post_id": post_id, "via": "webhook"},
    )


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"


class WebhookApp:
    """Answers the handshake and takes signed deliveries into ``sink`` (the store)."""

    def __init__(self, *, page_id: str, app_secret: str, verify_token: str, sink: Sink) -> None:
        self.page_id = page_id
        self._app_secret = app_secret
        self._verify_token = verify_token
        self.sink = sink
        self.problems: list[Problem] = []

    def __repr__(self) -> str:  # never the secrets
        return f"WebhookApp(page_id={self.page_id!r})"

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        url = urlsplit(target)
        if url.path != PATH:
            return Reply(404, b"not found")
        if method == "GET":
            challenge = handshake(dict(parse_qsl(url.query)), self._verify_token)
            if challenge is None:
                return Reply(403, b"verify token does not match")
            return Reply(200, challenge.encode())
        if method != "POST":
            return Reply(405, b"GET or POST")
        if not signature_ok(body, headers.get("x-hub-signature-256"), self._app_secret):
            return Reply(403, b"bad signature")
        try:
            payload = json.loads(body)
        except ValueError:
            return Reply(400, b"not JSON")
        items, problems = parse_feed(payload, page_id=self.page_id)
        self.problems.extend(problems)
        if items:
            self.sink(items)  # raises when the store is down: Facebook retries a non-200
        return Reply(200, b"ok")


def serve(app: WebhookApp, host: str, port: int) -> ThreadingHTTPServer:
    """A started server on a daemon thread; ``server.server_address`` has the real port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self._send(Reply(413, b"too large"))
                return
            self._answer(self.rfile.read(length))

        def _answer(self, body: bytes) -> None:
            headers = {key.lower(): value for key, value in self.headers.items()}
            try:
                reply = app.handle(self.command, self.path, headers, body)
            except Exception:  # the store failed: say so, and Facebook delivers again later
                reply = Reply(500, b"could not store the delivery")
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            self.send_header("content-type", reply.content_type)
            self.send_header("content-length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # request lines carry the verify token in the query string

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="webhook", daemon=True
    ).start()
    return server


def stop(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()
