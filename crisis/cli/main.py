"""The ``crisis`` command line: setup, imports, replays and the demo. Thin: it calls the
functions that do the work and prints their results."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy.exc import OperationalError

from crisis import db
from crisis.cli import classifier as modelcli
from crisis.cli import report as cli_report
from crisis.cli import schedulers as _schedulers  # noqa: F401  (adds posts sync, rule, rules)
from crisis.cli.alerts import alerts_app
from crisis.cli.common import DatabaseUrl, console, counted, engine_for, settings_for
from crisis.cli.incidents import freeze, incidents_app, unfreeze
from crisis.cli.platforms import connect_app, webhook_app
from crisis.cli.posts import posts_app, publish
from crisis.cli.queue import queue_app
from crisis.cli.run import run, scheduler, worker
from crisis.cli.users import serve, users_app
from crisis.clock import SystemClock
from crisis.errors import CrisisError
from crisis.settings import get_settings

app = typer.Typer(
    help="Crisis communication assistant for a telecom's social media team.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(incidents_app, name="incidents")
app.add_typer(posts_app, name="posts")
app.add_typer(queue_app, name="queue")
app.add_typer(connect_app, name="connect")
app.add_typer(webhook_app, name="webhook")
app.add_typer(users_app, name="users")
app.add_typer(alerts_app, name="alerts")
app.command("freeze")(freeze)
app.command("unfreeze")(unfreeze)
app.command("publish")(publish)
app.command("report")(cli_report.report)
app.command("serve")(serve)
app.command("run")(run)
app.command("worker")(worker)
app.command("scheduler")(scheduler)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Apply the schema migrations to the database."""
    settings = settings_for(database_url)
    db.upgrade(db.make_engine(settings.database_url))
    console.print(f"database schema is up to date ({_safe(settings.database_url)})")


@app.command()
def ingest(
    source: Annotated[
        str, typer.Option(help="Where from: x, facebook, or file:PATH (.jsonl or .csv).")
    ],
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep polling until Ctrl-C (x and facebook).")
    ] = False,
    interval: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            help="Seconds between polls with --follow (default CRISIS_POLL_INTERVAL_SECONDS).",
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import comments from a source and run them through the pipeline; resumes where it stopped."""
    from crisis.cli.platforms import progress_reporter
    from crisis.connectors.polling import poll
    from crisis.registry import build_pipeline, make_source

    settings = settings_for(database_url)
    name, comment_source = make_source(source, settings)
    engine = engine_for(database_url)
    pipeline = build_pipeline(settings, engine=engine, clock=SystemClock())
    pipeline.catch_up()
    if follow:
        console.print(f"following {escape(name)}; Ctrl-C stops (nothing stored is lost)")
    try:
        totals = poll(
            name=name,
            source=comment_source,
            pipeline=pipeline,
            follow=follow,
            interval=interval or settings.poll_interval_seconds,
            report=progress_reporter(console, follow=follow),
        )
    except KeyboardInterrupt:
        console.print("stopped; the next run resumes where this one ended")
        return
    repaired = f", {totals.repaired} stored with repairs" if totals.repaired else ""
    if totals.conflicts:
        repaired += f", {totals.conflicts} ids already stored with another text (not stored)"
    console.print(f"done: {totals.new} new comments, {totals.problems} lines skipped{repaired}")
    if totals.problems and not totals.read:
        console.print("[red]nothing imported: every line read was bad[/]")
        raise typer.Exit(1)


@app.command()
def replay(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (JSONL events).", exists=True)],
    summary: Annotated[Path, typer.Option(help="Where to write the JSON summary.")],
    database_url: Annotated[
        str | None,
        typer.Option(help="An empty database to replay into (default: a temporary SQLite file)."),
    ] = None,
    alerts: Annotated[
        bool,
        typer.Option("--alerts", help="Send the replay's alerts to the configured channels."),
    ] = False,
) -> None:
    """Replay a scenario through the real pipeline on a virtual clock."""
    from crisis.replay.run import replay_into

    settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'replay.db'}"
        engine = db.make_engine(url)
        try:
            result = replay_into(engine, scenario, settings, alerts=alerts)
        finally:
            engine.dispose()
    summary.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    console.print(
        f"{counted(result['comments'], 'comment')}, "
        f"{counted(len(result['incidents']), 'incident')}, "
        f"{counted(len(result['suggestions']), 'suggestion')}, "
        f"{counted(len(result['problems']), 'problem')} "
        f"-> {summary}"
    )


@app.command()
def demo(
    db_file: Annotated[Path, typer.Option(help="SQLite file for the demo (replaced).")] = Path(
        "crisis-demo.db"
    ),
    until: Annotated[
        str | None,
        typer.Option(
            help="Stop the story at this time (ISO 8601 with offset), e.g. "
            "2017-05-13T16:00+02:00: DSL down in Hamburg and Munich, marketing held."
        ),
    ] = None,
) -> None:
    """Replay the shipped May 2017 crisis into a fresh local database and tell what happened."""
    from crisis.cli.demo import run_demo
    from crisis.connectors.records import parse_time

    stop = parse_time(until, "--until", "command line") if until else None
    run_demo(db_file, get_settings(), console, until=stop)


def _safe(url: str) -> str:
    """The URL without a password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main() -> None:
    try:
        app()
    except CrisisError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}")
        raise SystemExit(2) from None
    except OperationalError as exc:  # the database is unreachable or refuses us
        reason = str(exc.orig or exc).strip().splitlines()[0]
        console.print(f"[red]error:[/] cannot use the database: {escape(reason)}")
        raise SystemExit(2) from None


modelcli.register(app)

if __name__ == "__main__":
    main()
