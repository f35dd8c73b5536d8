"""What an alert says, in words: one ``Message`` that every channel lays out its own way.

Built from what the outbox kept at the moment of the change: what happened, the evidence
(customers against the usual number), regions, ETA and public text, the posts held, and a link
to the incident page (``CRISIS_PUBLIC_URL``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crisis.clock import local_time
from crisis.tables import AlertEvent

# PagerDuty's severity per kind: a confirmed outage pages, a suspicion warns.
SEVERITY = {"suspected": "warning", "confirmed": "critical", "updated": "critical"}


@dataclass(frozen=True, slots=True)
class Message:
    kind: str
    title: str  # one line: notifications show only this
    what: str  # what happened, in a sentence or two
    facts: list[tuple[str, str]] = field(default_factory=list)  # label, value
    link: str | None = None
    at: datetime | None = None
    dedup_key: str = ""
    service: str | None = None
    regions: tuple[str, ...] = ()

    @property
    def closes(self) -> bool:
        """Whether this message ends what an earlier one opened (PagerDuty: resolve)."""
        return self.kind in ("resolved", "dismissed")

    @property
    def severity(self) -> str:
        return SEVERITY.get(self.kind, "info")

    def text(self) -> str:
        """The whole message as plain text (email, logs of a test)."""
        lines = [self.title, "", self.what, ""]
        lines += [f"{label}: {value}" for label, value in self.facts]
        if self.link:
            lines += ["", self.link]
        return "\n".join(lines) + "\n"


def compose(event: AlertEvent, *, public_url: str | None) -> Message:
    d: dict[str, Any] = event.details
    kind = event.kind
    if event.incident_id is not None and kind not in ("frozen", "held"):
        return _incident(event, d, public_url=public_url)
    link = _link(public_url, event.incident_id) if event.incident_id else _base(public_url)
    facts = _held_facts(d)
    if kind == "frozen":
        title = f"Marketing frozen by {event.actor}"
        what = f"{event.actor} stopped all marketing posts: {d.get('reason')}."
    else:
        posts = d.get("held_posts") or [{}]
        post = posts[0]
        title = f"Post {post.get('key')} held"
        what = (
            f"The {post.get('channel')} post {post.get('key')} due "
            f"{local_time(_time(post.get('publish_at')))} was held: {d.get('reason')}."
        )
        facts = []
    return Message(kind, title, what, facts, link, event.at, str(d.get("dedup_key", "")))


def _incident(event: AlertEvent, d: dict[str, Any], *, public_url: str | None) -> Message:
    kind, actor = event.kind, event.actor
    service, regions = str(d.get("service")), [str(r) for r in d.get("regions") or []]
    where = f" in {', '.join(regions)}" if regions else ""
    name = f"{service.replace('_', ' ')} outage{where}"
    a = "an" if name[0] in "aeiou" else "a"
    number = f"#{event.incident_id}"
    if kind == "suspected":
        title = f"Suspected {name} ({number})"
        what = f"The detector suspects {a} {name}: {d.get('evidence') or d.get('reason')}."
    elif kind == "confirmed":
        title = f"Incident {number}: {name} ({d.get('status')})"
        what = f"{actor} confirmed {a} {name} (status {d.get('status')})."
        if d.get("reason"):
            what += f" Why: {d['reason']}."
    elif kind == "updated":
        title = f"Incident {number} updated: {name} ({d.get('status')})"
        what = f"{actor} changed {_changes(d.get('changes') or {})}."
    elif kind == "resolved":
        title = f"Incident {number} resolved: {name}"
        what = f"{actor} resolved the {name}."
        if d.get("held_count"):
            what += " Held posts stay held until someone resumes them."
    elif kind == "noc_resolved":
        title = f"NOC reports incident {number} fixed: {name}"
        what = (
            f"{d.get('reason')}. A lead decides whether to resolve incident {number} "
            "(customers may still be offline)."
        )
    else:
        title = f"Suspected {name} dismissed ({number})"
        what = f"{actor} dismissed the suspected {name}: no outage."
    facts = [("Status", str(d.get("status"))), ("Service", service)]
    facts.append(("Regions", ", ".join(regions) or "not known yet"))
    if d.get("evidence"):
        facts.append(("Evidence", str(d["evidence"])))
    if d.get("eta"):
        facts.append(("ETA", local_time(_time(d["eta"]))))
    if d.get("public_status"):
        facts.append(("Public status", str(d["public_status"])))
    facts += _held_facts(d)
    return Message(
        kind,
        title,
        what,
        facts,
        _link(public_url, event.incident_id),
        event.at,
        str(d.get("dedup_key", "")),
        service,
        tuple(regions),
    )


def _changes(changes: dict[str, Any]) -> str:
    said = []
    for name, pair in changes.items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        label = name.replace("_", " ")
        if name == "eta":
            before, after = local_time(_time(before)), local_time(_time(after))
        if isinstance(after, list):
            after, before = ", ".join(map(str, after)), ", ".join(map(str, before or []))
        said.append(f"{label} from {before or '-'} to {after or '-'}")
    return "; ".join(said) or "nothing the team sees"


def _held_facts(d: dict[str, Any]) -> list[tuple[str, str]]:
    count = int(d.get("held_count") or 0)
    if not count:
        return [("Posts held", "none")]
    listed = ", ".join(
        f"{p['key']} ({p['channel']}, {local_time(_time(p['publish_at']))})"
        for p in d.get("held_posts", [])
    )
    more = f" and {count - len(d.get('held_posts', []))} more" if count > 10 else ""
    return [("Posts held", f"{count}: {listed}{more}")]


def _link(public_url: str | None, incident_id: int | None) -> str | None:
    base = _base(public_url)
    return f"{base}/incidents/{incident_id}" if base and incident_id is not None else base


def _base(public_url: str | None) -> str | None:
    return public_url.rstrip("/") if public_url else None


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
