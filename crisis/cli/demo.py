"""``crisis demo``: replay the shipped May 2017 scenario and tell its story in the terminal."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from crisis.clock import local_time, team_zone, zone_label
from crisis.db import make_engine
from crisis.replay.run import replay_into
from crisis.replay.scenario import scenario_path
from crisis.settings import Settings


def run_demo(
    db_file: Path, settings: Settings, console: Console, *, until: datetime | None = None
) -> dict[str, Any]:
    if db_file.exists():
        db_file.unlink()
    engine = make_engine(f"sqlite:///{db_file}")
    started = time.perf_counter()
    with scenario_path() as path:
        console.print(f"Replaying [bold]{path.name}[/]: a telecom's weekend in May 2017 ...")
        summary = replay_into(engine, path, settings, until=until)
    engine.dispose()
    tell_story(
        summary, console, seconds=time.perf_counter() - started, classifier=settings.classifier
    )
    console.print(
        f"\nThe demo database is [bold]{db_file}[/]; look around with e.g. "
        f"[bold]CRISIS_DATABASE_URL=sqlite:///{db_file} crisis queue list[/]"
    )
    if until is not None:
        console.print(
            f"stopped at {local_time(until)}; to work this moment in "
            f"the browser: [bold]crisis serve --database-url sqlite:///{db_file} --clock-at "
            f"{until.isoformat()}[/]"
        )
    return summary


def tell_story(
    summary: dict[str, Any], console: Console, *, seconds: float, classifier: str
) -> None:
    console.print(
        f"[bold]{summary['comments']}[/] comments replayed in {seconds:.1f} s "
        f"(classifier: {classifier})\n"
    )
    incidents = Table(title="Incidents", title_justify="left")
    zone = zone_label()
    for column in ("#", "service", "regions", f"opened ({zone})", "by", f"resolved ({zone})"):
        incidents.add_column(column)
    for item in summary["incidents"]:
        incidents.add_row(
            str(item["id"]),
            item["service"],
            ", ".join(item["regions"]) or "-",
            _local(item["opened_at"]),
            item["opened_by"],
            _local(item["resolved_at"]) if item["resolved_at"] else "[red]still open[/]",
        )
    console.print(incidents)
    for item in summary["incidents"]:
        _explain(item, console)
    posts = Table(title="Scheduled posts", title_justify="left")
    for column in ("post", "category", f"due ({zone})", "state", f"published ({zone})"):
        posts.add_column(column)
    for item in summary["posts"]:
        state = item["state"]
        shown = f"[bold yellow]{state}[/]" if state == "held" else state
        published = _local(item["published_at"]) if item["published_at"] else "-"
        posts.add_row(item["id"], item["category"], _local(item["publish_at"]), shown, published)
    console.print(posts)
    suggestions = [s for s in summary["suggestions"] if s.get("kind", "reply") == "reply"]
    by_lang = Counter(s["lang"] for s in suggestions)
    langs = ", ".join(f"{n} {lang}" for lang, n in by_lang.most_common())
    console.print(f"\n[bold]{len(suggestions)}[/] reply suggestions in the review queue ({langs})")
    for example in _examples(suggestions):
        console.print(
            f"  [dim]{escape(example['comment_id'])} ({example['lang']}):[/] "
            f"{escape(example['text'])}"
        )
    follow_ups = [s for s in summary["suggestions"] if s.get("kind") == "follow_up"]
    if follow_ups:
        superseded = sum(
            1 for s in suggestions if s.get("state") == "rejected" and s["incident_id"]
        )
        console.print(
            f"[bold]{len(follow_ups)}[/] follow-ups to the customers who complained, queued when "
            f"their incident was resolved ({superseded} replies still pending then were "
            "superseded by them)"
        )
        example = follow_ups[0]
        console.print(
            f"  [dim]{escape(example['comment_id'])} ({example['lang']}):[/] "
            f"{escape(example['text'])}"
        )
    people = [f for f in summary["flagged"] if f.get("kind", "reply") == "reply"]
    flagged = Counter(reason for item in people for reason in item["reasons"])
    if flagged:
        reasons = ", ".join(f"{n} {reason}" for reason, n in flagged.most_common())
        console.print(f"[bold]{len(people)}[/] comments flagged for a human first ({reasons})")
    if summary["problems"]:
        console.print(f"[yellow]{len(summary['problems'])} scenario lines were skipped:[/]")
        for problem in summary["problems"][:5]:
            console.print(f"  {problem['where']}: {problem['reason']}")


def _explain(incident: dict[str, Any], console: Console) -> None:
    """Why the detector opened an incident: the card's reason, top terms and two examples."""
    card = incident.get("explanation") or {}
    if "reason" not in card:
        return
    console.print(f"[bold]#{incident['id']} {incident['service']}[/]: {escape(card['reason'])}")
    terms = ", ".join(f"{word} ({n})" for word, n in card.get("top_terms", [])[:6])
    if terms:
        console.print(f"  top terms: {escape(terms)}")
    if card.get("also_services"):
        console.print(f"  also complaints about: {', '.join(card['also_services'])}")
    for example in card.get("examples", [])[-2:]:
        console.print(f"  [dim]{_local(example['at'])} {zone_label()}[/] {escape(example['text'])}")


def _examples(suggestions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A few examples: an incident reply per language first, then a reply without incident."""
    picked: list[dict[str, Any]] = []
    for lang in ("de", "en"):
        picked += [s for s in suggestions if s["lang"] == lang and s["incident_id"]][:1]
    without = [s for s in suggestions if not s["incident_id"]]
    picked += [s for s in without if s.get("situation") in ("outage_no_incident", "complaint")][:1]
    return picked


def _local(value: str | None) -> str:
    if not value:
        return "-"
    return datetime.fromisoformat(value).astimezone(team_zone()).strftime("%a %d.%m. %H:%M")
