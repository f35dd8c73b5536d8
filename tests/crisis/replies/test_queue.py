from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from crisis import audit
from crisis.clock import VirtualClock
from crisis.db import session_scope
from crisis.errors import InvalidReply, InvalidTransition, RateLimited, ServerError
from crisis.ingest import store_comments
from crisis.publishing import OnceOnlyPublisher
from crisis.replies import bulk, queue, sending
from crisis.tables import ReviewItem, SentReply
from crisis.testing import PlatformFake, RecordingPublisher, SimulatedCrash
from tests.factories import make_comment

NOW = datetime(2017, 5, 13, 10, 0, tzinfo=UTC)


def pending_item(engine, text="Hallo, wir kennen die Störung.", platform="x", **fields):
    with session_scope(engine) as session:
        [cid] = store_comments(session, [make_comment(platform=platform)], now=NOW)
        values = {"lang": "de", "state": "pending", "arrived_at": NOW, "platform": platform}
        item = ReviewItem(comment_id=cid, text=text, created_at=NOW, **{**values, **fields})
        session.add(item)
        session.flush()
        return item.id


def approved_item(engine, **fields):
    item_id = pending_item(engine, **fields)
    with session_scope(engine) as session:
        queue.approve(session, item_id, actor="lena", now=NOW)
    return item_id


def get(engine, item_id):
    with session_scope(engine) as session:
        return queue.get_item(session, item_id)


def test_approved_reply_is_sent_once_and_the_decision_audited(engine):
    item_id = pending_item(engine)
    publisher = RecordingPublisher()
    with session_scope(engine) as session:
        queue.approve(session, item_id, actor="lena", now=NOW, text="Hallo! Wir arbeiten daran.")
    assert (
        sending.send(engine, item_id, publisher, actor="lena", clock=VirtualClock(NOW)).state
        == "sent"
    )
    with pytest.raises(InvalidTransition):
        sending.send(engine, item_id, publisher, actor="lena", clock=VirtualClock(NOW))
    with session_scope(engine) as session:
        trail = audit.history(session, entity="review_item", entity_id=item_id)
        sent = session.exec(select(SentReply)).one()
    [post] = publisher.published
    assert (post.channel, post.text) == ("x", "Hallo! Wir arbeiten daran.")
    assert sent.review_item_id == item_id
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


def test_the_queue_lists_urgent_first_then_wide_reach_then_the_oldest(engine):
    old, new = NOW - timedelta(hours=2), NOW - timedelta(minutes=5)
    ids = {
        "new small": pending_item(engine, arrived_at=new),
        "old small": pending_item(engine, arrived_at=old),
        "new famous": pending_item(engine, arrived_at=new, reach_rank=0),
        "new urgent": pending_item(engine, arrived_at=new, urgency_rank=0, needs_human=True),
        "old facebook en": pending_item(engine, arrived_at=old, platform="facebook", lang="en"),
        "approved": approved_item(engine, urgency_rank=0),
    }
    with session_scope(engine) as session:
        listed = [i.id for i in queue.list_items(session)]
        page_two = [i.id for i in queue.list_items(session, limit=2, offset=2)]
        urgent = queue.list_items(session, where=queue.QueueFilter(urgent=True))
        english = queue.list_items(session, where=queue.QueueFilter(lang="en", platform="facebook"))
    assert listed == [
        ids[name]
        for name in ("new urgent", "new famous", "old small", "old facebook en", "new small")
    ]
    assert page_two == listed[2:4]
    assert [i.id for i in urgent] == [ids["new urgent"]]
    assert [i.id for i in english] == [ids["old facebook en"]]


def test_an_edit_keeps_the_item_pending_and_records_before_and_after(engine):
    item_id = pending_item(engine, text="Vorschlag")
    with session_scope(engine) as session:
        queue.edit(session, item_id, text="Hallo Anna, wir sind dran 🙏", actor="max", now=NOW)
        with pytest.raises(InvalidReply, match="empty"):
            queue.edit(session, item_id, text=" \n ", actor="max", now=NOW)
        [entry] = audit.history(session, entity="review_item", entity_id=item_id)
    item = get(engine, item_id)
    assert (item.state, item.text, item.edited_by) == (
        "pending",
        "Hallo Anna, wir sind dran 🙏",
        "max",
    )
    assert (entry.actor, entry.details["before"], entry.details["after"]) == (
        "max", "Vorschlag", "Hallo Anna, wir sind dran 🙏"
    )  # fmt: skip


