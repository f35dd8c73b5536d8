"""Alerts out: what Slack, Teams, PagerDuty and email receive when an incident opens, changes
and closes, when marketing is frozen or a post held; retries, order, and no secret anywhere."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
import responses
from sqlmodel import select

from crisis import audit, holds, incidents, posts
from crisis.alerts.dispatch import make_dispatcher
from crisis.clock import VirtualClock
from crisis.db import session_scope
from crisis.domain import Service
from crisis.errors import ConfigError
from crisis.tables import AlertDelivery, AlertEvent
from tests.crisis.alerts.standins import (
    PD_ACCEPTED,
    PD_KEY,
    PD_URL,
    PUBLIC_URL,
    SECRETS,
    SLACK_URL,
    TEAMS_URL,
    alert_settings,
    http_hook,
    smtp_server,
)

NOW = datetime(2017, 5, 13, 6, 40, tzinfo=UTC)  # 08:40 in Berlin
CARD = {
    "reason": "42 customers in Hamburg complained about internet in the last 30 min",
    "authors": 42,
    "window_minutes": 30,
    "usual_per_window": 3.5,
    "spike_region": "Hamburg",
    "peak_complainers": 42,
}


def schedule_marketing(engine, key="post-muttertag"):
    with session_scope(engine) as session:
        posts.schedule_post(
            session, key=key, channel="facebook", category="marketing",
            text="Alles Gute zum Muttertag!", publish_at=NOW + timedelta(hours=3), now=NOW,
            actor="anna",
        )  # fmt: skip


def open_suspected(engine, now=NOW):
    with session_scope(engine) as session:
        incident = incidents.open_incident(
            session, service=Service.INTERNET, now=now, opened_by="detector", actor="detector",
            reason=CARD["reason"], regions=["Hamburg"], status="suspected", explanation=CARD,
        )  # fmt: skip
        return incident.id


def stand_ins(rsps, *, slack=200, teams=202, pagerduty=202):
    for url, status, body in (
        (SLACK_URL, slack, "ok" if slack == 200 else "rollup_error"),
        (TEAMS_URL, teams, ""),
        (PD_URL, pagerduty, json.dumps(PD_ACCEPTED)),
    ):
        statuses = status if isinstance(status, list) else [status]
        for code in statuses:
            rsps.add(responses.POST, url, body=body, status=code)


def bodies(rsps, url):
    return [json.loads(call.request.body) for call in rsps.calls if call.request.url == url]


@pytest.fixture
def rsps():
    """The stand-ins for Slack, Teams and PagerDuty; the calls stay readable during the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def clock():
    return VirtualClock(NOW)


def test_a_suspected_outage_reaches_slack_teams_and_pagerduty_with_evidence_and_held_posts(
    engine, clock, rsps
):
    schedule_marketing(engine)
    incident_id = open_suspected(engine)
    dispatcher = make_dispatcher(alert_settings(), engine=engine, clock=clock)

    stand_ins(rsps)
    report = dispatcher.deliver_due()

    assert sorted(channel for _, channel in report.sent) == ["pagerduty", "slack", "teams"]
    link = f"{PUBLIC_URL}/incidents/{incident_id}"
    [slack] = bodies(rsps, SLACK_URL)
    assert slack["text"] == f"Suspected internet outage in Hamburg (#{incident_id})"
    header, what, fields, actions = slack["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": slack["text"]}}
    assert what["text"]["text"] == (
        "The detector suspects an internet outage in Hamburg: 42 customers in Hamburg complained "
        "in 30 min (usual for this hour: 3.5)."
    )
    facts = [f["text"] for f in fields["fields"]]
    assert "*Regions*\nHamburg" in facts
    assert "*Posts held*\n1: post-muttertag (facebook, 2017-05-13 11:40 Berlin)" in facts
    assert actions["elements"][0]["url"] == link

    [teams] = bodies(rsps, TEAMS_URL)
    assert teams["type"] == "message"
    [attachment] = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    factset = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
    assert factset["Evidence"].startswith("42 customers in Hamburg complained in 30 min")
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open in crisis", "url": link}]

    [pd] = bodies(rsps, PD_URL)
    assert pd["routing_key"] == PD_KEY
    assert pd["event_action"] == "trigger"
    assert pd["dedup_key"] == f"crisis-incident-{incident_id}-20170513T064000Z"
    assert pd["payload"]["severity"] == "warning"  # suspected: warns, a confirmed one pages
    assert pd["payload"]["component"] == "internet"
    assert pd["payload"]["group"] == "Hamburg"
    assert pd["payload"]["timestamp"] == NOW.isoformat()
    assert pd["links"] == [{"href": link, "text": "Incident in crisis"}]

    with session_scope(engine) as session:
        trail = audit.history(session, entity="incident", entity_id=incident_id)
    sent = [(e.details["channel"], e.details["alert"]) for e in trail if e.action == "alert.sent"]
    assert sorted(sent) == [("pagerduty", "suspected"), ("slack", "suspected"),
                            ("teams", "suspected")]  # fmt: skip


