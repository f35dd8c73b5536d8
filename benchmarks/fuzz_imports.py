"""Fuzz the file imports for longer than the test suite does, and count what goes wrong.

    python benchmarks/fuzz_imports.py [--examples 2000] [--database-url URL] [--only csv,...]

Generates hostile JSONL and CSV files (``tests/fuzzing.py``: random bytes, deep nesting,
4,300-digit numbers, times out of range, NaN, NUL, lone surrogates, cut-off lines, unbalanced
quotes, huge cells, between valid comments) and runs each through ``crisis ingest``'s path (file
source, pipeline with a keyword classifier, the database), hostile webhook deliveries through
``WebhookApp.handle`` into the store, and JSONL through ``classify-file``. Prints,
per kind: files, crashes (an exception out of the import), valid rows and valid rows lost (not
stored after the import, or not labelled). The database is a fresh SQLite file unless
``--database-url`` names an empty one (it is used and left as it is). Runs against any checkout
(``PYTHONPATH=/path/to/checkout``), so a figure before a fix can be taken the same way.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
import tempfile
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.batchfile import classify_file  # noqa: E402
from crisis.clock import VirtualClock  # noqa: E402
from crisis.connectors.files import FileSource  # noqa: E402
from crisis.connectors.polling import poll  # noqa: E402
from crisis.connectors.webhook import PATH, WebhookApp  # noqa: E402
from crisis.db import make_engine, session_scope, upgrade  # noqa: E402
from crisis.ingest import store_comments  # noqa: E402
from crisis.pipeline import Pipeline  # noqa: E402
from crisis.replies.respond import ReplySetup  # noqa: E402
from crisis.tables import Comment  # noqa: E402
from crisis.testing import EchoResponder, KeywordClassifier  # noqa: E402
from responders.policy import decide  # noqa: E402
from tests.factories import T0, complaint  # noqa: E402
from tests.fuzzing import (  # noqa: E402
    WEBHOOK_PAGE,
    csv_file,
    jsonl_file,
    webhook_delivery,
    with_prefix,
)


@dataclass
class Tally:
    files: int = 0
    crashes: int = 0
    valid: int = 0
    lost: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def line(self, kind: str) -> str:
        top = ", ".join(f"{name} x{n}" for name, n in self.errors.most_common(4))
        return (
            f"{kind:9} {self.files:6,} files  {self.crashes:5,} crashes  {self.valid:7,} valid rows"
            f"  {self.lost:6,} lost" + (f"  ({top})" if top else "")
        )


def run_import(engine, folder: Path, suffix: str, data, tally: Tally) -> None:
    content, valid = with_prefix(data, f"{uuid.uuid4().hex[:12]}-")
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(content)
    tally.files += 1
    tally.valid += len(valid)
    pipeline = Pipeline(
        engine=engine,
        classifier=KeywordClassifier({"Internet": complaint()}),
        clock=VirtualClock(T0 + timedelta(days=1)),
        replies=ReplySetup(responder=EchoResponder(), policy=decide, own_authors=()),
    )
    source = FileSource(path, page_size=4)
    # What a user does after a crash: run the same import again (up to 3 times).
    for _ in range(3):
        try:
            poll(name=f"file:{path}", source=source, pipeline=pipeline)
            break
        except Exception as exc:  # counted, not raised: this script measures
            tally.crashes += 1
            tally.errors[_where(exc)] += 1
            source = FileSource(path, page_size=4)
    with session_scope(engine) as session:
        query = select(Comment.external_id).where(col(Comment.external_id).in_(valid))
        stored = set(session.exec(query).all()) if valid else set()
    tally.lost += len(valid - stored)


def run_webhook(engine, data, tally: Tally) -> None:
    body, valid = with_prefix(data, f"{uuid.uuid4().hex[:12]}-")
    tally.files += 1
    tally.valid += len(valid)

    def sink(items) -> None:
        with session_scope(engine) as session:
            store_comments(session, items, now=T0)

    app = WebhookApp(page_id=WEBHOOK_PAGE, app_secret="s", verify_token="v", sink=sink)
    signature = "sha256=" + hmac.new(b"s", body, hashlib.sha256).hexdigest()
    try:
        status = app.handle("POST", PATH, {"x-hub-signature-256": signature}, body).status
    except Exception as exc:  # the threading server answered these with a 500
        tally.crashes += 1
        tally.errors[_where(exc)] += 1
        status = 500
    if status != 200:
        tally.errors[f"status {status}"] += 1
    with session_scope(engine) as session:
        query = select(Comment.external_id).where(col(Comment.external_id).in_(valid))
        stored = set(session.exec(query).all()) if valid else set()
    tally.lost += len(valid - stored)


def run_classify(folder: Path, data, tally: Tally) -> None:
    content, valid = data
    source, out = folder / "in.jsonl", folder / "out.jsonl"
    (folder / "out.jsonl.partial").unlink(missing_ok=True)
    source.write_bytes(content)
    tally.files += 1
    tally.valid += len(valid)
    try:
        classify_file(KeywordClassifier({"a": complaint()}), source, out, chunk=3)
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
    except Exception as exc:
        tally.crashes += 1
        tally.errors[_where(exc)] += 1
        tally.lost += len(valid)
        return
    tally.lost += len(valid - {str(row.get("id")) for row in rows})


def _importer(engine, folder: Path, suffix: str, tally: Tally):
    def one(data) -> None:
        run_import(engine, folder, suffix, data, tally)

    return one


def _where(exc: Exception) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__} in {Path(frame.filename).name}:{frame.lineno}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="files per kind")
    parser.add_argument("--database-url", help="an empty database (default: a temp SQLite file)")
    parser.add_argument("--only", default="jsonl,csv,webhook,classify")
    args = parser.parse_args()
    kinds = args.only.split(",")
    fuzz = settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = make_engine(args.database_url or f"sqlite:///{folder / 'fuzz.db'}")
        upgrade(engine)
        tallies: dict[str, Tally] = {}
        for kind, strategy, suffix in [
            ("jsonl", jsonl_file(), ".jsonl"),
            ("csv", csv_file(), ".csv"),
        ]:
            if kind not in kinds:
                continue
            tallies[kind] = Tally()
            fuzz(given(data=strategy)(_importer(engine, folder, suffix, tallies[kind])))()
            print(tallies[kind].line(kind), flush=True)
        if "webhook" in kinds:
            tally = tallies["webhook"] = Tally()

            @fuzz
            @given(data=webhook_delivery())
            def delivered(data):
                run_webhook(engine, data, tally)

            delivered()
            print(tally.line("webhook"), flush=True)
        if "classify" in kinds:
            tally = tallies["classify"] = Tally()

            @fuzz
            @given(data=jsonl_file(words=True))
            def labelled(data):
                run_classify(folder, data, tally)

            labelled()
            print(tally.line("classify"), flush=True)
        engine.dispose()


if __name__ == "__main__":
    main()
