"""Alerts from a replay (only with ``--alerts``) and from the command line (``crisis alerts``)."""

from __future__ import annotations

import json
import os

import pytest
import responses
from typer.testing import CliRunner

from crisis.cli.main import app
from crisis.db import make_engine
from crisis.replay.run import replay_into
from crisis.replay.scenario import scenario_path
from crisis.settings import get_settings
from tests.crisis.alerts.standins import (
    PD_ACCEPTED,
    PD_KEY,
    PD_URL,
    SECRETS,
    SLACK_URL,
    TEAMS_URL,
    alert_settings,
    smtp_server,
)

runner = CliRunner()


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, SLACK_URL, body="ok")
        mock.add(responses.POST, TEAMS_URL, status=202)
        mock.add(responses.POST, PD_URL, status=202, json=PD_ACCEPTED)
        yield mock


def sent(rsps, url):
    return [json.loads(c.request.body) for c in rsps.calls if c.request.url == url]


def test_replaying_the_demo_with_alerts_tells_every_channel_in_order(tmp_path, rsps):
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    with smtp_server() as box, scenario_path() as path:
        settings = alert_settings(
            alert_smtp_url=f"smtp://127.0.0.1:{box.port}", alert_email_to="social@nordtel.example"
        )
        replay_into(engine, path, settings, alerts=True)
    engine.dispose()

    story = [
        "Suspected customer service outage (#1)",
        "Incident #1: customer service outage (identified)",
        "Suspected internet outage in München (#2)",
        "Incident #2 updated: internet outage in München, Hamburg (suspected)",
        "Incident #2: internet outage in München, Hamburg (identified)",
        "Incident #1 resolved: customer service outage",
        "Incident #2 updated: internet outage in München, Hamburg (monitoring)",
        "Incident #2 resolved: internet outage in München, Hamburg",
    ]
    slack = sent(rsps, SLACK_URL)
    assert [s["text"] for s in slack] == story
    teams = [t["attachments"][0]["content"]["body"][0]["text"] for t in sent(rsps, TEAMS_URL)]
    assert teams == story
    assert [m["Subject"] for m in box.messages] == [f"[crisis] {title}" for title in story]
    portal_opened = {f["text"].split("\n")[0]: f["text"] for f in slack[0]["blocks"][2]["fields"]}
    assert "post-muttertag (facebook" in portal_opened["*Posts held*"]
    pagerduty = [(p["event_action"], p["dedup_key"]) for p in sent(rsps, PD_URL)]
    portal_key, dsl_key = pagerduty[0][1], pagerduty[2][1]
    assert pagerduty == [
        ("trigger", portal_key),
        ("trigger", portal_key),
        ("trigger", dsl_key),
        ("trigger", dsl_key),
        ("resolve", portal_key),
        ("resolve", dsl_key),
    ]


def test_a_replay_without_alerts_sends_nothing_and_keeps_nothing_for_later(env, tmp_path, rsps):
    scenario = tmp_path / "s.jsonl"
    event = {"at": "2017-05-13T08:00:00+02:00", "type": "operator", "action": "open_incident",
             "service": "internet", "actor": "lena", "reason": "NOC: DSL down"}  # fmt: skip
    scenario.write_text(json.dumps(event) + "\n")
    url = f"sqlite:///{tmp_path / 'replay.db'}"
    engine = make_engine(url)
    replay_into(engine, scenario, alert_settings(classifier="lexicon.v1"))
    engine.dispose()

    later = runner.invoke(app, ["alerts", "deliver", "--database-url", url])

    assert later.exit_code == 0, later.output
    assert len(rsps.calls) == 0
    listed = runner.invoke(app, ["alerts", "list", "--database-url", url])
    assert "confirmed" in listed.output and "none" in listed.output


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("CRISIS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env file here
    monkeypatch.setenv("CRISIS_DATABASE_URL", f"sqlite:///{tmp_path / 'crisis.db'}")
    monkeypatch.setenv("CRISIS_ALERT_SLACK_WEBHOOK_URL", SLACK_URL)
    monkeypatch.setenv("CRISIS_ALERT_TEAMS_WEBHOOK_URL", TEAMS_URL)
    monkeypatch.setenv("CRISIS_ALERT_PAGERDUTY_ROUTING_KEY", PD_KEY)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_crisis_alerts_test_reports_each_channels_result(env):
    with smtp_server() as box, responses.RequestsMock() as rsps:
        env.setenv("CRISIS_ALERT_SMTP_URL", f"smtp://127.0.0.1:{box.port}")
        env.setenv("CRISIS_ALERT_EMAIL_TO", "social@nordtel.example")
        get_settings.cache_clear()
        rsps.add(responses.POST, SLACK_URL, body="ok")
        rsps.add(responses.POST, TEAMS_URL, body="Unauthorized: bad signature", status=401)
        rsps.add(responses.POST, PD_URL, status=202, json=PD_ACCEPTED)
        result = runner.invoke(app, ["alerts", "test"])
        pagerduty = [json.loads(c.request.body) for c in rsps.calls if c.request.url == PD_URL]

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "slack: sent" in lines
    assert "teams: failed teams: HTTP 401 Unauthorized: bad signature" in lines
    assert "email: sent" in lines
    assert "pagerduty: sent" in lines
    assert [p["event_action"] for p in pagerduty] == ["trigger", "resolve"]  # nobody stays paged
    assert box.messages[0]["Subject"] == "[crisis] Test alert from crisis"
    for secret in SECRETS:
        assert secret not in result.output


def test_crisis_alerts_test_without_channels_says_what_to_set(env):
    for name in ("SLACK_WEBHOOK_URL", "TEAMS_WEBHOOK_URL", "PAGERDUTY_ROUTING_KEY"):
        env.delenv(f"CRISIS_ALERT_{name}")
    get_settings.cache_clear()

    result = runner.invoke(app, ["alerts", "test"])

    assert result.exit_code != 0
    assert "CRISIS_ALERT_SLACK_WEBHOOK_URL" in str(result.exception)


def test_an_incident_opened_on_the_command_line_alerts_at_once(env, rsps):
    args = ["--service", "internet", "--region", "Hamburg", "--reason", "NOC: DSLAM down"]
    result = runner.invoke(app, ["incidents", "open", *args, "--by", "lena"])

    assert result.exit_code == 0, result.output
    assert "alerted: pagerduty, slack, teams" in result.output
    [slack] = sent(rsps, SLACK_URL)
    assert slack["text"] == "Incident #1: internet outage in Hamburg (investigating)"
    listed = runner.invoke(app, ["alerts", "list"])
    assert "pagerduty sent, slack sent, teams sent" in listed.output


def test_the_publisher_loop_delivers_a_held_posts_alert(env, rsps):
    env.setenv("CRISIS_ALERT_SLACK_EVENTS", "held")
    get_settings.cache_clear()
    runner.invoke(app, ["freeze", "--reason", "Shitstorm", "--by", "lena"])
    scheduled = runner.invoke(app, ["posts", "schedule", "promo", "--text", "Jetzt wechseln!",
                                    "--at", "+2h", "--by", "lena"])  # fmt: skip
    assert scheduled.exit_code == 0, scheduled.output
    assert sent(rsps, SLACK_URL) == []

    published = runner.invoke(app, ["publish", "--publisher", "recording", "--once"])

    assert published.exit_code == 0, published.output
    [held] = sent(rsps, SLACK_URL)
    assert held["text"] == "Post promo held"
