"""Plain factory functions for test data: override only what a test is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from crisis.domain import CommentIn, Labels, Sentiment, Service, Urgency

T0 = datetime(2017, 5, 13, 8, 0, tzinfo=UTC)
_ids = count(1)


def make_comment(**overrides: Any) -> CommentIn:
    n = next(_ids)
    values: dict[str, Any] = {
        "platform": "facebook",
        "external_id": f"c{n}",
        "author": f"customer {n}",
        "text": "Kein Internet seit heute früh",
        "created_at": T0 + timedelta(seconds=n),
        "lang": "de",
    }
    values.update(overrides)
    return CommentIn(**values)


def make_labels(**overrides: Any) -> Labels:
    values: dict[str, Any] = {
        "model": "keywords.test",
        "is_complaint": True,
        "complaint_score": 0.9,
        "service": Service.INTERNET,
        "sentiment": Sentiment.NEGATIVE,
        "urgent": (),
    }
    values.update(overrides)
    return Labels(**values)


def complaint(service: Service = Service.INTERNET, **overrides: Any) -> Labels:
    return make_labels(service=service, **overrides)


def urgent(*reasons: Urgency) -> Labels:
    return make_labels(urgent=reasons)


def store_comment(
    session: Any,
    *,
    at: datetime,
    text: str = "Kein Internet",
    author: str | None = None,
    location: str | None = None,
    labels: Labels | None = None,
    platform: str = "facebook",
) -> int:
    """A stored comment (and its labels, when given); returns its id."""
    from crisis.classify import to_row
    from crisis.tables import Comment

    n = next(_ids)
    row = Comment(
        platform=platform,
        external_id=f"s{n}",
        author=author or f"customer {n}",
        text=text,
        lang="de",
        created_at=at,
        location=location,
        raw={},
        ingested_at=at,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    if labels is not None:
        session.add(to_row(row.id, labels, now=at))
        session.flush()
    return row.id
