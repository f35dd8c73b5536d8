"""How much was said, how, and about what: volume and sentiment per hour, complaints by
service, which models labelled the comments, and the regions and words the complaints name.

Counting is one grouped query per UTC hour (per UTC day for charts of days, weeks or months, with
the two hours where a Berlin day may begin kept apart): the database does the work, so years of
comments cost a few thousand rows; these are merged into the chart's buckets in Python, in Berlin
time, so a day is a Berlin day and a week starts on Monday. Regions and words need the text: they
are read from the complaints themselves, all of them up to ``TEXT_SAMPLE`` and otherwise an
evenly spread sample, and the report says which.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from crisis.clock import team_zone
from crisis.detection import card
from crisis.detection.regions import find_regions
from crisis.reports.period import Period
from crisis.reports.sql import (
    berlin_day_part_of,
    count_int,
    dialect,
    flag,
    hour_of,
    in_period,
    is_complaint,
    labelled_by,
    star,
)
from crisis.tables import Classification, Comment

TEXT_SAMPLE = 20_000  # complaints read for regions and words
TOP_REGIONS = 10
TOP_TERMS = 15
SENTIMENTS = ("negative", "neutral", "positive")
BUCKETS = ("hour", "6 hours", "day", "week", "month")
BUCKET_LIMITS = (
    (timedelta(days=8), "hour"),
    (timedelta(days=31), "6 hours"),
    (timedelta(days=200), "day"),
    (timedelta(weeks=200), "week"),
)


@dataclass
class Bucket:
    start: datetime
    comments: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    unlabelled: int = 0
    complaints: int = 0


@dataclass
class Volume:
    bucket: str  # one of ``BUCKETS``
    buckets: list[Bucket]
    comments: int
    labelled: int
    complaints: int
    third_party: int  # comments that blame another company's outage (WhatsApp & co.) on us
    sentiment: dict[str, int]
    services: list[tuple[str, int]]  # complaints per service, most first


@dataclass
class TextCounts:
    """Regions and words from the complaints' text; ``read`` of ``complaints`` were read."""

    complaints: int
    read: int
    regions: list[tuple[str, int]] = field(
        default_factory=list
    )  # top regions (estimated if sampled)
    other_regions: int = 0
    no_region: int = 0
    terms: list[tuple[str, int]] = field(default_factory=list)

    @property
    def sampled(self) -> bool:
        return self.read < self.complaints


def label_counts(
    session: Session, period: Period, own_authors: Sequence[str]
) -> list[tuple[str, int]]:
    """Which models labelled the period's comments, and how many each."""
    query = (
        sa_select(col(Classification.model), star())
        .join(Comment, col(Comment.id) == col(Classification.comment_id))
        .where(*in_period(period, own_authors))
        .group_by(col(Classification.model))
        .order_by(star().desc(), col(Classification.model))
    )
    return [(model, int(n)) for model, n in session.connection().execute(query)]


def bucket_size(period: Period) -> str:
    """The chart's bucket, so that it has at most about 200 bars: an hour up to 8 days (a crisis
    week), 6 hours up to a month, a day up to 200 days, a week (from Monday) up to about four
    years, else a month; all but the hour in Berlin time."""
    for limit, size in BUCKET_LIMITS:
        if period.length <= limit:
            return size
    return "month"


