"""``crisis queue ...``: the review queue from the command line.

list (most urgent first, with the SLA age), show (the comment, its labels, incident, reply and
history), approve, edit, reject, bulk-approve (a cluster, after a spot check) and send. Every
decision names who made it (``--by``, or the environment variable CRISIS_USER).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlmodel import select

from crisis import audit, db
from crisis.cli.common import (
    DatabaseUrl,
    Decider,
    audit_line,
    clock,
    console,
    counted,
    engine_for,
    settings_for,
)
from crisis.cli.send import queue_send
from crisis.clock import age, local_time
from crisis.errors import BadRecord
from crisis.replies import answered, bulk, queue
from crisis.tables import Classification, Comment, Incident, ReviewItem

queue_app = typer.Typer(
    help="The review queue: list, show, approve, edit, reject, bulk-approve, send.",
    no_args_is_help=True,
)
queue_app.command("send")(queue_send)
ItemId = Annotated[
    int,
    typer.Argument(min=1, max=2**31 - 1, help="The review item's number (see crisis queue list)."),
]
RANKS = {0: "[bold red]URGENT[/]", 1: "incident", 2: "other"}
REACH = {0: "100k+", 1: "10k+", 2: "1k+", 3: ""}


@queue_app.command("list")
def queue_list(
    state: Annotated[str, typer.Option(help="pending, approved, sent, failed or rejected.")] = (
        "pending"
    ),
    incident: Annotated[int | None, typer.Option(help="Only this incident's items.")] = None,
    service: Annotated[str | None, typer.Option(help="Only this service (internet, ...).")] = None,
    platform: Annotated[str | None, typer.Option(help="Only this platform (x, facebook).")] = None,
    lang: Annotated[str | None, typer.Option(help="Only this language (de, en, ...).")] = None,
    kind: Annotated[str | None, typer.Option(help="reply or follow_up.")] = None,
    urgent: Annotated[
        bool, typer.Option("--urgent", help="Only items a person must answer.")
    ] = False,
    templated: Annotated[
        bool, typer.Option("--templated", help="Only template replies (no person needed).")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many (paging).")] = 0,
    clusters: Annotated[
        bool, typer.Option("--clusters", help="Show the clusters bulk-approve can take instead.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List review items: urgent first, then by the author's reach, then the oldest comment."""
    if clusters:
        _list_clusters(database_url, incident, lang)
        return
    if urgent and templated:
        raise BadRecord("command line", "give --urgent or --templated, not both")
    only_urgent = True if urgent else False if templated else None
    where = queue.QueueFilter(state, incident, service, platform, lang, kind, only_urgent)
    with db.session_scope(engine_for(database_url)) as session:
        rows = queue.list_items(session, where=where, limit=limit, offset=offset)
    now = clock.now()
    failed = state == "failed"
    table = Table("#", "kind", "age", "priority", "where", "incident", "reply or reason")
    if failed:
        table.add_column("attempts / next / error")
    for item in rows:
        row = [
            str(item.id),
            item.kind,
            age(now, item.arrived_at),
            f"{RANKS.get(item.urgency_rank, '?')} {REACH.get(item.reach_rank, '')}".strip(),
            f"{item.platform} {item.lang or '?'}",
            f"#{item.incident_id}" if item.incident_id else "-",
            _shown(item),
        ]
        if failed:
            next_try = local_time(item.next_attempt_at) if item.next_attempt_at else "gave up"
            row.append(f"{item.attempts} / {next_try} / {escape(item.last_error or '')}")
        table.add_row(*row)
    console.print(table)
    if len(rows) == limit:
        console.print(f"more with --offset {offset + limit}")


def _list_clusters(database_url: str | None, incident: int | None, lang: str | None) -> None:
    with db.session_scope(engine_for(database_url)) as session:
        found = bulk.clusters(session, incident_id=incident, lang=lang)
    table = Table("incident", "kind", "lang", "situation", "size", "check these (ids)", "up to")
    for c in found:
        table.add_row(
            f"#{c.incident_id}", c.kind, c.lang, c.situation, str(c.size),
            ",".join(str(i) for i in c.sample_ids), str(c.up_to),
        )  # fmt: skip
    console.print(table)
    if found:
        c = found[0]
        console.print(
            "approve one after reading some (only the items listed here, up to its id): "
            f"crisis queue bulk-approve --incident {c.incident_id} --spot-checked "
            f"{','.join(str(i) for i in c.sample_ids[:3])} --up-to {c.up_to} --by NAME"
        )


