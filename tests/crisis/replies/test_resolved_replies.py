"""A resolved incident's follow-up answers its customers: their older replies do not go out too."""

from datetime import timedelta

import pytest
from typer.testing import CliRunner

from crisis import audit, incidents
from crisis.cli.main import app
from crisis.clock import VirtualClock
from crisis.db import make_engine, session_scope, upgrade
from crisis.domain import Urgency
from crisis.errors import AnsweredByFollowUp
from crisis.replies import queue, sending
from crisis.replies.incident_changes import after_incident_change
from crisis.testing import PlatformFake
from tests.crisis.replies.test_incident_replies import SETUP, arrive, items, open_internet
from tests.factories import T0, complaint, make_comment

RESOLVED_AT = T0 + timedelta(hours=3)


def resolved_with_a_lawyer(engine):
    """Dora threatened a lawyer (her reply waits for a person); the incident is resolved."""
    incident_id = open_internet(engine, T0)
    arrive(
        engine,
        (make_comment(author="dora"), complaint(urgent=(Urgency.LEGAL,))),
        now=T0 + timedelta(minutes=1),
    )
    with session_scope(engine) as session:
        incident = incidents.resolve_incident(session, incident_id, now=RESOLVED_AT, actor="lena")
        after_incident_change(session, SETUP, incident, now=RESOLVED_AT)
    [reply] = items(engine, kind="reply")
    [follow_up] = items(engine, kind="follow_up")
    return incident_id, reply.id, follow_up.id


def test_approving_a_resolved_incidents_reply_names_the_follow_up_and_needs_force(engine):
    incident_id, reply_id, follow_up_id = resolved_with_a_lawyer(engine)
    later = RESOLVED_AT + timedelta(minutes=5)
    with session_scope(engine) as session, pytest.raises(AnsweredByFollowUp) as refused:
        queue.approve(session, reply_id, actor="max", now=later, text="Hallo Dora, ...")
    assert (
        f"incident #{incident_id} is resolved; follow-up #{follow_up_id} answers this customer "
        "— edit and approve that, or reject this reply"
    ) in str(refused.value)
    reply = items(engine, kind="reply")[0]
    assert (reply.state, reply.facts_changed) == ("pending", True)  # nothing changed

    with session_scope(engine) as session:
        queue.approve(session, reply_id, actor="max", now=later, text="Hallo Dora, ...", force=True)
        approval = audit.history(session, entity="review_item", entity_id=reply_id)[-1]
    assert (approval.action, approval.actor) == ("review_item.approved", "max")
    assert approval.details["force"] is True and approval.details["follow_up"] == follow_up_id
    assert approval.details["facts_changed"] is True
    assert f"approved despite follow-up #{follow_up_id}" in approval.reason
    assert "approved despite changed facts" in approval.reason
    platform = PlatformFake()
    clock = VirtualClock(later)
    assert sending.send_due(engine, platform, actor="s", clock=clock).sent == [reply_id]


def test_a_reply_approved_before_the_check_is_held_at_sending_until_approved_with_force(engine):
    _, reply_id, follow_up_id = resolved_with_a_lawyer(engine)
    with session_scope(engine) as session:  # approved by an earlier version, without a check
        reply = queue.get_item(session, reply_id)
        reply.state = "approved"
        session.add(reply)
    platform = PlatformFake()
    clock = VirtualClock(RESOLVED_AT + timedelta(minutes=5))

    report = sending.send_due(engine, platform, actor="s", clock=clock)
    assert report.sent == [] and platform.posted == []
    [(held_id, why)] = report.held
    assert held_id == reply_id and f"follow-up #{follow_up_id} answers this customer" in why
    assert items(engine, kind="reply")[0].state == "approved"
    with session_scope(engine) as session:
        [outgoing] = sending.preview(session, now=clock.now())
    assert outgoing.held == why  # the dry run says so too

    with session_scope(engine) as session:
        queue.approve(session, reply_id, actor="max", now=clock.now(), force=True)
    assert sending.send_due(engine, platform, actor="s", clock=clock).sent == [reply_id]


def test_queue_show_and_approve_point_to_the_follow_up_of_the_same_customer(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.db'}"
    engine = make_engine(url)
    upgrade(engine)
    incident_id, reply_id, follow_up_id = resolved_with_a_lawyer(engine)
    engine.dispose()
    runner = CliRunner()

    def crisis(*args):
        result = runner.invoke(app, [*args, "--database-url", url])
        return result, " ".join(result.output.split())

    _, shown = crisis("queue", "show", str(reply_id))
    assert (
        f"incident #{incident_id} is resolved: follow-up #{follow_up_id} (pending) answers this "
        "customer"
    ) in shown
    _, shown = crisis("queue", "show", str(follow_up_id))
    assert f"this customer's earlier replies still open: #{reply_id} (pending)" in shown

    result, _ = crisis("queue", "approve", str(reply_id), "--text", "Hallo", "--by", "max")
    assert result.exit_code != 0 and f"follow-up #{follow_up_id}" in str(result.exception)
    result, said = crisis(
        "queue", "approve", str(reply_id), "--text", "Hallo", "--force", "--by", "max"
    )
    assert result.exit_code == 0, said
    assert "approved despite changed facts" in said
    assert f"forced: follow-up #{follow_up_id} (pending) answers this customer too" in said