def volume(
    session: Session, period: Period, model: str | None, own_authors: Sequence[str]
) -> Volume:
    size = bucket_size(period)
    # Per UTC hour for hour and 6-hour buckets; for days and longer, per UTC day except the
    # hours (22:00, 23:00 UTC) where a Berlin day may begin: far fewer rows over years.
    # (That folding holds for Berlin's offsets only: another team zone counts per UTC hour.)
    by_hour = size in ("hour", "6 hours") or team_zone().key != "Europe/Berlin"
    grouping = hour_of if by_hour else berlin_day_part_of
    hour = grouping(col(Comment.created_at), dialect(session)).label("hour")
    complaint = is_complaint()
    query = (
        sa_select(
            hour,
            col(Classification.sentiment),
            col(Classification.service),
            star(),
            count_int(flag(col(Classification.id).is_not(None))),
            count_int(flag(complaint)),
            count_int(flag(col(Classification.third_party).is_not(None))),
        )
        .select_from(Comment)
        .outerjoin(Classification, labelled_by(model))
        .where(*in_period(period, own_authors))
        .group_by(hour, col(Classification.sentiment), col(Classification.service))
    )
    buckets = {start: Bucket(start) for start in _bucket_starts(period, size)}
    sentiment: Counter[str] = Counter()
    services: Counter[str] = Counter()
    totals = Counter[str]()
    for hour_text, mood, service, n, labelled, complaints, third in session.connection().execute(
        query
    ):
        at = datetime.strptime(hour_text, "%Y-%m-%d %H").replace(tzinfo=UTC)
        bucket = buckets.setdefault(floor(at, size), Bucket(floor(at, size)))
        bucket.comments += n
        bucket.complaints += complaints
        bucket.unlabelled += n - labelled
        if mood in SENTIMENTS:
            setattr(bucket, mood, getattr(bucket, mood) + labelled)
            sentiment[mood] += labelled
        if complaints:
            services[service or "no service named"] += complaints
        totals.update(comments=n, labelled=labelled, complaints=complaints, third=third)
    return Volume(
        bucket=size,
        buckets=[buckets[k] for k in sorted(buckets)],
        comments=totals["comments"],
        labelled=totals["labelled"],
        complaints=totals["complaints"],
        third_party=totals["third"],
        sentiment={mood: sentiment[mood] for mood in SENTIMENTS},
        services=sorted(services.items(), key=lambda item: (-item[1], item[0])),
    )


def text_counts(
    session: Session,
    period: Period,
    model: str | None,
    own_authors: Sequence[str],
    *,
    complaints: int,
) -> TextCounts:
    """Regions and top words of the complaints (read in full up to ``TEXT_SAMPLE``)."""
    counts = TextCounts(complaints=complaints, read=0)
    if not complaints or model is None:
        return counts
    stride = max(1, math.ceil(complaints / TEXT_SAMPLE))
    query = (
        sa_select(col(Comment.text), col(Comment.location))
        .join(Classification, labelled_by(model))
        .where(*in_period(period, own_authors), is_complaint())
    )
    if stride > 1:
        query = query.where(col(Comment.id) % stride == 0)
    named: Counter[str] = Counter()
    texts: list[str] = []
    for text, location in session.connection().execute(query):
        counts.read += 1
        texts.append(text[:2000])
        found = set(find_regions(text, location))
        named.update(found)
        counts.no_region += not found
    scale = complaints / counts.read if counts.read else 1.0
    top = named.most_common(TOP_REGIONS)
    counts.regions = [(region, round(n * scale)) for region, n in top]
    counts.other_regions = round(sum(n for _, n in named.most_common()[TOP_REGIONS:]) * scale)
    counts.no_region = round(counts.no_region * scale)
    counts.terms = [(str(w), int(n)) for w, n in card.top_terms(texts, limit=TOP_TERMS)]
    return counts


def _bucket_starts(period: Period, size: str) -> list[datetime]:
    starts: list[datetime] = []
    at = floor(period.start, size)
    while at < period.end and len(starts) < 2000:
        starts.append(at)
        at = next_start(at, size)
    return starts


def floor(at: datetime, size: str) -> datetime:
    """The start of ``at``'s bucket: whole UTC hours, or Berlin quarter days, days, weeks (from
    Monday) and months."""
    if size == "hour":
        return at.replace(minute=0, second=0, microsecond=0)
    local = at.astimezone(team_zone()).replace(minute=0, second=0, microsecond=0)
    if size == "6 hours":
        start = local.replace(hour=local.hour - local.hour % 6)
    elif size == "day":
        start = local.replace(hour=0)
    elif size == "week":
        start = _midnight(local.date() - timedelta(days=local.weekday()))
    else:
        start = _midnight(local.date().replace(day=1))
    return start.astimezone(UTC)


def next_start(at: datetime, size: str) -> datetime:
    """The start of the bucket after the one starting at ``at``."""
    if size == "hour":
        return at + timedelta(hours=1)
    # In local time, so a day stays a Berlin day across the clock change.
    local = at.astimezone(team_zone())
    if size == "month":
        first = local.date().replace(day=1) + timedelta(days=32)
        return _midnight(first.replace(day=1)).astimezone(UTC)
    step = {"6 hours": timedelta(hours=6), "day": timedelta(days=1), "week": timedelta(weeks=1)}
    stepped = (local.replace(tzinfo=None) + step[size]).replace(tzinfo=team_zone())
    return floor(stepped.astimezone(UTC) + timedelta(minutes=1), size)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), team_zone())
