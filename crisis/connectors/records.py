"""Reading comment records from export files and scenarios, one record at a time.

JSONL and CSV exports share one record format (the scenario's comment event):
``at`` (ISO 8601 with offset), ``platform``, ``id``, ``author``, ``text`` and optionally
``lang``, ``in_reply_to``, ``location``. A bad record becomes a ``Problem`` with its line
number; reading goes on, so one broken line never costs the rest of an import.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from crisis.domain import CommentIn, Problem
from crisis.errors import BadRecord

MAX_ID_LENGTH = 128
MAX_AUTHOR_LENGTH = 256
OPTIONAL_TEXT_FIELDS = ("lang", "in_reply_to", "location")


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
    """Yield ``(line_number, object)`` per non-blank line, or a ``Problem`` for a bad line."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{path.name}:{number}"
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            try:
                value = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield number, Problem(where, f"not UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            except json.JSONDecodeError as exc:
                yield number, Problem(where, f"not valid JSON ({exc.msg}, column {exc.colno})")
                continue
            if not isinstance(value, dict):
                yield number, Problem(where, f"expected a JSON object, got {type(value).__name__}")
                continue
            yield number, value


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
    """Like ``read_jsonl`` for a CSV file with a header row; numbers are the row's first line."""
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        start = reader.line_num + 1
        try:
            for row in reader:
                where = f"{path.name}:{start}"
                number, start = start, reader.line_num + 1
                if None in row:
                    yield number, Problem(where, "more fields than the header names")
                    continue
                if any(value is None for value in row.values()):
                    yield number, Problem(where, "fewer fields than the header names")
                    continue
                if any(_has_undecodable(value) for value in row.values()):
                    yield number, Problem(where, "not UTF-8")
                    continue
                yield number, {key: value for key, value in row.items() if value != ""}
        except csv.Error as exc:
            yield start, Problem(f"{path.name}:{start}", f"unreadable CSV ({exc}); stopped here")


def _has_undecodable(value: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in value)


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
    """Records from a ``.jsonl``/``.ndjson`` or ``.csv`` file, by its suffix."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return read_jsonl(path)
    if suffix == ".csv":
        return read_csv(path)
    raise BadRecord(str(path), f"unknown file type {suffix!r}; use .jsonl or .csv")


def parse_time(value: Any, field: str, where: str) -> datetime:
    if not isinstance(value, str):
        raise BadRecord(where, f"{field!r} must be an ISO 8601 time string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRecord(where, f"{field!r} is not an ISO 8601 time: {value[:40]!r}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise BadRecord(where, f"{field!r} has no timezone offset: {value[:40]!r}")
    return parsed


def required_text(record: Mapping[str, Any], field: str, where: str, limit: int) -> str:
    value = record.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise BadRecord(where, f"missing or empty {field!r}")
    if len(value) > limit:
        raise BadRecord(where, f"{field!r} longer than {limit} characters")
    return value


def parse_comment(record: Mapping[str, Any], where: str) -> CommentIn:
    """A ``CommentIn`` from one record, or ``BadRecord`` saying what is wrong."""
    text = record.get("text")
    if not isinstance(text, str):
        raise BadRecord(where, "missing 'text' (a string; it may be empty)")
    optional: dict[str, str | None] = {}
    for field in OPTIONAL_TEXT_FIELDS:
        value = record.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            raise BadRecord(where, f"{field!r} must be a string")
        optional[field] = value.strip() or None if isinstance(value, str) else None
    lang = optional["lang"]
    return CommentIn(
        platform=required_text(record, "platform", where, 32).strip().lower(),
        external_id=required_text(record, "id", where, MAX_ID_LENGTH).strip(),
        author=required_text(record, "author", where, MAX_AUTHOR_LENGTH).strip(),
        text=text,
        created_at=parse_time(record.get("at"), "at", where),
        lang=lang.lower()[:16] if lang else None,
        in_reply_to=(optional["in_reply_to"] or "")[:MAX_ID_LENGTH] or None,
        location=(optional["location"] or "")[:256] or None,
        raw=dict(record),
    )
