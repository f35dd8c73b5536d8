"""``crisis alerts ...``: try the alert channels, deliver waiting alerts, see what was sent."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlmodel import col, select

from crisis import db
from crisis.alerts.channels import configured, secrets_of
from crisis.alerts.dispatch import make_dispatcher
from crisis.alerts.message import Message
from crisis.cli.common import DatabaseUrl, clock, console, counted, engine_for, settings_for
from crisis.clock import local_time
from crisis.errors import ConfigError, ConnectorError
from crisis.settings import Settings
from crisis.tables import AlertDelivery, AlertEvent

alerts_app = typer.Typer(
    help="Alerts to Slack, Teams, email and PagerDuty: test, deliver, list.",
    no_args_is_help=True,
)


@alerts_app.command("test")
def alerts_test() -> None:
    """Send a test message to each configured channel and say which failed and why."""
    settings = settings_for(None)
    channels = configured(settings)
    if not channels:
        raise ConfigError(
            "no alert channel is configured; set CRISIS_ALERT_SLACK_WEBHOOK_URL, "
            "CRISIS_ALERT_TEAMS_WEBHOOK_URL, CRISIS_ALERT_SMTP_URL (with CRISIS_ALERT_EMAIL_TO) "
            "or CRISIS_ALERT_PAGERDUTY_ROUTING_KEY"
        )
    failed = 0
    for channel in channels:
        try:
            for message in test_messages(settings, channel.name):
                channel.send(message)
        except ConnectorError as exc:
            failed += 1
            reason = _scrub(str(exc), secrets_of(settings))
            console.print(f"[red]{channel.name}: failed[/] {escape(reason)}")
        else:
            console.print(f"[green]{channel.name}: sent[/]")
    if failed:
        raise typer.Exit(1)


def test_messages(settings: Settings, channel: str) -> list[Message]:
    """One test message; PagerDuty gets its trigger resolved at once (nobody stays paged)."""
    now = datetime.now(UTC)
    test = Message(
        kind="test",
        title="Test alert from crisis",
        what="This channel receives crisis alerts. Nothing happened: this is a test.",
        facts=[("Sent at", local_time(now))],
        link=settings.public_url.rstrip("/") if settings.public_url else None,
        at=now,
        dedup_key=f"crisis-test-{now:%Y%m%dT%H%M%S}",
    )
    if channel != "pagerduty":
        return [test]
    return [test, Message(kind="resolved", title=test.title, what="", dedup_key=test.dedup_key)]


@alerts_app.command("deliver")
def alerts_deliver(
    follow: Annotated[bool, typer.Option("--follow", help="Keep delivering until Ctrl-C.")] = False,
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between rounds.")] = 10.0,
    database_url: DatabaseUrl = None,
) -> None:
    """Deliver waiting alerts (and retry failed ones when due); --follow keeps at it."""
    engine = engine_for(database_url)
    dispatcher = make_dispatcher(settings_for(database_url), engine=engine, clock=clock)
    if not dispatcher.channels:
        console.print("[yellow]no alert channel is configured: alerts are kept, not sent[/]")
    try:
        while True:
            report = dispatcher.deliver_due()
            for event_id, channel in report.sent:
                console.print(f"alert {event_id} sent to {channel}")
            for event_id, channel, why in report.failed:
                console.print(f"[red]alert {event_id} to {channel} failed:[/] {escape(why)}")
            if not follow:
                console.print(f"{counted(report.waiting, 'alert')} waiting for a retry")
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        console.print("stopped; waiting alerts are kept for the next run")


@alerts_app.command("list")
def alerts_list(
    limit: Annotated[int, typer.Option(min=1, help="How many of the newest alerts.")] = 20,
    database_url: DatabaseUrl = None,
) -> None:
    """The newest alerts and what became of them on each channel."""
    with db.session_scope(engine_for(database_url)) as session:
        events = session.exec(
            select(AlertEvent).order_by(col(AlertEvent.id).desc()).limit(limit)
        ).all()
        ids = [e.id for e in events]
        deliveries = session.exec(
            select(AlertDelivery).where(col(AlertDelivery.event_id).in_(ids))
        ).all()
    by_event: dict[int, list[AlertDelivery]] = {}
    for d in deliveries:
        by_event.setdefault(d.event_id, []).append(d)
    table = Table("#", "at (Berlin)", "kind", "incident", "by", "channels")
    for event in reversed(events):
        states = ", ".join(
            f"{d.channel} {d.state}" + (f" ({d.attempts} tries)" if d.attempts > 1 else "")
            for d in sorted(by_event.get(event.id or 0, []), key=lambda d: d.channel)
        )
        table.add_row(
            str(event.id),
            local_time(event.at, labelled=False),
            event.kind,
            f"#{event.incident_id}" if event.incident_id else "-",
            escape(event.actor),
            escape(states) or ("none" if event.routed_at else "not yet routed"),
        )
    console.print(table)


def deliver_now(database_url: str | None) -> None:
    """After a command's change is committed: send its alerts now (a failure waits for a retry
    by ``crisis alerts deliver``) and say what became of them."""
    settings = settings_for(database_url)
    dispatcher = make_dispatcher(settings, engine=engine_for(database_url), clock=clock)
    if not dispatcher.channels:
        return
    report = dispatcher.deliver_due()
    if report.sent:
        sent_to = sorted({channel for _, channel in report.sent})
        console.print(f"alerted: {', '.join(sent_to)}")
    for _, channel, why in report.failed:
        console.print(f"[yellow]alert to {channel} failed[/] ({escape(why)}); retried later")


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
