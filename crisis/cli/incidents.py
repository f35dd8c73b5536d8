"""``crisis incidents ...``, ``crisis freeze`` and ``crisis unfreeze``: the operator's side of
incidents. Every change names who (``--by``) and why (``--reason``) for the audit log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlmodel import Session

from crisis import audit, db, holds, incidents
from crisis.cli.alerts import deliver_now
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
from crisis.detection import card
from crisis.domain import Service
from crisis.errors import UnknownName
from crisis.replies.incident_changes import after_incident_change
from crisis.tables import Incident, ScheduledPost

incidents_app = typer.Typer(
    help="Incidents: list, show, open, update, resolve.", no_args_is_help=True
)

Eta = Annotated[
    str | None, typer.Option(help="Expected fix: ISO 8601 with offset, or +30m, +2h, +1d.")
]
PublicStatus = Annotated[str | None, typer.Option(help="The public status text.")]
Regions = Annotated[list[str] | None, typer.Option("--region", help="Affected region (repeat).")]


@incidents_app.command("list")
def incidents_list(database_url: DatabaseUrl = None) -> None:
    """List incidents, newest last, with what marketing is held by."""
    with db.session_scope(engine_for(database_url)) as session:
        print_blockers(session)
        rows = incidents.list_incidents(session)
    zone = zone_label()
    table = Table(
        "#", "status", "service", "regions", f"opened ({zone})", "by", f"resolved ({zone})",
        "previous",
    )  # fmt: skip
    for i in rows:
        table.add_row(
            str(i.id),
            i.status,
            i.service,
            escape(", ".join(i.regions)) or "-",
            local_time(i.opened_at, labelled=False),
            i.opened_by,
            local_time(i.resolved_at, labelled=False),
            f"#{i.previous_incident_id}" if i.previous_incident_id else "-",
        )
    console.print(table)


@incidents_app.command("show")
def incidents_show(
    incident_id: Annotated[
        int, typer.Argument(min=1, max=2**31 - 1, help="The incident's number.")
    ],
    database_url: DatabaseUrl = None,
) -> None:
    """Show one incident: its card (why it opened), history, held posts and audit trail."""
    with db.session_scope(engine_for(database_url)) as session:
        incident = incidents.get_incident(session, incident_id)
        earlier = incidents.earlier_incidents(session, incident)
        trail = audit.history(session, entity="incident", entity_id=incident_id)
        held = session.exec(
            holds.held_posts_query().where(ScheduledPost.held_by_incident_id == incident_id)
        ).all()
    _print_incident(incident)
    for line in card.describe(incident.explanation):
        console.print(f"  {escape(line)}")
    if earlier:
        console.print("[bold]Earlier incidents of this service:[/]")
        for e in earlier:
            console.print(
                f"  #{e.id} {local_time(e.opened_at)} - {local_time(e.resolved_at)} "
                f"{escape(', '.join(e.regions) or '-')}"
            )
    if held:
        keys = ", ".join(row.key for row in held)
        console.print(f"[bold yellow]Posts held by it:[/] {escape(keys)}")
    console.print("[bold]Audit trail:[/]")
    for entry in trail:
        console.print(audit_line(entry, details=True))


def _print_incident(incident: Incident) -> None:
    console.print(
        f"[bold]Incident #{incident.id}[/] {escape(incident.title)}: [bold]{incident.status}[/]"
    )
    console.print(
        f"  service {incident.service}; regions {escape(', '.join(incident.regions) or '-')}; "
        f"opened {local_time(incident.opened_at)} by {incident.opened_by}; "
        f"resolved {local_time(incident.resolved_at)}; ETA {local_time(incident.eta)}"
    )
    if incident.public_status:
        console.print(f"  public status: {escape(incident.public_status)}")
    if incident.previous_incident_id:
        console.print(f"  previous incident of this service: #{incident.previous_incident_id}")


@incidents_app.command("open")
def incidents_open(
    service: Annotated[str, typer.Option(help="internet, mobile, phone, tv, email, ...")],
    reason: Reason,
    by: Actor,
    region: Regions = None,
    status: Annotated[str, typer.Option(help="investigating, identified or monitoring.")] = (
        "investigating"
    ),
    public_status: PublicStatus = None,
    eta: Eta = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Open an incident by hand; marketing is held at once."""
    try:
        chosen = Service(service)
    except ValueError:
        raise UnknownName("service", service, [s.value for s in Service]) from None
    with db.session_scope(engine_for(database_url)) as session:
        incident = incidents.open_incident(
            session,
            service=chosen,
            now=clock.now(),
            opened_by="operator",
            actor=by,
            reason=reason,
            regions=region or (),
            status=status,
            public_status=public_status,
            eta=parse_when(eta, "--eta"),
        )
        changed = _update_queue(session, incident, database_url)
    console.print(f"opened incident #{incident.id}: {escape(incident.title)} ({incident.status})")
    _print_queue_changes(changed)
    deliver_now(database_url)


