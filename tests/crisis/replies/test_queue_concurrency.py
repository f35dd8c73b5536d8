"""Two people deciding the same item at the same moment: exactly one wins, the other is told
what the item is now. The decision is a compare-and-set in the database (the row is locked
before it is read), for the pages, the API and the command line alike (all call these)."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from crisis.clock import VirtualClock
from crisis.db import session_scope
from crisis.errors import InvalidTransition, StateChanged
from crisis.replies import queue
from crisis.settings import Settings
from crisis.web.app import create_app
from tests.crisis.web.test_queue_api import actors, token_for
from tests.crisis.web.test_queue_data import a_crisis, items_by_author
from tests.crisis.web.webtools import NOW, add_users


def state_of(engine, item_id: int) -> tuple[str, str | None]:
    with session_scope(engine) as session:
        item = queue.get_item(session, item_id)
        return item.state, item.decided_by


@pytest.mark.parametrize(
    "first, second", [("reject", "approve"), ("approve", "approve"), ("reject", "reject")]
)
def test_a_decision_made_while_another_is_being_written_sees_it_and_is_refused(
    engine, first, second
):
    a_crisis(engine)
    kundin = items_by_author(engine)["Kundin 0"]
    outcome: dict[str, str] = {}
    decide = {
        "approve": lambda session, actor: queue.approve(session, kundin, actor=actor, now=NOW),
        "reject": lambda session, actor: queue.reject(session, kundin, actor=actor, now=NOW),
    }

    def colleague() -> None:
        with Session(engine) as session:
            try:
                decide[second](session, "tom")
                session.commit()
                outcome["tom"] = "won"
            except InvalidTransition as exc:
                session.rollback()
                outcome["tom"] = str(exc)

    with Session(engine) as lena:
        decide[first](lena, "lena")
        lena.flush()
        other = threading.Thread(target=colleague)
        other.start()
        other.join(0.5)
        lena.commit()
    other.join(30)
    done = "approved" if first == "approve" else "rejected"
    assert f"is {'already ' if first == second else ''}{done} (by lena" in outcome["tom"]
    assert state_of(engine, kundin) == (done, "lena")


def test_simultaneous_api_approve_and_reject_never_both_win_with_the_item_approved(engine):
    add_users(engine)
    a_crisis(engine)
    ids = sorted(items_by_author(engine).values())
    app = create_app(Settings(), engine=engine, clock=VirtualClock(NOW))
    tokens = {name: token_for(engine, name) for name in ("lena", "tom")}
    results: dict[int, dict[str, tuple[int, dict]]] = {item: {} for item in ids}

    def agent(name: str, action: str) -> None:
        with TestClient(app) as api:
            for item in ids:
                barrier.wait()
                answer = api.post(f"/api/queue/{item}/{action}", headers=tokens[name], json={})
                results[item][action] = (answer.status_code, answer.json())

    barrier = threading.Barrier(2)
    agents = [threading.Thread(target=agent, args=a) for a in (("lena", "approve"),
                                                               ("tom", "reject"))]  # fmt: skip
    for thread in agents:
        thread.start()
    for thread in agents:
        thread.join(120)
    for item in ids:
        answers = {action: code for action, (code, _) in results[item].items()}
        final = state_of(engine, item)[0]
        # Serialized: a rejection first is final (the approval is refused, 409); an approval
        # first may be taken back by the rejection (both answered 200, in that order). Never
        # the lost update: a rejection answered 200 and the item approved.
        if answers == {"reject": 200, "approve": 409}:
            loser = results[item]["approve"][1]
            assert final == "rejected" and loser["state"] == "rejected"
            assert "is rejected (by tom" in loser["error"]
        else:
            assert answers == {"approve": 200, "reject": 200} and final == "rejected"
            assert actors(engine, item)[-2:] == [
                ("review_item.approved", "lena"),
                ("review_item.rejected", "tom"),
            ]


def test_a_state_change_from_a_stale_read_changes_nothing_and_says_what_the_item_is_now(engine):
    a_crisis(engine)
    kundin = items_by_author(engine)["Kundin 0"]
    with Session(engine) as responder:
        stale = queue.get_item(responder, kundin)  # read before a person's decision
        with session_scope(engine) as lena:
            queue.reject(lena, kundin, actor="lena", now=NOW, reason="Spam")
        with pytest.raises(StateChanged, match=r"is rejected \(by lena"):
            queue.move_item(responder, stale, "approved", actor="responder", now=NOW)
        responder.commit()
    assert state_of(engine, kundin) == ("rejected", "lena")
