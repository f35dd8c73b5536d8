"""X (API v2) through tweepy: mentions of the brand account in, replies and posts out.

The only module that imports tweepy. Mentions cover replies in our threads too (a reply to the
brand account mentions it). The cursor is JSON: ``since_id`` is the newest mention stored; while
a round pages through older mentions it also holds ``next`` (X's pagination token) and ``newest``
(the round's first id, which becomes ``since_id`` once the last page is stored). A crash between
fetch and commit therefore repeats a page at most, and storing is idempotent.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import requests
import tweepy
from requests import PreparedRequest
from requests.adapters import HTTPAdapter

from crisis.domain import CommentIn, OutgoingPost, Page, Problem
from crisis.errors import (
    AuthFailed,
    ConfigError,
    ConnectorError,
    RateLimited,
    RemoteNotFound,
    ServerError,
)
from crisis.settings import Settings

PLATFORM = "x"
FIELDS: dict[str, list[str]] = {
    "expansions": ["author_id", "in_reply_to_user_id", "referenced_tweets.id"],
    "tweet_fields": [
        "created_at",
        "lang",
        "conversation_id",
        "in_reply_to_user_id",
        "referenced_tweets",
        "author_id",
        "public_metrics",
        "entities",
    ],
    "user_fields": ["username", "name", "verified", "public_metrics"],
}
UNKNOWN_LANGS = frozenset({"und", "zxx", "qme", "qht", "qam", "qst"})  # X's "no language" codes


class _NoRequestDumps(logging.Filter):
    """tweepy logs every request's headers, bearer token included, at DEBUG: drop those."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("Making API request", "Received API response"))


logging.getLogger("tweepy.client").addFilter(_NoRequestDumps())


class _TimeoutAdapter(HTTPAdapter):
    """tweepy passes no timeout to requests; without one a dead connection hangs forever."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        return super().send(
            request,
            stream=stream,
            timeout=timeout or self.timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def make_client(settings: Settings, *, user_context: bool) -> tuple[tweepy.Client, bool]:
    """A tweepy client and whether calls must use OAuth 1.0a (``user_auth``).

    Reading uses the bearer token; posting needs the brand account's user context.
    """
    if not user_context:
        client = tweepy.Client(bearer_token=settings.secret("x_bearer_token"), return_type=dict)
        user_auth = False
    elif settings.x_user_token is not None:
        client = tweepy.Client(bearer_token=settings.secret("x_user_token"), return_type=dict)
        user_auth = False
    else:
        keys = ("x_consumer_key", "x_consumer_secret", "x_access_token", "x_access_token_secret")
        settings.require(
            *keys,
            purpose="posting to X",
            hint="or set CRISIS_X_USER_TOKEN (an OAuth 2.0 user token with tweet.write)",
        )
        client = tweepy.Client(
            **{key.removeprefix("x_"): settings.secret(key) for key in keys}, return_type=dict
        )
        user_auth = True
    adapter = _TimeoutAdapter(settings.connector_timeout_seconds)
    client.session.mount("https://", adapter)
    return client, user_auth


def map_error(exc: Exception) -> ConnectorError:
    """Our error for a tweepy or requests failure (messages carry no token)."""
    if isinstance(exc, tweepy.TooManyRequests):
        reset = datetime.fromtimestamp(exc.reset_time, UTC) if exc.reset_time else None
        when = f" until {reset:%H:%M:%S}Z" if reset else " (no reset time given)"
        return RateLimited(f"X rate limit reached{when}", reset_at=reset)
    if isinstance(exc, tweepy.Unauthorized):
        return AuthFailed(f"X refused the credentials ({_said(exc)}); check the CRISIS_X_* tokens")
    if isinstance(exc, tweepy.Forbidden):
        return AuthFailed(
            f"X forbids this ({_said(exc)}); the app's access level or the token's "
            "permissions do not cover it"
        )
    if isinstance(exc, tweepy.NotFound):
        return RemoteNotFound(f"X: not found ({_said(exc)})")
    if isinstance(exc, tweepy.TwitterServerError):
        return ServerError(f"X server error ({_said(exc)})")
    if isinstance(exc, tweepy.HTTPException):
        return ConnectorError(f"X rejected the request ({_said(exc)})")
    if isinstance(exc, requests.JSONDecodeError):
        return ServerError("X answered with something that is not JSON")
    if isinstance(exc, requests.RequestException):
        return ServerError(f"X did not answer ({type(exc).__name__})")
    return ConnectorError(f"X client failed ({type(exc).__name__})")


def _said(exc: tweepy.HTTPException) -> str:
    messages = "; ".join(str(m) for m in exc.api_messages)
    return f"{exc.response.status_code}{': ' + messages if messages else ''}"


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except (tweepy.TweepyException, requests.RequestException) as exc:
        raise map_error(exc) from exc


def parse_tweets(
    payload: Mapping[str, Any], *, account_id: str
) -> tuple[list[CommentIn], list[Problem]]:
    """Comments from one response page; the brand account's own tweets are left out."""
    users = {u.get("id"): u for u in payload.get("includes", {}).get("users", [])}
    items: list[CommentIn] = []
    problems: list[Problem] = []
    for tweet in payload.get("data") or []:
        tweet_id = tweet.get("id")
        if tweet.get("author_id") == account_id:
            continue
        try:
            items.append(_comment(tweet, users.get(tweet.get("author_id"))))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(Problem(f"x tweet {tweet_id}", f"unreadable tweet: {exc!r}"))
    return items, problems


