from datetime import UTC, datetime

import pytest

from crisis import audit, queue
from crisis.db import session_scope
from crisis.errors import InvalidTransition
from crisis.ingest import store_comments
from crisis.tables import ReviewItem, SentReply
from crisis.testing import RecordingPublisher
from tests.factories import make_comment

NOW = datetime(2017, 5, 13, 10, 0, tzinfo=UTC)


def pending_item(engine, text="Hallo, wir kennen die Störung."):
    with session_scope(engine) as session:
        [cid] = store_comments(session, [make_comment(external_id="99", platform="x")], now=NOW)
        item = ReviewItem(
            comment_id=cid, lang="de", text=text, state="pending", created_at=NOW, arrived_at=NOW
        )
        session.add(item)
        session.flush()
        return item.id


def test_approved_reply_is_sent_once_and_the_decision_audited(engine):
    item_id = pending_item(engine)
    publisher = RecordingPublisher()
    with session_scope(engine) as session:
        queue.approve(session, item_id, actor="lena", now=NOW, text="Hallo! Wir arbeiten daran.")
        queue.send(session, item_id, publisher, actor="lena", now=NOW)
        with pytest.raises(InvalidTransition):
            queue.send(session, item_id, publisher, actor="lena", now=NOW)
        trail = audit.history(session, entity="review_item", entity_id=item_id)
        sent = session.get(SentReply, 1)
    assert [(p.channel, p.in_reply_to, p.text) for p in publisher.published] == [
        ("x", "99", "Hallo! Wir arbeiten daran.")
    ]
    assert sent is not None and sent.review_item_id == item_id
    assert [(e.action, e.actor, e.details.get("edited")) for e in trail] == [
        ("review_item.approved", "lena", True),
        ("review_item.sent", "lena", None),
    ]


def test_rejected_items_cannot_be_approved_and_empty_replies_are_refused(engine):
    item_id = pending_item(engine)
    with session_scope(engine) as session:
        with pytest.raises(InvalidTransition, match="empty"):
            queue.approve(session, item_id, actor="lena", now=NOW, text="   ")
        queue.reject(session, item_id, actor="lena", now=NOW, reason="wrong service")
        with pytest.raises(InvalidTransition):
            queue.approve(session, item_id, actor="lena", now=NOW)


def test_a_failed_send_is_visible_and_can_be_retried(engine):
    item_id = pending_item(engine)
    publisher = RecordingPublisher(fail_times=1)
    with session_scope(engine) as session:
        queue.approve(session, item_id, actor="lena", now=NOW)
        assert queue.send(session, item_id, publisher, actor="lena", now=NOW).state == "failed"
        queue.approve(session, item_id, actor="lena", now=NOW)
        assert queue.send(session, item_id, publisher, actor="lena", now=NOW).state == "sent"
    assert len(publisher.published) == 1
