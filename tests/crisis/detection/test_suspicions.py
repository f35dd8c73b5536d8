"""The suspected stage: early evidence holds marketing at once, says nothing to customers, and
is confirmed by the stronger evidence or dismissed when the evidence fades."""

from datetime import timedelta

import pytest

from crisis import audit, holds, incidents, posts
from crisis.classify import to_row
from crisis.db import session_scope
from crisis.detection.detector import SpikeRules, detect
from crisis.detection.times import dismiss_suspicions
from crisis.domain import Service
from crisis.errors import InvalidTransition
from crisis.ingest import store_comments
from crisis.publishing import RecordingPublisher
from tests.factories import T0, complaint, make_comment

MINUTE = timedelta(minutes=1)
RULES = SpikeRules()  # the shipped defaults


def add_complaints(engine, start, count, *, service=Service.EMAIL, text="Mails gehen nicht"):
    """Neighbours in one city: the suspected stage's evidence at its lightest."""
    with session_scope(engine) as session:
        comments = [
            make_comment(created_at=start + i * MINUTE, text=text, author=f"{start:%H%M}-{i}",
                         location="Hamburg")
            for i in range(count)
        ]  # fmt: skip
        for cid in store_comments(session, comments, now=start):
            session.add(to_row(cid, complaint(service), now=start))


def run_detector(engine, now, rules=RULES):
    with session_scope(engine) as session:
        found = detect(session, model="keywords.test", now=now, rules=rules)
        return [(i.id, i.status) for i in found]


def schedule(engine, key, due, *, category="marketing"):
    with session_scope(engine) as session:
        posts.schedule_post(session, key=key, channel="x", category=category, text=key,
                            publish_at=due, now=T0, actor="lena")  # fmt: skip


def publish(engine, now):
    with session_scope(engine) as session:
        return [p.key for p in posts.publish_due(session, RecordingPublisher(), now=now)]


def post_state(engine, key):
    with session_scope(engine) as session:
        return posts.get_post(session, key).state


def test_five_email_complaints_in_a_few_minutes_open_a_suspicion_that_tells_no_customer(engine):
    add_complaints(engine, T0, 5)
    [(incident_id, status)] = run_detector(engine, T0 + 5 * MINUTE)
    assert status == "suspected"
    with session_scope(engine) as session:
        incident = incidents.get_incident(session, incident_id)
        assert incident.public_status is None and incident.confirmed_at is None
        card = incident.explanation
    assert card["stage"] == "suspected"
    assert card["reason"].startswith("possible email outage: 5 customers in 5 min, usual 0.3")


def test_a_marketing_post_due_a_minute_after_a_suspicion_is_held_and_goes_out_after_dismissal(
    engine,
):
    add_complaints(engine, T0, 5)
    opened = T0 + 5 * MINUTE
    schedule(engine, "muttertag", opened + MINUTE)
    schedule(engine, "abend-deal", opened + timedelta(hours=1))
    schedule(engine, "stoerungsinfo", opened + MINUTE, category="service")
    [(incident_id, _)] = run_detector(engine, opened)
    assert publish(engine, opened + MINUTE) == ["stoerungsinfo"]  # service posts keep going
    assert post_state(engine, "muttertag") == "held"
    assert run_detector(engine, opened + 10 * MINUTE) == []  # fading, not yet dismissed
    fades = T0 + 4 * MINUTE + RULES.dismiss_after  # the last complaint, then nothing new
    with session_scope(engine) as session:
        [dismissed] = dismiss_suspicions(session, RULES, now=fades)
        assert (dismissed.id, dismissed.status, dismissed.resolved_at) == (
            incident_id, "dismissed", fades
        )  # fmt: skip
        assert holds.current_blocker(session) is None
        [entry] = [
            e for e in audit.history(session, entity="incident", entity_id=incident_id)
            if e.action == "incident.dismiss"
        ]  # fmt: skip
        assert entry.actor == "detector" and entry.reason.startswith("evidence faded")
        moves = audit.history(session, entity="post", entity_id="muttertag")
        assert (
            moves[-1].reason
            == f"incident {incident_id} was dismissed (goes out now, a little late)"
        )
    # 14 minutes late: it goes out now; the evening post keeps its own time.
    assert publish(engine, fades) == ["muttertag"]
    assert publish(engine, opened + timedelta(minutes=59)) == []
    assert publish(engine, opened + timedelta(hours=1)) == ["abend-deal"]


def test_a_post_whose_time_passed_long_ago_waits_for_a_person_after_a_dismissal(engine):
    strict = SpikeRules(release_late_up_to=timedelta(0))  # only posts not yet due go back
    add_complaints(engine, T0, 5)
    opened = T0 + 5 * MINUTE
    schedule(engine, "muttertag", opened + MINUTE)
    schedule(engine, "abend-deal", opened + timedelta(hours=1))
    run_detector(engine, opened, strict)
    with session_scope(engine) as session:
        dismiss_suspicions(session, strict, now=opened + timedelta(minutes=20))
        [note] = audit.history(session, entity="post", entity_id="muttertag")[-1:]
        assert note.action == "post.still_held" and "resume it with a new time" in note.reason
    assert post_state(engine, "muttertag") == "held"
    assert post_state(engine, "abend-deal") == "scheduled"


def test_posts_stay_held_after_a_dismissal_while_marketing_is_frozen(engine):
    add_complaints(engine, T0, 5)
    schedule(engine, "muttertag", T0 + timedelta(hours=1))
    run_detector(engine, T0 + 5 * MINUTE)
    with session_scope(engine) as session:
        freeze = holds.freeze_marketing(session, reason="storm", now=T0 + 6 * MINUTE, actor="lena")
        dismiss_suspicions(session, RULES, now=T0 + timedelta(minutes=30))
        post = posts.get_post(session, "muttertag")
        assert (post.state, post.held_by_freeze_id) == ("held", freeze.id)