def test_pagerduty_triggers_on_open_and_resolves_the_same_dedup_key_on_close(engine, clock, rsps):
    incident_id = open_suspected(engine)
    with session_scope(engine) as session:
        incidents.update_incident(session, incident_id, now=NOW, actor="anna", status="identified",
                                  reason="NOC: DSLAM Hamburg-Nord down")  # fmt: skip
        incidents.resolve_incident(session, incident_id, now=NOW, actor="anna", reason="fixed")
    settings = alert_settings(alert_slack_webhook_url=None, alert_teams_webhook_url=None)
    dispatcher = make_dispatcher(settings, engine=engine, clock=clock)

    stand_ins(rsps)
    dispatcher.deliver_due()

    sent = bodies(rsps, PD_URL)
    assert [s["event_action"] for s in sent] == ["trigger", "trigger", "resolve"]
    assert len({s["dedup_key"] for s in sent}) == 1
    assert sent[1]["payload"]["severity"] == "critical"  # confirmed by a person: page
    assert sent[2] == {"routing_key": PD_KEY, "event_action": "resolve",
                       "dedup_key": sent[0]["dedup_key"]}  # fmt: skip


def test_a_change_that_rolls_back_sends_no_alert(engine, clock, rsps):
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        incidents.open_incident(session, service=Service.TV, now=NOW, opened_by="operator",
                                actor="anna", reason="test")  # fmt: skip
        raise RuntimeError("crash before the commit")
    dispatcher = make_dispatcher(alert_settings(), engine=engine, clock=clock)

    with responses.RequestsMock():  # any request would fail this test
        report = dispatcher.deliver_due()

    assert report.sent == [] and report.failed == []


def test_an_alert_written_before_a_crash_is_sent_by_the_next_dispatcher(engine, clock, rsps):
    incident_id = open_suspected(engine)  # committed; the process "dies" before delivering
    fresh = make_dispatcher(alert_settings(), engine=engine, clock=clock)

    stand_ins(rsps)
    fresh.deliver_due()
    fresh.deliver_due()  # a second round sends nothing twice

    assert len(bodies(rsps, SLACK_URL)) == 1
    assert str(incident_id) in bodies(rsps, SLACK_URL)[0]["text"]


def test_5xx_and_429_are_retried_with_backoff_and_each_attempt_is_on_the_history(
    engine, clock, rsps
):
    incident_id = open_suspected(engine)
    settings = alert_settings(alert_teams_webhook_url=None, alert_pagerduty_routing_key=None)
    dispatcher = make_dispatcher(settings, engine=engine, clock=clock)

    rsps.add(responses.POST, SLACK_URL, body="rollup_error", status=500)
    rsps.add(responses.POST, SLACK_URL, body="rate_limited", status=429)
    rsps.add(responses.POST, SLACK_URL, body="ok", status=200)
    first = dispatcher.deliver_due()
    again_at_once = dispatcher.deliver_due()  # not due yet: nothing is sent
    clock.advance(timedelta(minutes=1))
    second = dispatcher.deliver_due()
    clock.advance(timedelta(minutes=2))
    third = dispatcher.deliver_due()

    assert first.failed == [(1, "slack", "slack: HTTP 500 rollup_error")]
    assert again_at_once.failed == [] and again_at_once.waiting == 1
    assert second.failed == [(1, "slack", "slack: HTTP 429 rate_limited")]
    assert third.sent == [(1, "slack")]
    assert len(rsps.calls) == 3
    with session_scope(engine) as session:
        trail = audit.history(session, entity="incident", entity_id=incident_id)
        delivery = session.exec(select(AlertDelivery)).one()
    tries = [(e.action, e.details["attempt"]) for e in trail if e.action.startswith("alert.")]
    assert tries == [("alert.failed", 1), ("alert.failed", 2), ("alert.sent", 3)]
    assert trail[-2].details["retry_at"] is not None
    assert (delivery.state, delivery.attempts) == ("sent", 3)


def test_a_channel_that_fails_holds_its_later_alerts_back_but_not_the_other_channels(
    engine, clock, rsps
):
    incident_id = open_suspected(engine)
    with session_scope(engine) as session:
        incidents.resolve_incident(session, incident_id, now=NOW, actor="anna", reason="no")
    settings = alert_settings(alert_teams_webhook_url=None)
    dispatcher = make_dispatcher(settings, engine=engine, clock=clock)

    rsps.add(responses.POST, PD_URL, status=503)
    stand_ins(rsps, pagerduty=[202, 202])
    dispatcher.deliver_due()
    assert len(bodies(rsps, SLACK_URL)) == 2  # suspected, dismissed
    assert [b["event_action"] for b in bodies(rsps, PD_URL)] == ["trigger"]  # the 503
    clock.advance(timedelta(minutes=1))
    dispatcher.deliver_due()

    assert [b["event_action"] for b in bodies(rsps, PD_URL)] == ["trigger", "trigger", "resolve"]
    assert "dismissed" in bodies(rsps, SLACK_URL)[1]["text"]


