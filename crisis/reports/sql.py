"""SQL pieces the report's queries share: which rows count, and expressions that read the same
on SQLite and PostgreSQL. Everything is counted by the database; Python only sees totals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, Integer, and_, case, cast, func, literal, literal_column
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from crisis.reports.period import Period
from crisis.tables import Classification, Comment, ReviewItem, SentReply

ANSWER_KINDS = ("reply", "follow_up")


def reply_items() -> Any:
    """The review items that reply to the comment itself (what became of an urgent comment),
    not the follow-ups queued on it once an incident is resolved. Response times count both
    (``sent_answers``)."""
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


def berlin_day_part_of(column: Any, dialect_name: str) -> Any:
    """Like ``hour_of``, but the hours 00 to 21 UTC of a day fold into one row, ``'2017-05-13
    00'``: they always lie in the Berlin day of the same date, while a Berlin day begins at
    22:00 or 23:00 UTC (summer or winter time), so those two hours stay apart. Enough to count
    Berlin days, weeks and months exactly, with at most three rows a day instead of 24."""
    if dialect_name == "postgresql":
        utc = func.timezone("UTC", column)
        late = func.extract("hour", utc) >= 22
        return case(
            (late, func.to_char(utc, "YYYY-MM-DD HH24")),
            else_=func.to_char(utc, "YYYY-MM-DD").op("||")(literal(" 00")),
        )
    late = func.substr(column, 12, 2) >= "22"
    return case(
        (late, func.substr(column, 1, 13)),
        else_=func.substr(column, 1, 10).op("||")(literal(" 00")),
    )


def in_period(period: Period, own_authors: Sequence[str]) -> list[Any]:
    """Customers' comments in the period: our own accounts' posts never count."""
    conditions = [col(Comment.created_at) >= period.start, col(Comment.created_at) < period.end]
    names = own_names(own_authors)
    if names:
        conditions.append(normalized_author().not_in(names))
    return conditions


def normalized_author() -> Any:
    """The author as the reply policy compares it (``crisis.replies.respond.ReplySetup.own``): case
    ignored, spaces and a leading "@" left off. Computed on the rows the period's index range
    already selected, so it costs one string function per row, no extra scan."""
    return func.ltrim(func.lower(func.trim(col(Comment.author))), "@")


def own_names(own_authors: Sequence[str]) -> list[str]:
    """Our accounts' names as ``normalized_author`` can read them. The database's ``lower()``
    may fold ASCII letters only (SQLite always, PostgreSQL under the C locale), so each name is
    also listed with only its ASCII letters lowered, as written and from upper case: "Nordtel
    Österreich" matches "@NORDTEL ÖSTERREICH" and "nordtel österreich" on either database."""
    names: dict[str, None] = {}
    for name in own_authors:
        bare = name.strip().lstrip("@")
        if not bare:
            continue
        for variant in (
            bare.casefold(),
            bare.lower(),
            _ascii_lower(bare),
            _ascii_lower(bare.upper()),
        ):
            names[variant] = None
    return list(names)


def sent_answers() -> Any:
    """Every reply or follow-up we sent: to whom (platform and author) and when. Few rows (a team
    sends thousands, not millions); materialized so the database joins the period's complaints
    to this short list instead of searching comments by author."""
    answered = aliased(Comment)
    query: Any = (
        sa_select(
            col(answered.platform).label("platform"),
            col(answered.author).label("author"),
            col(SentReply.sent_at).label("sent_at"),
        )
        .select_from(SentReply)
        .join(ReviewItem, col(ReviewItem.id) == col(SentReply.review_item_id))
        .join(answered, col(answered.id) == col(ReviewItem.comment_id))
        .where(col(ReviewItem.kind).in_(ANSWER_KINDS))
    )
    return query.cte("answers").prefix_with("MATERIALIZED")


def answers_to(customer: Any, answers: Any, since: Any) -> Any:
    """Join condition: answers sent to ``customer``'s author on the same platform at or after
    ``since``."""
    return and_(
        answers.c.platform == customer.platform,
        answers.c.author == customer.author,
        answers.c.sent_at >= since,
    )


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


def _ascii_lower(text: str) -> str:
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)
