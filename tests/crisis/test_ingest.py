from dataclasses import replace
from datetime import UTC, datetime

from sqlmodel import select

from crisis.db import session_scope
from crisis.domain import Page
from crisis.ingest import MAX_TEXT, ingest_page, load_cursor, store_comments
from crisis.tables import Comment
from tests.factories import make_comment

NOW = datetime(2017, 5, 13, 9, 0, tzinfo=UTC)


def test_the_same_comment_ingested_twice_is_stored_once(engine):
    first = make_comment(external_id="42", text="Kein Netz 😡 <b>Hamburg</b>")
    with session_scope(engine) as session:
        assert len(store_comments(session, [first, first], now=NOW)) == 1
    with session_scope(engine) as session:
        again = store_comments(session, [first, make_comment(external_id="43")], now=NOW)
    with session_scope(engine) as session:
        rows = session.exec(select(Comment).order_by(Comment.external_id)).all()
    assert [r.external_id for r in rows] == ["42", "43"]
    assert again == [rows[1].id]
    assert rows[0].text == "Kein Netz 😡 <b>Hamburg</b>"


def test_same_id_on_another_platform_is_another_comment(engine):
    with session_scope(engine) as session:
        ids = store_comments(
            session,
            [
                make_comment(platform="x", external_id="7"),
                make_comment(platform="facebook", external_id="7"),
            ],
            now=NOW,
        )
    assert len(ids) == 2


def test_cursor_is_saved_only_together_with_its_comments(engine):
    page = Page(items=[make_comment(external_id="1")], cursor="10", more=False)
    try:
        with session_scope(engine) as session:
            ingest_page(session, "file:a", page, now=NOW)
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    with session_scope(engine) as session:
        assert load_cursor(session, "file:a") is None
        assert session.exec(select(Comment)).all() == []
        ingest_page(session, "file:a", page, now=NOW)
    with session_scope(engine) as session:
        assert load_cursor(session, "file:a") == "10"
        assert len(session.exec(select(Comment)).all()) == 1


def test_a_huge_comment_is_stored_capped_with_the_original_kept_in_raw(engine):
    text = "Kein Internet! " * 20_000
    with session_scope(engine) as session:
        store_comments(session, [make_comment(external_id="big", text=text)], now=NOW)
    with session_scope(engine) as session:
        row = session.exec(select(Comment)).one()
    assert row.text == text[: MAX_TEXT - 1] + "…"
    assert row.raw["text"] == text


def test_a_comment_dated_far_in_the_future_is_stored_as_arrived_now(engine):
    future = make_comment(external_id="2099", created_at=datetime(2099, 1, 1, tzinfo=UTC))
    with session_scope(engine) as session:
        store_comments(session, [future], now=NOW)
    with session_scope(engine) as session:
        row = session.exec(select(Comment)).one()
    assert row.created_at == NOW
    assert row.raw["created_at"] == "2099-01-01T00:00:00+00:00"  # what the source said


def test_a_nul_or_half_an_emoji_from_any_source_is_stored_repaired(engine):
    odd = make_comment(external_id="n\x00ul", author="Sam\ud83d", text="Kein\x00 Netz \ud83d")
    odd = replace(odd, raw={"message": "Kein\x00 Netz"})
    with session_scope(engine) as session:
        store_comments(session, [odd], now=NOW)
    with session_scope(engine) as session:
        row = session.exec(select(Comment)).one()
    assert (row.external_id, row.author, row.text) == ("nul", "Sam\ufffd", "Kein Netz \ufffd")
    assert row.raw == {"message": "Kein Netz"}
