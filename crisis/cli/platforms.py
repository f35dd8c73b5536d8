"""The commands that talk to X and Facebook: ``crisis connect check``, ``crisis webhook serve``,
and the progress output of ``crisis ingest``."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from crisis.connectors.polling import Reporter, Totals
from crisis.domain import CommentIn, Page
from crisis.errors import ConnectorError
from crisis.pipeline import StepResult
from crisis.settings import Settings, get_settings

connect_app = typer.Typer(help="Platform credentials and permissions.", no_args_is_help=True)
webhook_app = typer.Typer(help="Real-time comments from Facebook webhooks.", no_args_is_help=True)


def progress_reporter(console: Console, *, follow: bool) -> Reporter:
    def page(page: Page, result: StepResult, totals: Totals) -> None:
        for problem in page.problems:
            what = "kept" if problem.kept else "skipped"
            console.print(f"[yellow]{what}[/] {escape(problem.where)}: {escape(problem.reason)}")
        for problem in result.conflicts:
            console.print(
                f"[yellow]not stored[/] {escape(problem.where)}: {escape(problem.reason)}"
            )
        for incident in result.incidents:
            console.print(f"[red]incident[/] #{incident.id} {incident.title} ({incident.status})")
        if result.new_comment_ids or not follow:
            console.print(f"  {totals.new} new comments so far")

    def waiting(error: ConnectorError, seconds: float) -> None:
        console.print(f"[yellow]waiting {seconds:.0f} s[/]: {escape(str(error))}")

    def round_done(totals: Totals) -> None:
        if follow:
            console.print(f"{datetime.now(UTC):%H:%M:%S}Z up to date ({totals.new} new so far)")

    return Reporter(page=page, waiting=waiting, round_done=round_done)


def configured(settings: Settings) -> dict[str, bool]:
    """Which platforms have any setting: those get checked, and named when one is missing."""
    return {
        "x": any(
            getattr(settings, name) is not None
            for name in (
                "x_bearer_token",
                "x_consumer_key",
                "x_user_token",
                "x_account_id",
                "x_account_handle",
            )
        ),
        "facebook": settings.facebook_page_id is not None
        or settings.facebook_page_token is not None,
    }


@connect_app.command("check")
def connect_check() -> None:
    """Check each configured platform's credentials and permissions, one line per check."""
    from crisis.cli.common import console
    from crisis.connectors import facebook, x

    settings = get_settings()
    which = configured(settings)
    if not any(which.values()):
        console.print(
            "[red]no platform is configured[/]: set CRISIS_X_BEARER_TOKEN and "
            "CRISIS_X_ACCOUNT_HANDLE for X, CRISIS_FACEBOOK_PAGE_ID and "
            "CRISIS_FACEBOOK_PAGE_TOKEN for Facebook (environment or .env)"
        )
        raise typer.Exit(2)
    results: list[tuple[str, bool, str]] = []
    if which["x"]:
        results += [("x", ok, line) for ok, line in x.check(settings)]
    if which["facebook"]:
        results += [("facebook", ok, line) for ok, line in facebook.check(settings)]
        for name, what in [
            ("app_secret", "checking webhook signatures"),
            ("verify_token", "the webhook handshake"),
        ]:
            ok = getattr(settings, f"facebook_{name}") is not None
            note = "set" if ok else f"CRISIS_FACEBOOK_{name.upper()} is not set"
            results.append(("facebook", ok, f"{what}: {note}"))
    for platform, ok, line in results:
        mark = "[green]ok[/]  " if ok else "[red]FAIL[/]"
        console.print(f"{mark} {platform}: {escape(line)}")
    if not all(ok for _, ok, _ in results):
        raise typer.Exit(1)


@webhook_app.command("serve")
def webhook_serve(
    host: Annotated[str | None, typer.Option(help="Address (default CRISIS_WEBHOOK_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default CRISIS_WEBHOOK_PORT).")] = None,
    reconcile_interval: Annotated[
        float, typer.Option(help="Seconds between polls that catch deliveries Facebook lost.")
    ] = 300.0,
    database_url: Annotated[str | None, typer.Option(help="Database URL.")] = None,
) -> None:
    """Receive Facebook Page feed webhooks (behind your HTTPS proxy), and poll for lost ones."""
    from crisis.cli.common import console, engine_for, settings_for
    from crisis.clock import SystemClock
    from crisis.connectors import facebook
    from crisis.connectors.polling import poll
    from crisis.connectors.webhook import PATH, WebhookApp, serve, stop
    from crisis.registry import build_pipeline

    settings = settings_for(database_url)
    settings.require(
        "facebook_page_id",
        "facebook_app_secret",
        "facebook_verify_token",
        purpose="the Facebook webhook",
    )
    source = facebook.make_source(settings)
    pipeline = build_pipeline(
        settings,
        engine=engine_for(database_url),
        clock=SystemClock(),
    )
    lock = threading.Lock()  # one pipeline step at a time: webhook deliveries and polling

    def sink(items: list[CommentIn]) -> None:
        with lock:
            result = pipeline.process(items)
        console.print(f"webhook: {len(result.new_comment_ids)} new of {len(items)} comments")

    app = WebhookApp(
        page_id=source.page_id,
        app_secret=settings.secret("facebook_app_secret"),
        verify_token=settings.secret("facebook_verify_token"),
        sink=sink,
    )
    server = serve(
        app, host or settings.webhook_host, settings.webhook_port if port is None else port
    )
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    console.print(f"listening on http://{bound_host}:{bound_port}{PATH}; Ctrl-C stops")
    try:
        poll(
            name=source.name,
            source=source,
            pipeline=pipeline,
            follow=True,
            interval=reconcile_interval,
            report=progress_reporter(console, follow=True),
            lock=lock,
        )
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        stop(server)
