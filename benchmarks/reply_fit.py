"""Reply fit: does each comment of a written outage get the one reply its situation needs?

    python benchmarks/reply_fit.py [--show 30] [--stage identified]

The set (``responders/data/reply_fit.psv``, written for this purpose, see its README) is a
mobile-data outage in Köln: complaints, me-too, nudges, outage questions, third-party apps,
irony, urgent comments, other languages, unrelated questions, praise and chatter, some written
before the incident opened, many customers writing twice. Each comment carries its kind, and so
the situation expected during an open incident. It is replayed once per incident stage
(suspected, investigating, identified, monitoring) through the real respond step, templates
and policy, with the labels given (so the classifier's misses are the set's, not a model's),
then resolved for the follow-ups. Printed per stage:

- outage fit: of complaints, me-too, nudges, outage questions, third-party and ironic outage
  comments, the share whose customer has exactly one reply, of the incident's situation;
- all fit: every comment with the verdict its kind expects (a person for urgent and other
  languages, the question or praise template, nothing for chatter, nothing pulled in early);
- praise to complaints or me-too, claims of a known outage while suspected, facts said twice,
  customers with two replies: each must be 0.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import col, select  # noqa: E402

from crisis import incidents  # noqa: E402
from crisis.classify import to_row  # noqa: E402
from crisis.db import make_engine, session_scope, upgrade  # noqa: E402
from crisis.domain import CommentIn, Labels, Sentiment, Service, Urgency  # noqa: E402
from crisis.ingest import store_comments  # noqa: E402
from crisis.registry import reply_setup  # noqa: E402
from crisis.replies.incident_changes import after_incident_change  # noqa: E402
from crisis.replies.respond import suggest_replies  # noqa: E402
from crisis.settings import Settings  # noqa: E402
from crisis.tables import Comment, ReviewItem  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "responders" / "data" / "reply_fit.psv"
OPENED = datetime(2026, 5, 13, 12, 0, tzinfo=UTC)  # 14:00 in Köln
STAGES = ("suspected", "investigating", "identified", "monitoring")
OUTAGE_KINDS = frozenset(
    {"complaint", "me_too", "nudge", "outage_question", "third_party", "irony", "pre_complaint"}
)
EXPECTED = {  # kind -> the situation of the comment's own item (None: no item)
    "question": "question",
    "early_question": "question",
    "praise": "praise",
    "early_praise": "praise",
    "other_complaint": "complaint",
    "early_complaint": "complaint",
    "chatter": None,
}
PUBLIC_STATUS = "Ein Sendemast ist ausgefallen, Techniker sind vor Ort."
ETA = OPENED + timedelta(hours=5, minutes=47)  # 19:47 Berlin: said as "gegen 20 Uhr"
STATUS_URL = "https://status.nordtel.de/koeln"
# What says an outage is known or being fixed: never while it is only suspected.
KNOWN_CLAIM = re.compile(
    r"\bbekannt\b|wir kennen|es gibt gerade|arbeiten (mit Hochdruck )?daran|sind dran|Technik"
    r"|Reparatur|behoben|repariert|we know about|(?<!whether )there is a|on our radar"
    r"|working on it"
    r"|we're on it|fix",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Row:
    author: str
    platform: str
    tag: str | None
    minutes: int
    labels: Labels
    kind: str
    text: str


def read_rows(path: Path = DATA) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        author, platform, tag, minutes, labels, kind, text = line.split("|", 6)
        rows.append(Row(author, platform, tag or None, int(minutes), _labels(labels), kind, text))
    return rows


def _labels(spec: str) -> Labels:
    base, *extras = spec.split("+")
    complaint, service, sentiment = base.split("/")
    values: dict[str, Any] = {}
    for extra in extras:
        key, value = extra.split(":")
        values[{"urgent": "urgent", "tp": "third_party", "cls": "lang"}[key]] = (
            (Urgency(value),) if key == "urgent" else value
        )
    return Labels(
        "written",
        complaint == "c",
        0.9 if complaint == "c" else 0.1,
        None if service == "-" else Service(service),
        {"neg": Sentiment.NEGATIVE, "neu": Sentiment.NEUTRAL, "pos": Sentiment.POSITIVE}[sentiment],
        **values,
    )


def replay_stage(stage: str, url: str, rows: list[Row]) -> list[tuple[ReviewItem, Comment]]:
    """The set through the respond step while the incident is at ``stage``; the reply items."""
    engine = make_engine(url)
    upgrade(engine)
    setup = reply_setup(Settings(status_url=STATUS_URL))
    ordered = sorted(enumerate(rows), key=lambda pair: (pair[1].minutes, pair[0]))
    incident_id: int | None = None
    for number, row in ordered:
        at = OPENED + timedelta(minutes=row.minutes)
        if incident_id is None and row.minutes >= 0:
            incident_id = _open(engine, setup, stage)
        comment = CommentIn(
            platform=row.platform,
            external_id=f"fit{number}",
            author=row.author,
            text=row.text,
            created_at=at,
            lang=row.tag,
        )
        with session_scope(engine) as session:
            (cid,) = store_comments(session, [comment], now=at)
            session.add(to_row(cid, row.labels, now=at))
        with session_scope(engine) as session:
            suggest_replies(session, setup, {cid: row.labels}, now=at)
    with session_scope(engine) as session:
        found = session.exec(
            select(ReviewItem, Comment)
            .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
            .where(ReviewItem.kind == "reply")
        ).all()
        session.expunge_all()
    engine.dispose()
    return list(found)


def _open(engine: Any, setup: Any, stage: str) -> int:
    facts: dict[str, Any] = {
        "suspected": {},
        "investigating": {"eta": ETA},
        "identified": {"eta": ETA, "public_status": PUBLIC_STATUS},
        "monitoring": {},
    }[stage]
    with session_scope(engine) as session:
        incident = incidents.open_incident(
            session,
            service=Service.MOBILE,
            now=OPENED,
            opened_by="detector",
            actor="detector",
            reason="spike",
            regions=["Köln"],
            status="monitoring" if stage == "monitoring" else stage,
            **facts,
        )
        after_incident_change(session, setup, incident, now=OPENED)
        return incident.id or 0


def score(stage: str, rows: list[Row], found: list[tuple[ReviewItem, Comment]]) -> dict[str, Any]:
    by_text = {(c.author, c.text): item for item, c in found}
    per_author: dict[str, list[ReviewItem]] = defaultdict(list)
    for item, c in found:
        if item.state != "rejected":
            per_author[c.author].append(item)
    outage_rows = [r for r in rows if r.kind in OUTAGE_KINDS]
    outage_authors = {r.author for r in outage_rows}
    misses: list[str] = []
    fit_outage = 0
    for row in outage_rows:
        linked = [i for i in per_author[row.author] if i.incident_id is not None]
        ok = (
            len(linked) == 1
            and linked[0].situation == "outage_incident"
            and not linked[0].needs_human
            and bool(linked[0].text)
        )
        fit_outage += ok
        if not ok:
            misses.append(f"{row.kind}: {row.text!r} -> {[i.situation for i in linked]}")
    fit_all = fit_outage
    for row in rows:
        if row.kind in OUTAGE_KINDS:
            continue
        own = by_text.get((row.author, row.text))
        if row.kind == "urgent":
            ok = bool(own and own.needs_human and own.text and own.incident_id is not None)
        elif row.kind.startswith("foreign_"):
            lang = row.kind.removeprefix("foreign_")
            reason = f"no template for language {lang}"
            ok = bool(own and own.needs_human and own.reasons and own.reasons[0].startswith(reason))
        else:
            wanted = EXPECTED[row.kind]
            ok = (
                (own is None)
                if wanted is None
                else bool(own and own.situation == wanted and own.incident_id is None and own.text)
            )
        fit_all += ok
        if not ok:
            got = None if own is None else (own.situation, own.incident_id, own.reasons)
            misses.append(f"{row.kind}: {row.text!r} -> {got}")
    praise_to_complaints = sum(
        1
        for item, c in found
        if (item.template or "").split("#")[0].endswith("/praise") and c.author in outage_authors
    )
    known_claims = (
        sum(1 for item, _ in found if item.incident_id and KNOWN_CLAIM.search(item.text))
        if stage == "suspected"
        else 0
    )
    twice = [item.text for item, _ in found if said_twice(item.text)]
    two_replies = sum(
        1
        for author in outage_authors
        if len([i for i in per_author[author] if i.incident_id and not i.needs_human]) > 1
    )
    return {
        "stage": stage,
        "outage_fit": fit_outage / len(outage_rows),
        "outage_rows": len(outage_rows),
        "all_fit": fit_all / len(rows),
        "rows": len(rows),
        "praise_to_complaints": praise_to_complaints,
        "known_claims": known_claims,
        "facts_twice": len(twice),
        "two_replies": two_replies,
        "misses": misses,
        "claims": [
            item.text
            for item, _ in found
            if stage == "suspected" and item.incident_id and KNOWN_CLAIM.search(item.text)
        ],
        "replies": [(c.text, item.text) for item, c in found if item.lang == "de" and item.text],
    }


FACTS = ("Köln", "Mobilfunk-Störung", "gegen 20 Uhr", PUBLIC_STATUS, STATUS_URL, "behoben")


def said_twice(text: str) -> bool:
    """A fact (or the word that says the outage is over) said more than once."""
    return any(text.count(fact) > 1 for fact in FACTS)


def run(stages: tuple[str, ...] = STAGES) -> list[dict[str, Any]]:
    rows = read_rows()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for stage in stages:
            url = f"sqlite:///{Path(tmp) / f'{stage}.db'}"
            results.append(score(stage, rows, replay_stage(stage, url, rows)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=STAGES, action="append")
    parser.add_argument("--show", type=int, default=0, help="print N German replies per stage")
    parser.add_argument("--misses", action="store_true", help="print what did not fit")
    args = parser.parse_args()
    results = run(tuple(args.stage or STAGES))
    kinds = Counter(row.kind for row in read_rows())
    print(f"reply fit on {DATA.name}: {sum(kinds.values())} written comments ({dict(kinds)})")
    header = "stage          outage fit   all fit  praise>complaint  known-while-suspected"
    print(header + "  facts twice  two replies")
    for r in results:
        print(
            f"{r['stage']:<14} {r['outage_fit']:>9.1%}  {r['all_fit']:>8.1%}  "
            f"{r['praise_to_complaints']:>16}  {r['known_claims']:>21}  {r['facts_twice']:>11}"
            f"  {r['two_replies']:>11}"
        )
        if args.misses:
            for text in r["claims"]:
                print(f"    claims a known outage: {text}")
            for miss in r["misses"]:
                print(f"    miss {miss}")
        for comment, reply in r["replies"][: args.show]:
            print(f"    {comment}\n      -> {reply}")


if __name__ == "__main__":
    main()
