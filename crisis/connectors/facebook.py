"""Facebook Pages through facebook-sdk (Graph API): the client, its errors, replies and posts.

The only module that imports ``facebook``. facebook-sdk 3.1.0 refuses Graph versions from 10.0
up in its constructor, so the client is built with one it accepts and then pointed at the
version from settings (``CRISIS_FACEBOOK_GRAPH_VERSION``); the version is only put into paths.
It also forgets the HTTP status and headers of errors and sets no timeout (``Graph`` makes up
for both), and puts the token into query strings, which urllib3 logs (a filter blanks it).
Reading comments in rounds is in ``facebook_comments``.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from crisis.connectors.facebook_comments import FacebookSource
from crisis.domain import OutgoingPost
from crisis.errors import (
    AuthFailed,
    ConfigError,
    ConnectorError,
    RateLimited,
    RemoteNotFound,
    ServerError,
)
from crisis.settings import Settings

with warnings.catch_warnings():  # 3.1.0 has an invalid escape in a regex literal
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", SyntaxWarning)
    import facebook

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613}) | frozenset(range(80001, 80015))
AUTH_CODES = frozenset({10, 102, 190}) | frozenset(range(200, 300))
_TOKEN_IN_URL = re.compile(r"(access_token=)[^&\s\"']+")


class _RedactTokens(logging.Filter):
    """Graph tokens travel in query strings, which urllib3 logs at DEBUG: blank them out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "access_token=" in message:
            record.msg, record.args = _TOKEN_IN_URL.sub(r"\1***", message), ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactTokens())


