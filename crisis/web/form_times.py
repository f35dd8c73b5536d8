"""Times as people type them into the web app's forms, read one way on every page: the
browser's ``datetime-local`` value or a German "14.05.2017 18:00" (both Berlin time), ISO 8601
with an offset, or relative to now like the CLI (``+30m``, ``+2h``, ``+1d``)."""

from __future__ import annotations

from datetime import datetime

from crisis.clock import relative_time, team_zone

_GERMAN = ("%d.%m.%Y %H:%M", "%d.%m.%y %H:%M")


def read_time(text: str, *, now: datetime) -> datetime | None:
    """The time ``text`` means, timezone-aware; ``None`` when it is no time at all (the caller
    says so in its own words)."""
    text = text.strip()
    relative = relative_time(text, now=now)
    if relative is not None:
        return relative
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _GERMAN:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return parsed.replace(tzinfo=team_zone())  # a time without offset is Berlin time
    return parsed


def local_input(value: datetime | None) -> str:
    """``value`` for a ``datetime-local`` input: Berlin time, to the minute."""
    return "" if value is None else value.astimezone(team_zone()).strftime("%Y-%m-%dT%H:%M")
