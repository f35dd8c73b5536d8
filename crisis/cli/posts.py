"""``crisis posts ...`` and ``crisis publish``: the schedule, held posts, and the publisher loop."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from crisis import audit, db, posts
from crisis.alerts.dispatch import make_dispatcher
from crisis.cli.common import (
    Actor,
    DatabaseUrl,
    Reason,
    audit_line,
    clock,
    console,
    counted,
    engine_for,
    parse_when,
    print_blockers,
    settings_for,
)
from crisis.clock import local_time, zone_label
from crisis.errors import BadRecord
from crisis.protocols import Publisher
from crisis.publishing import RecordingPublisher
from crisis.tables import ScheduledPost

posts_app = typer.Typer(help="Scheduled posts: list, show, schedule, resume.", no_args_is_help=True)


@posts_app.command("list")
def posts_list(
    state: Annotated[
        str | None,
        typer.Option(help="Only posts in this state (draft, scheduled, held, published, ...)."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List scheduled posts with their state (held posts wait for a resume)."""
    with db.session_scope(engine_for(database_url)) as session:
        print_blockers(session)
        rows = posts.list_posts(session, state=state)
    table = Table(
        "post", "category", "channel", f"due ({zone_label()})", "state", "held by", "source"
    )
    for p in rows:
        held_by = "-"
        if p.held_by_incident_id:
            held_by = f"incident #{p.held_by_incident_id}"
        elif p.held_by_freeze_id:
            held_by = f"freeze #{p.held_by_freeze_id}"
        shown = f"[bold yellow]{p.state}[/]" if p.state == "held" else p.state
        table.add_row(
            escape(p.key),
            p.category,
            p.channel,
            local_time(p.publish_at, labelled=False),
            shown,
            held_by,
            _source(p),
        )
    console.print(table)


def _source(post: ScheduledPost) -> str:
    """Where it is scheduled, and what that tool has now (our own posts: "crisis")."""
    if post.source is None:
        return "crisis"
    shown = f"{post.source} ({post.source_state})"
    return f"[bold red]{shown}: {escape(post.hold_error)}[/]" if post.hold_error else shown


