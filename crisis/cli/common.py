"""What the ``crisis`` commands share: the console, the database option, times and actors."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlmodel import Session

from crisis import db, holds, incidents
from crisis.clock import SystemClock, local_time, local_times_in, relative_time
from crisis.connectors.records import parse_time
from crisis.settings import Settings, get_settings
from crisis.tables import AuditEntry

# Piped output (CI logs, files) gets a width that fits the tables instead of rich's 80.
console = Console(width=None if sys.stdout.isatty() else 120)
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: CRISIS_DATABASE_URL or sqlite)."),
]


def actor_name(value: str | None) -> str | None:
    """``--by``: a name for the audit log; blank or whitespace is no name."""
    if value is None:
        return None
    name = value.strip()
    if not name:
        raise typer.BadParameter("give your name (for the audit log); a blank name is no name")
    return name


# Every ``--by`` reads $CRISIS_USER, so an operator sets their name once per shell.
Actor = Annotated[
    str,
    typer.Option(
        "--by",
        envvar="CRISIS_USER",
        callback=actor_name,
        help="Who does this (your name, for the audit log); default: $CRISIS_USER.",
    ),
]
Decider = Actor
Reason = Annotated[str, typer.Option(help="Why (kept in the audit log).")]
clock = SystemClock()


def settings_for(database_url: str | None) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"database_url": database_url}) if database_url else settings


def engine_for(database_url: str | None) -> Engine:
    engine = db.make_engine(settings_for(database_url).database_url)
    db.upgrade(engine)
    return engine


def parse_when(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 time with offset (``2017-05-14T18:00+02:00``) or ``+30m``, ``+2h``, ``+1d``."""
    if value is None:
        return None
    relative = relative_time(value, now=clock.now())
    if relative is not None and not value.strip().startswith("-"):
        return relative
    return parse_time(value, option, "command line")


def print_blockers(session: Session) -> None:
    """Say loudly, above any listing, when marketing is held and why."""
    freeze = holds.active_freeze(session)
    if freeze is not None:
        console.print(
            f"[bold white on red] MARKETING FROZEN [/] since {local_time(freeze.started_at)} by "
            f"{freeze.started_by}: {freeze.reason} (end it with: crisis unfreeze)"
        )
    open_now = incidents.open_incidents(session)
    if open_now:
        listed = ", ".join(f"#{i.id} {i.service} ({i.status})" for i in open_now)
        console.print(f"[bold red]Marketing is held: open incidents {listed}[/]")
    for post in holds.not_held_at_source(session):
        console.print(
            f"[bold white on red] NOT HELD [/] {escape(post.key)} (due "
            f"{local_time(post.publish_at)}): {escape(post.hold_error or '')}"
        )


def audit_line(entry: AuditEntry, *, details: bool = False) -> str:
    """One audit entry for people: when (team time), who, what, why; times in the reason or
    the details (stored in UTC) shown in team time too."""
    line = f"  {local_time(entry.at)} {escape(entry.actor)}: {entry.action}"
    if entry.reason:
        line += f" - {escape(local_times_in(entry.reason))}"
    if details and entry.details:
        line += f" {escape(local_times_in(str(entry.details)))}"
    return line


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 reply``, ``2 replies``: a number with its noun in the right form."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
