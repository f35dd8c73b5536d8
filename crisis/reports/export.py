"""The report's numbers for spreadsheets and scripts.

CSV is one long table (``section, key, metric, value``) that opens in any spreadsheet and
filters by section; JSON is the same data as a document. Times are ISO 8601 in UTC, durations
in seconds, shares as fractions (0.25), so nothing needs parsing twice.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from crisis.reports.data import Report
from crisis.reports.response import ResponseStats

Row = tuple[str, str, str, Any]


def report_rows(report: Report) -> Iterator[Row]:
    p = report.period
    yield from _pairs(
        "summary",
        "",
        {
            "period_start": p.start,
            "period_end": p.end,
            "incident_id": p.incident_id,
            "generated_at": report.generated_at,
            "timezone": report.timezone,
            "model": report.model,
            "comments": report.volume.comments,
            "labelled": report.volume.labelled,
            "complaints": report.volume.complaints,
            "third_party_blame": report.volume.third_party,
            "bucket": report.volume.bucket,
        },
    )
    for name, n in report.models:
        yield ("models", name, "labels", n)
    for mood, n in report.volume.sentiment.items():
        yield ("sentiment", mood, "comments", n)
    for b in report.volume.buckets:
        key = _value(b.start)
        for metric in ("comments", "negative", "neutral", "positive", "unlabelled", "complaints"):
            yield ("timeline", key, metric, getattr(b, metric))
    for service, n in report.volume.services:
        yield ("services", service, "complaints", n)
    t = report.text
    for region, n in t.regions:
        yield ("regions", region, "complaints", n)
    yield ("regions", "other regions", "complaints", t.other_regions)
    yield ("regions", "no region named", "complaints", t.no_region)
    yield ("regions", "", "complaints_read", t.read)
    for word, n in t.terms:
        yield ("terms", word, "complaints", n)
    for i in report.incidents:
        key = str(i.id)
        yield from _pairs(
            "incidents",
            key,
            {
                "service": i.service,
                "title": i.title,
                "status": i.status,
                "opened_by": i.opened_by,
                "opened_at": i.opened_at,
                "resolved_at": i.resolved_at,
                "detection_delay_seconds": i.detection_delay,
                "regions": ", ".join(i.regions),
            },
        )
        for name, phase in i.phases.items():
            for metric in ("hours", "comments", "complaints", "negative"):
                yield ("incidents", key, f"{name}_{metric}", getattr(phase, metric))
        for event in i.events:
            yield ("incident_events", key, _value(event.at), f"{event.actor}: {event.what}")
    yield from _response("response", "period", report.response)
    for incident_id, stats in report.response_by_incident.items():
        yield from _response("response", f"incident {incident_id}", stats)
    for kind, states in report.replies.items():
        for state, n in states.items():
            yield ("replies", kind, state, n)
    for incident_id, states in report.follow_ups_by_incident.items():
        for state, n in states.items():
            yield ("follow_ups", f"incident {incident_id}", state, n)
    yield ("urgent", "", "comments", report.urgent.comments)
    for reason, states in report.urgent.by_reason.items():
        for state, n in states.items():
            yield ("urgent", reason, state, n)
    for who, n in report.urgent.handled_by:
        yield ("urgent_decided_by", who, "items", n)
    for h in report.holds:
        yield from _pairs(
            "held_posts",
            h.key,
            {
                "category": h.category,
                "due": h.due,
                "held_at": h.held_at,
                "held_by": h.held_by,
                "released_at": h.released_at,
                "released_by": h.released_by,
                "released_to": h.released_to,
                "new_due": h.new_due,
                "state": h.state,
            },
        )
    for h in report.almost_published:
        yield from _pairs(
            "almost_published",
            h.key,
            {
                "due": h.due,
                "held_at": h.held_at,
                "held_before_due_seconds": h.margin,
                "due_during": h.due_during,
                "source": h.source,
                "held_at_source": h.held_at_source,
                "not_held_because": "; ".join(h.failures) or None,
            },
        )
    for section, rows in (("sla_agent", report.sla_agents), ("sla_incident", report.sla_incidents)):
        for f in rows:
            yield from _pairs(
                section,
                f.name,
                {
                    "answered": f.answered,
                    "within_target": f.within,
                    "median_seconds": f.median,
                    "p90_seconds": f.p90,
                    "breaches": f.breaches,
                },
            )
    for post in report.published_during:
        yield from _pairs(
            "published_during_block",
            post.key,
            {
                "published_at": post.published_at,
                "during": post.during,
            },
        )


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("section", "key", "metric", "value"))
    for section, key, metric, value in report_rows(report):
        writer.writerow((section, key, metric, "" if value is None else _value(value)))
    return out.getvalue()


def to_json(report: Report) -> str:
    document: dict[str, Any] = {}
    for section, key, metric, value in report_rows(report):
        target = document.setdefault(section, {})
        if key:
            target = target.setdefault(key, {})
        target[metric] = _value(value)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _response(section: str, key: str, stats: ResponseStats) -> Iterator[Row]:
    c, people = stats.complaints, stats.customers
    yield from _pairs(
        section,
        key,
        {
            "window_start": stats.start,
            "window_end": stats.end,
            "complaints": c.total,
            "answered": c.answered,
            "answered_share": round(c.answered_share, 4),
            "median_seconds": c.median,
            "p90_seconds": c.p90,
            "answered_within_1h": c.within_hour,
            "answered_within_1h_share": round(c.within_hour_share, 4),
            "customers": people.total,
            "customers_answered": people.answered,
            "customers_answered_share": round(people.answered_share, 4),
            "customers_median_seconds": people.median,
            "customers_p90_seconds": people.p90,
            "customers_answered_within_1h": people.within_hour,
        },
    )


def _pairs(section: str, key: str, values: dict[str, Any]) -> Iterator[Row]:
    for metric, value in values.items():
        yield (section, key, metric, value)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, float):
        return round(value, 4)
    return value
