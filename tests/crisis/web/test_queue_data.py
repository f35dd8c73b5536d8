"""The queue's data for the page and the API: the crisis the queue tests work on (built through
the real responder), and the page query on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import col, select

from crisis import incidents
from crisis.classify import to_row
from crisis.db import session_scope
from crisis.domain import CommentIn, Labels, Service, Urgency
from crisis.ingest import store_comments
from crisis.registry import reply_setup
from crisis.replies import queue
from crisis.replies.respond import suggest_replies
from crisis.settings import Settings
from crisis.tables import Comment, ReviewItem
from crisis.web.queue_data import filter_choices, load_page, read_filter
from tests.crisis.web.webtools import NOW
from tests.factories import complaint, make_comment

EVIL_TEXT = '<script>alert("xss")</script><img src=x onerror="alert(1)"> Internet weg'
EVIL_AUTHOR = '<img src=y onerror="alert(2)">Mallory'


def a_crisis(engine: Engine, *, now: datetime = NOW, german: int = 5, evil: bool = False) -> None:
    """An open internet incident in Hamburg: ``german`` German complaints (the oldest first,
    each a minute apart, the first 50 minutes old), one English (on X), one threatening a lawyer
    (urgent: a person answers), and with ``evil`` one whose text and author carry markup.
    Labels, incident and replies come from the real classifier rows and responder."""
    comments = [
        make_comment(author=f"Kundin {n}", created_at=now - timedelta(minutes=50 - n))
        for n in range(german)
    ]
    # written while the incident is open: a comment from long before it would not join it
    comments.append(
        make_comment(
            author="Sam", lang="en", text="No internet since 8", platform="x", created_at=now
        )
    )
    comments.append(
        make_comment(
            author="Dr. Hahn", text="Internet weg, mein Anwalt <b>klagt</b>", created_at=now
        )
    )
    labels = [complaint(Service.INTERNET)] * (german + 1)
    labels.append(complaint(Service.INTERNET, urgent=(Urgency.LEGAL,)))
    if evil:
        comments.append(make_comment(author=EVIL_AUTHOR, text=EVIL_TEXT, created_at=now))
        labels.append(complaint(Service.INTERNET))
    with session_scope(engine) as session:
        incidents.open_incident(
            session, service=Service.INTERNET, now=now, opened_by="operator", actor="lena",
            reason="NOC", regions=["Hamburg"],
        )  # fmt: skip
    complain(engine, comments, labels, now=now)


def complain(engine: Engine, comments: list[CommentIn], labels: list[Labels], *,
             now: datetime = NOW) -> None:  # fmt: skip
    """Store comments with their labels and let the real responder suggest replies."""
    with session_scope(engine) as session:
        ids = store_comments(session, comments, now=now)
        for cid, lab in zip(ids, labels, strict=True):
            session.add(to_row(cid, lab, now=now))
        suggest_replies(
            session, reply_setup(Settings()), dict(zip(ids, labels, strict=True)), now=now
        )


def items_by_author(engine: Engine) -> dict[str, int]:
    """Each review item's id by its comment's author (one item each here)."""
    with session_scope(engine) as session:
        query = select(ReviewItem.id, Comment.author).join(
            Comment, col(Comment.id) == col(ReviewItem.comment_id)
        )
        return {author: item_id for item_id, author in session.exec(query) if item_id}


def test_the_page_lists_in_queue_order_with_comments_labels_and_incident(engine):
    a_crisis(engine)
    by_author = items_by_author(engine)
    with session_scope(engine) as session:
        found = load_page(session, where=read_filter(), now=NOW + timedelta(minutes=10))
        same = queue.list_items(session)
        first = found.rows[0]
        assert [r.item.id for r in found.rows] == [i.id for i in same]
        assert first.item.id == by_author["Dr. Hahn"] and first.item.needs_human
        assert first.comment is not None and first.comment.text.endswith("<b>klagt</b>")
        assert [label.urgent for label in first.labels] == [["legal"]]
        assert first.incident is not None and first.incident.service == "internet"
        oldest = next(r for r in found.rows if r.item.id == by_author["Kundin 0"])
        assert (oldest.age, oldest.sla) == ("1h00m", "old")
        assert (found.total, found.more) == (7, False)
        by_incident = load_page(session, where=read_filter(incident=1), now=NOW)
        assert by_incident.total == 7


def test_filters_and_paging_pick_the_same_items_as_the_command_line(engine):
    a_crisis(engine)
    by_author = items_by_author(engine)
    with session_scope(engine) as session:
        english = load_page(session, where=read_filter(lang="en"), now=NOW)
        urgent = load_page(session, where=read_filter(urgent="urgent"), now=NOW)
        templated = load_page(session, where=read_filter(urgent="templated", incident="1"),
                              now=NOW)  # fmt: skip
        second = load_page(session, where=read_filter(), now=NOW, limit=3, offset=3)
        everything = [i.id for i in queue.list_items(session)]
        approved = load_page(session, where=read_filter(state="approved"), now=NOW)
    assert [r.item.id for r in english.rows] == [by_author["Sam"]]
    assert [r.item.id for r in urgent.rows] == [by_author["Dr. Hahn"]]
    assert by_author["Dr. Hahn"] not in [r.item.id for r in templated.rows]
    assert (len(templated.rows), templated.total) == (6, None)  # no count beyond an index
    assert [r.item.id for r in second.rows] == everything[3:6] and second.more
    assert (approved.rows, approved.total) == ([], 0)


def test_the_incident_menu_offers_open_incidents_first_then_resolved_ones(engine):
    a_crisis(engine)
    with session_scope(engine) as session:
        incidents.resolve_incident(session, 1, now=NOW, actor="lena", reason="fixed")
        incidents.open_incident(
            session, service=Service.MOBILE, now=NOW, opened_by="operator", actor="lena",
            reason="NOC", regions=["Köln"],
        )  # fmt: skip
        offered = filter_choices(session, read_filter()).incidents
        assert [(i.id, i.status) for i in offered][1:] == [(1, "resolved")]
        assert offered[0].status != "resolved" and offered[0].service == "mobile"
