"""Where the time comes from: the wall clock live, a virtual clock in replays and tests.

Every step asks an injected ``Clock`` instead of calling ``datetime.now()``, so the same code
runs live and replays a weekend of comments in seconds.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from crisis.errors import CrisisError


def require_aware(value: datetime, what: str = "time") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CrisisError(f"{what} must carry a timezone offset, got {value.isoformat()}")
    return value


_RELATIVE = re.compile(r"^([+-])(\d+)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
LOCAL = ZoneInfo("Europe/Berlin")  # the team's time: what every command and message shows


def local_time(value: datetime | None, *, labelled: bool = True) -> str:
    """A time as people read it here: Berlin time, labelled (``2026-11-22 09:00 Berlin``),
    whatever offset it is stored or was given with; ``-`` for none. A table column says
    "(Berlin)" in its header instead (``labelled=False``)."""
    if value is None:
        return "-"
    return f"{value.astimezone(LOCAL):%Y-%m-%d %H:%M}" + (" Berlin" if labelled else "")


def relative_time(value: str, *, now: datetime) -> datetime | None:
    """``+30m``, ``+2h``, ``+1d`` from ``now`` (``-7d``: 7 days before); ``None`` for anything
    else."""
    relative = _RELATIVE.match(value.strip())
    if relative is None:
        return None
    sign = -1 if relative.group(1) == "-" else 1
    amount, unit = int(relative.group(2)), _UNITS[relative.group(3)]
    return now + sign * timedelta(**{unit: amount})


def age(now: datetime, then: datetime) -> str:
    """How long ago, short: 45s, 12m, 3h05m, 2d04h."""
    seconds = max(int((now - then).total_seconds()), 0)
    if seconds < 60:
        return f"{seconds}s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if hours == 0:
        return f"{minutes}m"
    if days == 0:
        return f"{hours}h{minutes % 60:02d}m"
    return f"{days}d{hours % 24:02d}h"


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
