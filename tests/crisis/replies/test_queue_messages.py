"""What the queue says back: a fresh round of tries, who decided, counts in the right words."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from crisis import audit
from crisis.cli.main import app
from crisis.clock import VirtualClock
from crisis.db import make_engine, session_scope, upgrade
from crisis.errors import InvalidTransition, ServerError
from crisis.ingest import store_comments
from crisis.replies import queue, sending
from crisis.tables import ReviewItem
from crisis.testing import PlatformFake
from tests.crisis.replies.test_incident_replies import arrive
from tests.factories import complaint, make_comment

NOW = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)  # 00:00 in Berlin
runner = CliRunner()


def pending(engine, platform="x"):
    with session_scope(engine) as session:
        [cid] = store_comments(session, [make_comment(platform=platform)], now=NOW)
        values = {"lang": "de", "state": "pending", "arrived_at": NOW, "created_at": NOW}
        item = ReviewItem(comment_id=cid, text="Hallo, wir sind dran.", platform=platform, **values)
        session.add(item)
        session.flush()
        return item.id


def test_a_reply_given_up_on_edited_and_approved_again_gets_a_fresh_round_of_tries(engine):
    item_id = pending(engine)
    with session_scope(engine) as session:
        queue.approve(session, item_id, actor="lena", now=NOW)
    retry = sending.Retry(max_attempts=2)
    clock = VirtualClock(NOW)
    platform = PlatformFake(errors=[ServerError("502 from X")] * 3)
    sending.send_due(engine, platform, actor="s", clock=clock, retry=retry)
    clock.advance(timedelta(hours=1))
    assert sending.send_due(engine, platform, actor="s", clock=clock, retry=retry).gave_up == [
        item_id
    ]
    with session_scope(engine) as session:
        queue.edit(session, item_id, text="Hallo, neu.", actor="max", now=clock.now())
        item = queue.approve(session, item_id, actor="max", now=clock.now())
        assert (item.attempts, item.last_error, item.next_attempt_at) == (0, None, None)
        approval = audit.history(session, entity="review_item", entity_id=item_id)[-1]
    assert approval.details["attempts_reset"] == {"attempts": 2, "last_error": "502 from X"}
    report = sending.send_due(engine, platform, actor="s", clock=clock, retry=retry)
    assert [i for i, _ in report.failed] == [item_id] and report.gave_up == []  # tried again


def test_a_decided_item_says_who_decided_it_and_when_in_berlin_time(engine):
    approved, rejected, waiting = pending(engine), pending(engine), pending(engine)
    with session_scope(engine) as session:
        queue.approve(session, approved, actor="anna", now=NOW)
        queue.reject(session, rejected, actor="ben", now=NOW)
    said = {}
    for name, call in (
        ("approve", lambda s: queue.approve(s, approved, actor="max", now=NOW)),
        ("reject", lambda s: queue.reject(s, rejected, actor="max", now=NOW)),
        ("edit", lambda s: queue.edit(s, rejected, text="x", actor="max", now=NOW)),
        ("send", lambda s: sending.prepare(s, waiting)),
    ):
        with session_scope(engine) as session, pytest.raises(InvalidTransition) as refused:
            call(session)
        said[name] = str(refused.value)
    assert said == {
        "approve": f"review item #{approved} is already approved (by anna at 2026-11-22 00:00 "
        "Berlin)",
        "reject": f"review item #{rejected} is already rejected (by ben at 2026-11-22 00:00 "
        "Berlin); a rejected reply is never sent",
        "edit": f"review item #{rejected} is rejected (by ben at 2026-11-22 00:00 Berlin); a "
        "rejected reply is never sent",
        "send": f"review item #{waiting} is pending: approve it first",
    }


def test_listing_a_platform_or_language_not_in_the_queue_names_the_ones_there(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.db'}"
    engine = make_engine(url)
    upgrade(engine)
    pending(engine, "x"), pending(engine, "facebook")
    engine.dispose()
    for args, said in (
        (["--platform", "foo"], "no items for platform foo (platforms in the queue: facebook, x)"),
        (["--lang", "xx"], "no items for language xx (languages in the queue: de)"),
        (["--urgent", "--templated"], "give --urgent or --templated, not both"),
    ):
        result = runner.invoke(app, ["queue", "list", *args, "--database-url", url])
        assert result.exit_code != 0 and said in str(result.exception), result.output
    result = runner.invoke(app, ["queue", "list", "--templated", "--database-url", url])
    assert result.exit_code == 0 and "Hallo, wir sind dran." in result.output


def test_resolving_an_incident_with_one_customer_says_it_in_the_singular(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.db'}"

    def crisis(*args):
        result = runner.invoke(app, [*args, "--database-url", url])
        assert result.exit_code == 0, (result.output, result.exception)
        return " ".join(result.output.split())

    crisis("incidents", "open", "--service", "internet", "--reason", "NOC", "--by", "lena")
    engine = make_engine(url)
    now = datetime.now(UTC)  # written after the incident opened: older comments stay out
    arrive(engine, (make_comment(author="anna", created_at=now), complaint()), now=now)
    engine.dispose()
    said = crisis("incidents", "resolve", "1", "--reason", "fixed", "--by", "lena")
    assert "1 unsent reply superseded by its follow-up" in said
    assert "1 follow-up queued" in said
    assert "replies" not in said and "follow-ups" not in said


def test_a_lead_who_approves_a_new_eta_for_the_replies_keeps_them_approved(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.db'}"

    def crisis(*args):
        result = runner.invoke(app, [*args, "--database-url", url])
        assert result.exit_code == 0, (result.output, result.exception)
        return " ".join(result.output.split())

    crisis("incidents", "open", "--service", "internet", "--reason", "NOC", "--by", "lena")
    engine = make_engine(url)
    now = datetime.now(UTC)
    arrive(engine, (make_comment(author="anna", created_at=now), complaint()), now=now)
    with session_scope(engine) as session:
        [item] = session.exec(select(ReviewItem)).all()
        queue.approve(session, item.id, actor="lena", now=now - timedelta(minutes=1))
    engine.dispose()

    said = crisis(
        "incidents", "update", "1", "--eta", "+2h", "--keep-approved",
        "--reason", "NOC: new ETA", "--by", "lena",
    )  # fmt: skip

    assert "1 approved reply re-written with the facts you approved (stays approved)" in said
    engine = make_engine(url)
    with session_scope(engine) as session:
        [item] = session.exec(select(ReviewItem)).all()
        assert item.state == "approved" and "gegen" in item.text
    engine.dispose()
