"""Retrying platform calls: wait until a rate limit resets, else back off exponentially.

The libraries' own waiting is not good enough (tweepy retries at once, forever, when a 429 has
no reset header; facebook-sdk never retries), so connectors raise our errors and this helper
decides how long to wait. Every wait is reported through ``on_wait`` so the user sees why
nothing is happening.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from crisis.errors import ConnectorError, RateLimited

T = TypeVar("T")
# Nobody should sleep for hours on the word of one response header.
LONGEST_RESET_WAIT = 3600.0


@dataclass
class Backoff:
    """Full-jitter exponential backoff: a random wait in [0, min(cap, base * 2**attempt)]."""

    base: float = 2.0
    cap: float = 300.0
    attempts: int | None = 5  # None: keep trying (``--follow``)
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, error: ConnectorError, attempt: int, now: datetime) -> float:
        if isinstance(error, RateLimited) and error.reset_at is not None:
            wait = (error.reset_at - now).total_seconds() + 1.0  # the reset second itself
            return min(max(wait, 1.0), LONGEST_RESET_WAIT)
        return self.rng.uniform(0.0, min(self.cap, self.base * 2.0**attempt))


def call_with_retry(
    fn: Callable[[], T],
    *,
    backoff: Backoff,
    on_wait: Callable[[ConnectorError, float], None] = lambda error, seconds: None,
    sleep: Callable[[float], object] = time.sleep,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> T:
    """``fn()``, retried on retryable connector errors; others, or the last failure, raise."""
    attempt = 0
    while True:
        try:
            return fn()
        except ConnectorError as error:
            attempt += 1
            if not error.retryable or (
                backoff.attempts is not None and attempt >= backoff.attempts
            ):
                raise
            seconds = backoff.delay(error, attempt - 1, now())
            on_wait(error, seconds)
            sleep(seconds)