def test_an_approved_reply_can_be_taken_back_for_editing_until_it_is_sent(engine):
    item_id = approved_item(engine, text="Vorschlag")
    later = NOW + timedelta(minutes=3)
    with session_scope(engine) as session:
        queue.edit(session, item_id, text="Hallo Anna, besser so.", actor="max", now=later)
        trail = audit.history(session, entity="review_item", entity_id=item_id)
    item = get(engine, item_id)
    assert (item.state, item.text, item.edited_by) == ("pending", "Hallo Anna, besser so.", "max")
    assert [(e.action, e.actor, e.reason) for e in trail[1:]] == [
        ("review_item.pending", "max", "reopened for editing"),
        ("review_item.edited", "max", None),
    ]
    assert (
        sending.send_due(engine, RecordingPublisher(), actor="s", clock=VirtualClock(later)).sent
        == []
    )
    with session_scope(engine) as session:
        queue.approve(session, item_id, actor="max", now=later)
    sending.send_due(engine, RecordingPublisher(), actor="s", clock=VirtualClock(later))
    with session_scope(engine) as session, pytest.raises(InvalidTransition, match="sent"):
        queue.edit(session, item_id, text="zu spät", actor="max", now=later)


def test_a_reply_too_long_for_x_is_refused_with_the_numbers_and_facebook_takes_it(engine):
    on_x, on_facebook = pending_item(engine), pending_item(engine, platform="facebook")
    long_text = "Wir kümmern uns. " * 17  # 289 characters
    with session_scope(engine) as session:
        with pytest.raises(InvalidReply, match="weighs 289 on x.*limit is 280: shorten it by 9"):
            queue.approve(session, on_x, actor="lena", now=NOW, text=long_text)
        queue.approve(session, on_facebook, actor="lena", now=NOW, text=long_text)
    assert get(engine, on_x).state == "pending"


def cluster(engine, size, **fields):
    values = {
        "incident_id": None,
        "situation": "outage_incident",
        "template": "de/outage_incident#1",
    }
    return [pending_item(engine, **{**values, **fields}) for _ in range(size)]


def with_incident(engine):
    from crisis import incidents
    from crisis.domain import Service

    with session_scope(engine) as session:
        incident = incidents.open_incident(
            session, service=Service.INTERNET, now=NOW, opened_by="operator", actor="lena",
            reason="test",
        )  # fmt: skip
        return incident.id


def test_bulk_approve_needs_three_spot_checks_of_the_cluster_and_skips_human_items(engine):
    incident_id = with_incident(engine)
    german = cluster(engine, 5, incident_id=incident_id)
    english = cluster(engine, 2, incident_id=incident_id, lang="en")
    human = cluster(engine, 1, incident_id=incident_id, needs_human=True, reasons=["legal"])

    def approve(session, checked, up_to=german[-1]):
        return bulk.bulk_approve(
            session, incident_id=incident_id, spot_checked=checked, up_to=up_to, actor="lena",
            now=NOW,
        )  # fmt: skip

    with session_scope(engine) as session:
        [big, small] = bulk.clusters(session, incident_id=incident_id)
        with pytest.raises(bulk.SpotCheckMissing, match="check at least 3 items"):
            approve(session, german[:2])
        with pytest.raises(bulk.SpotCheckMissing, match="different clusters"):
            approve(session, [*german[:2], english[0]])
        with pytest.raises(bulk.SpotCheckMissing, match="needs a person"):
            approve(session, [*german[:2], human[0]])
        result = approve(session, german[:3])
        trail = audit.history(session, entity="review_item", entity_id=german[4])
    assert (big.size, big.lang, small.size, small.lang) == (5, "de", 2, "en")
    assert result.approved == german and result.refused == []
    assert [get(engine, i).state for i in (*english, *human)] == ["pending"] * 3
    assert trail[-1].details["bulk"] == result.decision_id and trail[-1].actor == "lena"
    with session_scope(engine) as session:  # a cluster of 2 needs both checked
        done = bulk.bulk_approve(
            session, incident_id=incident_id, spot_checked=english, up_to=english[-1],
            actor="lena", now=NOW,
        )  # fmt: skip
    assert done.approved == english


def test_bulk_approve_takes_only_the_items_listed_at_the_spot_check(engine):
    incident_id = with_incident(engine)
    cluster(engine, 4, incident_id=incident_id)
    with session_scope(engine) as session:
        [listed] = bulk.clusters(session, incident_id=incident_id)
    newer = cluster(engine, 2, incident_id=incident_id)  # arrived while someone read the sample

    with session_scope(engine) as session:
        with pytest.raises(
            bulk.SpotCheckMissing,
            match=f"#{newer[0]} arrived after the listing you checked \\(up to #{listed.up_to}\\)",
        ):
            bulk.bulk_approve(
                session, incident_id=incident_id, spot_checked=[*listed.sample_ids[:2], newer[0]],
                up_to=listed.up_to, actor="lena", now=NOW,
            )  # fmt: skip
        result = bulk.bulk_approve(
            session, incident_id=incident_id, spot_checked=listed.sample_ids[:3],
            up_to=listed.up_to, actor="lena", now=NOW,
        )  # fmt: skip
    assert (listed.size, listed.up_to) == (4, newer[0] - 1)
    assert result.approved == list(listed.sample_ids[:4])
    assert [get(engine, i).state for i in newer] == ["pending", "pending"]


