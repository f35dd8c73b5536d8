"""Two agents on the same queue: a page decides only what it showed. A decision on an item a
colleague changed since the page was loaded is refused, nothing changes, and what the user typed
stays on the page."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import Session

from crisis import audit
from crisis.db import session_scope
from crisis.errors import InvalidTransition
from crisis.replies import queue
from crisis.web.queue_seen import check_seen
from tests.crisis.web.test_queue_api import token_for
from tests.crisis.web.test_queue_data import a_crisis, items_by_author
from tests.crisis.web.webtools import NOW, sign_in

WORDS = "Lena's <own> words"


def stored(engine, item_id: int) -> tuple[str, str, str | None, str | None]:
    """(state, text, decided by, edited by) as the database holds them."""
    with session_scope(engine) as session:
        item = queue.get_item(session, item_id)
        return item.state, item.text, item.decided_by, item.edited_by


def form(csrf: str, text: str, **more: str) -> dict[str, str]:
    """What the queue page's reply form posts for an item it showed pending with ``text``."""
    return {"csrf_token": csrf, "text": text, "original": text, "seen_state": "pending",
            "next": "/queue", **more}  # fmt: skip


def test_a_stale_page_cannot_reject_a_reply_a_colleague_approved(client, app, web_engine):
    a_crisis(web_engine)
    kundin = items_by_author(web_engine)["Kundin 0"]
    shown = stored(web_engine, kundin)[1]
    csrf = sign_in(client, "tom")
    with TestClient(app) as colleague:
        other = sign_in(colleague, "lena")
        colleague.post(f"/queue/{kundin}/approve", data=form(other, shown))
    refused = client.post(f"/queue/{kundin}/reject", data=form(csrf, shown, reason="dup"))
    assert stored(web_engine, kundin)[:3] == ("approved", shown, "lena")
    assert "changed since your page was loaded: it is approved now (by lena" in refused.text


def test_a_stale_page_does_not_approve_a_colleagues_new_wording_unread(client, app, web_engine):
    a_crisis(web_engine)
    kundin = items_by_author(web_engine)["Kundin 1"]
    shown = stored(web_engine, kundin)[1]
    csrf = sign_in(client, "tom")
    with TestClient(app) as colleague:
        other = sign_in(colleague, "lena")
        colleague.post(f"/queue/{kundin}/edit", data={**form(other, WORDS), "original": shown})
    refused = client.post(f"/queue/{kundin}/approve", data=form(csrf, shown))
    assert refused.status_code == 409
    assert stored(web_engine, kundin)[:2] == ("pending", WORDS)
    assert "the reply was changed since your page was loaded (by lena" in refused.text
    assert f">{escape(WORDS)}</textarea>" in refused.text  # the new text, to read


def test_a_stale_save_keeps_a_colleagues_approval_and_the_typed_text(client, app, web_engine):
    a_crisis(web_engine)
    kundin = items_by_author(web_engine)["Kundin 2"]
    shown = stored(web_engine, kundin)[1]
    csrf = sign_in(client, "tom")
    with session_scope(web_engine) as session:
        queue.approve(session, kundin, actor="lena", now=NOW)
    typed = {**form(csrf, "Tom's long answer"), "original": shown}
    refused = client.post(f"/queue/{kundin}/edit", data=typed)
    assert refused.status_code == 409
    assert stored(web_engine, kundin)[:3] == ("approved", shown, "lena")
    assert ">Tom&#39;s long answer</textarea>" in refused.text  # not thrown away
    again = client.post(
        f"/queue/{kundin}/edit", data={**typed, "seen_state": "approved"}, follow_redirects=False
    )
    assert again.status_code == 303  # seen as it is now: taken back for editing, as asked
    assert stored(web_engine, kundin)[:2] == ("pending", "Tom's long answer")


