"""SQL pieces the report's queries share: which rows count, and expressions that read the same
on SQLite and PostgreSQL. Everything is counted by the database; Python only sees totals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, Integer, and_, case, cast, func, literal_column
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from crisis.report_period import Period
from crisis.tables import Classification, Comment, ReviewItem


def reply_items() -> Any:
    """Which review items count as replies to a customer's comment (response times, replies
    sent/rejected): the answers, not the follow-ups sent after an incident is resolved."""
    return ReviewItem.kind == "reply"


def dialect(session: Session | Connection | Engine) -> str:
    bind = session.get_bind() if isinstance(session, Session) else session
    return bind.dialect.name


def hour_of(column: Any, dialect_name: str) -> Any:
    """The UTC hour of a timestamp as text, ``'2017-05-13 08'``, on either database."""
    if dialect_name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    # SQLite holds UTC text, "2017-05-13 08:05:00.000000" (crisis.dbtypes): the first 13
    # characters are the hour, at half the cost of strftime's parsing.
    return func.substr(column, 1, 13)


def in_period(period: Period, own_authors: Sequence[str]) -> list[Any]:
    """Customers' comments in the period: our own accounts' posts never count."""
    conditions = [col(Comment.created_at) >= period.start, col(Comment.created_at) < period.end]
    if own_authors:
        conditions.append(col(Comment.author).not_in(list(own_authors)))
    return conditions


def labelled_by(model: str | None) -> Any:
    """Join condition for the chosen model's labels (an outer join keeps unlabelled comments)."""
    return and_(
        col(Classification.comment_id) == col(Comment.id),
        col(Classification.model) == (model or ""),
    )


def is_complaint() -> Any:
    """A complaint about us: what the detector counts (blaming us for WhatsApp's outage is not)."""
    return and_(
        col(Classification.is_complaint).is_(True), col(Classification.third_party).is_(None)
    )


def flag(condition: Any) -> Any:
    """1 where ``condition`` holds, else 0, for summing."""
    return case((condition, 1), else_=0)


def count_int(expression: Any) -> Any:
    return cast(func.coalesce(func.sum(expression), 0), Integer)


def urgent_nonempty() -> Any:
    return func.json_array_length(col(Classification.urgent)) > 0


def review_join() -> Any:
    return and_(col(ReviewItem.comment_id) == col(Comment.id), reply_items())


def star() -> Any:
    return func.count(literal_column("*"))
