"""Generated social media traffic for tests and benchmarks: ordinary weeks, outages, noise.

Ordinary traffic follows the rhythm a telecom's page sees (Europe/Berlin time): quiet at night,
a morning bump, busiest in the evening, busier at weekends. On top of it comes the noise a
detector must not mistake for an outage: follow-ups by the same customer, one loud customer
posting again and again, small local clusters (a street dug up), and a third-party app outage
customers blame on their carrier. ``outage`` adds a real one. Deterministic for a given seed.

Each ``Generated`` carries the labels it was written to have, so a test can store them without a
classifier; ``as_event`` gives the scenario line, so a benchmark can replay it through the real
classifier (``crisis replay``).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from crisis.classify import to_row
from crisis.db import session_scope
from crisis.detection.detector import SpikeRules, detect
from crisis.domain import CommentIn, Labels, Sentiment, Service
from crisis.ingest import store_comments

MODEL = "generated.v0"  # the labels the generator meant, stored as if a classifier said them

LOCAL = ZoneInfo("Europe/Berlin")
# Share of a day's comments in each local hour (sums to 1): the daily rhythm.
_HOURLY = [
    0.8, 0.4, 0.25, 0.2, 0.2, 0.4, 1.0, 2.5, 4.0, 4.5, 4.5, 4.5,
    4.5, 4.5, 4.5, 4.5, 5.0, 6.0, 7.5, 8.5, 8.5, 7.0, 5.0, 2.5,
]  # fmt: skip
HOURLY = [share / sum(_HOURLY) for share in _HOURLY]
WEEKDAY = [1.0, 0.95, 0.95, 1.0, 1.05, 1.2, 1.25]  # Monday .. Sunday
# Complaints per day per service, and other comments, for volume 1.0 (a mid-sized operator).
COMPLAINTS_PER_DAY = {
    Service.INTERNET: 60, Service.MOBILE: 50, Service.PHONE: 10, Service.TV: 8,
    Service.EMAIL: 4, Service.CUSTOMER_SERVICE: 15,
}  # fmt: skip
CHATTER_PER_DAY = 150
CITIES = ["Hamburg", "Berlin", "München", "Köln", "Frankfurt", "Stuttgart", "Leipzig", "Bremen"]
TEXTS = {
    Service.INTERNET: [
        "Kein Internet seit {t}", "DSL ist schon wieder weg", "Router blinkt rot, kein DSL",
        "Internet super langsam heute", "My internet is down again", "WLAN geht, Internet nicht",
    ],
    Service.MOBILE: [
        "Mein Handy hat kein Netz", "Kein Empfang in der Wohnung", "LTE bricht ständig ab",
        "No signal on my phone since {t}",
    ],
    Service.PHONE: ["Festnetz tot, kein Freizeichen", "Festnetztelefon geht nicht seit {t}"],
    Service.TV: ["Fernsehen geht nicht, kein Signal", "TV Receiver zeigt keinen Empfang"],
    Service.EMAIL: ["E-Mail Postfach geht nicht", "Kann keine Mails abrufen seit {t}"],
    Service.CUSTOMER_SERVICE: [
        "Hotline seit 40 Minuten Warteschleife", "Niemand ruft zurück, Hotline nicht erreichbar",
    ],
}  # fmt: skip
CHATTER = [
    "Wie teuer ist Roaming in Italien?", "Danke für die schnelle Hilfe!", "Gibt es eSIM?",
    "Wann kommt Glasfaser in meine Straße?", "Welcher Tarif lohnt sich für Studenten?",
    "Super Service im Shop heute, danke", "Kann ich meine Nummer mitnehmen?",
]  # fmt: skip
THIRD_PARTY = ["WhatsApp geht nicht, @nordtel was ist los?", "WhatsApp down?? Liegt das an euch?"]


@dataclass(frozen=True, slots=True)
class Generated:
    at: datetime
    id: str
    author: str
    text: str
    service: Service | None  # what the text complains about (None: no complaint)
    third_party: str | None = None
    location: str | None = None

    @property
    def is_complaint(self) -> bool:
        return self.service is not None or self.third_party is not None

    def as_event(self) -> dict[str, Any]:
        event = {
            "at": self.at.isoformat(),
            "type": "comment",
            "platform": "x",
            "id": self.id,
            "author": self.author,
            "text": self.text,
            "lang": "en" if self.text.startswith(("My ", "No ")) else "de",
        }
        return event | ({"location": self.location} if self.location else {})


class _Writer:
    def __init__(self, seed: int, prefix: str) -> None:
        self.rng, self.prefix, self.count = random.Random(seed), prefix, 0

    def comment(self, at: datetime, text: str, service: Service | None, **extra: Any) -> Generated:
        self.count += 1
        author = extra.pop("author", None) or f"{self.prefix}-user{self.rng.randrange(10**6)}"
        text = text.replace("{t}", f"{at.astimezone(LOCAL):%H:%M}")
        return Generated(at, f"{self.prefix}{self.count}", author, text, service, **extra)

    def poisson(self, mean: float) -> int:
        """A Poisson draw (Knuth; means here are small)."""
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1


def ordinary_traffic(
    start: datetime, days: int, *, volume: float = 1.0, seed: int = 1
) -> list[Generated]:
    """``days`` of ordinary traffic from ``start`` (a full hour), with its rhythm and noise."""
    w = _Writer(seed, f"q{seed}-")
    out: list[Generated] = []
    for hour in range(days * 24):
        begin = start + timedelta(hours=hour)
        local = begin.astimezone(LOCAL)
        factor = HOURLY[local.hour] * WEEKDAY[local.weekday()] * volume
        for service, per_day in COMPLAINTS_PER_DAY.items():
            for _ in range(w.poisson(per_day * factor)):
                at = begin + timedelta(seconds=w.rng.uniform(0, 3600))
                text = w.rng.choice(TEXTS[service])
                location = w.rng.choice(CITIES) if w.rng.random() < 0.2 else None
                out.append(w.comment(at, text, service, location=location))
        for _ in range(w.poisson(CHATTER_PER_DAY * factor)):
            at = begin + timedelta(seconds=w.rng.uniform(0, 3600))
            out.append(w.comment(at, w.rng.choice(CHATTER), None))
    for day in range(days):
        noon = start + timedelta(days=day, hours=w.rng.uniform(8, 20))
        out += _loud_customer(w, noon)
        if day % 3 == 1:
            out += _local_cluster(w, noon + timedelta(hours=2), w.rng.choice(CITIES))
    if days >= 2:  # a third-party outage in the evening of the second day
        evening = start + timedelta(days=1, hours=18)
        out += third_party_outage(evening, timedelta(hours=1), per_hour=40 * volume, seed=seed)
    return sorted(out, key=lambda g: (g.at, g.id))


def outage(
    start: datetime,
    duration: timedelta,
    *,
    service: Service = Service.INTERNET,
    per_hour: float = 60,
    regions: Sequence[str] = ("Hamburg",),
    seed: int = 7,
) -> list[Generated]:
    """A real outage: complaints about ``service`` from ``regions`` at ``per_hour``."""
    w = _Writer(seed, f"o{seed}-")
    out = []
    for minute in range(int(duration / timedelta(minutes=1))):
        for _ in range(w.poisson(per_hour / 60)):
            at = start + timedelta(minutes=minute, seconds=w.rng.uniform(0, 60))
            region = w.rng.choice(list(regions))
            text = f"{w.rng.choice(TEXTS[service])} in {region}"
            out.append(w.comment(at, text, service))
    return out


def third_party_outage(
    start: datetime, duration: timedelta, *, per_hour: float = 40, seed: int = 3
) -> list[Generated]:
    """Customers blaming us for another company's outage: must open no incident."""
    w = _Writer(seed, f"t{seed}-")
    count = int(per_hour * duration / timedelta(hours=1))
    return [
        w.comment(
            start + duration * w.rng.random(),
            w.rng.choice(THIRD_PARTY),
            None,
            third_party="whatsapp",
        )
        for _ in range(count)
    ]


