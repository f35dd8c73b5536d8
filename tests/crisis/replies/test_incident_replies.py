"""The queue follows its incidents: early complaints join, facts re-render, follow-ups come."""

from datetime import timedelta

from sqlmodel import select

from crisis import audit, incidents
from crisis.classify import to_row
from crisis.db import session_scope
from crisis.domain import Service, Urgency
from crisis.ingest import store_comments
from crisis.replies import queue
from crisis.replies.incident_changes import after_incident_change
from crisis.replies.respond import ReplySetup, suggest_replies
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
    assert counts == {
        "attached": 0, "linked": 0, "duplicates": 0, "rerendered": 1, "reopened": 0,
        "kept_approved": 0,
        "marked_changed": 1,
    }  # fmt: skip
    assert "(internet, identified)" in anna.text and not anna.facts_changed
    assert ben.text == "Hallo Ben, wir sind dran!" and ben.facts_changed
    with session_scope(engine) as session:
        trail = audit.history(session, entity="review_item", entity_id=anna.id)
    assert [e.action for e in trail] == ["review_item.rerendered"]
    with session_scope(engine) as session:
        marked = audit.history(session, entity="review_item", entity_id=ben.id)[-1]
    assert (marked.action, marked.actor) == ("review_item.facts_changed", "responder")
    assert marked.reason.startswith(f"incident facts changed: incident {incident_id} is identified")


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

    assert counts == {"follow_ups": 4, "superseded": 3, "marked_changed": 1}
    assert again == {"follow_ups": 0, "superseded": 0, "marked_changed": 0}
    follow_ups = items(engine, kind="follow_up")
    assert [(f.lang, f.needs_human, f.reasons) for f in follow_ups] == [
        ("de", False, []),
        ("en", False, []),
        ("de", False, []),
        ("de", True, ["legal"]),  # the person who threatened a lawyer hears from a person
    ]
    assert all(f"incident {incident_id} (internet, resolved)" in f.text for f in follow_ups)
    replies = {i.id: i for i in items(engine, kind="reply")}
    # "we are working on it" must not go out after "it's fixed", approved or not
    assert replies[cleo.id].state == "rejected"
    assert sorted(i.state for i in replies.values()) == [
        "pending", "rejected", "rejected", "rejected"
    ]  # fmt: skip
    dora = next(i for i in replies.values() if i.state == "pending")
    assert dora.needs_human and dora.facts_changed


def test_an_escalation_after_a_reply_goes_to_a_person_at_the_top_of_the_queue(engine):
    open_internet(engine, T0)
    arrive(engine, (make_comment(author="anna"), complaint()), now=T0 + timedelta(minutes=1))
    arrive(
        engine,
        (make_comment(author="anna", text="Ich kündige!"), complaint(urgent=(Urgency.CHURN,))),
        now=T0 + timedelta(minutes=20),
    )
    with session_scope(engine) as session:
        first = queue.list_items(session)[0]
        trail = audit.history(session, entity="review_item", entity_id=first.id)
    assert (first.needs_human, first.reasons, first.urgency_rank) == (True, ["churn"], 0)
    assert "kündige" in session_text(engine, first.comment_id)
    assert [(e.action, e.actor, e.reason) for e in trail] == [
        ("review_item.flagged", "responder", "churn")
    ]


def session_text(engine, comment_id):
    from crisis.tables import Comment

    with session_scope(engine) as session:
        return session.get(Comment, comment_id).text


def test_an_urgent_early_complaint_is_kept_for_a_person_and_so_is_its_follow_up(engine):
    arrive(engine, (make_comment(author="carl"), complaint()), now=T0)
    lawyer = make_comment(author="carl", text="Ich kündige, Anwalt ist informiert")
    arrive(engine, (lawyer, complaint(urgent=(Urgency.LEGAL, Urgency.CHURN))), now=T0)
    incident_id = open_internet(engine, T0 + timedelta(minutes=10))

    plain, urgent = items(engine)
    assert (plain.state, plain.incident_id, plain.needs_human) == ("pending", incident_id, False)
    assert (urgent.state, urgent.incident_id, urgent.reasons) == (
        "pending", incident_id, ["legal", "churn"]
    )  # fmt: skip
    now = T0 + timedelta(hours=3)
    with session_scope(engine) as session:
        incident = incidents.resolve_incident(session, incident_id, now=now, actor="lena")
        after_incident_change(session, SETUP, incident, now=now)
    [follow_up] = items(engine, kind="follow_up")
    assert follow_up.comment_id == urgent.comment_id  # the person sees the churn threat
    assert (follow_up.needs_human, follow_up.reasons, follow_up.urgency_rank) == (
        True, ["legal", "churn"], 0
    )  # fmt: skip
    assert [i.state for i in items(engine, kind="reply")] == ["rejected", "pending"]


