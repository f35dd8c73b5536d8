"""Stand-ins for the alert channels: fake credentials, recorded answers, a webhook on a real
local socket, and a tiny SMTP server.

Slack answers ``ok`` (200), a Teams Workflows webhook ``202 Accepted`` with an empty body,
PagerDuty's Events API v2 ``202 {"status": "success", ...}``; the HTTP client is the real
``requests`` against ``responses``. The SMTP server is a real socket on 127.0.0.1 speaking just
enough SMTP for ``smtplib`` (Python 3.11's ``smtpd`` is deprecated, ``aiosmtpd`` not installed).
"""

from __future__ import annotations

import json
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from crisis.settings import Settings

SLACK_URL = "https://hooks.slack.com/services/T000TEST/B000TEST/slack-secret-part-1234"
TEAMS_URL = (
    "https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke"
    "?api-version=2016-06-01&sig=teams-secret-signature-5678"
)
PD_URL = "https://events.pagerduty.com/v2/enqueue"
PD_KEY = "R0UT1NGKEYTEST0000000000000000AB"
PD_ACCEPTED = {"status": "success", "message": "Event processed", "dedup_key": "x"}
PUBLIC_URL = "https://crisis.nordtel.example"
SECRETS = (SLACK_URL, "slack-secret-part-1234", "teams-secret-signature-5678", PD_KEY)


def alert_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "alert_slack_webhook_url": SLACK_URL,
        "alert_teams_webhook_url": TEAMS_URL,
        "alert_pagerduty_routing_key": PD_KEY,
        "public_url": PUBLIC_URL,
        "alert_retry_seconds": 60,
        "alert_max_attempts": 3,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)  # every SMTP command line received
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    port: int = 0


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    box = Mailbox()

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            self.reply("220 standin ESMTP")
            sender, rcpts = "", []
            while True:
                line = self.rfile.readline().decode().strip()
                box.commands.append(line)
                verb = line[:4].upper()
                if not line or verb == "QUIT":
                    self.reply("221 bye")
                    return
                if verb in ("EHLO", "HELO"):
                    self.reply("250-standin\r\n250 8BITMIME")
                elif verb == "MAIL":
                    sender, rcpts = line.split(":", 1)[1].strip().strip("<>").split(">")[0], []
                    self.reply("250 ok")
                elif verb == "RCPT":
                    rcpts.append(line.split(":", 1)[1].strip().strip("<>"))
                    self.reply("250 ok")
                elif verb == "DATA":
                    self.reply("354 go on")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data += chunk[1:] if chunk.startswith(b"..") else chunk
                    box.messages.append(message_from_bytes(data, policy=policy.default))
                    box.envelopes.append((sender, rcpts))
                    self.reply("250 queued")
                else:
                    self.reply("250 ok")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    box.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Hook:
    """A webhook stand-in on 127.0.0.1: answers each POST with the next (status, body, delay)."""

    answers: list[tuple[int, str, float]]
    received: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


@contextmanager
def http_hook(*answers: tuple[int, str, float]) -> Iterator[Hook]:
    hook = Hook(list(answers))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the http.server API's name
            length = int(self.headers.get("Content-Length", 0))
            hook.received.append(json.loads(self.rfile.read(length)))
            status, body, delay = hook.answers.pop(0) if hook.answers else (200, "ok", 0.0)
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())
            except OSError:
                pass  # the client gave up waiting

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/secret-path-999"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