def test_the_stronger_evidence_confirms_a_suspicion(engine):
    add_complaints(engine, T0, 5)
    [(incident_id, _)] = run_detector(engine, T0 + 5 * MINUTE)
    add_complaints(engine, T0 + 5 * MINUTE, 10)  # 15 customers: today's rules are met
    [(confirmed, status)] = run_detector(engine, T0 + 15 * MINUTE)
    assert (confirmed, status) == (incident_id, "investigating")
    with session_scope(engine) as session:
        incident = incidents.get_incident(session, incident_id)
        assert incident.confirmed_at == T0 + 15 * MINUTE
        assert incident.explanation["confirmed_reason"].startswith("15 customers")
        [entry] = [
            e for e in audit.history(session, entity="incident", entity_id=incident_id)
            if e.action == "incident.confirm"
        ]  # fmt: skip
        assert entry.details["status"] == ["suspected", "investigating"]
    # Confirmed incidents are never dismissed by the clock: a person resolves them.
    assert run_detector(engine, T0 + timedelta(hours=2)) == []
    with session_scope(engine) as session:
        assert incidents.get_incident(session, incident_id).status == "investigating"


def test_a_person_confirms_a_suspicion_and_a_confirmed_incident_cannot_be_dismissed(engine):
    add_complaints(engine, T0, 5)
    [(incident_id, _)] = run_detector(engine, T0 + 5 * MINUTE)
    with session_scope(engine) as session:
        incidents.update_incident(session, incident_id, now=T0 + 7 * MINUTE, actor="lena",
                                  status="investigating", reason="hotline confirms")  # fmt: skip
        assert incidents.get_incident(session, incident_id).confirmed_at == T0 + 7 * MINUTE
        with pytest.raises(InvalidTransition, match="'investigating' to 'dismissed'"):
            incidents.dismiss_incident(
                session, incident_id, now=T0 + 8 * MINUTE, actor="lena", reason="no"
            )
    with session_scope(engine) as session:
        assert dismiss_suspicions(session, RULES, now=T0 + timedelta(hours=1)) == []


def test_a_dismissed_suspicions_complaints_do_not_open_it_again(engine):
    add_complaints(engine, T0, 5)
    [(first, _)] = run_detector(engine, T0 + 5 * MINUTE)
    assert run_detector(engine, T0 + 20 * MINUTE) == [(first, "dismissed")]
    assert run_detector(engine, T0 + 21 * MINUTE) == []  # the same five, still in the window
    add_complaints(engine, T0 + 40 * MINUTE, 5)  # new evidence: a new suspicion
    [(second, status)] = run_detector(engine, T0 + 45 * MINUTE)
    assert second != first and status == "suspected"


def add_comments(engine, start, texts, labels, location=None):
    with session_scope(engine) as session:
        comments = [
            make_comment(created_at=start + i * MINUTE, text=text, author=f"{start:%H%M}-w{i}",
                         location=location)
            for i, text in enumerate(texts)
        ]  # fmt: skip
        for cid in store_comments(session, comments, now=start):
            session.add(to_row(cid, labels, now=start))


def test_follow_ups_without_content_keep_the_only_open_suspicion_alive(engine):
    add_complaints(engine, T0, 5)
    [(incident_id, _)] = run_detector(engine, T0 + 5 * MINUTE)
    # "Immer noch nichts?" names no service; while one incident is open, it is evidence for it.
    add_comments(engine, T0 + 12 * MINUTE, ["Immer noch nichts?", "Bei mir auch!", "Same here"],
                 complaint(service=None), location="Hamburg")  # fmt: skip
    run_detector(engine, T0 + 15 * MINUTE)
    assert run_detector(engine, T0 + 20 * MINUTE) == []  # not dismissed: new evidence at 14
    [(dismissed, status)] = run_detector(engine, T0 + 30 * MINUTE)
    assert (dismissed, status) == (incident_id, "dismissed")


def test_hotline_complaints_that_speak_of_dsl_count_for_internet(engine):
    # The classifier calls these customer service; their words say the internet is down.
    texts = ["Kein Internet und die Hotline ist besetzt", "DSL tot, Hotline auch", "Router aus",
             "WLAN geht, Internet nicht, Hotline besetzt", "Internet weg"]  # fmt: skip
    add_comments(engine, T0, texts, complaint(Service.CUSTOMER_SERVICE), location="Köln")
    found = run_detector(engine, T0 + 5 * MINUTE)
    # Both: the hotline is busy too (its own suspicion), and the internet is down.
    [(incident_id, status)] = found[1:]
    with session_scope(engine) as session:
        incident = incidents.get_incident(session, incident_id)
        assert (incident.service, status) == ("internet", "suspected")


def test_the_card_says_what_makes_a_suspicion_likely(engine):
    add_comments(engine, T0, ["Störung?"] * 4, complaint(Service.EMAIL, lang="de"))
    with session_scope(engine) as session:
        comments = [
            make_comment(created_at=T0 + i * MINUTE, text="Mail geht nicht",
                         location="Köln-Mülheim", author=f"koeln{i}")
            for i in range(3)
        ]  # fmt: skip
        for cid in store_comments(session, comments, now=T0):
            session.add(to_row(cid, complaint(Service.EMAIL), now=T0))
    [(incident_id, _)] = run_detector(engine, T0 + 4 * MINUTE)
    with session_scope(engine) as session:
        card = incidents.get_incident(session, incident_id).explanation
    assert card["confidence"] == ['4 near-identical texts ("störung")']
    assert card["regions_count"] == {"Köln": 3}