def test_an_approved_reply_written_before_new_facts_goes_back_to_pending(engine):
    from crisis.clock import VirtualClock
    from crisis.replies import sending
    from crisis.testing import RecordingPublisher

    incident_id = open_internet(engine, T0)
    arrive(
        engine,
        (make_comment(author="anna"), complaint()),
        (make_comment(author="ben"), complaint()),
        now=T0 + timedelta(minutes=1),
    )
    anna, ben = items(engine)
    with session_scope(engine) as session:
        queue.approve(session, anna.id, actor="lena", now=T0 + timedelta(minutes=5))
        queue.approve(
            session, ben.id, actor="lena", now=T0 + timedelta(minutes=5), text="Ben, wir sind dran."
        )
    now = T0 + timedelta(hours=1)
    with session_scope(engine) as session:
        incident = incidents.update_incident(
            session, incident_id, now=now, actor="lena", status="identified"
        )
        counts = after_incident_change(session, SETUP, incident, now=now)
    publisher = RecordingPublisher()
    report = sending.send_due(engine, publisher, actor="sender", clock=VirtualClock(now))

    assert report.sent == [] and publisher.published == []
    anna, ben = items(engine)
    assert (counts["reopened"], counts["rerendered"], counts["marked_changed"]) == (2, 1, 1)
    assert anna.state == "pending" and "(internet, identified)" in anna.text
    assert (ben.state, ben.text, ben.facts_changed) == ("pending", "Ben, wir sind dran.", True)
    with session_scope(engine) as session:
        trail = audit.history(session, entity="review_item", entity_id=anna.id)
    reopened = next(e for e in trail if e.action == "review_item.pending")
    assert reopened.actor == "responder" and reopened.details["state"] == ["approved", "pending"]
    assert reopened.reason.startswith(
        f"incident facts changed: incident {incident_id} is identified"
    )

    later = now + timedelta(minutes=5)  # approved with the new facts in view: stays approved
    with session_scope(engine) as session:
        queue.approve(session, anna.id, actor="lena", now=later)
        again = after_incident_change(
            session, SETUP, incidents.get_incident(session, incident_id), now=later
        )
    assert again["reopened"] == 0 and items(engine)[0].state == "approved"


def test_a_follow_up_never_quotes_the_outage_time_status_or_eta(engine):
    from responders.templates import TemplateResponder

    setup = ReplySetup(TemplateResponder(status_url="https://status.example"), decide)
    texts = []
    for service, final in ((Service.INTERNET, None), (Service.MOBILE, "Alle Netze laufen wieder.")):
        with session_scope(engine) as session:
            incident = incidents.open_incident(
                session, service=service, now=T0, opened_by="operator", actor="lena", reason="r",
                public_status="Wir rechnen mit der Behebung bis 18 Uhr.",
                eta=T0 + timedelta(hours=10),
            )  # fmt: skip
            [cid] = store_comments(session, [make_comment()], now=T0)
            session.add(to_row(cid, complaint(service), now=T0))
            suggest_replies(session, setup, {cid: complaint(service)}, now=T0)
            later = T0 + timedelta(hours=3)
            incidents.resolve_incident(
                session, incident.id, now=later, actor="lena", public_status=final
            )
            after_incident_change(session, setup, incident, now=later)
        [follow_up] = items(engine, kind="follow_up", incident_id=incident.id)
        texts.append(follow_up.text)
    assert "behoben" in texts[0] or "läuft wieder" in texts[0]
    assert "18 Uhr" not in texts[0] and "Samstag" not in texts[0]
    assert "Alle Netze laufen wieder." in texts[1] and "18 Uhr" not in texts[1]


def test_early_complainers_answered_before_detection_get_the_follow_up(engine):
    from crisis.clock import VirtualClock
    from crisis.replies import sending
    from crisis.testing import RecordingPublisher

    arrive(
        engine,
        (make_comment(author="early"), complaint()),
        (make_comment(author="waiting"), complaint()),
        now=T0,
    )
    sent, waiting = items(engine)
    with session_scope(engine) as session:
        queue.approve(session, sent.id, actor="lena", now=T0)
    sending.send_due(engine, RecordingPublisher(), actor="lena", clock=VirtualClock(T0))
    with session_scope(engine) as session:
        queue.approve(session, waiting.id, actor="lena", now=T0)
    incident_id = open_internet(engine, T0 + timedelta(minutes=10))

    linked = items(engine)
    assert [(i.state, i.incident_id, i.text) for i in linked] == [
        ("sent", incident_id, sent.text), ("approved", incident_id, waiting.text)
    ]  # fmt: skip
    with session_scope(engine) as session:
        trail = audit.history(session, entity="review_item", entity_id=sent.id)
        incident = incidents.update_incident(
            session, incident_id, now=T0 + timedelta(hours=1), actor="lena", status="identified"
        )
        after_incident_change(session, SETUP, incident, now=T0 + timedelta(hours=1))
    assert (trail[-1].action, trail[-1].actor) == ("review_item.linked", "responder")
    assert items(engine)[1].state == "approved"  # "please DM us" does not quote the facts
    now = T0 + timedelta(hours=3)
    with session_scope(engine) as session:
        incident = incidents.resolve_incident(session, incident_id, now=now, actor="lena")
        after_incident_change(session, SETUP, incident, now=now)
        after_incident_change(session, SETUP, incident, now=now)
    follow_ups = items(engine, kind="follow_up")
    assert sorted(f.comment_id for f in follow_ups) == [sent.comment_id, waiting.comment_id]


