"""Where the time comes from: the wall clock live, a virtual clock in replays and tests.

Every step asks an injected ``Clock`` instead of calling ``datetime.now()``, so the same code
runs live and replays a weekend of comments in seconds.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from crisis.errors import CrisisError
from crisis.settings import get_settings


def require_aware(value: datetime, what: str = "time") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CrisisError(f"{what} must carry a timezone offset, got {value.isoformat()}")
    return value


_RELATIVE = re.compile(r"^([+-])(\d+)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def team_zone() -> ZoneInfo:
    """The team's time zone (``CRISIS_TIMEZONE``, default Europe/Berlin): every time a person
    reads is shown in it; stored times, JSON and CSV stay UTC."""
    return _zone(get_settings().timezone)


def zone_label() -> str:
    """How a shown time is labelled: the zone's city (``Berlin``, ``New York``)."""
    return get_settings().timezone.rsplit("/", 1)[-1].replace("_", " ")


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(
    value: datetime | None, *, labelled: bool = True, fmt: str = "%Y-%m-%d %H:%M"
) -> str:
    """A time as people read it here: the team's time, minute precision, labelled
    (``2026-11-22 09:00 Berlin``), whatever offset it is stored or was given with; ``-`` for
    none. A table column says "(Berlin)" in its header instead (``labelled=False``)."""
    if value is None:
        return "-"
    shown = value.astimezone(team_zone()).strftime(fmt)
    return f"{shown} {zone_label()}" if labelled else shown


_ISO_TIME = re.compile(
    r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})"
)


def local_times_in(text: str) -> str:
    """``text`` with every ISO 8601 time that carries an offset (stored details, audit reasons
    written before times were shown locally) as ``local_time`` shows it."""

    def shown(match: re.Match[str]) -> str:
        try:
            value = datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
        except ValueError:
            return match.group(0)
        return local_time(value)

    return _ISO_TIME.sub(shown, text)


def local_iso(value: str | None) -> str:
    """A stored ISO time (from JSON details or a card) as ``local_time`` shows it; ``-`` for
    none; anything that is not a time with an offset as it is."""
    if not value:
        return "-"
    return local_times_in(value)


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