def test_a_refused_webhook_gives_up_at_once_and_later_alerts_still_go(engine, clock, rsps):
    incident_id = open_suspected(engine)
    with session_scope(engine) as session:
        eta = NOW + timedelta(hours=2)
        incidents.update_incident(session, incident_id, now=NOW, actor="anna", eta=eta)
    settings = alert_settings(alert_teams_webhook_url=None, alert_pagerduty_routing_key=None)
    dispatcher = make_dispatcher(settings, engine=engine, clock=clock)

    rsps.add(responses.POST, SLACK_URL, body="no_service", status=404)
    rsps.add(responses.POST, SLACK_URL, body="ok", status=200)
    report = dispatcher.deliver_due()

    assert report.failed == [(1, "slack", "slack: HTTP 404 no_service")]
    assert report.sent == [(2, "slack")]
    updated = bodies(rsps, SLACK_URL)[1]
    assert updated["blocks"][1]["text"]["text"] == (
        "anna changed eta from - to 2017-05-13 10:40 Berlin."
    )
    with session_scope(engine) as session:
        failed = session.exec(select(AlertDelivery).where(AlertDelivery.state == "failed")).one()
    assert failed.attempts == 1


def test_no_secret_reaches_the_log_the_history_or_the_error(engine, clock, caplog, rsps):
    open_suspected(engine)
    dispatcher = make_dispatcher(alert_settings(), engine=engine, clock=clock)
    caplog.set_level(logging.DEBUG)

    rsps.add(responses.POST, SLACK_URL, body=requests.ConnectionError(f"refused: {SLACK_URL}"))
    rsps.add(responses.POST, TEAMS_URL, body=f"bad sig {TEAMS_URL}", status=401)
    rsps.add(responses.POST, PD_URL, body=json.dumps({"errors": [PD_KEY]}), status=400)
    report = dispatcher.deliver_due()

    assert {channel for _, channel, _ in report.failed} == {"slack", "teams", "pagerduty"}
    assert ("slack: cannot connect (ConnectionError)") in [why for _, _, why in report.failed]
    with session_scope(engine) as session:
        stored = [json.dumps(e.details) for e in session.exec(select(audit.AuditEntry)).all()]
        stored += [d.last_error or "" for d in session.exec(select(AlertDelivery)).all()]
    written = "\n".join([caplog.text, *stored, *(why for _, _, why in report.failed)])
    for secret in SECRETS:
        assert secret not in written


def test_each_channel_takes_the_kinds_it_is_configured_for(engine, clock, rsps):
    incident_id = open_suspected(engine)
    with session_scope(engine) as session:
        incidents.update_incident(session, incident_id, now=NOW, actor="anna", status="identified")
        holds.freeze_marketing(session, reason="Shitstorm", now=NOW, actor="lead")
    settings = alert_settings(alert_slack_events="frozen", alert_teams_events="none")
    dispatcher = make_dispatcher(settings, engine=engine, clock=clock)

    stand_ins(rsps)
    dispatcher.deliver_due()

    [slack] = bodies(rsps, SLACK_URL)
    assert slack["text"] == "Marketing frozen by lead"
    assert [b["event_action"] for b in bodies(rsps, PD_URL)] == ["trigger", "trigger"]
    with pytest.raises(ConfigError, match="CRISIS_ALERT_SLACK_EVENTS: unknown openend"):
        make_dispatcher(alert_settings(alert_slack_events="openend"), engine=engine, clock=clock)


def test_a_post_held_at_its_time_is_alerted_on_its_own(engine, clock, rsps):
    with session_scope(engine) as session:
        holds.freeze_marketing(session, reason="Shitstorm", now=NOW, actor="lead")
    schedule_marketing(engine, key="post-deal")
    settings = alert_settings(alert_teams_webhook_url=None, alert_pagerduty_routing_key=None)

    stand_ins(rsps)
    make_dispatcher(settings, engine=engine, clock=clock).deliver_due()

    frozen, held = bodies(rsps, SLACK_URL)
    assert frozen["text"] == "Marketing frozen by lead"
    assert held["text"] == "Post post-deal held"
    assert held["blocks"][1]["text"]["text"] == (
        "The facebook post post-deal due 2017-05-13 11:40 Berlin was held: marketing is frozen "
        "by hand (Shitstorm)."
    )


