"""``crisis run``'s pieces: supervised loops, the file drop, what is off and why, the logs,
and /healthz, /readyz and /metrics."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, func
from sqlmodel import select

from crisis.db import session_scope
from crisis.registry import make_web_app
from crisis.service import logs
from crisis.service.filedrop import FileDrop
from crisis.service.health import readiness, record_round
from crisis.service.jobs import Context, Job, platform_sources
from crisis.service.loops import Supervisor
from crisis.settings import Settings
from crisis.tables import Classification, Comment
from tests.crisis.service.fakes import context_factory
from tests.crisis.service.test_scale_out import outage_pages


@pytest.fixture
def ctx(engine: Engine, tmp_path: Path) -> Iterator[Context]:
    url = engine.url.render_as_string(hide_password=False)
    built = context_factory(tmp_path)(Settings(database_url=url), lambda ids: None)
    built.work = built.pipeline.work
    yield built
    built.engine.dispose()


def quick(name: str, run: object) -> Job:
    return Job(name, lambda settings: 0.05, run)  # type: ignore[arg-type]


def test_a_failing_loop_is_retried_and_recorded_while_the_others_go_on(ctx: Context) -> None:
    rounds: list[str] = []

    def broken(ctx: Context, stop: threading.Event) -> None:
        raise ConnectionError("platform unreachable")

    supervisor = Supervisor(
        ctx, [quick("broken", broken), quick("fine", lambda c, s: rounds.append("ok"))]
    )
    supervisor.start()
    time.sleep(0.6)
    assert supervisor.stop() == []
    assert len(rounds) >= 3
    ready, answer = readiness(ctx.engine, now=ctx.clock.now())
    assert ready  # a loop in trouble is reported, it does not take the web app out
    assert answer["loops"]["broken"]["failures_in_a_row"] >= 2
    assert "platform unreachable" in answer["loops"]["broken"]["last_error"]
    assert answer["loops"]["broken"]["last_ok_at"] is None
    assert answer["loops"]["fine"]["failures_in_a_row"] == 0
    assert answer["loops"]["fine"]["lag_seconds"] < 5


def test_stop_lets_the_batch_in_hand_finish(ctx: Context) -> None:
    started, finished = threading.Event(), []

    def slow_batch(ctx: Context, stop: threading.Event) -> None:
        started.set()
        time.sleep(0.3)
        finished.append("batch")

    supervisor = Supervisor(ctx, [quick("slow", slow_batch)])
    supervisor.start()
    assert started.wait(5)
    assert supervisor.stop() == []
    assert finished == ["batch"]


def write_export(path: Path, pages: list[list]) -> None:
    lines = [
        json.dumps(
            {
                "type": "comment",
                "platform": c.platform,
                "id": c.external_id,
                "author": c.author,
                "text": c.text,
                "lang": c.lang,
                "at": c.created_at.isoformat(),
            }
        )  # fmt: skip
        for page in pages
        for c in page
    ]
    path.write_text("\n".join([*lines, "{not json"]) + "\n")


def stored(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        comments = session.exec(select(func.count()).select_from(Comment)).one()
        labels = session.exec(select(func.count()).select_from(Classification)).one()
    return int(comments), int(labels)


def test_a_dropped_export_is_ingested_once_and_moved_to_done(ctx: Context, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    pages = outage_pages(12)
    write_export(folder / "export.jsonl", pages)
    (folder / "notes.txt").write_text("not an export")
    drop = FileDrop(folder, settle=0)
    assert drop.round(ctx, threading.Event()) == 12
    assert stored(ctx.engine) == (12, 12)
    assert sorted(p.name for p in folder.iterdir()) == ["done", "notes.txt"]
    assert (folder / "done" / "export.jsonl").exists()
    write_export(folder / "again.jsonl", pages)  # the same comments dropped again
    assert drop.round(ctx, threading.Event()) == 0
    assert stored(ctx.engine) == (12, 12)


def test_a_file_still_being_written_waits(ctx: Context, tmp_path: Path) -> None:
    write_export(tmp_path / "fresh.jsonl", outage_pages(3))
    assert FileDrop(tmp_path, settle=60).round(ctx, threading.Event()) == 0
    old = time.time() - 120
    os.utime(tmp_path / "fresh.jsonl", (old, old))
    assert FileDrop(tmp_path, settle=60).round(ctx, threading.Event()) == 3


def test_with_nothing_configured_each_platform_says_which_settings_it_needs() -> None:
    on, off = platform_sources(Settings())
    assert on == {}
    assert off == {
        "x": "needs CRISIS_X_BEARER_TOKEN, CRISIS_X_ACCOUNT_ID or CRISIS_X_ACCOUNT_HANDLE",
        "facebook": "needs CRISIS_FACEBOOK_PAGE_ID, CRISIS_FACEBOOK_PAGE_TOKEN",
    }
    on, off = platform_sources(
        Settings(x_bearer_token=SecretStr("t0ken-value"), x_account_handle="nordtel",
                 sources=["x", "mastodon"])
    )  # fmt: skip
    assert on == {"x": "x"}
    assert off["mastodon"].startswith("unknown source")
    assert off["facebook"] == "not in CRISIS_SOURCES"


def test_json_log_lines_never_show_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(
        log_format="json",
        x_bearer_token=SecretStr("AAAA-bearer-secret"),
        broker_url=SecretStr("amqp://crisis:brokerpass@mq.internal//"),
        database_url="postgresql://crisis:dbpass@db.internal/crisis",
    )
    level = logging.getLogger().level
    logs.configure(settings)
    try:
        log = logging.getLogger("crisis.test")
        log.error("refused AAAA-bearer-secret at %s", "amqp://crisis:brokerpass@mq.internal//")
        try:
            raise ConnectionError("cannot reach postgresql://crisis:dbpass@db.internal")
        except ConnectionError:
            log.exception("database away", extra={"loop": "sweep"})
    finally:
        root = logging.getLogger()
        root.setLevel(level)
        for handler in list(root.handlers):
            if handler.get_name() == logs.HANDLER_NAME:
                root.removeHandler(handler)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["message"] for line in lines] == [
        "refused *** at ***",  # the whole broker URL is a secret setting
        "database away",
    ]
    assert (
        lines[1]["loop"] == "sweep" and "postgresql://crisis:***@db.internal" in lines[1]["error"]
    )
    for secret in ("AAAA-bearer-secret", "brokerpass", "dbpass"):
        assert all(secret not in json.dumps(line) for line in lines)


def test_readyz_and_metrics_show_loops_backlog_incidents_and_the_review_queue(
    ctx: Context, engine: Engine
) -> None:
    from crisis import posts
    from crisis.service.jobs import poll_round, publish_posts
    from crisis.testing import StaticSource

    poll_round(ctx, "static", StaticSource(outage_pages(30)), threading.Event())
    with session_scope(engine) as session:
        for key, category in (("promo", "marketing"), ("maintenance", "service")):
            posts.schedule_post(
                session, key=key, channel="x", category=category, text=f"{key} text",
                publish_at=ctx.clock.now(), now=ctx.clock.now(), actor="lena",
            )  # fmt: skip
    assert publish_posts(ctx, threading.Event()) == 1  # the service post; marketing is held
    with session_scope(engine) as session:
        assert [p.key for p in posts.list_posts(session, state="held")] == ["promo"]
    record_round(engine, "send-replies", every=30, now=ctx.clock.now())
    settings = Settings(classifier="keywords.test")
    with TestClient(make_web_app(settings, engine=engine, clock=ctx.clock)) as client:
        assert client.get("/healthz").json() == {"ok": True}
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["database"] == "ok"
        assert ready.json()["loops"]["send-replies"]["behind"] is False
        text = client.get("/metrics").text
    assert "crisis_incidents_open 1.0" in text
    assert 'crisis_review_queue{state="pending"} 20.0' in text
    assert "crisis_classification_backlog 0.0" in text
    assert 'crisis_comments_labelled{model="keywords.test"} 30.0' in text
    assert 'crisis_comments_stored{platform="facebook"} 30.0' in text
    assert "crisis_posts_held 1.0" in text
    assert 'crisis_loop_failures{loop="send-replies"} 0.0' in text


def test_the_webhook_receiver_stores_and_labels_a_delivery_and_closes_on_stop(
    ctx: Context, engine: Engine
) -> None:
    import hashlib
    import hmac
    import socket

    import requests

    from crisis.connectors.webhook import PATH
    from crisis.service.loops import webhook_job
    from tests.crisis.connectors.recorded import APP_SECRET, PAGE_ID, PAYLOADS, VERIFY_TOKEN

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(
        facebook_page_id=PAGE_ID, facebook_app_secret=SecretStr(APP_SECRET),
        facebook_verify_token=SecretStr(VERIFY_TOKEN), webhook_port=port,
    )  # fmt: skip
    assert webhook_job(Settings()) is None  # not configured: off
    job = webhook_job(settings)
    assert job is not None
    supervisor = Supervisor(ctx, [job])
    supervisor.start()
    raw = (PAYLOADS / "fb_webhook_feed.json").read_bytes()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    url = f"http://127.0.0.1:{port}{PATH}"
    try:
        for _ in range(50):
            try:
                answer = requests.post(
                    url, data=raw, headers={"X-Hub-Signature-256": signature}, timeout=5
                )
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert answer.status_code == 200
    finally:
        assert supervisor.stop() == []
    comments, labels = stored(engine)
    assert comments > 0 and labels == comments
    with pytest.raises(requests.ConnectionError):
        requests.post(url, data=raw, timeout=2)


def test_the_sweeper_labels_what_a_crash_left_but_not_fresh_comments_or_old_history(
    ctx: Context, engine: Engine
) -> None:
    from datetime import timedelta

    from crisis.ingest import store_comments
    from crisis.service.jobs import sweep

    now = ctx.clock.now()
    with session_scope(engine) as session:
        for minutes in (10, 3 * 24 * 60, 0):  # left by a crash, history, fresh
            store_comments(
                session, outage_pages(3, page=3)[0], now=now - timedelta(minutes=minutes)
            )
    assert sweep(ctx, threading.Event()) == 3
    assert stored(engine) == (9, 3)
    assert sweep(ctx, threading.Event()) == 0
