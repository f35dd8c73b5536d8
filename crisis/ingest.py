"""Store step: comments from any source into the database, each exactly once.

A comment is identified by (platform, external id); storing it again is a no-op, so a replayed
page, a webhook delivered twice or a restart after a crash never duplicates anything. A page's
cursor is saved in the same transaction as its comments: a crash loses neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from crisis.domain import CommentIn, Page
from crisis.tables import Comment, ConnectorCursor


def store_comments(session: Session, items: Sequence[CommentIn], *, now: datetime) -> list[int]:
    """Insert the comments not stored yet; returns the ids of the new ones, in input order."""
    unique: dict[tuple[str, str], CommentIn] = {}
    for item in items:
        unique.setdefault((item.platform, item.external_id), item)
    if not unique:
        return []
    rows = [
        {
            "platform": item.platform,
            "external_id": item.external_id,
            "author": item.author,
            "text": item.text,
            "lang": item.lang,
            "created_at": item.created_at,
            "in_reply_to": item.in_reply_to,
            "location": item.location,
            "raw": item.raw,
            "ingested_at": now,
        }
        for item in unique.values()
    ]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # One statement for any number of rows (compiled once, cached): SQLAlchemy batches the
    # rows itself and returns the ids of those that were new.
    stmt = insert(Comment).on_conflict_do_nothing().returning(col(Comment.id))
    new_ids: list[int] = list(session.execute(stmt, rows).scalars())
    return sorted(new_ids)


def ingest_page(session: Session, source: str, page: Page, *, now: datetime) -> list[int]:
    """Store a page and, in the same transaction, where the source should resume."""
    new_ids = store_comments(session, page.items, now=now)
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
