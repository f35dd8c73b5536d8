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
