"""``crisis posts sync``, ``rule`` and ``rules``: marketing scheduled in other tools.

The sync round itself lives in the core (``crisis.schedulers.sync``); this only runs it once or
every ``--interval`` seconds and prints what it did and what it could not do.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from crisis import db
from crisis.cli.common import Actor, DatabaseUrl, clock, console, engine_for, settings_for
from crisis.cli.posts import posts_app
from crisis.errors import ConfigError
from crisis.schedulers import configured, rules
from crisis.schedulers.sync import SyncReport


@posts_app.command("sync")
def posts_sync(
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep syncing every --interval seconds.")
    ] = False,
    interval: Annotated[
        float | None,
        typer.Option(help="Seconds between rounds (default CRISIS_SCHEDULER_SYNC_SECONDS)."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Mirror Facebook's, Postiz's, Buffer's and Hootsuite's scheduled posts; hold marketing
    there while an incident is open, and put back what a lead resumed. Exit status 1 when a
    post could not be held or a tool could not be read."""
    settings = settings_for(database_url)
    sync = configured.make_sync(settings, engine=engine_for(database_url), clock=clock)
    if not sync.schedulers:
        raise ConfigError(configured.HOW_TO)
    console.print("syncing " + ", ".join(s.source for s in sync.schedulers))
    every = interval or settings.scheduler_sync_seconds
    if follow and every > settings.scheduler_hold_lead_minutes * 60:
        console.print(
            f"[yellow]rounds every {every:g} s are further apart than the hold lead "
            f"({settings.scheduler_hold_lead_minutes} min): a post may go out before a round "
            "holds it[/]"
        )
    while True:
        report = sync.round()
        show(report)
        if not follow:
            # exit status 1 when a post could not be held: a cron job or a monitor alerts on it
            raise typer.Exit(1 if report.failed or report.problems else 0)
        time.sleep(every)


def show(report: SyncReport) -> None:
    for label, keys in (
        ("imported", report.imported),
        ("changed at their source", report.changed),
        ("held at their source", report.held),
        ("back at their source", report.released),
    ):
        if keys:
            console.print(f"{label}: {escape(', '.join(keys))}")
    for problem in report.problems:
        console.print(f"[bold red]could not read[/] {escape(problem)}")
    for key, why in report.failed:
        console.print(f"[bold white on red] NOT HELD [/] {escape(key)}: {escape(why)}")


@posts_app.command("rule")
def posts_rule(
    source: Annotated[str, typer.Argument(help="facebook, postiz, buffer or hootsuite.")],
    category: Annotated[str, typer.Argument(help="marketing, service, ...")],
    by: Actor,
    label: Annotated[
        str,
        typer.Option(help="Tag, label, campaign or hashtag; none: the source's default."),
    ] = "",
    database_url: DatabaseUrl = None,
) -> None:
    """Set which category a source's imported posts get (by label, or the source's default)."""
    with db.session_scope(engine_for(database_url)) as session:
        rule = rules.set_rule(session, source=source, label=label, category=category,
                              now=clock.now(), actor=by)  # fmt: skip
        console.print(f"{rule.source} {rule.label or '(default)'} -> {rule.category}")


@posts_app.command("rules")
def posts_rules(database_url: DatabaseUrl = None) -> None:
    """List the category rules for imported posts."""
    with db.session_scope(engine_for(database_url)) as session:
        listed = rules.list_rules(session)
        table = Table("source", "label", "category", "by")
        for rule in listed:
            table.add_row(rule.source, escape(rule.label or "(default)"), rule.category,
                          rule.updated_by)  # fmt: skip
    console.print(table)
