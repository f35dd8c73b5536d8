"""Bounded fuzz of the imports: hostile JSONL and CSV files through ``crisis ingest``'s path
(file source, pipeline, real SQLite and PostgreSQL) and hostile webhook deliveries: no crash,
every valid row stored.
The longer run is ``benchmarks/fuzz_imports.py``."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from sqlmodel import col, select

from crisis.clock import VirtualClock
from crisis.connectors.files import FileSource
from crisis.connectors.polling import poll
from crisis.connectors.webhook import PATH, WebhookApp
from crisis.db import session_scope
from crisis.ingest import store_comments
from crisis.pipeline import Pipeline
from crisis.replies.respond import ReplySetup
from crisis.tables import Comment
from crisis.testing import EchoResponder, KeywordClassifier
from responders.policy import decide
from tests.factories import T0, complaint
from tests.fuzzing import WEBHOOK_PAGE, csv_file, jsonl_file, webhook_delivery, with_prefix

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def import_file(engine, tmp_path, suffix: str, data: tuple[bytes, set[str]]) -> None:
    content, valid = with_prefix(data, f"{uuid.uuid4().hex[:12]}-")
    path = tmp_path / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(content)
    pipeline = Pipeline(
        engine=engine,
        classifier=KeywordClassifier({"Internet": complaint()}),
        clock=VirtualClock(T0 + timedelta(days=1)),
        replies=ReplySetup(responder=EchoResponder(), policy=decide, own_authors=()),
    )
    poll(name=f"file:{path}", source=FileSource(path, page_size=4), pipeline=pipeline)
    with session_scope(engine) as session:
        ids = select(Comment.external_id).where(col(Comment.external_id).in_(valid))
        stored = set(session.exec(ids).all()) if valid else set()
    assert stored == valid


@FUZZ
@given(data=jsonl_file())
def test_hostile_jsonl_files_never_crash_the_import_and_lose_no_valid_row(engine, tmp_path, data):
    import_file(engine, tmp_path, ".jsonl", data)


@FUZZ
@given(data=csv_file())
def test_hostile_csv_files_never_crash_the_import_and_lose_no_valid_row(engine, tmp_path, data):
    import_file(engine, tmp_path, ".csv", data)


@FUZZ
@given(data=webhook_delivery())
def test_hostile_webhook_deliveries_store_every_valid_comment_and_answer_200(engine, data):
    body, valid = with_prefix(data, f"{uuid.uuid4().hex[:12]}-")

    def sink(items):
        with session_scope(engine) as session:
            store_comments(session, items, now=T0)

    app = WebhookApp(page_id=WEBHOOK_PAGE, app_secret="s", verify_token="v", sink=sink)
    signature = "sha256=" + hmac.new(b"s", body, hashlib.sha256).hexdigest()
    reply = app.handle("POST", PATH, {"x-hub-signature-256": signature}, body)
    assert reply.status == 200
    with session_scope(engine) as session:
        query = select(Comment.external_id).where(col(Comment.external_id).in_(valid))
        stored = set(session.exec(query).all()) if valid else set()
    assert stored == valid
