"""Reply suggestions: how long they take per 1,000 comments, and who gets one in the demo.

    python benchmarks/respond.py [--rounds 3] [--database-url URL] [--skip-demo]

1. Generation: 1,000 stored, labelled comments (labels given, so no classifier is timed: 80 %
   outage complaints during an open incident, 5 % urgent, 10 % English, questions and chatter)
   through the respond step with the real templates and policy; then the same 1,000 pending
   suggestions re-rendered after an incident update, and the follow-ups queued when it is
   resolved. Median of ``--rounds`` fresh databases (SQLite file by default; ``--database-url``
   an empty PostgreSQL database to compare).
2. The demo scenario (the configured classifier, outage.v1 by default): of the comments labelled
   complaints, the share that got a templated suggestion, the share flagged for a person, and
   the reasons the rest got none (the policy's own words).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import col, select  # noqa: E402

from crisis import incidents  # noqa: E402
from crisis.classify import Prelabelled, to_row  # noqa: E402
from crisis.clock import VirtualClock  # noqa: E402
from crisis.db import drop_everything, make_engine, session_scope, upgrade  # noqa: E402
from crisis.domain import CommentIn, Labels, Sentiment, Service, Urgency, Verdict  # noqa: E402
from crisis.ingest import store_comments  # noqa: E402
from crisis.registry import build_pipeline, reply_setup  # noqa: E402
from crisis.replay.run import replay  # noqa: E402
from crisis.replay.scenario import (  # noqa: E402
    CommentEvent,
    read_scenario,
    scenario_path,  # noqa: E402
)
from crisis.replies.incident_changes import after_incident_change  # noqa: E402
from crisis.replies.respond import suggest_replies  # noqa: E402
from crisis.settings import Settings  # noqa: E402
from crisis.tables import Classification, Comment, ReviewItem  # noqa: E402

START = datetime(2017, 5, 13, 6, 30, tzinfo=UTC)
N = 1000


def generated(n: int) -> list[tuple[CommentIn, Labels]]:
    out = []
    for i in range(n):
        lang = "en" if i % 10 == 0 else "de"
        urgent = (Urgency.CHURN,) if i % 20 == 7 else ()
        if i % 10 in (3, 6):
            text, labels = (
                "@nordtel Gilt das Angebot auch für Bestandskunden?",
                Labels("bench", False, 0.1, None, Sentiment.NEUTRAL, lang=lang),
            )
        else:
            text, labels = (
                "@nordtel Kein Internet in Hamburg seit 8 Uhr!",
                Labels("bench", True, 0.9, Service.INTERNET, Sentiment.NEGATIVE, urgent, lang=lang),
            )
        comment = CommentIn(
            platform="x" if i % 2 else "facebook",
            external_id=f"b{i}",
            author=f"kunde_{i}",
            text=text,
            created_at=START + timedelta(seconds=10 * i),
            lang=lang,
            raw={"author": {"public_metrics": {"followers_count": (i * 37) % 50_000}}},
        )
        out.append((comment, labels))
    return out


def one_round(url: str) -> dict[str, float]:
    engine = make_engine(url)
    drop_everything(engine)
    upgrade(engine)
    setup = reply_setup(Settings())
    rows = generated(N)
    now = START + timedelta(hours=3)
    with session_scope(engine) as session:
        incident = incidents.open_incident(
            session, service=Service.INTERNET, now=START, opened_by="operator", actor="bench",
            reason="bench", regions=["Hamburg", "München"],
        )  # fmt: skip
        ids = store_comments(session, [c for c, _ in rows], now=now)
        session.add_all(to_row(cid, lab, now=now) for cid, (_, lab) in zip(ids, rows, strict=True))
    labelled = {cid: lab for cid, (_, lab) in zip(ids, rows, strict=True)}
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with session_scope(engine) as session:
        items = suggest_replies(session, setup, labelled, now=now)
    timings["suggest"] = time.perf_counter() - started
    timings["items"] = len(items)
    started = time.perf_counter()
    with session_scope(engine) as session:
        changed = incidents.update_incident(
            session, incident.id or 0, now=now, actor="bench", status="identified",
            eta=now + timedelta(hours=4),
        )  # fmt: skip
        after_incident_change(session, setup, changed, now=now)
    timings["rerender"] = time.perf_counter() - started
    started = time.perf_counter()
    with session_scope(engine) as session:
        resolved = incidents.resolve_incident(session, incident.id or 0, now=now, actor="bench")
        counts = after_incident_change(session, setup, resolved, now=now)
    timings["follow_up"] = time.perf_counter() - started
    timings["follow_ups"] = counts["follow_ups"]
    engine.dispose()
    return timings


def demo_shares(settings: Settings) -> None:
    """Replay the demo, recording the policy's decisions, and count the complaints' fates."""
    with tempfile.TemporaryDirectory() as tmp, scenario_path() as path:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'demo.db'}")
        upgrade(engine)
        clock = VirtualClock(datetime(1970, 1, 1, tzinfo=UTC))
        pipeline = build_pipeline(settings, engine=engine, clock=clock)
        texts = [e.comment.text for e in read_scenario(path) if isinstance(e, CommentEvent)]
        pipeline.classifier = Prelabelled(pipeline.classifier, texts)
        decided: dict[int, Any] = {}
        policy = pipeline.replies.policy

        def recording(comment: Any, labels: Labels, context: Any) -> Any:
            decision = policy(comment, labels, context)
            decided[comment.id] = decision
            return decision

        pipeline.replies = replace(pipeline.replies, policy=recording)
        started = time.perf_counter()
        replay(path, pipeline, clock)
        seconds = time.perf_counter() - started
        with session_scope(engine) as session:
            complaints = session.exec(
                select(Comment.id, Comment.author)
                .join(Classification, col(Classification.comment_id) == col(Comment.id))
                .where(col(Classification.is_complaint).is_(True))
            ).all()
            replies = {
                item.comment_id: item
                for item in session.exec(select(ReviewItem).where(ReviewItem.kind == "reply"))
            }
        fates: Counter[str] = Counter()
        none: Counter[str] = Counter()
        for cid, _author in complaints:
            item = replies.get(cid)
            if item is not None and item.state == "rejected" and item.incident_id is None:
                none["duplicate: the customer's earlier complaint joined the incident"] += 1
                fates["none"] += 1
            elif item is not None:
                fates["flagged" if item.needs_human else "suggestion"] += 1
            else:
                fates["none"] += 1
                decision = decided.get(cid)
                reason = (
                    decision.reasons[0] if decision and decision.verdict == Verdict.SKIP else "?"
                )
                none[reason] += 1
        total = len(complaints)
        print(f"\ndemo ({settings.classifier}, replayed in {seconds:.1f} s): {total} complaints")
        for fate in ("suggestion", "flagged", "none"):
            print(f"  {fate:<10} {fates[fate]:>4}  {fates[fate] / total:6.1%}")
        for reason, n in none.most_common():
            print(f"    none because {reason}: {n}")
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        rounds = [one_round(url) for _ in range(args.rounds)]
    print(f"respond step per {N} labelled comments ({url.split(':')[0]}, median of {len(rounds)}):")
    for key, what in (
        ("suggest", f"suggest replies ({int(rounds[0]['items'])} items)"),
        ("rerender", "re-render after an incident update"),
        ("follow_up", f"queue follow-ups on resolve ({int(rounds[0]['follow_ups'])})"),
    ):
        print(f"  {what:<48} {statistics.median(r[key] for r in rounds) * 1000:8.0f} ms")
    if not args.skip_demo:
        demo_shares(Settings())


if __name__ == "__main__":
    main()
