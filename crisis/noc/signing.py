"""The credentials a NOC tool can send, checked in constant time.

- Alertmanager: ``Authorization: Bearer <token>`` (its ``http_config.authorization``).
- Statuspage signs nothing: a long random secret in the URL path is the credential.
- Our own JSON: ``X-Crisis-Timestamp`` (Unix seconds) and ``X-Crisis-Signature:
  sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret>``; a timestamp
  outside the replay window is refused, so a recorded request cannot be sent again later.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from crisis.errors import NotSignedIn


def same(given: str | None, expected: str) -> bool:
    """Whether ``given`` equals ``expected``, in time that does not depend on where they differ."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def check_bearer(authorization: str | None, token: str) -> None:
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not same(given.strip(), token):
        raise NotSignedIn("missing or wrong bearer token")


def check_secret(given: str, secret: str) -> None:
    if not same(given, secret):
        raise NotSignedIn("wrong webhook secret")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def check_signature(
    *,
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: datetime,
    window_seconds: float,
) -> None:
    if not timestamp or not signature:
        raise NotSignedIn("missing X-Crisis-Timestamp or X-Crisis-Signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise NotSignedIn("X-Crisis-Timestamp must be Unix seconds") from None
    # The signature first: an unsigned request learns nothing about our clock.
    if not same(signature, sign(secret, sent_at, body)):
        raise NotSignedIn("wrong signature")
    if abs(now.timestamp() - sent_at) > window_seconds:
        raise NotSignedIn(f"timestamp outside the {window_seconds:g} s replay window")
