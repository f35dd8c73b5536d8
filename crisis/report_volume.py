"""How much was said, how, and about what: volume and sentiment per hour, complaints by
service, which models labelled the comments, and the regions and words the complaints name.

Counting is one grouped query per hour (the database does the work, so a year of comments costs
the same few thousand rows); hours are merged into the chart's buckets in Python, in Berlin time,
so a day is a Berlin day. Regions and words need the text: they are read from the complaints
themselves, all of them up to ``TEXT_SAMPLE`` and otherwise an evenly spread sample, and the
report says which.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from crisis import card
from crisis.regions import find_regions
from crisis.report_period import LOCAL, Period
from crisis.report_sql import (
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
    bucket: str  # "hour", "6 hours" or "day"
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


def bucket_size(period: Period) -> timedelta:
    """An hour up to 8 days (a crisis week), 6 hours up to a month, else a day."""
    if period.length <= timedelta(days=8):
        return timedelta(hours=1)
    if period.length <= timedelta(days=31):
        return timedelta(hours=6)
    return timedelta(days=1)


def volume(
    session: Session, period: Period, model: str | None, own_authors: Sequence[str]
) -> Volume:
    hour = hour_of(col(Comment.created_at), dialect(session)).label("hour")
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
    size = bucket_size(period)
    buckets = {start: Bucket(start) for start in _bucket_starts(period, size)}
    sentiment: Counter[str] = Counter()
    services: Counter[str] = Counter()
    totals = Counter[str]()
    for hour_text, mood, service, n, labelled, complaints, third in session.connection().execute(
        query
    ):
        at = datetime.strptime(hour_text, "%Y-%m-%d %H").replace(tzinfo=UTC)
        bucket = buckets.setdefault(_floor(at, size), Bucket(_floor(at, size)))
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
        bucket=_bucket_name(size),
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


def _bucket_starts(period: Period, size: timedelta) -> list[datetime]:
    starts: list[datetime] = []
    at = _floor(period.start, size)
    while at < period.end and len(starts) < 2000:
        starts.append(at)
        at = _next(at, size)
    return starts


def _floor(at: datetime, size: timedelta) -> datetime:
    """The start of ``at``'s bucket: whole hours, or Berlin days and quarter days."""
    if size <= timedelta(hours=1):
        return at.replace(minute=0, second=0, microsecond=0)
    local = at.astimezone(LOCAL)
    hours = int(size.total_seconds() // 3600)
    start = local.replace(hour=local.hour - local.hour % hours if hours < 24 else 0, minute=0)
    return start.replace(second=0, microsecond=0).astimezone(UTC)


def _next(at: datetime, size: timedelta) -> datetime:
    if size <= timedelta(hours=1):
        return at + size
    # In local time, so a day stays a Berlin day across the clock change.
    local = at.astimezone(LOCAL)
    stepped = (local.replace(tzinfo=None) + size).replace(tzinfo=LOCAL)
    return _floor(stepped.astimezone(UTC) + timedelta(minutes=1), size)


def _bucket_name(size: timedelta) -> str:
    return {3600: "hour", 6 * 3600: "6 hours"}.get(int(size.total_seconds()), "day")
