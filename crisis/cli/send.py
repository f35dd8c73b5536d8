"""``crisis queue send``: approved replies out through X and Facebook, or a dry run.

The in-memory recording publisher is not offered here: it would mark real replies sent while
nothing left. ``--dry-run`` shows what would go out and changes nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine

from crisis import db
from crisis.cli.common import (
    DatabaseUrl,
    Decider,
    clock,
    console,
    counted,
    engine_for,
    settings_for,
)
from crisis.clock import local_time
from crisis.errors import BadRecord
from crisis.replies import sending
from crisis.settings import Settings


def queue_send(
    by: Decider,
    item: Annotated[int | None, typer.Option("--id", help="Send this approved item.")] = None,
    all_due: Annotated[
        bool, typer.Option("--all", help="Send every approved item and retry failed ones due.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would go out; send and change nothing.")
    ] = False,
    publisher: Annotated[
        str, typer.Option(help="'platforms': X and Facebook, with the configured accounts.")
    ] = "platforms",
    database_url: DatabaseUrl = None,
) -> None:
    """Send approved replies, each at most once; failures are retried later with backoff."""
    if (item is None) == (not all_due):
        raise BadRecord("command line", "give --id N or --all")
    if publisher != "platforms":
        raise BadRecord(
            "--publisher",
            f"unknown publisher {publisher!r}; known: platforms "
            "(to see what would go out without sending, use --dry-run)",
        )
    settings = settings_for(database_url)
    engine = engine_for(database_url)
    if dry_run:
        _dry_run(engine, settings, item)
        return
    from crisis.registry import make_publisher

    report = sending.send_due(
        engine,
        make_publisher(settings, engine=engine, clock=clock),
        actor=by,
        clock=clock,
        retry=sending.retry_from(settings),
        only=item,
    )
    console.print(f"sent {len(report.sent)}" + (f": {_join(report.sent)}" if report.sent else ""))
    for item_id, error in report.failed:
        console.print(f"[yellow]#{item_id} failed, will retry:[/] {escape(error)}")
    for item_id, when in report.waiting:
        console.print(
            f"#{item_id} is being sent by another attempt; looked at again {local_time(when)}"
        )
    for item_id, why in report.skipped:
        console.print(f"[yellow]#{item_id} not recorded:[/] {escape(why)}")
    if report.taken:
        console.print(
            f"{len(report.taken)} taken by another sender or a person meanwhile, skipped: "
            f"{_join([item_id for item_id, _ in report.taken])}"
        )
    for item_id, why in report.held:
        console.print(f"[yellow]#{item_id} not sent:[/] {escape(why)}")
    for why, ids in _grouped(report.not_configured).items():
        console.print(
            f"[red]{escape(why)}[/]\n  {_join(ids, at_most=10)}: {replies(len(ids))} not sent, "
            "still approved"
        )
    if report.gave_up:
        console.print(
            f"[red]gave up on {_join(report.gave_up)}[/] (crisis queue list --state failed)"
        )
    if report.not_configured:
        raise typer.Exit(1)


def _dry_run(engine: Engine, settings: Settings, only: int | None) -> None:
    with db.session_scope(engine) as session:
        due = sending.preview(
            session, now=clock.now(), retry=sending.retry_from(settings), only=only
        )
    held = [outgoing for outgoing in due if outgoing.held is not None]
    due = [outgoing for outgoing in due if outgoing.held is None]
    table = Table("#", "platform", "in reply to", "reply")
    for outgoing in due:
        post = outgoing.post
        table.add_row(
            str(outgoing.item_id), post.channel, escape(post.in_reply_to or "-"), escape(post.text)
        )
    console.print(table)
    for outgoing in held:
        console.print(
            f"[yellow]#{outgoing.item_id} would not be sent:[/] {escape(outgoing.held or '')}"
        )
    from crisis.registry import unpublishable

    channels = Counter(outgoing.post.channel for outgoing in due)
    for channel, why in unpublishable(settings, channels).items():
        console.print(
            f"[red]{replies(channels[channel])} would go out on {channel}, which is not "
            f"configured:[/] {escape(why)}"
        )
    console.print(f"dry run: {replies(len(due))} would go out; nothing was sent or changed")


def replies(count: int) -> str:
    return counted(count, "reply", "replies")


def _grouped(pairs: list[tuple[int, str]]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for item_id, why in pairs:
        grouped.setdefault(why, []).append(item_id)
    return grouped


def _join(ids: list[int], *, at_most: int | None = None) -> str:
    shown = ids if at_most is None else ids[:at_most]
    more = len(ids) - len(shown)
    return ", ".join(f"#{i}" for i in shown) + (f" and {more} more" if more else "")
