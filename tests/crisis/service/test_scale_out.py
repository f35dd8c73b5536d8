"""The same flow in one process and on Celery workers (PostgreSQL, real RabbitMQ), and workers
killed with SIGKILL mid-batch and mid-send: every comment stored and labelled once, one
incident, no reply twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from crisis.db import session_scope
from crisis.replies import queue
from crisis.service.jobs import Context, poll_round, send_replies
from crisis.settings import Settings
from crisis.tables import Classification, Comment, Incident, ReviewItem
from crisis.testing import StaticSource
from tests.crisis.service.conftest import Workers, wait_for
from tests.crisis.service.fakes import FilePlatform, context_factory
from tests.factories import make_comment


def outage_pages(count: int = 30, page: int = 10) -> list[list]:
    """An internet outage: two thirds complaints from different customers, minutes ago."""
    now = datetime.now(UTC)
    comments = [
        make_comment(
            text="Internet tot seit einer Stunde" if i % 3 else "Danke für die schnelle Hilfe",
            author=f"kunde{i}",
            created_at=now - timedelta(minutes=20) + timedelta(seconds=30 * i),
        )
        for i in range(count)
    ]
    return [comments[i : i + page] for i in range(0, count, page)]


SOURCES = count(1)  # each ingest a source of its own: a fresh cursor


class OneProcess:
    name = "one process"

    def __init__(self, engine: Engine, workdir: Path) -> None:
        url = engine.url.render_as_string(hide_password=False)
        settings = Settings(database_url=url, classify_batch_size=8)
        self.ctx: Context = context_factory(workdir)(settings, lambda ids: None)
        self.ctx.work = self.ctx.pipeline.work
        self.platform = FilePlatform(workdir)

    def ingest(self, pages: list[list]) -> None:
        poll_round(self.ctx, f"static{next(SOURCES)}", StaticSource(pages), threading.Event())

    def send(self) -> None:
        send_replies(self.ctx, threading.Event())


class OnCelery:
    name = "celery"

    def __init__(self, settings: Settings, workers: Workers, workdir: Path) -> None:
        from crisis.service.tasks import enqueue, make_app

        self.app = make_app(settings)
        self.ctx = context_factory(workdir)(settings, lambda ids: enqueue(self.app, settings, ids))
        self.workers, self.platform = workers, FilePlatform(workdir)

    def ingest(self, pages: list[list]) -> None:
        poll_round(self.ctx, f"static{next(SOURCES)}", StaticSource(pages), threading.Event())

    def send(self) -> None:
        self.app.send_task("crisis.job", args=["send-replies"])


def labels_per_comment(engine: Engine) -> Counter[int]:
    with session_scope(engine) as session:
        return Counter(session.exec(select(Classification.comment_id)).all())


def count_of(engine: Engine, table: type) -> int:
    with session_scope(engine) as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def approve_all(engine: Engine) -> int:
    with session_scope(engine) as session:
        pending = session.exec(select(ReviewItem.id).where(ReviewItem.state == "pending")).all()
        for item_id in pending:
            assert item_id is not None
            queue.approve(session, item_id, actor="lena", now=datetime.now(UTC))
    return len(pending)


def sent(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(ReviewItem.id).where(ReviewItem.state == "sent")).all())


@pytest.fixture(params=["one process", "celery"])
def runner(
    request: pytest.FixtureRequest, engine: Engine, tmp_path: Path
) -> Iterator[OneProcess | OnCelery]:
    chosen: OneProcess | OnCelery
    if request.param == "one process":
        chosen = OneProcess(engine, tmp_path)
    else:
        if engine.dialect.name != "postgresql":
            pytest.skip("the Celery setup shares one PostgreSQL database (SQLite: crisis run)")
        workers: Workers = request.getfixturevalue("workers")
        workers.start()
        workers.start()  # two, so that batches are worked on side by side
        chosen = OnCelery(request.getfixturevalue("celery_settings"), workers, tmp_path)
    yield chosen
    chosen.ctx.engine.dispose()


def test_an_outage_is_labelled_once_opens_one_incident_and_each_reply_goes_out_once(
    runner: OneProcess | OnCelery, engine: Engine
) -> None:
    runner.ingest(outage_pages(30))
    wait_for(lambda: len(labels_per_comment(engine)) == 30, what="30 comments labelled")
    assert count_of(engine, Comment) == 30
    assert set(labels_per_comment(engine).values()) == {1}
    wait_for(lambda: count_of(engine, ReviewItem) >= 20, what="suggestions for 20 complaints")
    with session_scope(engine) as session:
        incidents = session.exec(select(Incident)).all()
    assert [incident.service for incident in incidents] == ["internet"]
    approved = approve_all(engine)
    assert approved >= 20
    runner.send()
    wait_for(lambda: sent(engine) == approved, what=f"{approved} replies sent")
    posted = Counter(line["key"] for line in runner.platform.posted())
    assert len(posted) == approved and set(posted.values()) == {1}


def test_a_page_delivered_again_is_stored_and_labelled_once_and_opens_no_second_incident(
    runner: OneProcess | OnCelery, engine: Engine
) -> None:
    pages = outage_pages(20)
    runner.ingest(pages)
    wait_for(lambda: len(labels_per_comment(engine)) == 20, what="20 comments labelled")
    poll_round(runner.ctx, "static-again", StaticSource(pages), threading.Event())  # re-read
    runner.ingest(outage_pages(6))  # and more of the same outage
    wait_for(lambda: len(labels_per_comment(engine)) == 26, what="26 comments labelled")
    assert count_of(engine, Comment) == 26
    assert set(labels_per_comment(engine).values()) == {1}
    with session_scope(engine) as session:
        assert [i.service for i in session.exec(select(Incident)).all()] == ["internet"]


def test_one_loud_customer_is_labelled_but_opens_no_incident(
    runner: OneProcess | OnCelery, engine: Engine
) -> None:
    now = datetime.now(UTC)
    loud = [
        make_comment(text="Internet tot!!!", author="immer derselbe",
                     created_at=now - timedelta(minutes=20 - i))
        for i in range(16)
    ]  # fmt: skip
    runner.ingest([loud[:8], loud[8:]])
    wait_for(lambda: len(labels_per_comment(engine)) == 16, what="16 comments labelled")
    assert count_of(engine, Incident) == 0


def test_the_schedule_sends_every_job_and_lets_a_missed_round_expire() -> None:
    from crisis.service.tasks import schedule

    entries = schedule(Settings(send_interval_seconds=15))
    assert {"publish-posts", "send-replies", "sweep"} <= set(entries)
    assert entries["send-replies"] == {
        "task": "crisis.job", "schedule": 15.0, "args": ("send-replies",),
        "options": {"expires": 15.0},
    }  # fmt: skip


def test_the_embedded_setup_never_imports_celery() -> None:
    import subprocess
    import sys

    code = (
        "import sys, crisis.cli.main, crisis.web.app, crisis.service.loops, crisis.service.jobs;"
        "print('celery' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    assert out.stdout.strip() == "False"


@pytest.mark.postgres
def test_a_worker_killed_mid_batch_leaves_every_comment_labelled_exactly_once(
    workers: Workers, celery_settings: Settings, postgres_engine: Engine, tmp_path: Path
) -> None:
    from tests.conftest import _truncate

    _truncate(postgres_engine)
    doomed = workers.start(slow_classify=1.5)
    celery = OnCelery(celery_settings, workers, tmp_path)
    celery.ingest(outage_pages(40))
    wait_for(lambda: (tmp_path / "classifying").exists(), what="the worker is in the model")
    workers.kill(doomed)  # SIGKILL: nothing acknowledged, nothing cleaned up
    assert len(labels_per_comment(postgres_engine)) < 40
    workers.start()
    wait_for(lambda: len(labels_per_comment(postgres_engine)) == 40, what="all 40 labelled")
    assert set(labels_per_comment(postgres_engine).values()) == {1}
    assert count_of(postgres_engine, Comment) == 40
    with session_scope(postgres_engine) as session:
        assert len(session.exec(select(Incident)).all()) == 1
    celery.ctx.engine.dispose()


@pytest.mark.postgres
def test_a_worker_killed_mid_send_never_sends_a_reply_twice(
    workers: Workers, celery_settings: Settings, postgres_engine: Engine, tmp_path: Path
) -> None:
    from tests.conftest import _truncate

    _truncate(postgres_engine)
    doomed = workers.start(pause_after_post=30)
    celery = OnCelery(celery_settings, workers, tmp_path)
    celery.ingest(outage_pages(15))
    wait_for(lambda: len(labels_per_comment(postgres_engine)) == 15, what="15 labelled")
    wait_for(lambda: count_of(postgres_engine, ReviewItem) >= 10, what="10 suggestions")
    approved = approve_all(postgres_engine)
    celery.send()
    wait_for(lambda: (tmp_path / "posted").exists(), what="a reply went out")
    workers.kill(doomed)  # after the platform took the reply, before it was recorded
    assert sent(postgres_engine) == 0 and len(celery.platform.posted()) == 1
    workers.start()  # the unacknowledged send round is delivered to it
    wait_for(lambda: sent(postgres_engine) == approved, what=f"{approved} replies sent")
    posted = Counter(line["key"] for line in celery.platform.posted())
    assert len(posted) == approved and set(posted.values()) == {1}
    celery.ctx.engine.dispose()


@pytest.mark.postgres
def test_the_sweeper_sends_comments_a_lost_message_left_to_the_workers(
    workers: Workers, celery_settings: Settings, postgres_engine: Engine
) -> None:
    from crisis.ingest import store_comments
    from crisis.service.tasks import make_app
    from tests.conftest import _truncate

    _truncate(postgres_engine)
    with session_scope(postgres_engine) as session:  # stored, but their message was lost
        store_comments(session, outage_pages(12, page=12)[0], now=datetime.now(UTC))
    workers.settings = celery_settings.model_copy(update={"sweep_after_seconds": 0.5})
    workers.start()
    time.sleep(1)
    make_app(celery_settings).send_task("crisis.job", args=["sweep"])  # as the scheduler does
    wait_for(lambda: len(labels_per_comment(postgres_engine)) == 12, what="12 swept and labelled")
    assert set(labels_per_comment(postgres_engine).values()) == {1}