def test_browser_line_endings_are_neither_an_edit_nor_stored(client, web_engine):
    a_crisis(web_engine)
    ids = items_by_author(web_engine)
    kundin, other = ids["Kundin 3"], ids["Kundin 4"]
    csrf = sign_in(client, "tom")
    with session_scope(web_engine) as session:
        queue.edit(session, kundin, text="Hallo,\nwir sind dran.", actor="lena", now=NOW)
    crlf = "Hallo,\r\nwir sind dran."  # how a browser posts a textarea's lines
    approved = client.post(f"/queue/{kundin}/approve", data=form(csrf, crlf),
                           follow_redirects=False)  # fmt: skip
    assert approved.status_code == 303
    assert stored(web_engine, kundin) == ("approved", "Hallo,\nwir sind dran.", "tom", "lena")
    shown = stored(web_engine, other)[1]
    typed = {**form(csrf, "Hallo,\r\nneu."), "original": shown}
    client.post(f"/queue/{other}/approve", data=typed, follow_redirects=False)
    assert stored(web_engine, other)[:2] == ("approved", "Hallo,\nneu.")  # as the JS path stores


def test_the_api_refuses_a_decision_on_what_the_caller_no_longer_sees(app, web_engine):
    a_crisis(web_engine)
    ids = items_by_author(web_engine)
    first, second = ids["Kundin 0"], ids["Kundin 1"]
    shown = stored(web_engine, first)[1]
    auth = token_for(web_engine, "tom")
    with session_scope(web_engine) as session:
        queue.approve(session, first, actor="lena", now=NOW)
        queue.edit(session, second, text="Neu von Lena", actor="lena", now=NOW)
    with TestClient(app) as api:
        reject = api.post(f"/api/queue/{first}/reject", headers=auth,
                          json={"seen_state": "pending", "reason": "dup"})  # fmt: skip
        approve = api.post(f"/api/queue/{second}/approve", headers=auth,
                           json={"seen_state": "pending", "seen_text": shown})  # fmt: skip
        assert (reject.status_code, approve.status_code) == (409, 409)
        assert "approved now (by lena" in reject.json()["error"]
        assert stored(web_engine, first)[0] == "approved"
        assert stored(web_engine, second)[:2] == ("pending", "Neu von Lena")
        plain = api.post(f"/api/queue/{second}/approve", headers=auth, json={})
        assert plain.status_code == 200 and plain.json()["text"] == "Neu von Lena"


def test_a_double_click_on_approve_or_reject_is_answered_as_done_and_decided_once(
    client, web_engine
):
    a_crisis(web_engine)
    ids = items_by_author(web_engine)
    first, second = ids["Kundin 0"], ids["Kundin 1"]
    shown = stored(web_engine, first)[1]
    csrf = sign_in(client, "tom")
    for _ in range(2):
        approved = client.post(f"/queue/{first}/approve", data=form(csrf, shown),
                               follow_redirects=False)  # fmt: skip
        assert approved.status_code == 303 and approved.headers["location"] == "/queue"
        rejected = client.post(f"/queue/{second}/reject", data=form(csrf, "", reason="dup"),
                               follow_redirects=False)  # fmt: skip
        assert rejected.status_code == 303 and rejected.headers["location"] == "/queue"
    with session_scope(web_engine) as session:
        for item_id, action in ((first, "review_item.approved"), (second, "review_item.rejected")):
            trail = audit.history(session, entity="review_item", entity_id=item_id)
            assert [e.action for e in trail].count(action) == 1


def test_on_postgresql_a_simultaneous_decision_waits_and_sees_the_first_one(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time in anyway")
    a_crisis(engine)
    kundin = items_by_author(engine)["Kundin 0"]
    shown = stored(engine, kundin)[1]
    outcome: dict[str, str] = {}

    def colleague() -> None:
        with Session(engine) as session:
            try:
                check_seen(session, kundin, state="pending", text=shown)
                queue.approve(session, kundin, actor="tom", now=NOW)
                session.commit()
                outcome["tom"] = "approved"
            except InvalidTransition as exc:
                outcome["tom"] = str(exc)

    with Session(engine) as first:
        check_seen(first, kundin, state="pending", text=shown)
        queue.reject(first, kundin, actor="lena", now=NOW, reason="Spam")
        first.flush()
        other = threading.Thread(target=colleague)
        other.start()
        other.join(0.5)
        assert other.is_alive()  # waiting for lena's transaction
        first.commit()
    other.join(10)
    assert "it is rejected now (by lena" in outcome["tom"]
    assert stored(engine, kundin)[:3] == ("rejected", shown, "lena")
