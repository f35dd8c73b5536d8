"""Scenario files: a crisis as a timeline of events, one JSON object per line, ordered by ``at``.

    {"at", "type": "comment", "platform", "id", "author", "text", "lang"?, "in_reply_to"?,
     "location"?}
    {"at", "type": "scheduled_post", "id", "channel", "publish_at", "text", "category"}
    {"at", "type": "operator", "action": "open_incident" | "update_incident" |
     "resolve_incident" | "resume_posts" | "freeze_marketing" | "unfreeze_marketing",
     "actor"?, "reason"?, ...action fields}

Malformed lines and unknown event types come out as ``Problem``s; reading goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from crisis.connectors.records import parse_comment, parse_time, read_jsonl, required_text
from crisis.domain import CommentIn, Problem
from crisis.errors import BadRecord

DEMO_SCENARIO = "may2017.jsonl"

OPERATOR_ACTIONS = frozenset(
    {
        "open_incident",
        "update_incident",
        "resolve_incident",
        "resume_posts",
        "freeze_marketing",
        "unfreeze_marketing",
    }
)


@dataclass(frozen=True, slots=True)
class CommentEvent:
    at: datetime
    where: str
    comment: CommentIn


@dataclass(frozen=True, slots=True)
class PostEvent:
    at: datetime
    where: str
    key: str
    channel: str
    category: str
    text: str
    publish_at: datetime


@dataclass(frozen=True, slots=True)
class OperatorEvent:
    at: datetime
    where: str
    action: str
    actor: str
    reason: str | None
    fields: dict[str, Any]


Event = CommentEvent | PostEvent | OperatorEvent


def read_scenario(path: Path) -> Iterator[Event | Problem]:
    for number, record in read_jsonl(path):
        if isinstance(record, Problem):
            yield record
            continue
        where = f"{path.name}:{number}"
        try:
            yield parse_event(record, where)
        except BadRecord as exc:
            yield Problem(exc.where, exc.reason)


def parse_event(record: dict[str, Any], where: str) -> Event:
    kind = record.get("type")
    at = parse_time(record.get("at"), "at", where)
    if kind == "comment":
        return CommentEvent(at, where, parse_comment(record, where))
    if kind == "scheduled_post":
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadRecord(where, "missing or empty 'text'")
        return PostEvent(
            at=at,
            where=where,
            key=required_text(record, "id", where, 128),
            channel=required_text(record, "channel", where, 32),
            category=required_text(record, "category", where, 32).lower(),
            text=text,
            publish_at=parse_time(record.get("publish_at"), "publish_at", where),
        )
    if kind == "operator":
        action = record.get("action")
        if action not in OPERATOR_ACTIONS:
            known = ", ".join(sorted(OPERATOR_ACTIONS))
            raise BadRecord(where, f"unknown operator action {action!r}; known: {known}")
        reason = record.get("reason")
        actor = record.get("actor")
        fields = {
            k: v for k, v in record.items() if k not in ("at", "type", "action", "actor", "reason")
        }
        return OperatorEvent(
            at=at,
            where=where,
            action=str(action),
            actor=actor if isinstance(actor, str) and actor.strip() else "operator",
            reason=reason if isinstance(reason, str) else None,
            fields=fields,
        )
    raise BadRecord(where, f"unknown event type {kind!r}; known: comment, scheduled_post, operator")


def scenario_path(name: str = DEMO_SCENARIO) -> Any:
    """A context manager giving a packaged scenario's path (the demo's by default)."""
    return as_file(files("crisis.replay") / "scenarios" / name)
