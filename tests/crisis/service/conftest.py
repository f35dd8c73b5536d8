"""Celery workers for the service tests: real RabbitMQ, real PostgreSQL, real processes.

Each test gets queues of its own (removed afterwards) and its workers are stopped at the end,
killed if they do not stop; tests are skipped, with the reason, when no broker answers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import Engine

from crisis.settings import Settings

BROKER_URL = os.environ.get("CRISIS_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
ROOT = Path(__file__).resolve().parents[3]
_numbers = count(1)


@pytest.fixture(scope="session")
def broker_url() -> str:
    from kombu import Connection

    try:
        with Connection(BROKER_URL, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:
        pytest.skip(f"no broker answers at {BROKER_URL.split('@')[-1]}: {exc}")
    return BROKER_URL


class Workers:
    def __init__(self, settings: Settings, workdir: Path) -> None:
        self.settings, self.workdir = settings, workdir
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, **options: float) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CRISIS_DATABASE_URL": self.settings.database_url,
            "CRISIS_BROKER_URL": BROKER_URL,
            "CRISIS_QUEUE_PREFIX": self.settings.queue_prefix,
            "CRISIS_CLASSIFY_BATCH_SIZE": str(self.settings.classify_batch_size),
            "CRISIS_SWEEP_AFTER_SECONDS": str(self.settings.sweep_after_seconds),
        }
        argv = [sys.executable, "-m", "tests.crisis.service.fakes", str(self.workdir)]
        for name, value in options.items():
            argv += [f"--{name.replace('_', '-')}", str(value)]
        with (self.workdir / f"worker{len(self.running)}.log").open("wb") as log:
            process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=log)
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.workdir.glob("worker*.log"))


@pytest.fixture
def celery_settings(broker_url: str, postgres_url: str) -> Settings:
    return Settings(
        database_url=postgres_url,
        broker_url=broker_url,
        queue_prefix=f"crisistest{os.getpid()}-{next(_numbers)}",
        classify_batch_size=8,
    )


@pytest.fixture
def workers(
    celery_settings: Settings, postgres_engine: Engine, tmp_path: Path
) -> Iterator[Workers]:
    from kombu import Connection, Queue

    running = Workers(celery_settings, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()
        prefix = celery_settings.queue_prefix
        with Connection(BROKER_URL) as conn:
            channel = conn.channel()
            for name in (prefix, f"{prefix}.classify"):
                Queue(name, channel=channel).delete()
            channel.close()


def wait_for(check: Callable[[], bool], *, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting after {timeout:.0f} s: {what}")
