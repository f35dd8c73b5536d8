"""Facebook Page ``feed`` webhooks: comments the moment they are written.

Facebook first proves the endpoint with a handshake (``GET ?hub.mode=subscribe&hub.verify_token
=...&hub.challenge=...``, answered with the challenge), then POSTs events signed with the app
secret (``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``). The signature is
checked on the raw bytes, in constant time, before anything is parsed. Events become the same
``CommentIn`` as polling produces (same ids), and go into the same store, which keeps each
comment once: a webhook delivered twice, or a comment both pushed and polled, is stored once.
Deliveries get lost, so ``crisis webhook serve`` keeps polling too (reconciliation).

``WebhookApp.handle`` knows nothing of HTTP servers; ``serve`` puts it on uvicorn (the web
app's server) with a body limit, read timeouts, a bounded number of connections and a normal
listen backlog, and a web framework can call ``handle`` from a route just as well. A delivery
with a malformed change stores its valid comments and reports the bad change (200).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from crisis.connectors.records import EARLIEST, loads
from crisis.domain import CommentIn, Problem
from crisis.errors import ConfigError
from crisis.ingest import storable

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
    """New comments and visitor posts in a ``feed`` delivery; edits, likes and ours are skipped.
    A malformed entry or change is one problem: the valid ones of the same delivery are kept."""
    items: list[CommentIn] = []
    problems: list[Problem] = []
    if not isinstance(payload, dict) or payload.get("object") != "page":
        return [], [Problem("facebook webhook", "not a page event")]
    entries = payload.get("entry")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            problems.append(Problem("facebook webhook", f"not an entry: {_shown(entry)}"))
            continue
        if str(entry.get("id")) != page_id:
            problems.append(
                Problem("facebook webhook", f"event for another page {_shown(entry.get('id'))}")
            )
            continue
        changes = entry.get("changes")
        for change in changes if isinstance(changes, list) else []:
            try:
                item = _change(change, page_id)
            except Exception as exc:  # one bad change must not cost the delivery's others
                problems.append(Problem("facebook webhook", f"unreadable change: {exc!r:.200}"))
                continue
            if item is not None:
                items.append(item)
    return items, problems


def _change(change: Any, page_id: str) -> CommentIn | None:
    if not isinstance(change, dict) or not isinstance(change.get("value") or {}, dict):
        raise TypeError(f"not a change: {_shown(change)}")
    value = change.get("value") or {}
    if change.get("field") != "feed" or value.get("verb") != "add":
        return None
    if value.get("item") not in ("comment", "post", "status"):
        return None
    if str((value.get("from") or {}).get("id")) == page_id:
        return None
    return _comment(storable(value))


def _shown(value: Any) -> str:
    return repr(value)[:80]


def _comment(value: Mapping[str, Any]) -> CommentIn:
    post_id = str(value["post_id"])
    is_comment = value["item"] == "comment"
    parent = value.get("parent_id")
    created = value["created_time"]
    created_at = (
        datetime.fromtimestamp(created, UTC)
        if isinstance(created, int | float)
        else datetime.fromisoformat(str(created)).astimezone(UTC)
    )
    if created_at < EARLIEST:
        raise ValueError(f"created_time before {EARLIEST.year}: {created!r:.40}")
    return CommentIn(
        platform="facebook",
        external_id=str(value["comment_id"] if is_comment else post_id),
        author=str((value.get("from") or {}).get("name") or "(unknown)"),
        text=str(value.get("message") or ""),
        created_at=created_at,
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
            payload = loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):  # also nested too deeply, 4,300+ digits
            return Reply(400, b"not JSON")
        items, problems = parse_feed(payload, page_id=self.page_id)
        self.problems.extend(problems)
        if items:
            self.sink(items)  # raises when the store is down: Facebook retries a non-200
        return Reply(200, b"ok")


class _Receiver:
    """``WebhookApp`` as an ASGI app: the body is read with a limit (the declared length first,
    then what arrives) and a deadline, and ``handle`` runs in a worker thread (it stores)."""

    def __init__(self, app: WebhookApp, *, read_timeout: float) -> None:
        self.app, self.read_timeout = app, read_timeout

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # served with lifespan="off": only HTTP comes
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "0")
        if not declared.isdigit():  # the server refuses most of these already
            await _reply(send, Reply(400, b"bad content-length"))
            return
        if len(declared) > 12 or int(declared) > MAX_BODY:
            await _reply(send, Reply(413, b"too large"))
            return
        body = await _read_body(receive, self.read_timeout)
        if isinstance(body, Reply):
            await _reply(send, body)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        target = scope["path"] + (f"?{query}" if query else "")
        try:
            reply = await asyncio.to_thread(self.app.handle, scope["method"], target, headers, body)
        except Exception:  # the store failed: say so, and Facebook delivers again later
            reply = Reply(500, b"could not store the delivery")
        await _reply(send, reply)


async def _read_body(receive: Any, timeout: float) -> bytes | Reply:
    body = bytearray()
    try:
        async with asyncio.timeout(timeout):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return Reply(400, b"disconnected")
                body += message.get("body", b"")
                if len(body) > MAX_BODY:
                    return Reply(413, b"too large")
                if not message.get("more_body"):
                    return bytes(body)
    except TimeoutError:
        return Reply(408, b"the body came too slowly")


async def _reply(send: Any, reply: Reply) -> None:
    headers = [(b"content-type", reply.content_type.encode()),
               (b"content-length", str(len(reply.body)).encode())]  # fmt: skip
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


class _TimelyH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, but a connection that has not sent a whole request head
    within the read timeout is closed (uvicorn waits for it forever: 300 such connections held
    300 threads of the server this replaced)."""

    read_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.loop.call_later(self.read_timeout, self._too_slow)

    def _too_slow(self) -> None:
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()


@dataclass
class WebhookServer:
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def server_address(self) -> tuple[str, int]:
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        return str(host), int(port)


def serve(app: WebhookApp, host: str, port: int, *, read_timeout: float = 10.0) -> WebhookServer:
    """A started server (uvicorn, the web app's) on a daemon thread; ``server_address`` has
    the real port. Bodies over ``MAX_BODY`` are refused (413), a request whose head or body
    takes longer than ``read_timeout`` is dropped (or 408), the listen backlog is 2048."""
    protocol = type("TimelyH11", (_TimelyH11,), {"read_timeout": read_timeout})
    config = uvicorn.Config(
        _Receiver(app, read_timeout=read_timeout),
        host=host,
        port=port,
        http=protocol,
        backlog=2048,
        limit_concurrency=1000,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=16 * 1024,
        access_log=False,  # request lines carry the verify token in the query string
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="webhook", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise ConfigError(f"the webhook receiver could not listen on {host}:{port}")
        time.sleep(0.02)
    return WebhookServer(server, thread)


def stop(running: WebhookServer) -> None:
    running.server.should_exit = True
    running.thread.join(timeout=10)
