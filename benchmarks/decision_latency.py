"""How long a reviewer's decision waits while comments are being labelled, on SQLite.

    python benchmarks/decision_latency.py [--comments 1280] [--seconds-per-batch 0.5]

One thread takes ``--comments`` new comments through the pipeline in one step (as an import
page or a catch-up does), with a stand-in classifier that takes ``--seconds-per-batch`` per
batch of 64 (the bundled model labels about 100 comments/s on the 2-core reference machine);
another thread edits a review item every 50 ms, as a reviewer's page does, and times each
edit. Prints p50, p95 and max of the edits made while the pipeline ran, and how many failed
("database is locked" after the 30 s busy timeout). Runs against any checkout
(``PYTHONPATH=/path/to/checkout``), so a figure before a change can be taken the same way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.exc import OperationalError  # noqa: E402

from crisis.clock import VirtualClock  # noqa: E402
from crisis.db import make_engine, session_scope, upgrade  # noqa: E402
from crisis.pipeline import Pipeline  # noqa: E402
from crisis.replies import queue  # noqa: E402
from crisis.replies.respond import ReplySetup  # noqa: E402
from crisis.testing import EchoResponder, KeywordClassifier  # noqa: E402
from responders.policy import decide  # noqa: E402
from tests.factories import T0, complaint, make_comment  # noqa: E402


class SlowClassifier(KeywordClassifier):
    def __init__(self, seconds: float) -> None:
        super().__init__({"Rechnung": complaint()})
        self.seconds = seconds

    def classify(self, texts):  # type: ignore[no-untyped-def]
        time.sleep(self.seconds)
        return super().classify(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=1280)
    parser.add_argument("--seconds-per-batch", type=float, default=0.5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'latency.db'}")
        upgrade(engine)
        clock = VirtualClock(T0)
        setup = ReplySetup(responder=EchoResponder(), policy=decide, own_authors=())
        quick = Pipeline(engine=engine, classifier=SlowClassifier(0), clock=clock, replies=setup)
        quick.process([make_comment(text="Rechnung falsch", author="Erste", created_at=T0)])
        with session_scope(engine) as session:
            [item] = queue.list_items(session)
            item_id = item.id
        assert item_id is not None
        slow = Pipeline(
            engine=engine,
            classifier=SlowClassifier(args.seconds_per_batch),
            clock=clock,
            replies=setup,
        )
        comments = [
            make_comment(text="Alles gut", author=f"a{n}", created_at=T0)
            for n in range(args.comments)
        ]
        done = threading.Event()
        latencies: list[float] = []
        failures = 0

        def ingest() -> None:
            try:
                slow.process(comments)
            finally:
                done.set()

        worker = threading.Thread(target=ingest)
        started = time.monotonic()
        worker.start()
        n = 0
        while not done.is_set():
            n += 1
            began = time.monotonic()
            try:
                with session_scope(engine) as session:
                    queue.edit(session, item_id, text=f"Hallo, Version {n}", actor="lena", now=T0)
                latencies.append(time.monotonic() - began)
            except OperationalError:
                failures += 1
            time.sleep(0.05)
        worker.join()
        took = time.monotonic() - started
        engine.dispose()
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    print(
        f"pipeline step: {args.comments} comments in {took:.1f} s; "
        f"{len(latencies)} edits meanwhile: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; {failures} failed"
    )


if __name__ == "__main__":
    main()
