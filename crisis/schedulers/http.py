"""A small JSON-over-HTTP client for the schedulers' REST APIs, failing with our errors only.

Postiz, Buffer and Hootsuite have no Python client worth depending on, so they share this one
(``requests``). Each answer that is not a success becomes our error: 401/403 ``AuthFailed``
(expired token, missing permission), 404 ``RemoteNotFound``, 429 ``RateLimited`` with the reset
time the tool gave, 5xx or no answer ``ServerError``. Retrying is the caller's decision
(``crisis.schedulers.sync``): reading and holding are safe to repeat, creating a post is not.
Messages never carry the token: it travels in a header.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from crisis.errors import AuthFailed, ConnectorError, RateLimited, RemoteNotFound, ServerError


class JsonApi:
    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        headers: Mapping[str, str],
        timeout: float,
        token_hint: str,
    ) -> None:
        self.name, self.base_url, self.timeout = name, base_url.rstrip("/"), timeout
        self.token_hint = token_hint  # the setting to check when the token is refused
        self.session = requests.Session()
        self.session.headers.update(headers)
        # turns Retry-After seconds into a reset time on the same clock the retries use
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The decoded JSON answer of ``method path`` (``{}`` for an empty one)."""
        try:
            response = self.session.request(
                method, f"{self.base_url}{path}", timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise ServerError(f"{self.name} did not answer ({type(exc).__name__})") from None
        if response.status_code >= 400:
            raise map_status(self.name, response, token_hint=self.token_hint, now=self.now())
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise ServerError(
                f"{self.name} sent an answer that is not JSON ({response.status_code})"
            ) from None


def map_status(
    name: str, response: requests.Response, *, token_hint: str, now: datetime | None = None
) -> ConnectorError:
    """Our error for a failed answer, with what the tool said (never the request's headers)."""
    status = response.status_code
    said = f"{status}: {_message(response)}"
    if status in (401, 403):
        return AuthFailed(
            f"{name} refused the token or a permission is missing ({said}); check {token_hint}"
        )
    if status == 404:
        return RemoteNotFound(f"{name}: not found ({said})")
    if status == 429:
        reset = _reset_at(response.headers, now or datetime.now(UTC))
        when = f" until {reset:%H:%M:%S}Z" if reset else ""
        return RateLimited(f"{name} rate limit reached{when} ({said})", reset_at=reset)
    if status >= 500:
        return ServerError(f"{name} server error ({said})")
    return ConnectorError(f"{name} rejected the request ({said})")


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason or "no message"
    if isinstance(body, dict):
        for key in ("message", "error", "msg"):
            value = body.get(key)
            if isinstance(value, str):
                return value[:300]
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return str(value["message"])[:300]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message", errors[0]))[:300]
    return str(body)[:300]


def _reset_at(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """From ``Retry-After`` (seconds or an HTTP date) or ``X-RateLimit-Reset`` (unix seconds)."""
    value = headers.get("Retry-After")
    if value:
        if value.strip().isdigit():
            return now + timedelta(seconds=int(value))
        try:
            return parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            return None
    reset = headers.get("X-RateLimit-Reset") or headers.get("x-rate-limit-reset")
    if reset and reset.strip().isdigit():
        return datetime.fromtimestamp(int(reset), UTC)
    return None


def parse_time(value: object, what: str) -> datetime:
    """An ISO 8601 time ("Z" allowed) or unix seconds, timezone-aware."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
    raise ServerError(f"{what}: unreadable time {value!r}")


def iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
