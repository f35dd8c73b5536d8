"""``crisis users ...`` and ``crisis serve``: the web app's accounts, and the web app itself.

``crisis users add`` creates the first lead on a fresh install (then leads add the others in
the web app or here). Passwords are read from a hidden prompt, or one line of standard input
with ``--password-stdin`` (for scripts); never from an option, which would land in the shell's
history.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from crisis import accounts, db
from crisis.cli.common import (
    DatabaseUrl,
    Reason,
    actor_name,
    clock,
    console,
    engine_for,
    settings_for,
)
from crisis.clock import VirtualClock, local_time, zone_label
from crisis.connectors.records import parse_time
from crisis.errors import BadRecord
from crisis.protocols import Clock

users_app = typer.Typer(
    help="Web app accounts: add, list, password, role, disable, enable, token.",
    no_args_is_help=True,
)
UserName = Annotated[str, typer.Argument(help="The person's name (shown in the audit log).")]
By = Annotated[
    str | None,
    typer.Option(
        "--by",
        envvar="CRISIS_USER",
        callback=actor_name,
        help="Who does this (audit log); default: $CRISIS_USER; the very first user: "
        "the new user's own name.",
    ),
]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from one line of standard input."),
]


@users_app.command("add")
def users_add(
    name: UserName,
    role: Annotated[str, typer.Option(help="agent (works the queue) or lead (everything).")],
    lang: Annotated[str, typer.Option(help="Interface language: de or en.")] = "de",
    password_stdin: PasswordStdin = False,
    by: By = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Add a user; on a fresh install, the first one must be a lead."""
    engine = engine_for(database_url)
    with db.session_scope(engine) as session:
        first = not accounts.has_users(session)
    if first and role != "lead":
        raise accounts.AccountError("the first user must be a lead (--role lead)")
    actor = by or (name.strip() if first else None)
    if actor is None:
        raise BadRecord("--by", "say who adds this user (--by NAME or $CRISIS_USER)")
    accounts.check_role(role)
    accounts.check_lang(lang)
    password = _password(password_stdin)
    with db.session_scope(engine) as session:
        user = accounts.add_user(
            session, name=name, password=password, role=role, lang=lang, actor=actor,
            now=clock.now(),
        )  # fmt: skip
    console.print(f"added {escape(user.name)} ({user.role}, {user.lang})")
    if first:
        console.print("sign in with crisis serve, then add the team under Users")


@users_app.command("list")
def users_list(database_url: DatabaseUrl = None) -> None:
    """List the users, their roles and whether they may sign in."""
    with db.session_scope(engine_for(database_url)) as session:
        rows = accounts.list_users(session)
    zone = zone_label()
    table = Table("name", "role", "lang", f"added ({zone})", f"disabled ({zone})")
    for user in rows:
        table.add_row(
            escape(user.name), user.role, user.lang, local_time(user.created_at, labelled=False),
            local_time(user.disabled_at, labelled=False),
        )  # fmt: skip
    console.print(table)


@users_app.command("password")
def users_password(
    name: UserName,
    by: By = None,
    password_stdin: PasswordStdin = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Set a new password; the user is signed out everywhere."""
    password = _password(password_stdin)
    with db.session_scope(engine_for(database_url)) as session:
        accounts.set_password(session, name, password=password, actor=_by(by), now=clock.now())
    console.print(f"new password set for {escape(name)}; their sessions ended")


@users_app.command("role")
def users_role(
    name: UserName,
    role: Annotated[str, typer.Argument(help="agent or lead.")],
    by: By = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Make someone an agent or a lead (the last lead stays a lead)."""
    with db.session_scope(engine_for(database_url)) as session:
        accounts.set_role(session, name, role=role, actor=_by(by), now=clock.now())
    console.print(f"{escape(name)} is now {role}")


@users_app.command("disable")
def users_disable(
    name: UserName, reason: Reason, by: By = None, database_url: DatabaseUrl = None
) -> None:
    """Keep someone out: sessions end, API tokens are revoked; their name stays in the log."""
    with db.session_scope(engine_for(database_url)) as session:
        accounts.disable_user(session, name, actor=_by(by), now=clock.now(), reason=reason)
    console.print(f"{escape(name)} is disabled")


@users_app.command("enable")
def users_enable(
    name: UserName, reason: Reason, by: By = None, database_url: DatabaseUrl = None
) -> None:
    """Let a disabled user sign in again (API tokens stay revoked: create new ones)."""
    with db.session_scope(engine_for(database_url)) as session:
        accounts.enable_user(session, name, actor=_by(by), now=clock.now(), reason=reason)
    console.print(f"{escape(name)} may sign in again")


@users_app.command("token")
def users_token(
    name: UserName,
    label: Annotated[str, typer.Option(help="What the token is for (the integration's name).")],
    by: By = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an API token that acts as this user (header: Authorization: Bearer TOKEN)."""
    with db.session_scope(engine_for(database_url)) as session:
        token = accounts.create_api_token(
            session, name, label=label, actor=_by(by), now=clock.now()
        )
    console.print("the token (shown once; store it in the integration's secrets):")
    print(token)


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    clock_at: Annotated[
        str | None,
        typer.Option(
            help="For a replayed demo: the app's clock stands still at this time (ISO 8601 "
            "with offset), so waiting times and ETAs read as they did then."
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Start the web app: review queue, incidents, held posts, reports (sign in first)."""
    import uvicorn

    from crisis.alerts.dispatch import deliver_in_background, make_dispatcher
    from crisis.registry import make_web_app

    settings = settings_for(database_url)
    engine = engine_for(database_url)
    with db.session_scope(engine) as session:
        if not accounts.has_users(session):
            console.print(
                "[yellow]nobody can sign in yet:[/] create the first lead with "
                "crisis users add NAME --role lead"
            )
    app_clock: Clock = clock
    if clock_at:
        app_clock = VirtualClock(parse_time(clock_at, "--clock-at", "command line"))
        console.print(f"[yellow]the clock stands at {local_time(app_clock.now())}[/] (--clock-at)")
    app = make_web_app(settings, engine=engine, clock=app_clock)
    dispatcher = make_dispatcher(settings, engine=engine, clock=app_clock)
    if dispatcher.channels:  # the web app's incident changes (and the NOC's) alert from here
        deliver_in_background(dispatcher, interval=settings.alert_interval_seconds)
        console.print(f"alerts go to {', '.join(c.name for c in dispatcher.channels)}")
    chosen_host = host or settings.web_host
    chosen_port = settings.web_port if port is None else port
    console.print(f"crisis web app on http://{chosen_host}:{chosen_port}/ (Ctrl-C stops)")
    uvicorn.run(
        app,
        host=chosen_host,
        port=chosen_port,
        proxy_headers=True,
        forwarded_allow_ips=settings.web_trusted_proxies,
        log_level="warning",
    )


def _by(by: str | None) -> str:
    if by is None:
        raise BadRecord("--by", "say who does this (--by NAME or $CRISIS_USER)")
    return by


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return password