def _loud_customer(w: _Writer, at: datetime) -> list[Generated]:
    author = f"{w.prefix}loud{w.count}"
    return [
        w.comment(at + timedelta(minutes=3 * i), "Kein Internet!!! Hallo?!", Service.INTERNET,
                  author=author)
        for i in range(8)
    ]  # fmt: skip


def _local_cluster(w: _Writer, at: datetime, city: str) -> list[Generated]:
    """A few neighbours at once (a dug-up street): real, but not an outage to announce."""
    return [
        w.comment(at + timedelta(minutes=4 * i), f"Kein DSL in {city}", Service.INTERNET)
        for i in range(4)
    ]


def labels(comment: Generated) -> Labels:
    """The labels ``comment`` was written to have."""
    return Labels(
        model=MODEL,
        is_complaint=comment.is_complaint,
        complaint_score=0.9 if comment.is_complaint else 0.1,
        service=comment.service,
        sentiment=Sentiment.NEGATIVE if comment.is_complaint else Sentiment.NEUTRAL,
        third_party=comment.third_party,
    )


def store(session: Session, comments: Sequence[Generated]) -> None:
    """Store comments with their intended labels (no classifier: detector tests and benchmarks)."""
    items = [
        CommentIn(
            platform="x",
            external_id=c.id,
            author=c.author,
            text=c.text,
            created_at=c.at,
            location=c.location,
        )
        for c in comments
    ]
    ids = store_comments(session, items, now=comments[-1].at)
    for cid, comment in zip(ids, comments, strict=True):
        session.add(to_row(cid, labels(comment), now=comment.at))


def scan(
    engine: Engine, *, start: datetime, end: datetime, step: timedelta, rules: SpikeRules
) -> list[tuple[datetime, str]]:
    """Run the detector every ``step`` from ``start`` to ``end``: (when, service) per opening."""
    opened = []
    now = start
    while now <= end:
        with session_scope(engine) as session:
            found = detect(session, model=MODEL, now=now, rules=rules)
            opened += [(now, i.service) for i in found if i.opened_at == now]
        now += step
    return opened


def write_scenario(path: Path, comments: Iterable[Generated]) -> Path:
    """Write comments as a scenario file for ``crisis replay``."""
    lines = [json.dumps(c.as_event(), ensure_ascii=False) for c in comments]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
