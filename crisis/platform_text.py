"""How long a reply may be on each platform, counted the way the platform counts.

The responder shortens its suggestions to fit; the review queue checks a person's edited or
approved text the same way, so a reply is refused here, with the reason, and not by the platform.
"""

from __future__ import annotations

import re

LENGTH_LIMITS = {"x": 280, "twitter": 280}  # platform -> the most a reply may weigh there
_LINK = re.compile(r"https?://\S+", re.IGNORECASE)
# twitter-text v3: these code points weigh 1, all others 2; every link weighs 23.
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_X_LINK_WEIGHT = 23
_HEAVY = re.compile("[^" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _LIGHT_RANGES) + "]")


def x_length(text: str) -> int:
    """How much ``text`` weighs on X, at least ``len(text)``: most non-Latin characters weigh 2,
    a link 23 (or its length, if longer, so that no other counting finds the reply too long)."""
    links = sum(max(len(link), _X_LINK_WEIGHT) for link in _LINK.findall(text))
    rest = _LINK.sub("", text)
    return len(rest) + len(_HEAVY.findall(rest)) + links


def too_long(platform: str, text: str) -> str | None:
    """Why ``text`` is too long for ``platform``, or ``None`` when it fits."""
    limit = LENGTH_LIMITS.get(platform.lower())
    if limit is None:
        return None
    weight = x_length(text)
    if weight <= limit:
        return None
    return (
        f"the reply weighs {weight} on {platform} (links count 23, most non-Latin characters 2); "
        f"the limit is {limit}: shorten it by {weight - limit}"
    )
