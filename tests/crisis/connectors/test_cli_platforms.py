"""``crisis ingest --source x|facebook`` and ``crisis connect check`` against recorded payloads."""

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from typer.testing import CliRunner

from crisis.cli.main import app
from crisis.clock import SystemClock
from crisis.connectors.polling import Reporter, poll
from crisis.connectors.retry import Backoff
from crisis.domain import Page
from crisis.errors import AuthFailed, RateLimited
from crisis.pipeline import Pipeline
from crisis.replies.respond import ReplySetup
from crisis.settings import get_settings
from crisis.testing import EchoResponder, KeywordClassifier
from responders.policy import decide
from tests.crisis.connectors.recorded import BEARER, BRAND_ID, PAGE_ID, PAGE_TOKEN, payload
from tests.factories import make_comment

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[3]
MENTIONS = f"https://api.twitter.com/2/users/{BRAND_ID}/mentions"
GRAPH = "https://graph.facebook.com/v21.0"


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("CRISIS_") and name != "CRISIS_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env file here
    values = {
        "CRISIS_DATABASE_URL": f"sqlite:///{tmp_path / 'crisis.db'}",
        "CRISIS_X_BEARER_TOKEN": BEARER,
        "CRISIS_X_ACCOUNT_ID": BRAND_ID,
        "CRISIS_FACEBOOK_PAGE_ID": PAGE_ID,
        "CRISIS_FACEBOOK_PAGE_TOKEN": PAGE_TOKEN,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_ingest_from_x_reads_every_page_and_a_second_run_asks_only_for_newer(env):
    page1, page2 = payload("x_mentions_page1.json"), payload("x_mentions_page2.json")
    seen = []

    def reply(request):
        params = dict(parse_qsl(urlsplit(request.url).query))
        seen.append(params)
        if "since_id" in params:
            body = {"meta": {"result_count": 0}}
        else:
            body = page2 if params.get("pagination_token") else page1
        return 200, {"content-type": "application/json"}, json.dumps(body)

    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, MENTIONS, callback=reply)
        first = runner.invoke(app, ["ingest", "--source", "x"])
        second = runner.invoke(app, ["ingest", "--source", "x"])

    assert first.exit_code == 0, first.output
    assert "done: 3 new comments" in first.output
    assert second.exit_code == 0 and "done: 0 new comments" in second.output
    assert seen[-1]["since_id"] == "1846200000000000002"
    assert BEARER not in first.output + second.output


def test_connect_check_reports_each_permission_and_fails_on_a_wrong_token(env):
    env.delenv("CRISIS_X_BEARER_TOKEN")
    env.setenv("CRISIS_FACEBOOK_APP_SECRET", "s3cr3t-for-test")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{GRAPH}/me", json={"id": PAGE_ID, "name": "Acme Telecom"})
        rsps.add(responses.GET, f"{GRAPH}/{PAGE_ID}/feed", json={"data": [{"id": "p1"}]})
        rsps.add(responses.GET, f"{GRAPH}/{PAGE_ID}/subscribed_apps", json={"data": []})
        rsps.add(responses.GET, f"{GRAPH}/p1/comments", json={"data": []})
        result = runner.invoke(app, ["connect", "check"])
    lines = result.output.splitlines()
    assert result.exit_code == 1, result.output  # X has no bearer token, no verify token
    assert any(re.match(r"ok +facebook: page token of 'Acme Telecom'", line) for line in lines)
    assert any("ok" in line and "pages_read_user_content" in line for line in lines)
    assert any("FAIL" in line and "CRISIS_X_BEARER_TOKEN" in line for line in lines)
    assert any("FAIL" in line and "CRISIS_FACEBOOK_VERIFY_TOKEN" in line for line in lines)
    assert PAGE_TOKEN not in result.output

    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"{GRAPH}/me", json={"id": "42", "name": "Lena (a person)"})
        result = runner.invoke(app, ["connect", "check"])
    assert "not a page token of page" in result.output and result.exit_code == 1


def test_without_credentials_the_error_names_the_setting_to_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRISIS_")}
    env["CRISIS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'c.db'}"
    env["PYTHONPATH"] = str(ROOT)  # this checkout's code, run from a folder without a .env
    for args, missing in [
        (["ingest", "--source", "x", "--follow"], "CRISIS_X_BEARER_TOKEN"),
        (
            ["ingest", "--source", "facebook", "--follow"],
            "CRISIS_FACEBOOK_PAGE_ID, CRISIS_FACEBOOK_PAGE_TOKEN",
        ),
        (
            ["webhook", "serve"],
            "CRISIS_FACEBOOK_PAGE_ID, CRISIS_FACEBOOK_APP_SECRET, CRISIS_FACEBOOK_VERIFY_TOKEN",
        ),
    ]:
        result = subprocess.run(
            [sys.executable, "-m", "crisis.cli", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, result.stdout + result.stderr
        assert missing in result.stdout and "Traceback" not in result.stdout + result.stderr


class FlakySource:
    """Fails as told, then serves one comment per round."""

    name = "flaky"

    def __init__(self, failures):
        self.failures = list(failures)
        self.calls = 0

    def fetch(self, cursor):
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        n = int(cursor or 0) + 1
        return Page(items=[make_comment(external_id=f"f{n}")], cursor=str(n), more=False)


def pipeline_on(engine):
    return Pipeline(
        replies=ReplySetup(responder=EchoResponder(), policy=decide),
        engine=engine,
        classifier=KeywordClassifier({}),
        clock=SystemClock(),
    )


def test_follow_waits_out_rate_limits_reports_them_and_keeps_polling_until_stopped(engine):
    source = FlakySource([RateLimited("X rate limit reached (no reset time given)")])
    stop = threading.Event()
    waits, rounds = [], []

    def round_done(totals):
        rounds.append(totals.new)
        if len(rounds) == 3:
            stop.set()

    totals = poll(
        name="flaky",
        source=source,
        pipeline=pipeline_on(engine),
        follow=True,
        interval=0.01,
        backoff=Backoff(base=0.01, cap=0.02, attempts=None),
        stop=stop,
        report=Reporter(waiting=lambda error, s: waits.append(str(error)), round_done=round_done),
    )
    assert totals.new == 3 and rounds == [1, 2, 3]
    assert waits == ["X rate limit reached (no reset time given)"]


def test_follow_stops_with_the_message_when_waiting_cannot_help(engine):
    source = FlakySource([AuthFailed("X refused the credentials (401)")])
    with pytest.raises(AuthFailed):
        poll(
            name="flaky",
            source=source,
            pipeline=pipeline_on(engine),
            follow=True,
            backoff=Backoff(base=0.01, attempts=None),
        )
    assert source.calls == 1