@queue_app.command("show")
def queue_show(item_id: ItemId, database_url: DatabaseUrl = None) -> None:
    """Show one item: the comment, author, labels, incident, the reply and its history."""
    with db.session_scope(engine_for(database_url)) as session:
        item = queue.get_item(session, item_id)
        comment = session.get(Comment, item.comment_id)
        labels = session.exec(
            select(Classification).where(Classification.comment_id == item.comment_id)
        ).all()
        incident = session.get(Incident, item.incident_id) if item.incident_id else None
        trail = audit.history(session, entity="review_item", entity_id=item_id)
        follow_up = answered.answering_follow_up(session, item)
        earlier = answered.open_replies_answered_by(session, item)
    now = clock.now()
    console.print(f"[bold]Review item #{item.id}[/] ({item.kind}): [bold]{item.state}[/]")
    if comment is not None:
        console.print(
            f"  {escape(comment.author)} on {comment.platform}, {local_time(comment.created_at)} "
            f"({age(now, comment.created_at)} ago), id {escape(comment.external_id)}"
        )
        console.print(f"  [dim]>[/] {escape(comment.text)}")
    for row in labels:
        urgent = f", urgent: {', '.join(row.urgent)}" if row.urgent else ""
        console.print(
            f"  labels ({row.model}): complaint {row.is_complaint} ({row.complaint_score:.2f}), "
            f"service {row.service or '-'}, {row.sentiment}, lang {row.lang or '-'}{urgent}"
        )
    if incident is not None:
        console.print(
            f"  incident #{incident.id}: {escape(incident.title)} ({incident.status})"
            + (
                f"; public status: {escape(incident.public_status)}"
                if incident.public_status
                else ""
            )
        )
    if follow_up is not None:
        console.print(
            f"  [bold yellow]incident #{item.incident_id} is resolved: follow-up #{follow_up.id} "
            f"({follow_up.state}) answers this customer[/] (crisis queue show {follow_up.id})"
        )
    if earlier:
        listed = ", ".join(f"#{r.id} ({r.state})" for r in earlier)
        console.print(f"  [yellow]this customer's earlier replies still open:[/] {listed}")
    if item.needs_human:
        console.print(f"  [bold red]a person answers this:[/] {escape(', '.join(item.reasons))}")
    if item.facts_changed:
        console.print("  [bold yellow]the incident's facts changed since this text was written[/]")
    label = "draft (a starting point only)" if item.needs_human else "reply"
    which = escape(f"[{item.template or '-'}, {item.lang or '?'}]")
    console.print(f"  {label} {which}:")
    console.print(f"    {escape(item.text) or '(none: write one with approve --text)'}")
    if item.edited_by:
        console.print(f"  edited by {escape(item.edited_by)}")
    if item.last_error:
        next_try = local_time(item.next_attempt_at) if item.next_attempt_at else None
        console.print(
            f"  [red]send failed {item.attempts}x:[/] {escape(item.last_error)}; next try "
            f"{next_try or '(gave up: approve again)'}"
        )
    console.print("[bold]History:[/]" + ("" if trail else " (no decisions yet)"))
    for entry in trail:
        console.print(audit_line(entry))


@queue_app.command("approve")
def queue_approve(
    item_id: ItemId,
    by: Decider,
    text: Annotated[str | None, typer.Option(help="Your own wording instead.")] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Approve a reply of a resolved incident although a follow-up answers the "
            "same customer (audited).",
        ),
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Approve a suggestion (optionally with your own text); send it with crisis queue send."""
    with db.session_scope(engine_for(database_url)) as session:
        was_changed = queue.get_item(session, item_id).facts_changed
        item = queue.approve(session, item_id, actor=by, now=clock.now(), text=text, force=force)
        follow_up = answered.answering_follow_up(session, item)
    console.print(f"#{item.id} approved by {escape(by)}: {escape(item.text)}")
    if was_changed:
        console.print("[yellow]approved despite changed facts[/] (kept in the audit log)")
    if follow_up is not None:
        console.print(
            f"[yellow]forced:[/] follow-up #{follow_up.id} ({follow_up.state}) answers this "
            "customer too; reject one of them unless both should go out"
        )


@queue_app.command("edit")
def queue_edit(
    item_id: ItemId,
    text: Annotated[str, typer.Option(help="The new reply text.")],
    by: Decider,
    database_url: DatabaseUrl = None,
) -> None:
    """Change a reply's text; an approved one not sent yet is taken back. Approve it again."""
    with db.session_scope(engine_for(database_url)) as session:
        item = queue.edit(session, item_id, text=text, actor=by, now=clock.now())
    console.print(
        f"#{item.id} edited by {escape(by)} (pending until approved): {escape(item.text)}"
    )


@queue_app.command("reject")
def queue_reject(
    item_id: ItemId,
    by: Decider,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Reject a suggestion: it is never sent."""
    with db.session_scope(engine_for(database_url)) as session:
        queue.reject(session, item_id, actor=by, now=clock.now(), reason=reason)
    console.print(f"#{item_id} rejected by {escape(by)}")


@queue_app.command("bulk-approve")
def queue_bulk_approve(
    incident: Annotated[int, typer.Option(help="The incident whose cluster to approve.")],
    spot_checked: Annotated[
        str, typer.Option(help="Ids you read, comma-separated (at least 3 of the cluster).")
    ],
    up_to: Annotated[
        int,
        typer.Option(
            help="The 'up to' id that list --clusters printed: newer items are not approved."
        ),
    ],
    by: Decider,
    lang: Annotated[str | None, typer.Option(help="The cluster's language (a check).")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Approve a cluster of similar suggestions of one incident after reading some of them."""
    ids = _ids(spot_checked)
    with db.session_scope(engine_for(database_url)) as session:
        result = bulk.bulk_approve(
            session, incident_id=incident, spot_checked=ids, up_to=up_to, actor=by,
            now=clock.now(), lang=lang,
            claim_ttl=timedelta(minutes=settings_for(database_url).claim_minutes),
        )  # fmt: skip
    c = result.cluster
    console.print(
        f"approved {counted(len(result.approved), f'{c.lang}/{c.situation} {c.kind} item')} "
        "of incident "
        f"#{c.incident_id} (bulk decision {result.decision_id}, checked {len(c.sample_ids)})"
    )
    for item_id, why in result.refused:
        console.print(f"[yellow]#{item_id} left pending:[/] {escape(why)}")


def _shown(item: ReviewItem) -> str:
    text = escape(item.text if len(item.text) <= 160 else item.text[:159] + "…")
    flags = " [yellow](facts changed)[/]" if item.facts_changed else ""
    flags += " [dim](edited)[/]" if item.edited_by else ""
    if item.needs_human:
        return f"[red]person: {escape(', '.join(item.reasons))}[/]{flags}"
    return f"{text}{flags}"


def _ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise BadRecord("--spot-checked", f"expected ids like 12,15,19, got {text!r}") from None