def _comment(tweet: Mapping[str, Any], user: Mapping[str, Any] | None) -> CommentIn:
    replied_to = next(
        (r["id"] for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"),
        None,
    )
    lang = tweet.get("lang")
    return CommentIn(
        platform=PLATFORM,
        external_id=str(tweet["id"]),
        author=user["username"] if user else f"id:{tweet.get('author_id', '?')}",
        text=str(tweet["text"]),
        created_at=datetime.fromisoformat(tweet["created_at"]).astimezone(UTC),
        lang=None if lang in UNKNOWN_LANGS else lang,
        in_reply_to=str(replied_to) if replied_to else None,
        raw={"tweet": dict(tweet), "author": dict(user) if user else None},
    )


def next_cursor(state: Mapping[str, str], meta: Mapping[str, Any]) -> tuple[dict[str, str], bool]:
    """Where to resume after a page with ``meta``, and whether more pages follow now."""
    newest = state.get("newest") or meta.get("newest_id")
    if meta.get("next_token"):
        following = {"next": str(meta["next_token"])}
        if state.get("since_id"):
            following["since_id"] = state["since_id"]
        if newest:
            following["newest"] = str(newest)
        return following, True
    since = newest or state.get("since_id")
    return ({"since_id": str(since)} if since else {}), False


def _load(cursor: str | None) -> dict[str, str]:
    if not cursor:
        return {}
    try:
        state = json.loads(cursor)
    except ValueError:
        state = None
    if not isinstance(state, dict) or not all(isinstance(v, str) for v in state.values()):
        raise ConfigError(f"not an X cursor: {cursor!r}")
    return state


class TwitterSource:
    """Mentions of the brand account, newest first, one API page per ``fetch``."""

    def __init__(self, client: tweepy.Client, *, account_id: str, page_size: int = 100) -> None:
        self.client = client
        self.account_id = account_id
        self.page_size = page_size
        self.name = f"x:mentions:{account_id}"

    def fetch(self, cursor: str | None) -> Page:
        state = _load(cursor)
        params: dict[str, Any] = {"max_results": self.page_size, **FIELDS}
        if state.get("since_id"):
            params["since_id"] = state["since_id"]
        if state.get("next"):
            params["pagination_token"] = state["next"]
        try:
            payload = _call(self.client.get_users_mentions, self.account_id, **params)
        except ConnectorError as exc:
            if not state.get("next") or exc.retryable or isinstance(exc, AuthFailed):
                raise
            # Pagination tokens expire: read the round again from ``since_id``; what was
            # already stored is stored once.
            return self.fetch(json.dumps({k: v for k, v in state.items() if k == "since_id"}))
        items, problems = parse_tweets(payload, account_id=self.account_id)
        following, more = next_cursor(state, payload.get("meta") or {})
        return Page(items=items, cursor=json.dumps(following), more=more, problems=problems)


class TwitterPublisher:
    """Replies and posts as the brand account (user context)."""

    def __init__(
        self, client: tweepy.Client, *, user_auth: bool, account_id: str | None = None
    ) -> None:
        self.client = client
        self.user_auth = user_auth
        self.account_id = account_id  # None: the account the tokens belong to, asked once

    def publish(self, post: OutgoingPost) -> str:
        answer = _call(
            self.client.create_tweet,
            text=post.text,
            in_reply_to_tweet_id=post.in_reply_to,
            user_auth=self.user_auth,
        )
        return str(answer["data"]["id"])

    def find(self, post: OutgoingPost) -> str | None:
        """The id of our recent tweet with this text (and reply target), if X shows one."""
        if self.account_id is None:
            me = _call(self.client.get_me, user_auth=self.user_auth)
            self.account_id = str(me["data"]["id"])
        answer = _call(
            self.client.get_users_tweets,
            self.account_id,
            max_results=100,
            tweet_fields=["referenced_tweets", "entities"],
            user_auth=self.user_auth,
        )
        wanted = _comparable(post.text)
        for tweet in answer.get("data") or []:
            targets = [r.get("id") for r in tweet.get("referenced_tweets") or []]
            if shown_text(tweet) == wanted and (
                post.in_reply_to is None or post.in_reply_to in targets
            ):
                return str(tweet["id"])
        return None


def shown_text(tweet: dict[str, Any]) -> str:
    """A tweet's text as it was posted: X returns every link as a t.co link (its entity says
    which link it stands for) and ``&``, ``<``, ``>`` as HTML entities."""
    text = str(tweet.get("text") or "")
    for link in (tweet.get("entities") or {}).get("urls") or []:
        short, expanded = link.get("url"), link.get("expanded_url")
        if isinstance(short, str) and isinstance(expanded, str):
            text = text.replace(short, expanded)
    return _comparable(html.unescape(text))


def _comparable(text: str) -> str:
    return " ".join(text.split())  # whitespace compared loosely: X may trim what it stores


def account_id(client: tweepy.Client, settings: Settings) -> str:
    """The brand account's numeric id: from settings, else looked up by handle."""
    if settings.x_account_id:
        return settings.x_account_id
    settings.require("x_account_handle", purpose="X", hint="or set CRISIS_X_ACCOUNT_ID")
    handle = str(settings.x_account_handle).lstrip("@")
    answer = _call(client.get_user, username=handle)
    return str(answer["data"]["id"])


def make_source(settings: Settings) -> TwitterSource:
    settings.require("x_bearer_token", purpose="reading X")
    client, _ = make_client(settings, user_context=False)
    return TwitterSource(client, account_id=account_id(client, settings))


def make_publisher(settings: Settings) -> TwitterPublisher:
    client, user_auth = make_client(settings, user_context=True)
    return TwitterPublisher(client, user_auth=user_auth, account_id=settings.x_account_id)


def check(settings: Settings) -> list[tuple[bool, str]]:
    """What works with the configured X credentials, one line each."""
    results: list[tuple[bool, str]] = []
    try:
        source = make_source(settings)
        _call(source.client.get_users_mentions, source.account_id, max_results=5)
        results.append((True, f"reading mentions of account {source.account_id}"))
    except (ConnectorError, ConfigError) as exc:
        results.append((False, f"reading mentions: {exc}"))
    try:
        client, user_auth = make_client(settings, user_context=True)
        me = _call(client.get_me, user_auth=user_auth)["data"]
        wanted = settings.x_account_id or (settings.x_account_handle or "").lstrip("@")
        ok = wanted in (me.get("id"), me.get("username"))
        results.append(
            (ok, f"posting as @{me.get('username')}" + ("" if ok else f", not {wanted}"))
        )
    except (ConnectorError, ConfigError) as exc:
        results.append((False, f"posting: {exc}"))
    return results
