"""``crisis run``: the whole service in one process; ``crisis worker`` and ``crisis scheduler``:
the same work on Celery (with ``CRISIS_BROKER_URL``)."""

from __future__ import annotations

import logging
import signal
from typing import Annotated

import typer
from rich.markup import escape

from crisis import accounts, db
from crisis.cli.common import DatabaseUrl, clock, console, engine_for, settings_for
from crisis.errors import ConfigError

log = logging.getLogger("crisis.run")


def run(
    host: Annotated[
        str | None, typer.Option(help="Web app address (default CRISIS_WEB_HOST).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Web app port (default CRISIS_WEB_PORT).")
    ] = None,
    publisher: Annotated[
        str,
        typer.Option(
            help="'platforms': posts and approved replies go out on X and Facebook (each at "
            "most once); 'recording': they are marked published and sent, nothing leaves this "
            "machine (a trial)."
        ),
    ] = "platforms",
    database_url: DatabaseUrl = None,
) -> None:
    """Run the whole service in one process: polling, file drop, webhook, pipeline, publisher,
    sender, timers and the web app; Ctrl-C or SIGTERM finishes the batch in hand and stops."""
    import uvicorn

    from crisis.registry import make_web_app
    from crisis.service import health, logs
    from crisis.service.jobs import all_jobs
    from crisis.service.loops import Supervisor, local_context, webhook_job

    if publisher not in ("platforms", "recording"):
        raise ConfigError(f"unknown publisher {publisher!r}; known: platforms, recording")
    settings = settings_for(database_url)
    logs.configure(settings)
    engine = engine_for(database_url)
    with db.session_scope(engine) as session:
        if not accounts.has_users(session):
            log.warning("nobody can sign in yet: crisis users add NAME --role lead")
    if publisher == "recording":
        log.warning("recording publisher: posts and replies are marked sent, nothing leaves")
    ctx = local_context(settings, engine=engine, clock=clock, recording=publisher == "recording")
    health.model_loaded(ctx.pipeline.classifier.name)
    jobs, off = all_jobs(settings)
    receiver = webhook_job(settings)
    if receiver is not None:
        jobs.append(receiver)
    else:
        off["facebook webhook"] = "needs CRISIS_FACEBOOK_PAGE_ID, CRISIS_FACEBOOK_APP_SECRET " + (
            "and CRISIS_FACEBOOK_VERIFY_TOKEN"
        )
    for name, why in off.items():
        log.info("%s is off: %s", name, why)
    log.info("running: %s", ", ".join(job.name for job in jobs))
    supervisor = Supervisor(ctx, jobs)
    supervisor.start()
    app = make_web_app(settings, engine=engine, clock=clock)
    chosen_host = host or settings.web_host
    chosen_port = settings.web_port if port is None else port
    log.info("web app on http://%s:%s/ (Ctrl-C stops)", chosen_host, chosen_port)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=chosen_host,
            port=chosen_port,
            proxy_headers=True,
            forwarded_allow_ips=settings.web_trusted_proxies,
            log_level="warning",
            log_config=None,  # our handler, our format
        )
    )
    # uvicorn catches SIGINT and SIGTERM, shuts the web app down, then raises the signal again
    # with the handler it found: this one, so the loops still get to finish their batch.
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        server.run()  # until SIGINT or SIGTERM
    except KeyboardInterrupt:
        pass
    finally:
        log.info("stopping: each loop finishes the batch in hand")
        still = supervisor.stop()
        if still:
            log.warning("still busy after the wait, left behind: %s", ", ".join(still))
        engine.dispose()
        log.info("stopped")
    if not server.started:
        console.print(f"[red]the web app did not start on {escape(chosen_host)}:{chosen_port}[/]")
        raise typer.Exit(1)


def worker(
    queues: Annotated[
        str,
        typer.Option(
            help="Which work: 'classify' (the model), 'jobs' (polling, publishing, sending, "
            "timers) or 'classify,jobs'."
        ),
    ] = "classify,jobs",
    concurrency: Annotated[
        int, typer.Option(min=1, help="Processes (prefork) or threads; one model per process.")
    ] = 1,
    pool: Annotated[
        str, typer.Option(help="prefork (default), solo (one task at a time, in this process).")
    ] = "prefork",
    torch_threads: Annotated[
        int | None,
        typer.Option(min=1, help="Threads per model (default: the cores / --concurrency)."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """A Celery worker (needs CRISIS_BROKER_URL and PostgreSQL): start as many as you like, on
    as many machines; each message is worked on at least once, and twice does no harm."""
    import os

    from crisis.service import logs
    from crisis.service.tasks import broker_url, make_app
    from crisis.service.tasks import queues as queue_names

    if pool not in ("prefork", "solo"):
        raise ConfigError(f"unknown pool {pool!r}; known: prefork, solo")
    settings = settings_for(database_url)
    broker_url(settings)  # refuses SQLite and a missing broker before anything is created
    logs.configure(settings)
    engine_for(database_url).dispose()  # the schema is up to date before any task runs
    jobs_queue, classify_queue = queue_names(settings)
    chosen = {"classify": classify_queue, "jobs": jobs_queue}
    wanted = [part.strip() for part in queues.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in chosen]
    if unknown or not wanted:
        raise ConfigError(f"unknown queue {', '.join(unknown)!r}; known: classify, jobs")
    threads = torch_threads or max(1, (os.cpu_count() or 1) // concurrency)
    # Read by torch when the model loads, in each worker process after the fork.
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    os.environ.setdefault("MKL_NUM_THREADS", str(threads))
    app = make_app(settings)
    app.worker_main(
        [
            "worker",
            f"--queues={','.join(chosen[part] for part in wanted)}",
            f"--concurrency={concurrency}",
            f"--pool={pool}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def scheduler(
    schedule_file: Annotated[
        str, typer.Option(help="Where Celery beat keeps when each job last ran.")
    ] = "crisis-beat-schedule",
    database_url: DatabaseUrl = None,
) -> None:
    """The periodic work for the Celery workers (polling, publishing, sending, timers, the
    sweeper): run exactly one."""
    from crisis.service import logs
    from crisis.service.tasks import make_app

    settings = settings_for(database_url)
    logs.configure(settings)
    app = make_app(settings)  # refuses SQLite and a missing broker
    for name in sorted(app.conf.beat_schedule):
        log.info("scheduled: %s every %.0f s", name, app.conf.beat_schedule[name]["schedule"])
    app.start(["beat", "--loglevel=INFO", f"--schedule={schedule_file}"])
