"""Reading comment records from export files and scenarios, one record at a time.

JSONL and CSV exports share one record format (the scenario's comment event):
``at`` (ISO 8601 with offset), ``platform``, ``id``, ``author``, ``text`` and optionally
``lang``, ``in_reply_to``, ``location``. A bad record becomes a ``Problem`` with its line
number; reading goes on, so one broken line never costs the rest of an import.

Hostile input is expected (exports are cut off, re-encoded, edited by hand): JSON nested
deeper than ``MAX_DEPTH``, numbers too long to read and times outside ``EARLIEST``..a day ahead
are bad lines; what a database cannot store but a reader can still use is repaired and said
so (``repairs``): a NUL is removed, a lone surrogate (half a cut-off emoji) becomes U+FFFD,
``NaN`` and ``Infinity`` become null.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crisis.connectors.csvfile import read_csv
from crisis.domain import CommentIn, Problem
from crisis.errors import BadRecord
from crisis.ingest import storable as repair

MAX_ID_LENGTH = 128
MAX_AUTHOR_LENGTH = 256
OPTIONAL_TEXT_FIELDS = ("lang", "in_reply_to", "location")
PLATFORMS = {"facebook": "facebook", "twitter": "x", "x": "x"}  # as written -> as stored
MAX_DEPTH = 32  # a comment record is flat; deeper nesting is an attack or a broken export
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # no social media comment is older
LATEST_AHEAD = timedelta(days=1)  # clocks drift and time zones confuse, but not by more


def loads(text: str) -> Any:
    """``json.loads`` that reads ``NaN``/``Infinity`` (and 1e999) as null: no database stores
    them in a JSON column. Raises ``ValueError`` with a reader's reason for a bad line."""
    try:
        return json.loads(text, parse_constant=lambda _: None, parse_float=_finite)
    except RecursionError:
        raise ValueError("not valid JSON (nested too deeply)") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg}, column {exc.colno})") from None
    except ValueError as exc:  # Python refuses integers of more than 4,300 digits
        raise ValueError(f"not valid JSON ({str(exc).split(':')[0]})") from None


def _finite(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest deeper than ``limit`` (without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in children)
    return False


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
                value = loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield number, Problem(where, f"not UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            except ValueError as exc:
                yield number, Problem(where, str(exc))
                continue
            if not isinstance(value, dict):
                yield number, Problem(where, f"expected a JSON object, got {type(value).__name__}")
                continue
            if too_deep(value):
                yield number, Problem(where, f"nested more than {MAX_DEPTH} levels deep")
                continue
            yield number, value


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
    try:
        parsed.astimezone(UTC)  # year 1 at +01:00 is before the first representable time
    except OverflowError:
        raise BadRecord(where, f"{field!r} is out of range: {value[:40]!r}") from None
    return parsed


def check_plausible(at: datetime, where: str, *, now: datetime | None = None) -> datetime:
    """``at`` if a comment can have been written then: not before 2000, not in the future."""
    if at < EARLIEST:
        raise BadRecord(where, f"'at' is before {EARLIEST.year}: {at.isoformat()}")
    latest = (now or datetime.now(UTC)) + LATEST_AHEAD
    if at > latest:
        raise BadRecord(where, f"'at' is in the future: {at.isoformat()}")
    return at


def required_text(record: Mapping[str, Any], field: str, where: str, limit: int) -> str:
    value = record.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise BadRecord(where, f"missing or empty {field!r}")
    if len(value) > limit:
        raise BadRecord(where, f"{field!r} longer than {limit} characters")
    return value


def parse_comment(
    record: Mapping[str, Any], where: str, *, repairs: set[str] | None = None
) -> CommentIn:
    """A ``CommentIn`` from one record, or ``BadRecord`` saying what is wrong; what had to be
    repaired to store it is added to ``repairs``."""
    record = repair(dict(record), repairs if repairs is not None else set())
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
        platform=_platform(required_text(record, "platform", where, 32), where),
        external_id=required_text(record, "id", where, MAX_ID_LENGTH).strip(),
        author=required_text(record, "author", where, MAX_AUTHOR_LENGTH).strip(),
        text=text,
        created_at=check_plausible(parse_time(record.get("at"), "at", where), where),
        lang=lang.lower()[:16] if lang else None,
        in_reply_to=(optional["in_reply_to"] or "")[:MAX_ID_LENGTH] or None,
        location=(optional["location"] or "")[:256] or None,
        raw=dict(record),
    )


def _platform(value: str, where: str) -> str:
    name = value.strip().lower()
    if name not in PLATFORMS:
        known = ", ".join(sorted(PLATFORMS))
        raise BadRecord(where, f"unknown platform {name[:32]!r}; known: {known}")
    return PLATFORMS[name]
