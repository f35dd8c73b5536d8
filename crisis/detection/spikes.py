"""The arithmetic of a spike: the rules, the counts in a window, and the thresholds.

Pure functions, no database: ``crisis.detection.detector`` fetches the complaints and the usual
numbers and asks these whether they add up to an outage.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class SpikeRules:
    window: timedelta = timedelta(minutes=30)
    min_complaints: int = 8
    ratio: float = 3.0
    history: timedelta = timedelta(days=28)  # hour-of-week samples come from these weeks
    cooldown: timedelta = timedelta(hours=2)
    prior_per_window: float = 1.0  # assumed usual number while history is short or empty
    prior_weight: float = 2.0  # the prior counts as this many samples
    persistence: timedelta = timedelta(minutes=3)
    # A shorter window checked too (against the usual number scaled down): a sharp outage at a
    # busy hour crosses it minutes before the long window's threshold. None: only ``window``.
    fast_window: timedelta | None = timedelta(minutes=10)
    # And so many that ordinary traffic at the usual rate reaches it less often than this.
    significance: float = 1e-5


@dataclass(frozen=True, slots=True)
class Complaint:
    external_id: str
    author: str
    text: str
    location: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Spike:
    window: timedelta
    authors: int  # complaining customers in the window ending now
    earlier: int  # in the window ending ``persistence`` earlier
    usual: float  # the usual number, scaled to this window
    threshold: float
    national: bool = True  # False: one region's spike against that region's usual number


def counts(
    complaints: Sequence[Complaint], now: datetime, window: timedelta, persistence: timedelta
) -> tuple[int, int]:
    """Complaining customers in the window ending now, and in the one ending ``persistence``
    earlier."""
    earlier_end = now - persistence
    in_now = authors(c for c in complaints if c.at > now - window)
    in_earlier = authors(c for c in complaints if earlier_end - window < c.at <= earlier_end)
    return len(in_now), len(in_earlier)


def first_spike(
    counts: dict[timedelta, tuple[int, int]], usual: float, rules: SpikeRules
) -> Spike | None:
    """The first window (the long one first) whose counts stayed over its threshold."""
    for window, (authors, earlier) in counts.items():
        scaled = usual * (window / rules.window)
        threshold = max(
            float(rules.min_complaints),
            rules.ratio * scaled,
            float(rarely_reached(scaled, rules.significance)),
        )
        if min(authors, earlier) >= threshold:
            return Spike(window, authors, earlier, scaled, threshold)
    return None


def rarely_reached(mean: float, chance: float) -> int:
    """The smallest count that Poisson traffic with ``mean`` reaches with less than ``chance``."""
    k, term = 0, math.exp(-mean)
    below = term  # P(X <= k)
    while 1.0 - below >= chance and k < 10_000:
        k += 1
        term *= mean / k
        below += term
    return k + 1


def authors(complaints: Iterable[Complaint]) -> set[str]:
    return {c.author.casefold() for c in complaints}