class _LastResponse:
    """facebook-sdk drops the HTTP status and headers of errors; a session hook keeps them."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: Mapping[str, str] = {}

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.status, self.headers = response.status_code, response.headers


class Graph:
    """A facebook-sdk client on the configured Graph version, failing with our errors only."""

    def __init__(self, settings: Settings) -> None:
        token = settings.secret("facebook_page_token")
        self.last = _LastResponse()
        session = requests.Session()
        session.hooks["response"].append(self.last)
        self.api = facebook.GraphAPI(
            access_token=token,
            timeout=settings.connector_timeout_seconds,
            version="3.1",
            session=session,
        )
        self.api.version = settings.facebook_graph_version

    def get(self, node: str, edge: str | None = None, **args: Any) -> dict[str, Any]:
        if edge is None:
            return self._call(self.api.get_object, node, **args)
        return self._call(self.api.get_connections, node, edge, **args)

    def post(self, node: str, edge: str, **data: Any) -> dict[str, Any]:
        return self._call(self.api.put_object, node, edge, **data)

    def delete(self, node: str) -> dict[str, Any]:
        return self._call(self.api.delete_object, node)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.last.status, self.last.headers = 0, {}
        try:
            result: dict[str, Any] = fn(*args, **kwargs)
            return result
        except facebook.GraphAPIError as exc:
            raise map_error(exc, self.last.status, self.last.headers) from exc
        except requests.RequestException as exc:
            # ``from None``: requests' message holds the URL, and the URL holds the token.
            raise ServerError(f"Facebook did not answer ({type(exc).__name__})") from None
        except (KeyError, ValueError) as exc:  # no content-type, or a body that is not JSON
            raise ServerError(f"Facebook sent an unreadable answer ({exc!r})") from None


def map_error(
    exc: facebook.GraphAPIError,
    status: int,
    headers: Mapping[str, str],
    now: datetime | None = None,
) -> ConnectorError:
    """Our error for a Graph API error, using the HTTP status and usage headers when known."""
    error = exc.result.get("error", {}) if isinstance(exc.result, dict) else {}
    code = error.get("code") if isinstance(error, dict) else None
    said = f"{status or '?'}" + (f", code {code}" if code is not None else "") + f": {exc.message}"
    if code in RATE_LIMIT_CODES or status == 429:
        reset = _regain_access_at(headers, now or datetime.now(UTC))
        when = f" until {reset:%H:%M:%S}Z" if reset else ""
        return RateLimited(f"Facebook rate limit reached{when} ({said})", reset_at=reset)
    if code in AUTH_CODES or status in (401, 403):
        return AuthFailed(
            f"Facebook refused the page token or a permission is missing ({said}); "
            "check CRISIS_FACEBOOK_PAGE_TOKEN and run `crisis connect check`"
        )
    if status == 404 or (code == 100 and "does not exist" in str(exc.message)):
        return RemoteNotFound(f"Facebook: not found ({said})")
    if status >= 500 or status == 0 or code in (1, 2) or error.get("is_transient"):
        return ServerError(f"Facebook server error ({said})")
    return ConnectorError(f"Facebook rejected the request ({said})")


def _regain_access_at(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """From ``x-business-use-case-usage``: minutes until the throttled app may call again."""
    try:
        usage = json.loads(headers.get("x-business-use-case-usage", "{}"))
        minutes = max(
            int(entry.get("estimated_time_to_regain_access", 0))
            for entries in usage.values()
            for entry in entries
        )
    except (ValueError, TypeError, AttributeError):
        return None
    return now + timedelta(minutes=minutes) if minutes > 0 else None


class FacebookPublisher:
    """Replies to comments and posts on the page, as the page."""

    def __init__(self, graph: Graph, *, page_id: str) -> None:
        self.graph = graph
        self.page_id = page_id

    def publish(self, post: OutgoingPost) -> str:
        target, edge = (
            (post.in_reply_to, "comments") if post.in_reply_to else (self.page_id, "feed")
        )
        return str(self.graph.post(target, edge, message=post.text)["id"])

    def find(self, post: OutgoingPost) -> str | None:
        """The id of our reply or post with this text, if Facebook shows one."""
        if post.in_reply_to:
            answer = self.graph.get(
                post.in_reply_to,
                "comments",
                fields="id,message,from",
                filter="stream",
                order="reverse_chronological",
                limit=100,
            )
        else:
            answer = self.graph.get(self.page_id, "feed", fields="id,message,from", limit=25)
        for item in answer.get("data") or []:
            if (item.get("from") or {}).get("id") == self.page_id and item.get(
                "message"
            ) == post.text:
                return str(item["id"])
        return None


def make_source(settings: Settings) -> FacebookSource:
    settings.require("facebook_page_id", "facebook_page_token", purpose="reading Facebook")
    return FacebookSource(
        Graph(settings),
        page_id=str(settings.facebook_page_id),
        posts_per_round=settings.facebook_posts_per_round,
    )


def make_publisher(settings: Settings) -> FacebookPublisher:
    settings.require("facebook_page_id", "facebook_page_token", purpose="posting to Facebook")
    return FacebookPublisher(Graph(settings), page_id=str(settings.facebook_page_id))


def check(settings: Settings) -> list[tuple[bool, str]]:
    """What works with the configured page token, one line each."""
    try:
        source = make_source(settings)
        me = source.graph.get("me", fields="id,name")
    except (ConnectorError, ConfigError) as exc:
        return [(False, f"page token: {exc}")]
    if me.get("id") != source.page_id:
        return [
            (
                False,
                f"the token is not a page token of page {source.page_id} "
                f"(it belongs to {me.get('name')!r}, id {me.get('id')})",
            )
        ]
    results = [(True, f"page token of {me.get('name')!r} ({source.page_id})")]
    steps = [
        ("reading posts (pages_read_engagement)", source.page_id, "feed"),
        ("webhook subscription (pages_manage_metadata)", source.page_id, "subscribed_apps"),
    ]
    for label, node, edge in steps:
        try:
            answer = source.graph.get(node, edge, limit=1)
            results.append((True, label))
            if edge == "feed" and answer.get("data"):
                post = answer["data"][0]["id"]
                steps.append(("reading comments (pages_read_user_content)", post, "comments"))
        except ConnectorError as exc:
            results.append((False, f"{label}: {exc}"))
    return results
