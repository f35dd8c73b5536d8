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
   the reasons the rest got none (the policy's own words). Then issue 21's reply fit on the
   demo: of the comments about an open incident (labelled complaints of its service, and what
   the policy put in the incident's situation: me-too, nudges, outage questions), the share
   whose customer has exactly one reply for the incident, of its situation; praise replies to
   complaints or me-too; replies written while an incident was only suspected that claim a
   known outage. The written set's figures: ``python benchmarks/reply_fit.py``.
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

        rendered: list[tuple[str, str]] = []  # (incident stage, text) of every rendering
        responder = pipeline.replies.responder

        class Recording:
            @property
            def languages(self) -> frozenset[str]:
                return responder.languages

            def respond(self, comment: Any, labels: Labels, incident: Any, situation: Any = None):
                got = responder.respond(comment, labels, incident, situation)
                if got is not None and incident is not None:
                    rendered.append((incident.status, got.text))
                return got

        pipeline.replies = replace(pipeline.replies, policy=recording, responder=Recording())
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
                if decision and decision.verdict == Verdict.SKIP:
                    reason = decision.reasons[0]
                elif decision:  # one reply per customer: it updated their pending one
                    reason = "a later comment of a customer with a reply (that reply was updated)"
                else:
                    reason = "?"
                none[reason] += 1
        total = len(complaints)
        print(f"\ndemo ({settings.classifier}, replayed in {seconds:.1f} s): {total} complaints")
        for fate in ("suggestion", "flagged", "none"):
            print(f"  {fate:<10} {fates[fate]:>4}  {fates[fate] / total:6.1%}")
        for reason, n in none.most_common():
            print(f"    none because {reason}: {n}")
        demo_fit(engine, decided, rendered)
        engine.dispose()


def demo_fit(engine: Any, decided: dict[int, Any], rendered: list[tuple[str, str]]) -> None:
    """Issue 21's figures on the replayed demo (see the module docstring)."""
    from benchmarks.reply_fit import KNOWN_CLAIM
    from crisis.tables import Incident
    from responders.situations import is_me_too

    with session_scope(engine) as session:
        found = session.exec(
            select(Comment, Classification).join(
                Classification, col(Classification.comment_id) == col(Comment.id)
            )
        ).all()
        all_incidents = list(session.exec(select(Incident)))
        items = list(session.exec(select(ReviewItem).where(ReviewItem.kind == "reply")))
        authors = {c.id: c.author for c, _ in found}
        session.expunge_all()
    own = {"nordtel", "nordtel_hilft"}
    per_customer: Counter[tuple[int, str]] = Counter()
    outage_items: dict[tuple[int, str], ReviewItem] = {}
    linked_to: dict[str, int] = {}
    for item in items:
        # every reply linked to the incident counts, whatever its state: at resolution the
        # unsent ones are superseded by the follow-up (rejected), still one reply each
        if item.incident_id is not None:
            key = (item.incident_id, authors[item.comment_id])
            per_customer[key] += 1
            outage_items[key] = item
            linked_to[key[1]] = item.incident_id
    carriers = {"phone": "internet"}
    affected: set[tuple[int, str]] = set()
    for comment, labels in found:
        if comment.author.lower() in own:
            continue
        decision = decided.get(comment.id or 0)
        in_situation = decision is not None and decision.situation == "outage_incident"
        if not (labels.is_complaint or in_situation):
            continue
        open_then = [
            i
            for i in all_incidents
            if i.opened_at <= comment.created_at
            and (i.resolved_at is None or comment.created_at <= i.resolved_at)
        ]
        if labels.service is not None:
            wanted = {labels.service, carriers.get(labels.service, labels.service)}
            open_then = [i for i in open_then if i.service in wanted]
        elif len(open_then) > 1:  # no service named: the incident its reply went to, if any
            open_then = [i for i in open_then if i.id == linked_to.get(comment.author)]
        if open_then:
            affected.add((open_then[-1].id or 0, comment.author))
    fit = sum(
        1
        for key in affected
        if per_customer[key] == 1 and outage_items[key].situation == "outage_incident"
    )
    complainers = {c.id for c, lab in found if lab.is_complaint or is_me_too(c.text)}
    praise = sum(
        1
        for item in items
        if (item.template or "").split("#")[0].endswith("/praise")
        and item.comment_id in complainers
    )
    claims = sum(1 for stage, text in rendered if stage == "suspected" and KNOWN_CLAIM.search(text))
    suspected = sum(1 for stage, _ in rendered if stage == "suspected")
    share = fit / len(affected) if affected else 1.0
    print(f"  reply fit: {fit} of {len(affected)} customers about an open incident ({share:.1%})")
    print("    got exactly one reply of the incident's situation")
    print(f"  praise replies to complaints or me-too: {praise}")
    print(f"  known-outage claims while suspected: {claims} of {suspected} renderings")


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
