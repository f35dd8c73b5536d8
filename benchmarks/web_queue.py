"""The review queue page under load: GET /queue with 100,000 pending items.

    python benchmarks/web_queue.py [--items 100000] [--baseline 100] [--rounds 50] [--keep DIR]

e.g. ``python benchmarks/web_queue.py --keep /tmp/queue-bench`` (about a minute to fill).

Fills a SQLite file (the embedded default) by bulk insert with ``--items`` pending review items
and what they hang on: comments, one classification each, five incidents (2 % urgent items a
person answers, 70 % about an incident, 15 % English, a third on X, arrival spread over six
hours, reach ranks 0-3). Then signs in and times, through the real app (``create_app`` and
Starlette's TestClient, in this process), ``--rounds`` requests of each page:

- ``/queue`` (the default: pending, first page of 50),
- ``/queue?incident=2&urgent=templated`` and ``/queue?platform=x&lang=en`` (filtered),
- ``/queue?offset=5000`` (a deep page),
- ``/api/queue`` (the same page as JSON).

It prints p50/p95 in ms for each, and the same for a baseline database with ``--baseline``
items built the same way in the same process, with the ratio of the p95s. The goal of issue 7:
/queue under 150 ms at p95 with 100,000 pending items.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, insert  # noqa: E402

from crisis import accounts, incidents  # noqa: E402
from crisis.clock import VirtualClock  # noqa: E402
from crisis.db import make_engine, session_scope, upgrade  # noqa: E402
from crisis.domain import Service  # noqa: E402
from crisis.settings import Settings  # noqa: E402
from crisis.tables import Classification, Comment, ReviewItem  # noqa: E402
from crisis.web.app import create_app  # noqa: E402

NOW = datetime(2017, 5, 13, 12, 0, tzinfo=UTC)
PASSWORD = "benchmark password"
PAGES = (
    "/queue",
    "/queue?incident=2&urgent=templated",
    "/queue?platform=x&lang=en",
    "/queue?offset=5000",
    "/api/queue",
)
SERVICES = (Service.INTERNET, Service.MOBILE, Service.TV, Service.PHONE, Service.EMAIL)
TEXTS = (
    "Seit heute morgen kein Internet in {city}, was ist da los?",
    "Mobilfunk in {city} komplett tot. Wann geht das wieder?",
    "@telekom mein Router blinkt rot und die Hotline ist dauerbesetzt!!",
    "No signal in {city} since 8am, any update?",
    "Ich zahle jeden Monat und bekomme nichts. Mein Anwalt hört davon.",
)
CITIES = ("Hamburg", "Berlin", "München", "Köln", "Leipzig")


def fill(engine: Engine, items: int, *, seed: int = 7) -> None:
    """``items`` pending review items with comments, labels and incidents (bulk insert)."""
    rng = random.Random(seed)
    with session_scope(engine) as session:
        accounts.add_user(session, name="bench", password=PASSWORD, role="agent", actor="setup",
                          now=NOW)  # fmt: skip
        for service in SERVICES:
            incidents.open_incident(session, service=service, now=NOW - timedelta(hours=6),
                                    opened_by="operator", actor="bench", reason="NOC",
                                    regions=[rng.choice(CITIES)])  # fmt: skip
    chunk = 10_000
    for start in range(0, items, chunk):
        count = min(chunk, items - start)
        comments, labels, review = [], [], []
        for n in range(start, start + count):
            english = rng.random() < 0.15
            platform = "x" if rng.random() < 0.33 else "facebook"
            created = NOW - timedelta(seconds=rng.randint(0, 6 * 3600))
            service_at = rng.randrange(len(SERVICES))
            text = TEXTS[3 if english else rng.choice((0, 1, 2, 4))].format(city=rng.choice(CITIES))
            urgent = rng.random() < 0.02
            about_incident = not urgent and rng.random() < 0.715
            comments.append({
                "id": n + 1, "platform": platform, "external_id": f"c{n}",
                "author": f"kunde_{n}", "text": text, "lang": "en" if english else "de",
                "created_at": created, "raw": {}, "ingested_at": created,
            })  # fmt: skip
            labels.append({
                "comment_id": n + 1, "model": "outage.v1", "is_complaint": True,
                "complaint_score": round(rng.uniform(0.6, 0.99), 4),
                "service": SERVICES[service_at].value, "sentiment": "negative",
                "urgent": ["legal"] if urgent else [], "third_party": None,
                "lang": "en" if english else "de", "created_at": created,
            })  # fmt: skip
            review.append({
                "comment_id": n + 1, "incident_id": service_at + 1 if about_incident else None,
                "lang": "en" if english else "de",
                "text": "Hallo, das tut uns leid – wir arbeiten an der Störung." if not english
                else "Hi, sorry for the trouble – our engineers are on it.",
                "template": "de/outage_incident#1", "needs_human": urgent,
                "reasons": ["legal"] if urgent else [], "priority": 0, "state": "pending",
                "created_at": created, "kind": "reply",
                "situation": "outage_incident" if about_incident else "complaint",
                "platform": platform, "service": SERVICES[service_at].value,
                "urgency_rank": 0 if urgent else 1 if about_incident else 2,
                "reach_rank": rng.choices((0, 1, 2, 3), weights=(1, 4, 15, 80))[0],
                "arrived_at": created, "facts_changed": False, "attempts": 0,
            })  # fmt: skip
        with session_scope(engine) as session:
            session.execute(insert(Comment), comments)
            session.execute(insert(Classification), labels)
            session.execute(insert(ReviewItem), review)


def timed(client: TestClient, path: str, rounds: int) -> list[float]:
    client.get(path)  # warm: templates compiled, statements cached
    out = []
    for _ in range(rounds):
        began = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def measure(folder: Path, items: int, rounds: int) -> dict[str, list[float]]:
    path = folder / f"queue-{items}.db"
    engine = make_engine(f"sqlite:///{path}")
    if path.exists() and path.stat().st_size > 0:  # --keep: built by an earlier run
        print(f"reusing {path}", flush=True)
    else:
        upgrade(engine)
        began = time.perf_counter()
        fill(engine, items)
        print(f"filled {items:,} pending items in {time.perf_counter() - began:.1f} s", flush=True)
    app = create_app(Settings(), engine=engine, clock=VirtualClock(NOW))
    with TestClient(app) as client:
        signed = client.post("/login", data={"name": "bench", "password": PASSWORD})
        assert signed.status_code == 200, signed.text[:300]
        return {path: timed(client, path, rounds) for path in PAGES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument(
        "--keep",
        type=Path,
        help="Build the databases here and reuse them next time (else a "
        "temp dir); the benchmark only reads them.",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        base = measure(folder, args.baseline, args.rounds)
        big = measure(folder, args.items, args.rounds)
    print(f"\n{args.rounds} requests each; ms (p50 / p95); SQLite file, TestClient in process")
    print(f"{'page':40} {args.baseline:>9,} items {args.items:>9,} items   p95 ratio")
    for path in PAGES:
        small, large = base[path], big[path]
        print(
            f"{path:40} {statistics.median(small):6.1f} / {p95(small):6.1f}"
            f"  {statistics.median(large):6.1f} / {p95(large):6.1f}"
            f"   {p95(large) / p95(small):5.2f}x"
        )
    worst = p95(big["/queue"])
    verdict = "meets" if worst < 150 else "MISSES"
    print(f"\n/queue p95 with {args.items:,} pending: {worst:.1f} ms ({verdict} the 150 ms goal)")


if __name__ == "__main__":
    main()