def test_email_alerts_reach_the_smtp_server(engine, clock, rsps):
    incident_id = open_suspected(engine)
    with smtp_server() as box:
        settings = alert_settings(
            alert_slack_webhook_url=None, alert_teams_webhook_url=None,
            alert_pagerduty_routing_key=None, alert_smtp_url=f"smtp://127.0.0.1:{box.port}",
            alert_email_to="social@nordtel.example, noc@nordtel.example",
            alert_email_from="crisis@nordtel.example",
        )  # fmt: skip
        report = make_dispatcher(settings, engine=engine, clock=clock).deliver_due()

    assert report.sent == [(1, "email")]
    [mail] = box.messages
    assert box.envelopes == [
        ("crisis@nordtel.example", ["social@nordtel.example", "noc@nordtel.example"])
    ]
    assert mail["Subject"] == f"[crisis] Suspected internet outage in Hamburg (#{incident_id})"
    body = mail.get_payload(decode=True).decode()
    assert "Evidence: 42 customers in Hamburg complained in 30 min" in body
    assert f"{PUBLIC_URL}/incidents/{incident_id}" in body


def test_an_unreachable_smtp_server_is_retried_later(engine, clock, rsps):
    open_suspected(engine)
    settings = alert_settings(
        alert_slack_webhook_url=None, alert_teams_webhook_url=None,
        alert_pagerduty_routing_key=None, alert_smtp_url="smtp://user:pw-secret@127.0.0.1:9",
        alert_email_to="social@nordtel.example",
    )  # fmt: skip
    report = make_dispatcher(settings, engine=engine, clock=clock).deliver_due()

    [(_, channel, why)] = report.failed
    assert channel == "email"
    assert why.startswith("email: cannot reach the SMTP server")
    assert "pw-secret" not in why
    with session_scope(engine) as session:
        assert session.exec(select(AlertDelivery)).one().state == "pending"
        assert session.exec(select(AlertEvent)).one().kind == "suspected"


def test_over_a_real_socket_a_503_is_retried_and_a_slow_hook_times_out(engine, clock):
    open_suspected(engine)
    with http_hook((503, "busy", 0.0), (200, "ok", 1.5), (200, "ok", 0.0)) as hook:
        settings = alert_settings(
            alert_slack_webhook_url=hook.url, alert_teams_webhook_url=None,
            alert_pagerduty_routing_key=None, alert_timeout_seconds=0.5,
        )  # fmt: skip
        dispatcher = make_dispatcher(settings, engine=engine, clock=clock)
        busy = dispatcher.deliver_due()
        clock.advance(timedelta(minutes=1))
        slow = dispatcher.deliver_due()
        clock.advance(timedelta(minutes=2))
        done = dispatcher.deliver_due()

    assert busy.failed == [(1, "slack", "slack: HTTP 503 busy")]
    assert slow.failed == [(1, "slack", "slack: no answer within 0.5 s")]
    assert done.sent == [(1, "slack")]
    assert len(hook.received) == 3
    assert hook.received[0] == hook.received[2]  # a retry sends the same words


def test_a_password_is_never_sent_to_an_smtp_server_without_tls(engine, clock):
    open_suspected(engine)
    with smtp_server() as box:  # offers no STARTTLS
        settings = alert_settings(
            alert_slack_webhook_url=None, alert_teams_webhook_url=None,
            alert_pagerduty_routing_key=None,
            alert_smtp_url=f"smtp://crisis:pw-secret@127.0.0.1:{box.port}",
            alert_email_to="social@nordtel.example",
        )  # fmt: skip
        report = make_dispatcher(settings, engine=engine, clock=clock).deliver_due()

    [(_, _, why)] = report.failed
    assert "offers no STARTTLS" in why
    assert not any(c.upper().startswith("AUTH") for c in box.commands)
    assert box.messages == []


def test_two_dispatchers_at_once_send_each_alert_once(engine, clock, rsps):
    for service in (Service.TV, Service.MOBILE, Service.EMAIL, Service.BILLING):
        with session_scope(engine) as session:
            incidents.open_incident(session, service=service, now=NOW, opened_by="operator",
                                    actor="anna", reason="test")  # fmt: skip
    settings = alert_settings(alert_teams_webhook_url=None, alert_pagerduty_routing_key=None)
    stand_ins(rsps)
    dispatchers = [make_dispatcher(settings, engine=engine, clock=clock) for _ in range(2)]
    threads = [threading.Thread(target=d.deliver_due) for d in dispatchers]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    clock.advance(timedelta(minutes=10))  # past a claim a crashed attempt would have left
    dispatchers[0].deliver_due()

    texts = [body["text"] for body in bodies(rsps, SLACK_URL)]
    assert sorted(texts) == sorted(set(texts))
    assert len(texts) == 4