def test_listing_with_an_unknown_state_kind_or_incident_says_what_exists(engine):
    from crisis.errors import NotFound, UnknownName

    with session_scope(engine) as session:
        with pytest.raises(
            UnknownName, match="unknown review item state 'bogus'; known: .*pending"
        ):
            queue.list_items(session, state="bogus")
        with pytest.raises(UnknownName, match="known: follow_up, reply"):
            queue.list_items(session, where=queue.QueueFilter(kind="bogus"))
        with pytest.raises(NotFound, match="no incident with id 99"):
            queue.list_items(session, where=queue.QueueFilter(incident_id=99))


def test_a_failed_send_is_retried_with_growing_waits_until_it_gives_up_visibly(engine):
    item_id = approved_item(engine)
    platform = PlatformFake(errors=[ServerError("502 from X")] * 3)
    retry = sending.Retry(max_attempts=3, first=timedelta(minutes=1), cap=timedelta(minutes=90))
    clock = VirtualClock(NOW)
    waits = []
    for _ in range(3):
        report = sending.send_due(engine, platform, actor="sender", clock=clock, retry=retry)
        item = get(engine, item_id)
        assert (
            sending.send_due(engine, platform, actor="sender", clock=clock, retry=retry).failed
            == []
        )
        if item.next_attempt_at:
            waits.append(item.next_attempt_at - clock.now())
            clock.set(item.next_attempt_at)
    assert report.gave_up == [item_id]
    assert (item.state, item.attempts, item.last_error) == ("failed", 3, "502 from X")
    assert len(waits) == 2 and timedelta(seconds=30) <= waits[0] < timedelta(minutes=1)
    assert timedelta(minutes=1) <= waits[1] < timedelta(minutes=2)
    with session_scope(engine) as session:
        failed = queue.list_items(session, state="failed")
        queue.approve(session, item_id, actor="lena", now=clock.now())  # a person tries again
    assert [i.id for i in failed] == [item_id]
    assert sending.send_due(engine, platform, actor="sender", clock=clock, retry=retry).sent == [
        item_id
    ]
    assert len(platform.posted) == 1


def test_a_rate_limited_send_waits_for_the_reset(engine):
    item_id = approved_item(engine)
    reset = NOW + timedelta(minutes=15)
    platform = PlatformFake(errors=[RateLimited("429", reset_at=reset)])
    sending.send_due(engine, platform, actor="sender", clock=VirtualClock(NOW))
    assert get(engine, item_id).next_attempt_at == reset


@pytest.mark.parametrize("crash_at", ["platform call", "recording the send"])
def test_a_reply_is_sent_once_even_when_the_process_dies_after_the_platform_took_it(
    engine, crash_at
):
    item_id = approved_item(engine)
    clock = VirtualClock(NOW)
    platform = PlatformFake(crash_after_publish=1 if crash_at == "platform call" else 0)
    publisher = OnceOnlyPublisher(platform, engine=engine, clock=clock)

    class DiesBeforeRecording:
        def publish(self, post):
            publisher.publish(post)
            raise SimulatedCrash("died before the send was recorded")

    dying = publisher if crash_at == "platform call" else DiesBeforeRecording()
    with pytest.raises(SimulatedCrash):
        sending.send(engine, item_id, dying, actor="sender", clock=clock)
    assert get(engine, item_id).state == "approved"  # nothing was recorded here

    clock.advance(timedelta(minutes=5))  # a new process, after the grace period
    restarted = OnceOnlyPublisher(platform, engine=engine, clock=clock)
    report = sending.send_due(engine, restarted, actor="sender", clock=clock)

    assert report.sent == [item_id]
    assert len(platform.posted) == 1
    with session_scope(engine) as session:
        sent = session.exec(select(SentReply)).one()
    assert sent.external_id == "x-1" and sent.idempotency_key == f"reply:{item_id}"


def test_a_reply_to_a_platform_nobody_publishes_to_gives_up_at_once_and_the_rest_go_out(engine):
    from crisis.publishing import ChannelPublisher

    stray = approved_item(engine, platform="mastodon")
    fine = approved_item(engine)
    platform = PlatformFake()
    publisher = OnceOnlyPublisher(
        ChannelPublisher({"x": lambda: platform}), engine=engine, clock=VirtualClock(NOW)
    )
    report = sending.send_due(engine, publisher, actor="sender", clock=VirtualClock(NOW))
    assert (report.sent, report.gave_up) == ([fine], [stray])
    assert "unknown publishing channel 'mastodon'" in (get(engine, stray).last_error or "")