def test_a_failed_reply_waiting_for_its_retry_is_superseded_when_the_incident_is_resolved(engine):
    from crisis.clock import VirtualClock
    from crisis.errors import ServerError
    from crisis.replies import sending
    from crisis.testing import PlatformFake

    incident_id = open_internet(engine, T0)
    arrive(engine, (make_comment(author="anna"), complaint()), now=T0 + timedelta(minutes=1))
    [anna] = items(engine)
    with session_scope(engine) as session:
        queue.approve(session, anna.id, actor="lena", now=T0 + timedelta(minutes=2))
    platform = PlatformFake(errors=[ServerError("502")])
    clock = VirtualClock(T0 + timedelta(minutes=3))
    assert sending.send_due(engine, platform, actor="s", clock=clock).failed
    now = T0 + timedelta(hours=3)
    with session_scope(engine) as session:
        incident = incidents.resolve_incident(session, incident_id, now=now, actor="lena")
        after_incident_change(session, SETUP, incident, now=now)
    clock.set(now + timedelta(hours=1))

    assert sending.send_due(engine, platform, actor="s", clock=clock).sent == []
    assert platform.posted == [] and items(engine, kind="reply")[0].state == "rejected"
    assert len(items(engine, kind="follow_up")) == 1


def test_an_eta_the_lead_approves_rewrites_approved_replies_and_keeps_them_approved(engine):
    incident_id = open_internet(engine, T0)
    arrive(
        engine,
        (make_comment(author="anna"), complaint()),
        (make_comment(author="ben"), complaint()),
        now=T0 + timedelta(minutes=1),
    )
    anna, ben = items(engine)
    with session_scope(engine) as session:
        queue.approve(session, anna.id, actor="lena", now=T0 + timedelta(minutes=5))
        queue.approve(
            session, ben.id, actor="lena", now=T0 + timedelta(minutes=5), text="Ben, wir sind dran."
        )
    now = T0 + timedelta(hours=1)
    with session_scope(engine) as session:
        incident = incidents.update_incident(
            session,
            incident_id,
            now=now,
            actor="lena",
            status="identified",
            eta=now + timedelta(hours=2),
        )
        counts = after_incident_change(session, SETUP, incident, now=now, approved_by="lena")

    anna, ben = items(engine)
    assert (counts["kept_approved"], counts["reopened"]) == (1, 1)
    assert anna.state == "approved" and "identified" in anna.text  # re-written, not sent back
    assert (ben.state, ben.text) == ("pending", "Ben, wir sind dran.")  # a person's text: review
    with session_scope(engine) as session:
        trail = audit.history(session, entity="review_item", entity_id=anna.id)
    rewritten = next(e for e in trail if e.action == "review_item.rerendered")
    assert "approved by lena on the incident" in rewritten.reason
    assert rewritten.details["kept_approved"] is True


def test_a_customer_who_writes_again_keeps_one_reply_that_becomes_the_incidents(engine):
    from crisis.domain import Labels, Sentiment

    neutral = Labels("t", False, 0.1, None, Sentiment.NEUTRAL, lang="de")
    incident_id = open_internet(engine, T0)
    arrive(
        engine,
        (make_comment(author="anna", text="Gibt es den Router auch in Weiß?"), neutral),
        now=T0 + timedelta(minutes=1),
    )
    arrive(
        engine,
        (make_comment(author="anna", text="Bei mir auch, Hamburg"), neutral),
        now=T0 + timedelta(minutes=2),
    )
    arrive(
        engine,
        (make_comment(author="anna", text="Und jetzt?"), neutral),
        now=T0 + timedelta(minutes=3),
    )

    [only] = items(engine)
    assert (only.situation, only.incident_id, only.state) == (
        "outage_incident", incident_id, "pending"
    )  # fmt: skip
    with session_scope(engine) as session:
        trail = audit.history(session, entity="review_item", entity_id=only.id)
    assert [e.action for e in trail].count("review_item.updated") == 2


def test_a_question_from_two_hours_before_the_incident_keeps_its_own_reply(engine):
    from crisis.domain import Labels, Sentiment

    asked = T0 - timedelta(hours=2)
    volume = Labels("t", True, 0.6, Service.INTERNET, Sentiment.NEUTRAL, lang="de")
    arrive(
        engine,
        (make_comment(text="Kann ich Datenvolumen nachkaufen?", created_at=asked), volume),
        now=asked,
    )
    before = items(engine)[0].text

    open_internet(engine, T0)

    [item] = items(engine)
    assert (item.incident_id, item.text) == (None, before)