@incidents_app.command("update")
def incidents_update(
    incident_id: Annotated[
        int, typer.Argument(min=1, max=2**31 - 1, help="The incident's number.")
    ],
    reason: Reason,
    by: Actor,
    status: Annotated[
        str | None, typer.Option(help="investigating, identified or monitoring.")
    ] = None,
    public_status: PublicStatus = None,
    eta: Eta = None,
    region: Regions = None,
    keep_approved: Annotated[
        bool,
        typer.Option(
            "--keep-approved",
            help="You approve the new facts for replies already approved: their template text "
            "is re-written and they stay approved (a person's edited text still goes back).",
        ),
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Change an open incident's status, public text, ETA or regions."""
    with db.session_scope(engine_for(database_url)) as session:
        incident = incidents.update_incident(
            session,
            incident_id,
            now=clock.now(),
            actor=by,
            reason=reason,
            status=status,
            public_status=public_status,
            eta=parse_when(eta, "--eta"),
            regions=region,
        )
        changed = _update_queue(
            session, incident, database_url, approved_by=by if keep_approved else None
        )
    _print_incident(incident)
    _print_queue_changes(changed)
    deliver_now(database_url)


@incidents_app.command("resolve")
def incidents_resolve(
    incident_id: Annotated[
        int, typer.Argument(min=1, max=2**31 - 1, help="The incident's number.")
    ],
    reason: Reason,
    by: Actor,
    public_status: PublicStatus = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Resolve an incident. Held posts stay held until you resume them."""
    with db.session_scope(engine_for(database_url)) as session:
        incident = incidents.resolve_incident(
            session,
            incident_id,
            now=clock.now(),
            actor=by,
            reason=reason,
            public_status=public_status,
        )
        changed = _update_queue(session, incident, database_url)
        still_held = len(session.exec(holds.held_posts_query()).all())
    console.print(f"resolved incident #{incident.id}")
    _print_queue_changes(changed)
    deliver_now(database_url)
    if still_held:
        console.print(
            f"[yellow]{still_held} posts stay held[/]: check them, then "
            "crisis posts resume POST... --at TIME (or --draft) --by NAME --reason ..."
        )


def _update_queue(
    session: Session,
    incident: Incident,
    database_url: str | None,
    *,
    approved_by: str | None = None,
) -> dict[str, int]:
    """Attach early complaints, re-render suggestions, or queue follow-ups (see
    ``crisis.replies.incident_changes``)."""
    from crisis.registry import reply_setup

    setup = reply_setup(settings_for(database_url))
    return after_incident_change(session, setup, incident, now=clock.now(), approved_by=approved_by)


_QUEUE_WORDS = {  # key: (one, more)
    "attached": ("earlier complaint attached", "earlier complaints attached"),
    "linked": (
        "earlier answered complaint linked (for the follow-up)",
        "earlier answered complaints linked (for the follow-up)",
    ),
    "duplicates": ("duplicate rejected", "duplicates rejected"),
    "rerendered": ("suggestion re-written", "suggestions re-written"),
    "kept_approved": (
        "approved reply re-written with the facts you approved (stays approved)",
        "approved replies re-written with the facts you approved (stay approved)",
    ),
    "reopened": (
        "approved or failed reply sent back to pending (written before the change)",
        "approved or failed replies sent back to pending (written before the change)",
    ),
    "marked_changed": (
        "edited reply marked 'facts changed'",
        "edited replies marked 'facts changed'",
    ),
    "follow_ups": ("follow-up queued", "follow-ups queued"),
    "superseded": (
        "unsent reply superseded by its follow-up",
        "unsent replies superseded by follow-ups",
    ),
}


def _print_queue_changes(changed: dict[str, int]) -> None:
    said = []
    for key, n in changed.items():
        if n:
            one, more = _QUEUE_WORDS.get(key, (key, key))
            said.append(f"{n} {one if n == 1 else more}")
    if said:
        console.print(f"review queue: {', '.join(said)}")


def freeze(reason: Reason, by: Actor, database_url: DatabaseUrl = None) -> None:
    """Freeze all marketing by hand (counts like an open incident) until crisis unfreeze."""
    with db.session_scope(engine_for(database_url)) as session:
        frozen = holds.freeze_marketing(session, reason=reason, now=clock.now(), actor=by)
        held = len(session.exec(holds.held_posts_query()).all())
    console.print(
        f"[bold white on red] MARKETING FROZEN [/] (#{frozen.id}): {escape(frozen.reason)}; "
        f"{counted(held, 'post')} held"
    )
    deliver_now(database_url)


def unfreeze(reason: Reason, by: Actor, database_url: DatabaseUrl = None) -> None:
    """End the manual marketing freeze. Held posts stay held until you resume them."""
    with db.session_scope(engine_for(database_url)) as session:
        holds.unfreeze_marketing(session, now=clock.now(), actor=by, reason=reason)
        print_blockers(session)
        held = len(session.exec(holds.held_posts_query()).all())
    console.print(f"marketing freeze ended; {held} posts stay held until resumed")
