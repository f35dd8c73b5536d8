"""Scale-out: comments/s through 1, 2, ... Celery workers sharing PostgreSQL and the broker.

Stores the comments first (timed apart), then starts the workers (each a process of its own,
as on separate machines: ``--pool solo``, the model loaded before the clock starts), sends the
comment ids to the classification queue in batches (``CRISIS_CLASSIFY_BATCH_SIZE``) and waits
until every comment is labelled: labels, detection and reply suggestions included, each batch
under the pipeline's advisory lock.

- real classifier (``outage.v1``, the bundled model): 1 and 2 workers, one torch thread each,
  and 1 worker with one thread per core (is scale-out better than torch's own threads?);
- a fake classifier (``crisis.testing.KeywordClassifier``, microseconds a batch): 1, 2, 4 and
  8 workers; the ceiling of everything around the model (database, broker, detection).

    python benchmarks/scale.py [--comments 100000] [--real-comments 100000]
        [--fake-workers 1,2,4,8] [--real-workers 1,2] [--postgres URL] [--broker URL]

Works in a PostgreSQL database and queues of its own, dropped afterwards. Figures are for this
machine only; on a machine whose cores are shared, they show contention as much as scaling.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy
from sqlalchemy import Engine, func, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crisis.db import make_engine, session_scope, upgrade  # noqa: E402
from crisis.domain import CommentIn  # noqa: E402
from crisis.ingest import store_comments  # noqa: E402
from crisis.tables import Classification, Comment, Incident  # noqa: E402

TEXTS = [
    "@nordtel Internet seit heute morgen tot, Router blinkt rot",
    "Kein Netz in Hamburg, Handy zeigt SOS",
    "Meine Rechnung ist doppelt abgebucht worden",
    "Danke für die schnelle Hilfe gestern!",
    "Gibt es eine Prämie, wenn ich meine Nummer zu euch portiere?",
    "WLAN geht, aber kein Internet mehr seit 2 Stunden",
    "Festnetz tot, Telefon ohne Freizeichen",
    "Glasfaser läuft super, Downloads sind ein Traum",
]


def comments(count: int) -> list[CommentIn]:
    """Distinct texts (so no batch is labelled from another's), over the last half hour."""
    now = datetime.now(UTC)
    return [
        CommentIn(
            platform="x",
            external_id=f"bench{i}",
            author=f"kunde{i % 5000}",
            text=f"{TEXTS[i % len(TEXTS)]} #{i}",
            created_at=now - timedelta(seconds=1800 * (count - i) / count),
            lang="de",
        )
        for i in range(count)
    ]


def fake_classifier() -> object:
    from crisis.domain import Labels, Sentiment, Service
    from crisis.testing import KeywordClassifier

    def complaint(service: Service) -> Labels:
        return Labels("keywords.test", True, 0.9, service, Sentiment.NEGATIVE)

    return KeywordClassifier(
        {
            "Internet": complaint(Service.INTERNET),
            "Netz": complaint(Service.MOBILE),
            "Rechnung": complaint(Service.BILLING),
            "Festnetz": complaint(Service.PHONE),
        }
    )


def worker(kind: str) -> None:
    """One Celery worker process (``--worker fake|real``), configured from the environment."""
    from crisis.clock import SystemClock
    from crisis.pipeline import Pipeline
    from crisis.registry import CLASSIFIERS, make_publisher, reply_setup, spike_rules
    from crisis.service.jobs import Context
    from crisis.service.tasks import make_app
    from crisis.settings import Settings

    settings = Settings()
    engine = make_engine(settings.database_url)
    clock = SystemClock()
    classifier = (
        fake_classifier() if kind == "fake" else CLASSIFIERS.create(settings.classifier, settings)
    )
    classifier.classify(["warm up"])  # type: ignore[attr-defined]  # load before the clock
    pipeline = Pipeline(
        engine=engine,
        classifier=classifier,  # type: ignore[arg-type]
        clock=clock,
        replies=reply_setup(settings),
        rules=spike_rules(settings),
        batch_size=settings.classify_batch_size,
    )
    publisher = make_publisher(settings, engine=engine, clock=clock)
    built = Context(settings, engine, clock, pipeline, lambda ids: None, publisher, publisher)
    app = make_app(settings, context=lambda settings, work: built)
    app.worker_main(
        ["worker", f"--queues={settings.queue_prefix}.classify", "--pool=solo",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
         f"--hostname=bench{os.getpid()}@%h"]
    )  # fmt: skip


@contextmanager
def workers(count: int, kind: str, threads: int, env: dict[str, str], logs: Path) -> Iterator[None]:
    running = []
    for number in range(count):
        log = logs / f"{kind}-{count}-{number}.log"
        with log.open("wb") as out:
            running.append(
                (
                    subprocess.Popen(
                        [sys.executable, __file__, "--worker", kind],
                        env={
                            **env,
                            "OMP_NUM_THREADS": str(threads),
                            "MKL_NUM_THREADS": str(threads),
                        },
                        stdout=out,
                        stderr=out,
                        cwd=ROOT,
                    ),  # fmt: skip
                    log,
                )
            )
    try:
        deadline = time.monotonic() + 300
        while not all(" ready." in log.read_text(errors="replace") for _, log in running):
            if time.monotonic() > deadline or any(p.poll() is not None for p, _ in running):
                raise SystemExit(f"workers did not start; see {logs}")
            time.sleep(0.5)
        yield
    finally:
        for process, _ in running:
            process.send_signal(signal.SIGTERM)
        for process, _ in running:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def reset(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def store(engine: Engine, count: int) -> tuple[list[int], float]:
    started = time.perf_counter()
    items = comments(count)
    ids: list[int] = []
    for start in range(0, count, 5000):
        with session_scope(engine) as session:
            ids += store_comments(session, items[start : start + 5000], now=datetime.now(UTC))
    return ids, time.perf_counter() - started


def labelled(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.exec(select(func.count()).select_from(Classification)).one())


def one_run(
    engine: Engine, settings: object, *, kind: str, count: int, workers_n: int, threads: int,
    env: dict[str, str], logs: Path,
) -> tuple[float, float, int]:  # fmt: skip
    """(seconds to store, comments/s through the workers, incidents opened)."""
    from crisis.service.tasks import enqueue, make_app

    reset(engine)
    ids, stored_in = store(engine, count)
    app = make_app(settings)  # type: ignore[arg-type]
    with workers(workers_n, kind, threads, env, logs):
        started = time.perf_counter()
        enqueue(app, settings, ids)  # type: ignore[arg-type]
        while labelled(engine) < count:
            time.sleep(0.25)
        seconds = time.perf_counter() - started
    with session_scope(engine) as session:
        incidents = len(session.exec(select(Incident.id)).all())
        assert session.exec(select(func.count()).select_from(Comment)).one() == count
    return stored_in, count / seconds, incidents


@contextmanager
def database(server_url: str) -> Iterator[str]:
    name = f"crisis_scale_{os.getpid()}"
    admin = sqlalchemy.create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def drop_queues(broker: str, prefix: str) -> None:
    from kombu import Connection, Queue

    with Connection(broker) as conn:
        channel = conn.channel()
        for name in (prefix, f"{prefix}.classify"):
            Queue(name, channel=channel).delete()
        channel.close()


def counts(text_value: str) -> list[int]:
    return [int(part) for part in text_value.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=["fake", "real"], help=argparse.SUPPRESS)
    parser.add_argument("--comments", type=int, default=100_000, help="for the fake classifier")
    parser.add_argument("--real-comments", type=int, default=100_000)
    parser.add_argument("--fake-workers", type=counts, default=[1, 2, 4, 8])
    parser.add_argument("--real-workers", type=counts, default=[1, 2])
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument("--logs", type=Path, default=Path("/tmp/crisis-scale-logs"))
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return
    from crisis.settings import Settings

    args.logs.mkdir(parents=True, exist_ok=True)
    prefix = f"crisisscale{os.getpid()}"
    cores = os.cpu_count() or 1
    with database(args.postgres) as url:
        engine = make_engine(url)
        upgrade(engine)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CRISIS_DATABASE_URL": url,
            "CRISIS_BROKER_URL": args.broker,
            "CRISIS_QUEUE_PREFIX": prefix,
            "CRISIS_CLASSIFIER": "outage.v1",
        }
        settings = Settings(database_url=url, broker_url=args.broker, queue_prefix=prefix)
        print(f"{cores} cores; load average {os.getloadavg()[0]:.1f} at the start")
        print(f"{'classifier':<10} {'workers':>7} {'threads':>7} {'comments':>8} "
              f"{'store s':>8} {'comments/s':>10} {'x 1 worker':>10} {'incidents':>9}")  # fmt: skip
        try:
            plan = [("real", n, 1, args.real_comments) for n in args.real_workers]
            if args.real_workers and cores > 1:
                plan.append(("real", 1, cores, args.real_comments))
            plan += [("fake", n, 1, args.comments) for n in args.fake_workers]
            base: dict[str, float] = {}
            for kind, workers_n, threads, count in plan:
                if count <= 0:
                    continue
                stored_in, rate, incidents = one_run(
                    engine, settings, kind=kind, count=count, workers_n=workers_n,
                    threads=threads, env=env, logs=args.logs,
                )  # fmt: skip
                base.setdefault(kind, rate)
                ratio = rate / base[kind]
                print(f"{kind:<10} {workers_n:>7} {threads:>7} {count:>8} {stored_in:>8.1f} "
                      f"{rate:>10.0f} {ratio:>9.2f}x {incidents:>9}", flush=True)  # fmt: skip
        finally:
            engine.dispose()
            drop_queues(args.broker, prefix)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