def test_a_send_refused_while_another_attempt_is_in_flight_waits_without_counting(engine):
    item_id = approved_item(engine)
    clock = VirtualClock(NOW)
    platform = PlatformFake(crash_after_publish=1)
    with pytest.raises(SimulatedCrash):  # an attempt that died: its intent stays in flight
        sending.send_due(engine, OnceOnlyPublisher(platform, engine=engine, clock=clock),
                         actor="sender", clock=clock)  # fmt: skip
    clock.advance(timedelta(seconds=30))
    publisher = OnceOnlyPublisher(platform, engine=engine, clock=clock)
    report = sending.send_due(engine, publisher, actor="sender", clock=clock)

    item = get(engine, item_id)
    assert report.waiting == [(item_id, NOW + publisher.grace)] and report.failed == []
    assert (item.state, item.attempts, item.next_attempt_at) == (
        "approved",
        0,
        NOW + publisher.grace,
    )
    assert sending.send_due(engine, publisher, actor="sender", clock=clock).waiting == []  # not due
    clock.set(NOW + publisher.grace)
    assert sending.send_due(engine, publisher, actor="sender", clock=clock).sent == [item_id]
    assert len(platform.posted) == 1 and get(engine, item_id).attempts == 1


def test_a_sender_records_nothing_over_a_reply_that_changed_while_it_was_publishing(engine):
    item_id = approved_item(engine)
    later = NOW + timedelta(minutes=1)

    class ReopenedMeanwhile:
        """While the platform call runs, a person takes the reply back to edit it."""

        def publish(self, post):
            with session_scope(engine) as session:
                queue.edit(session, item_id, text="Neu formuliert", actor="max", now=later)
            return "x-1"

    report = sending.send_due(
        engine, ReopenedMeanwhile(), actor="sender", clock=VirtualClock(later)
    )
    item = get(engine, item_id)
    assert report.sent == [] and report.skipped == [
        (item_id, "it went out, but the item changed meanwhile (now pending)")
    ]
    assert (item.state, item.text, item.edited_by) == ("pending", "Neu formuliert", "max")
    with session_scope(engine) as session:
        assert session.exec(select(SentReply)).all() == []


def test_a_dry_run_lists_what_would_go_out_and_changes_nothing(engine):
    item_id = approved_item(engine, text="Hallo, wir sind dran.")
    pending_item(engine)
    with session_scope(engine) as session:
        [outgoing] = sending.preview(session, now=NOW)
    assert (outgoing.item_id, outgoing.post.text, outgoing.post.idempotency_key) == (
        item_id, "Hallo, wir sind dran.", f"reply:{item_id}"
    )  # fmt: skip
    assert get(engine, item_id).state == "approved"


def test_two_overlapping_senders_record_a_reply_once(engine):
    item_id = approved_item(engine)
    clock = VirtualClock(NOW)
    second = RecordingPublisher()

    class SlowPlatform:
        """While this sender waits for the platform, a second sender runs from start to end."""

        def publish(self, post):
            assert sending.send_due(engine, second, actor="sender-2", clock=clock).sent == [item_id]
            return "x-slow"

    report = sending.send_due(engine, SlowPlatform(), actor="sender-1", clock=clock)

    assert report.sent == [] and report.skipped[0][0] == item_id
    with session_scope(engine) as session:
        [sent] = session.exec(select(SentReply)).all()
        trail = audit.history(session, entity="review_item", entity_id=item_id)
    assert sent.external_id != "x-slow"  # the first record stands
    assert [(e.action, e.actor) for e in trail if e.action == "review_item.sent"] == [
        ("review_item.sent", "sender-2")
    ]
    assert get(engine, item_id).decided_by == "sender-2"


def test_an_item_another_send_all_took_is_skipped_and_counted_not_fatal(engine):
    first, second, third = (approved_item(engine) for _ in range(3))
    clock = VirtualClock(NOW)
    other = RecordingPublisher()

    class SlowPlatform:
        """While this sender posts its first reply, a second ``send --all`` runs to the end."""

        def __init__(self):
            self.posted = []

        def publish(self, post):
            if not self.posted:
                sending.send_due(engine, other, actor="sender-2", clock=clock)
            self.posted.append(post.idempotency_key)
            return f"x-{len(self.posted)}"

    slow = SlowPlatform()
    report = sending.send_due(engine, slow, actor="sender-1", clock=clock)

    assert slow.posted == [f"reply:{first}"]  # the others were taken: never posted twice
    assert [item for item, _ in report.taken] == [second, third]
    assert all("sent by another sender" in why for _, why in report.taken)
    assert [item for item, _ in report.skipped] == [first]
    assert {get(engine, i).state for i in (first, second, third)} == {"sent"}
