"""The queue follows its incidents: early complaints join, facts re-render, follow-ups come."""

from datetime import timedelta

from sqlmodel import select

from crisis import audit, incidents, queue
from crisis.classify import to_row
from crisis.db import session_scope
from crisis.domain import Service, Urgency
from crisis.incident_replies import after_incident_change
from crisis.ingest import store_comments
from crisis.respond import ReplySetup, suggest_replies
from crisis.tables import ReviewItem
from crisis.testing import EchoResponder
from responders.policy import decide
from tests.factories import T0, complaint, make_comment

SETUP = ReplySetup(EchoResponder(), decide, own_authors=("nordtel",))


def arrive(engine, *comments, labels=None, now=T0):
    """Store comments (each with its labels) and run the respond step on them."""
    with session_scope(engine) as session:
        ids = store_comments(session, [c for c, _ in comments], now=now)
        for cid, (_, lab) in zip(ids, comments, strict=True):
            session.add(to_row(cid, lab, now=now))
        suggest_replies(
            session, SETUP, dict(zip(ids, [lab for _, lab in comments], strict=True)), now=now
        )
    return ids


def items(engine, **where):
    with session_scope(engine) as session:
        query = select(ReviewItem).order_by(ReviewItem.id)
        for name, value in where.items():
            query = query.where(getattr(ReviewItem, name) == value)
        return list(session.exec(query))


def open_internet(engine, now, **fields):
    with session_scope(engine) as session:
        incident = incidents.open_incident(
            session, service=Service.INTERNET, now=now, opened_by="detector", actor="detector",
            reason="spike", status="suspected", **fields,
        )  # fmt: skip
        after_incident_change(session, SETUP, incident, now=now)
        return incident.id


def test_complaints_from_before_the_incident_join_it_once_per_customer(engine):
    def at(author, minutes, service):
        return make_comment(author=author, created_at=T0 + timedelta(minutes=minutes)), complaint(
            service
        )

    arrive(
        engine,
        at("anna", 0, Service.INTERNET),
        at("ben", 5, Service.PHONE),
        at("anna", 9, Service.INTERNET),
        at("cleo", 0, Service.BILLING),
    )
    assert {i.situation for i in items(engine)} == {"outage_no_incident", "complaint"}

    incident_id = open_internet(engine, T0 + timedelta(minutes=30))

    anna, ben, anna_again, cleo = items(engine)
    for item in (anna, ben):  # a landline over DSL is the DSL outage
        assert (item.incident_id, item.situation, item.state) == (
            incident_id, "outage_incident", "pending"
        )  # fmt: skip
        assert f"incident {incident_id} (internet, suspected)" in item.text
        assert item.urgency_rank == 1
    assert anna_again.state == "rejected" and anna_again.incident_id is None
    assert (cleo.incident_id, cleo.state) == (None, "pending")  # billing is not this outage
    with session_scope(engine) as session:
        [entry] = audit.history(session, entity="review_item", entity_id=anna_again.id)
    assert (
        entry.reason == f"duplicate: anna already has reply #{anna.id} for incident {incident_id}"
    )


def test_complaints_long_before_the_incident_are_not_pulled_into_it(engine):
    arrive(engine, (make_comment(created_at=T0), complaint(Service.INTERNET)))
    open_internet(engine, T0 + timedelta(hours=7))
    [item] = items(engine)
    assert item.incident_id is None and item.situation == "outage_no_incident"


def test_new_facts_rewrite_pending_replies_but_a_persons_edit_is_kept_and_marked(engine):
    incident_id = open_internet(engine, T0)
    arrive(
        engine,
        (make_comment(author="anna"), complaint(Service.INTERNET)),
        (make_comment(author="ben"), complaint(Service.INTERNET)),
        now=T0 + timedelta(minutes=1),
    )
    anna, ben = items(engine)
    now = T0 + timedelta(hours=1)
    with session_scope(engine) as session:
        queue.edit(session, ben.id, text="Hallo Ben, wir sind dran!", actor="lena", now=now)
        incident = incidents.update_incident(
            session, incident_id, now=now, actor="lena", status="identified", regions=["Hamburg"]
        )
        counts = after_incident_change(session, SETUP, incident, now=now)

    anna, ben = items(engine)
    assert counts == {"attached": 0, "duplicates": 0, "rerendered": 1, "marked_changed": 1}
    assert "(internet, identified)" in anna.text and not anna.facts_changed
    assert ben.text == "Hallo Ben, wir sind dran!" and ben.facts_changed
    with session_scope(engine) as session:
        trail = audit.history(session, entity="review_item", entity_id=anna.id)
    assert [e.action for e in trail] == ["review_item.rerendered"]


def test_resolving_an_incident_queues_one_follow_up_per_customer_in_their_language(engine):
    incident_id = open_internet(engine, T0)
    arrive(
        engine,
        (make_comment(author="anna"), complaint(Service.INTERNET)),
        (make_comment(author="anna"), complaint(Service.INTERNET)),  # once is enough
        (make_comment(author="ben", lang="en"), complaint(Service.INTERNET)),
        (make_comment(author="cleo"), complaint(Service.INTERNET)),
        (make_comment(author="dora"), complaint(Service.INTERNET, urgent=(Urgency.LEGAL,))),
        now=T0 + timedelta(minutes=1),
    )
    cleo = items(engine, situation="outage_incident")[2]
    now = T0 + timedelta(hours=3)
    with session_scope(engine) as session:
        queue.approve(session, cleo.id, actor="lena", now=now)
        incident = incidents.resolve_incident(session, incident_id, now=now, actor="lena")
        counts = after_incident_change(session, SETUP, incident, now=now)
        again = after_incident_change(session, SETUP, incident, now=now)

    assert counts == {"follow_ups": 4, "superseded": 2}
    assert again == {"follow_ups": 0, "superseded": 0}
    follow_ups = items(engine, kind="follow_up")
    assert [(f.lang, f.needs_human, f.reasons) for f in follow_ups] == [
        ("de", False, []),
        ("en", False, []),
        ("de", False, []),
        ("de", True, ["legal"]),  # the person who threatened a lawyer hears from a person
    ]
    assert all(f"incident {incident_id} (internet, resolved)" in f.text for f in follow_ups)
    replies = {i.id: i for i in items(engine, kind="reply")}
    assert replies[cleo.id].state == "approved" and replies[cleo.id].facts_changed
    assert sorted(i.state for i in replies.values()) == [
        "approved", "pending", "rejected", "rejected"
    ]  # fmt: skip
