"""``crisis posts sync``, ``rule`` and ``rules`` against a Postiz served from recorded payloads."""

from datetime import UTC, datetime

import pytest
import responses
from typer.testing import CliRunner

from crisis.cli import schedulers as cli_schedulers
from crisis.cli.main import app
from crisis.clock import VirtualClock
from crisis.settings import get_settings
from tests.crisis.schedulers.fakes import POSTIZ, FakePostiz

runner = CliRunner()


@pytest.fixture
def postiz_env(monkeypatch, tmp_path):
    monkeypatch.setenv("CRISIS_POSTIZ_URL", POSTIZ)
    monkeypatch.setenv("CRISIS_POSTIZ_API_KEY", "test-postiz-key-0123")
    monkeypatch.setattr(
        cli_schedulers, "clock", VirtualClock(datetime(2026, 12, 6, 8, 0, tzinfo=UTC))
    )
    get_settings.cache_clear()
    yield f"sqlite:///{tmp_path / 'c.db'}"
    get_settings.cache_clear()


def test_posts_sync_imports_postiz_posts_by_rule_and_lists_them_with_their_source(postiz_env):
    url = postiz_env
    rule = runner.invoke(
        app, ["posts", "rule", "postiz", "service", "--label", "Service", "--by", "lea",
              "--database-url", url],
    )  # fmt: skip
    assert rule.exit_code == 0, rule.output
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        FakePostiz(rsps)
        synced = runner.invoke(app, ["posts", "sync", "--database-url", url])
    assert synced.exit_code == 0, synced.output
    assert "imported: postiz:cm4winter0001, postiz:cm4service0003" in synced.output
    listed = runner.invoke(app, ["posts", "list", "--database-url", url])
    assert "postiz:cm4winter0001" in listed.output and "postiz (scheduled)" in listed.output
    shown = runner.invoke(app, ["posts", "show", "postiz:cm4winter0001", "--database-url", url])
    assert "scheduled in postiz as cm4winter0001 (scheduled)" in shown.output
    assert "winter.png" in shown.output
    rules = runner.invoke(app, ["posts", "rules", "--database-url", url])
    assert "Service" in rules.output and "service" in rules.output


def test_posts_sync_without_any_scheduler_says_what_to_set(monkeypatch, tmp_path):
    for name in ("CRISIS_POSTIZ_URL", "CRISIS_POSTIZ_API_KEY", "CRISIS_BUFFER_ACCESS_TOKEN",
                 "CRISIS_HOOTSUITE_ACCESS_TOKEN", "CRISIS_FACEBOOK_NATIVE_SCHEDULING"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    result = runner.invoke(
        app, ["posts", "sync", "--database-url", f"sqlite:///{tmp_path / 'c.db'}"]
    )
    get_settings.cache_clear()
    assert result.exit_code != 0
    assert "CRISIS_POSTIZ_API_KEY" in str(result.exception) + result.output


def test_posts_sync_exits_1_and_names_the_post_when_postiz_refuses_to_hold_it(postiz_env):
    url = postiz_env
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakePostiz(rsps)
        fake.failures["PUT"] = [(401, {"statusCode": 401, "message": "Invalid API key"})]
        opened = runner.invoke(
            app, ["incidents", "open", "--service", "internet", "--reason", "DSL", "--by", "lea",
                  "--database-url", url],
        )  # fmt: skip
        assert opened.exit_code == 0, opened.output
        cli_schedulers.clock.set(datetime(2026, 12, 6, 8, 55, tzinfo=UTC))
        synced = runner.invoke(app, ["posts", "sync", "--database-url", url])
    assert synced.exit_code == 1
    assert "NOT HELD" in synced.output and "postiz:cm4winter0001" in synced.output
    assert "Invalid API key" in " ".join(synced.output.split())  # rich wraps long lines