@posts_app.command("show")
def posts_show(
    key: Annotated[str, typer.Argument(help="The post's id.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Show one post, its text and its audit trail."""
    with db.session_scope(engine_for(database_url)) as session:
        post = posts.get_post(session, key)
        trail = audit.history(session, entity="post", entity_id=key)
    console.print(
        f"[bold]{escape(post.key)}[/] ({post.category}, {post.channel}): [bold]{post.state}[/], "
        f"due {local_time(post.publish_at)}, published {local_time(post.published_at)}"
    )
    console.print(f"  {escape(post.text)}")
    if post.source is not None:
        media = ", ".join((post.snapshot or {}).get("media") or []) or "none"
        console.print(
            f"  scheduled in {post.source} as {post.external_id} ({post.source_state}); "
            f"media: {escape(media)}"
        )
        if post.hold_error:
            console.print(f"  [bold red]not held there: {escape(post.hold_error)}[/]")
    for entry in trail:
        console.print(audit_line(entry))


@posts_app.command("schedule")
def posts_schedule(
    key: Annotated[str, typer.Argument(help="The post's id (yours to choose).")],
    text: Annotated[str, typer.Option(help="What to post.")],
    at: Annotated[str, typer.Option(help="When: ISO 8601 with offset, or +30m, +2h, +1d.")],
    by: Actor,
    channel: Annotated[str, typer.Option(help="facebook or x.")] = "facebook",
    category: Annotated[str, typer.Option(help="marketing, service, ...")] = "marketing",
    database_url: DatabaseUrl = None,
) -> None:
    """Schedule a post (or change an unpublished one; a draft goes back on the schedule)."""
    publish_at = parse_when(at, "--at")
    assert publish_at is not None
    with db.session_scope(engine_for(database_url)) as session:
        post = posts.schedule_post(
            session,
            key=key,
            channel=channel,
            category=category,
            text=text,
            publish_at=publish_at,
            now=clock.now(),
            actor=by,
        )
        print_blockers(session)
    console.print(f"{escape(post.key)}: {post.state}, due {local_time(post.publish_at)}")


@posts_app.command("resume")
def posts_resume(
    reason: Reason,
    by: Actor,
    keys: Annotated[list[str] | None, typer.Argument(help="Held posts to resume.")] = None,
    all_held: Annotated[bool, typer.Option("--all", help="Every held post.")] = False,
    at: Annotated[
        str | None, typer.Option(help="New time: ISO 8601 with offset, or +30m, +2h, +1d.")
    ] = None,
    draft: Annotated[
        bool, typer.Option("--draft", help="Back to draft for review, not on the schedule.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Release held posts: on the schedule again (a past time needs --at), or back to draft."""
    if bool(keys) == all_held:
        raise BadRecord("command line", "name the posts to resume, or give --all")
    if draft and at:
        raise BadRecord("command line", "--draft and --at exclude each other")
    with db.session_scope(engine_for(database_url)) as session:
        resumed = posts.resume_posts(
            session,
            keys=None if all_held else keys,
            now=clock.now(),
            actor=by,
            reason=reason,
            publish_at=parse_when(at, "--at"),
            to_draft=draft,
        )
    for post in resumed:
        console.print(f"{escape(post.key)}: {post.state}, due {local_time(post.publish_at)}")
    console.print(f"{len(resumed)} posts resumed")
    elsewhere = sorted({p.source for p in resumed if p.source})
    if elsewhere:
        console.print(
            f"posts planned in {', '.join(elsewhere)} go back there with the next sync round "
            "(crisis posts sync)"
        )


@posts_app.command("settle")
def posts_settle(
    key: Annotated[str, typer.Argument(help="The post stuck in 'publishing'.")],
    outcome: Annotated[str, typer.Option(help="published or failed: what the platform shows.")],
    reason: Reason,
    by: Actor,
    database_url: DatabaseUrl = None,
) -> None:
    """Settle a post a crashed publisher left in 'publishing' (check the platform first)."""
    with db.session_scope(engine_for(database_url)) as session:
        post = posts.settle_post(session, key, outcome=outcome, now=clock.now(), actor=by,
                                 reason=reason)  # fmt: skip
    console.print(f"{escape(post.key)}: {post.state}")


def publish(
    publisher: Annotated[
        str,
        typer.Option(
            help="Which publisher: 'platforms' (X and Facebook, per the post's channel, each "
            "post at most once) or 'recording' (keeps posts in memory, sends nothing: for trials)."
        ),
    ],
    once: Annotated[bool, typer.Option("--once", help="One round, then stop.")] = False,
    interval: Annotated[int, typer.Option(help="Seconds between rounds.")] = 30,
    database_url: DatabaseUrl = None,
) -> None:
    """Publish due posts, again every --interval seconds; marketing is held while blocked."""
    if publisher not in ("platforms", "recording"):
        raise BadRecord(
            "command line", f"unknown publisher {publisher!r}; known: platforms, recording"
        )
    engine = engine_for(database_url)
    chosen: Publisher
    if publisher == "platforms":
        from crisis.registry import make_publisher

        chosen = make_publisher(settings_for(database_url), engine=engine, clock=clock)
    else:
        console.print(
            "[yellow]recording publisher: due posts are marked published, but nothing leaves "
            "this machine[/]"
        )
        chosen = RecordingPublisher()
    last_held = 0
    alerts = make_dispatcher(settings_for(database_url), engine=engine, clock=clock)
    while True:
        with db.session_scope(engine) as session:
            done = posts.publish_due(session, chosen, now=clock.now(), actor="publisher")
            held = posts.list_posts(session, state="held")
        alerts.deliver_due()  # a post held at its due time, and anything else waiting
        for post in done:
            console.print(
                f"{local_time(post.published_at)} published {escape(post.key)} ({post.channel})"
            )
        if len(held) != last_held:
            console.print(
                f"[yellow]{counted(len(held), 'post')} held[/] (crisis posts list --state held)"
            )
            last_held = len(held)
        if once:
            return
        time.sleep(interval)
