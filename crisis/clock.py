"""Where the time comes from: the wall clock live, a virtual clock in replays and tests.

Every step asks an injected ``Clock`` instead of calling ``datetime.now()``, so the same code
runs live and replays a weekend of comments in seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from crisis.errors import CrisisError


def require_aware(value: datetime, what: str = "time") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CrisisError(f"{what} must carry a timezone offset, got {value.isoformat()}")
    return value


LOCAL = ZoneInfo("Europe/Berlin")  # the team's time: what every command and message shows


def local_time(value: datetime | None, *, labelled: bool = True) -> str:
    """A time as people read it here: Berlin time, labelled (``2026-11-22 09:00 Berlin``),
    whatever offset it is stored or was given with; ``-`` for none. A table column says
    "(Berlin)" in its header instead (``labelled=False``)."""
    if value is None:
        return "-"
    return f"{value.astimezone(LOCAL):%Y-%m-%d %H:%M}" + (" Berlin" if labelled else "")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """A clock that only moves when told to, and never backwards."""

    def __init__(self, start: datetime) -> None:
        self._now = require_aware(start, "clock start").astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        when = require_aware(when).astimezone(UTC)
        if when < self._now:
            raise CrisisError(
                f"virtual clock cannot go back from {self._now.isoformat()} to {when.isoformat()}"
            )
        self._now = when

    def advance(self, delta: timedelta) -> None:
        self.set(self._now + delta)
