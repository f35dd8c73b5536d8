"""What the service tests run with: a keyword classifier, a platform that keeps what it posted
in a file (so the test, and a restarted worker, can read it), and a Celery worker built from
them (``python -m tests.crisis.service.fakes WORKDIR``), started by the tests as a process of
its own so it can be killed with SIGKILL.

Markers in the work folder let a test kill a worker at a known point: ``classifying`` appears
when a batch is in the model (``slow_classify`` seconds long), ``posted`` after a reply went
out and before the result is recorded (``pause_after_post`` seconds).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from crisis import db
from crisis.clock import SystemClock
from crisis.detection.detector import SpikeRules
from crisis.domain import Labels, OutgoingPost, Service
from crisis.pipeline import Pipeline
from crisis.publishing import OnceOnlyPublisher
from crisis.replies.respond import ReplySetup
from crisis.service.jobs import Context
from crisis.settings import Settings
from crisis.testing import EchoResponder, KeywordClassifier
from responders.policy import decide
from tests.factories import complaint

# Small spikes open incidents here (no Poisson term): the tests are about the flow.
RULES = SpikeRules(window=timedelta(minutes=30), min_complaints=5, ratio=3.0, significance=1.0)


class SlowClassifier(KeywordClassifier):
    def __init__(self, rules: dict[str, Labels], workdir: Path, seconds: float) -> None:
        super().__init__(rules)
        self.workdir, self.seconds = workdir, seconds

    def classify(self, texts: Sequence[str]) -> list[Labels]:
        if self.seconds:
            (self.workdir / "classifying").touch()
            time.sleep(self.seconds)
        return super().classify(texts)


def classifier(workdir: Path | None = None, seconds: float = 0.0) -> KeywordClassifier:
    rules = {"Internet": complaint(Service.INTERNET), "Rechnung": complaint(Service.BILLING)}
    if workdir is None:
        return KeywordClassifier(rules)
    return SlowClassifier(rules, workdir, seconds)


@dataclass
class FilePlatform:
    """A platform whose posts are lines of ``posted.jsonl``; it finds its own posts there."""

    workdir: Path
    pause_after_post: float = 0.0

    @property
    def path(self) -> Path:
        return self.workdir / "posted.jsonl"

    def posted(self) -> list[dict[str, str]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line]

    def publish(self, post: OutgoingPost) -> str:
        with self.path.open("a") as out:
            out.write(json.dumps({"key": post.idempotency_key, "to": post.in_reply_to}) + "\n")
            out.flush()
            os.fsync(out.fileno())
        number = len(self.posted())
        if self.pause_after_post:
            (self.workdir / "posted").touch()
            time.sleep(self.pause_after_post)
        return f"{post.channel}-{number}"

    def find(self, post: OutgoingPost) -> str | None:
        for number, line in enumerate(self.posted(), start=1):
            if line["key"] == post.idempotency_key:
                return f"{post.channel}-{number}"
        return None


def context_factory(
    workdir: Path, *, slow_classify: float = 0.0, pause_after_post: float = 0.0
) -> Callable[[Settings, Callable[[Sequence[int]], object]], Context]:
    def build(settings: Settings, work: Callable[[Sequence[int]], object]) -> Context:
        engine = db.make_engine(settings.database_url)
        clock = SystemClock()
        pipeline = Pipeline(
            engine=engine,
            classifier=classifier(workdir, slow_classify),
            clock=clock,
            replies=ReplySetup(responder=EchoResponder(), policy=decide, own_authors=("Nordtel",)),
            rules=RULES,
            batch_size=settings.classify_batch_size,
        )
        # No grace: a restarted worker looks at the platform at once for an in-flight reply.
        publisher = OnceOnlyPublisher(
            FilePlatform(workdir, pause_after_post), engine, clock, grace=timedelta(0)
        )
        return Context(settings, engine, clock, pipeline, work, publisher, publisher)

    return build


def main() -> None:
    """A Celery worker on the fakes: ``WORKDIR [--slow-classify S] [--pause-after-post S]``."""
    from crisis.service.tasks import make_app

    workdir = Path(sys.argv[1])
    options = dict(zip(sys.argv[2::2], map(float, sys.argv[3::2]), strict=True))
    settings = Settings()
    app = make_app(
        settings,
        context=context_factory(
            workdir,
            slow_classify=options.get("--slow-classify", 0.0),
            pause_after_post=options.get("--pause-after-post", 0.0),
        ),
    )
    jobs_queue = settings.queue_prefix
    app.worker_main(
        [
            "worker",
            f"--queues={jobs_queue},{jobs_queue}.classify",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=test{os.getpid()}@%h",
        ]
    )


if __name__ == "__main__":
    main()
