"""Sending to a platform whose credentials are not configured: nothing attempted, nothing lost."""

import os
from datetime import UTC, datetime

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from crisis.cli.main import app
from crisis.clock import VirtualClock
from crisis.db import make_engine, session_scope, upgrade
from crisis.ingest import store_comments
from crisis.publishing import ChannelPublisher, OnceOnlyPublisher
from crisis.replies import queue, sending
from crisis.settings import Settings, get_settings
from crisis.tables import PublishIntent, ReviewItem
from crisis.testing import PlatformFake
from tests.factories import make_comment

NOW = datetime(2017, 5, 13, 10, 0, tzinfo=UTC)


def approved(engine, platform):
    with session_scope(engine) as session:
        [cid] = store_comments(session, [make_comment(platform=platform)], now=NOW)
        values = {"lang": "de", "state": "pending", "arrived_at": NOW, "created_at": NOW}
        item = ReviewItem(comment_id=cid, text="Hallo, wir sind dran.", platform=platform, **values)
        session.add(item)
        session.flush()
        queue.approve(session, item.id, actor="lena", now=NOW)
        return item.id


def unconfigured_facebook():
    Settings(_env_file=None, facebook_page_id=None, facebook_page_token=None).require(
        "facebook_page_id", "facebook_page_token", purpose="posting to Facebook"
    )


def test_a_reply_to_an_unconfigured_platform_stays_approved_untried_and_the_rest_go_out(engine):
    on_facebook, on_x = approved(engine, "facebook"), approved(engine, "x")
    x = PlatformFake()
    clock = VirtualClock(NOW)
    publisher = OnceOnlyPublisher(
        ChannelPublisher({"x": lambda: x, "facebook": unconfigured_facebook}),
        engine=engine,
        clock=clock,
    )
    report = sending.send_due(engine, publisher, actor="sender", clock=clock)

    assert report.sent == [on_x] and report.failed == [] and report.gave_up == []
    [(item_id, why)] = report.not_configured
    assert item_id == on_facebook
    assert why.startswith("facebook is not configured: posting to Facebook needs ")
    assert "CRISIS_FACEBOOK_PAGE_ID" in why
    with session_scope(engine) as session:
        item = queue.get_item(session, on_facebook)
        assert (item.state, item.attempts, item.last_error) == ("approved", 0, None)
        assert session.get(PublishIntent, f"reply:{on_facebook}") is None  # no intent left behind

    facebook = PlatformFake()  # credentials set: the next run sends it, once
    configured = OnceOnlyPublisher(
        ChannelPublisher({"x": lambda: x, "facebook": lambda: facebook}), engine=engine, clock=clock
    )
    assert sending.send_due(engine, configured, actor="sender", clock=clock).sent == [on_facebook]
    assert len(facebook.posted) == 1 and len(x.posted) == 1
    with session_scope(engine) as session:
        states = {i.id: i.state for i in session.exec(select(ReviewItem))}
    assert states == {on_facebook: "sent", on_x: "sent"}


@pytest.fixture
def only_x_configured(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("CRISIS_") and name != "CRISIS_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env file here
    monkeypatch.setenv("CRISIS_X_USER_TOKEN", "user-token")
    x = PlatformFake()
    monkeypatch.setattr("crisis.connectors.x.make_publisher", lambda settings: x)
    get_settings.cache_clear()
    yield x
    get_settings.cache_clear()


def test_send_all_reports_the_unconfigured_platform_per_item_and_sends_the_others(
    only_x_configured, tmp_path
):
    url = f"sqlite:///{tmp_path / 'q.db'}"
    engine = make_engine(url)
    upgrade(engine)
    on_facebook = [approved(engine, "facebook") for _ in range(2)]
    on_x = approved(engine, "x")
    runner = CliRunner()

    def crisis(*args):
        return runner.invoke(app, [*args, "--by", "lena", "--database-url", url])

    dry = " ".join(crisis("queue", "send", "--all", "--dry-run").output.split())
    assert (
        "2 replies would go out on facebook, which is not configured: posting to Facebook "
        "needs CRISIS_FACEBOOK_PAGE_ID, CRISIS_FACEBOOK_PAGE_TOKEN" in dry
    )
    assert "on x" not in dry and "dry run: 3 replies would go out" in dry

    result = crisis("queue", "send", "--all")
    said = " ".join(result.output.split())
    assert result.exit_code == 1, said
    assert f"sent 1: #{on_x}" in said and len(only_x_configured.posted) == 1
    assert "facebook is not configured: posting to Facebook needs CRISIS_FACEBOOK_PAGE_ID" in said
    assert f"#{on_facebook[0]}, #{on_facebook[1]}: 2 replies not sent, still approved" in said

    again = " ".join(crisis("queue", "send", "--id", str(on_facebook[0])).output.split())
    assert "being sent by another attempt" not in again  # no intent was left in flight
    assert f"#{on_facebook[0]}: 1 reply not sent, still approved" in again
    with session_scope(engine) as session:
        items = [queue.get_item(session, i) for i in on_facebook]
        assert [(i.state, i.attempts) for i in items] == [("approved", 0)] * 2
        assert session.exec(select(PublishIntent)).all()[0].idempotency_key == f"reply:{on_x}"
    engine.dispose()
