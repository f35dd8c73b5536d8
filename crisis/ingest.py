"""Store step: comments from any source into the database, each exactly once.

A comment is identified by (platform, external id); storing it again is a no-op, so a replayed
page, a webhook delivered twice or a restart after a crash never duplicates anything. The same
id with another text is not stored either, but reported (``conflicts``). A page's cursor is
saved in the same transaction as its comments: a crash loses neither.

What a source says is not trusted blindly: a text over ``MAX_TEXT`` characters is stored cut
(the queue shows it, the classifier reads it) with the original kept in ``raw``, and a time more
than ``MAX_AHEAD`` in the future is stored as ``now`` (the source's claim kept in ``raw``), so
one bad clock cannot stretch a report to 2099.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from crisis.domain import CommentIn, Page
from crisis.tables import Comment, ConnectorCursor

MAX_TEXT = 20_000  # about 40 screens: no comment is longer, a pasted log file is
MAX_AHEAD = timedelta(days=1)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def store_comments(
    session: Session,
    items: Sequence[CommentIn],
    *,
    now: datetime,
    conflicts: list[CommentIn] | None = None,
) -> list[int]:
    """Insert the comments not stored yet; returns the ids of the new ones, in input order.
    An item whose id is stored (or earlier in ``items``) with another text is added to
    ``conflicts``."""
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    clashes: list[CommentIn] = []
    for item in items:
        row = _row(item, now=now)
        first = unique.setdefault((item.platform, item.external_id), row)
        if first is not row and first["text"] != row["text"]:
            clashes.append(item)
    if not unique:
        return []
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # One statement for any number of rows (compiled once, cached): SQLAlchemy batches the
    # rows itself and returns the ids of those that were new.
    stmt = (
        insert(Comment)
        .on_conflict_do_nothing()
        .returning(col(Comment.id), col(Comment.platform), col(Comment.external_id))
    )
    new = {
        (platform, key): id_ for id_, platform, key in session.execute(stmt, list(unique.values()))
    }
    if conflicts is not None:
        old = [key for key in unique if key not in new]
        conflicts += clashes + _changed(session, {key: unique[key] for key in old}, items)
    return sorted(new.values())


def storable(value: Any, repairs: set[str] | None = None, field: str = "") -> Any:
    """``value`` with every string storable (a NUL removed: PostgreSQL refuses it; a lone
    surrogate, half a cut-off emoji, replaced by U+FFFD: no UTF-8 holds it); ``repairs``
    collects what was done, naming the top-level field."""
    if repairs is None:
        repairs = set()
    if isinstance(value, str):
        if _UNSTORABLE.search(value) is None:
            return value
        if "\x00" in value:
            repairs.add(f"NUL removed from {field or 'a key'!r}")
        if any("\ud800" <= char <= "\udfff" for char in value):
            repairs.add(f"lone surrogate replaced in {field or 'a key'!r}")
        return re.sub("[\ud800-\udfff]", "\ufffd", value.replace("\x00", ""))
    if isinstance(value, dict):
        return {
            storable(key, repairs): storable(item, repairs, field or storable(key))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [storable(item, repairs, field) for item in value]
    return value


def _row(item: CommentIn, *, now: datetime) -> dict[str, Any]:
    raw, text, created_at = dict(item.raw), item.text, item.created_at
    if len(text) > MAX_TEXT:
        raw.setdefault("text" if "text" not in raw else "full_text", text)
        text = text[: MAX_TEXT - 1] + "…"
    if created_at > now + MAX_AHEAD:
        raw.setdefault("created_at", created_at.isoformat())
        created_at = now
    row = {
        "platform": item.platform,
        "external_id": item.external_id,
        "author": item.author,
        "text": text,
        "lang": item.lang,
        "in_reply_to": item.in_reply_to,
        "location": item.location,
        "raw": raw,
    }
    # Sources other than files (which repair and report) may bring a NUL or half an emoji too.
    return {**storable(row), "created_at": created_at, "ingested_at": now}


def _changed(
    session: Session, rows: dict[tuple[str, str], dict[str, Any]], items: Sequence[CommentIn]
) -> list[CommentIn]:
    """Of ``items``, those whose id was stored before with another text."""
    if not rows:
        return []
    key = tuple_(col(Comment.platform), col(Comment.external_id))
    stored = session.execute(
        select(Comment.platform, Comment.external_id, Comment.text).where(key.in_(list(rows)))
    )
    differ = {(p, k) for p, k, text in stored if text != rows[(p, k)]["text"]}
    seen: set[tuple[str, str]] = set()
    found = []
    for item in items:
        ident = (item.platform, item.external_id)
        if ident in differ and ident not in seen:
            seen.add(ident)
            found.append(item)
    return found


def ingest_page(
    session: Session,
    source: str,
    page: Page,
    *,
    now: datetime,
    conflicts: list[CommentIn] | None = None,
) -> list[int]:
    """Store a page and, in the same transaction, where the source should resume."""
    new_ids = store_comments(session, page.items, now=now, conflicts=conflicts)
    if page.cursor is not None:
        save_cursor(session, source, page.cursor, now=now)
    return new_ids


def load_cursor(session: Session, source: str) -> str | None:
    row = session.get(ConnectorCursor, source)
    return row.cursor if row else None


def save_cursor(session: Session, source: str, cursor: str, *, now: datetime) -> None:
    row = session.get(ConnectorCursor, source)
    if row is None:
        session.add(ConnectorCursor(source=source, cursor=cursor, updated_at=now))
    else:
        row.cursor, row.updated_at = cursor, now
        session.add(row)


def count_comments(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Comment)).one())
