"""What the queue page and the queue API show: one page of review items in queue order, with
each item's comment, labels and incident fetched for the whole page at once (three queries,
whatever the page size), the filter read from the query string, and cheap filter choices.

The order and the filters are ``crisis.replies.queue.list_items``'s (the same as
``crisis queue list``), which walks the index ``ix_review_items_queue``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from crisis import audit
from crisis.clock import age
from crisis.domain import Service
from crisis.errors import BadRecord, NotFound
from crisis.platform_text import LENGTH_LIMITS, x_length
from crisis.replies import answered, queue
from crisis.replies.claims import DEFAULT_CLAIM, Claim, active_claim
from crisis.replies.sla import Targets
from crisis.states import REVIEW_TRANSITIONS
from crisis.tables import AuditEntry, Classification, Comment, Incident, ReviewItem

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
SLA_WARN_SECONDS = 15 * 60  # amber after a quarter of an hour
SLA_OLD_SECONDS = 60 * 60  # red after an hour
PLATFORMS = ("x", "facebook")
LANGS = ("de", "en")
STATES = ("pending", "approved", "failed", "sent", "rejected")
URGENT_CHOICES = {"": None, "urgent": True, "templated": False}
WHO_CHOICES = (None, "", "mine", "unassigned")


@dataclass(frozen=True, slots=True)
class Row:
    """One review item as the queue shows it."""

    item: ReviewItem
    comment: Comment | None
    labels: list[Classification]
    incident: Incident | None
    waiting_seconds: int
    limit: int | None  # the platform's length limit (weighted), None where there is none
    weight: int  # the reply's length as the platform counts it
    age: str  # the SLA age, short (as ``crisis queue list`` shows it)
    claim: Claim | None = None  # who works on it now (an open claim), if anyone
    claim_age: str = ""  # for how long (short, like ``age``)
    left: timedelta | None = None  # time left to the first-response target (negative: overdue)

    @property
    def sla(self) -> str:
        """``old`` past an hour, ``warn`` past a quarter, else ``ok`` (a CSS class)."""
        if self.item.state not in ("pending", "approved", "failed"):
            return "done"
        if self.waiting_seconds >= SLA_OLD_SECONDS:
            return "old"
        return "warn" if self.waiting_seconds >= SLA_WARN_SECONDS else "ok"


@dataclass(frozen=True, slots=True)
class QueuePage:
    where: queue.QueueFilter
    rows: list[Row]
    limit: int
    offset: int
    more: bool  # another page follows
    total: int | None = None


@dataclass(frozen=True, slots=True)
class Detail:
    row: Row
    history: list[AuditEntry]
    follow_up: ReviewItem | None  # a resolved incident's follow-up that answers this customer
    earlier: list[ReviewItem] = field(default_factory=list)  # for a follow-up: replies open


def read_filter(
    *,
    state: str | None = "pending",
    incident: str | int | None = None,
    service: str | None = None,
    platform: str | None = None,
    lang: str | None = None,
    kind: str | None = None,
    urgent: str | bool | None = None,
    who: str | None = None,
    user: str | None = None,
    claims_from: datetime | None = None,
) -> queue.QueueFilter:
    """A filter from query-string values; empty means any (the state defaults to pending).
    ``who``: "mine" (assigned to or claimed by ``user``) or "unassigned"."""
    if who not in WHO_CHOICES:
        raise BadRecord("who", f"expected mine or unassigned, got {who!r}")
    if isinstance(urgent, str):
        if urgent not in URGENT_CHOICES:
            raise BadRecord("urgent", f"expected urgent or templated, got {urgent!r}")
        urgent = URGENT_CHOICES[urgent]
    incident_id = None
    if isinstance(incident, int):
        incident_id = incident
    elif incident not in (None, ""):
        text = str(incident).lstrip("#")
        if not text.isdigit():
            raise BadRecord("incident", f"expected an incident number, got {incident!r}")
        if len(text) > 10 or int(text) > 2**31 - 1:  # no id is that big (PostgreSQL integer)
            raise NotFound(f"no incident with id {text[:20]}")
        incident_id = int(text)
    return queue.QueueFilter(
        state=state or "pending",
        incident_id=incident_id,
        service=service or None,
        platform=platform or None,
        lang=lang or None,
        kind=kind or None,
        urgent=urgent,
        mine=user if who == "mine" else None,
        unassigned=who == "unassigned",
        claims_from=claims_from,
    )


def load_page(
    session: Session,
    *,
    where: queue.QueueFilter,
    now: datetime,
    limit: int = PAGE_SIZE,
    offset: int = 0,
    count: bool = True,
    claim_ttl: timedelta = DEFAULT_CLAIM,
    targets: Targets | None = None,
) -> QueuePage:
    """One page of items in queue order (one more is read to know whether a next page exists)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    offset = max(offset, 0)
    items = queue.list_items(session, where=where, limit=limit + 1, offset=offset)
    more = len(items) > limit
    rows = build_rows(session, items[:limit], now=now, claim_ttl=claim_ttl, targets=targets)
    total = count_items(session, where) if count else None
    return QueuePage(where, rows, limit, offset, more, total)


def count_items(session: Session, where: queue.QueueFilter) -> int | None:
    """How many items match, where an index answers it (the state, maybe with the incident);
    ``None`` for other filters, whose count would read every pending row (300 ms at 100,000)."""
    narrowed = (where.service, where.platform, where.lang, where.kind, where.urgent, where.mine)
    if any(value is not None for value in narrowed) or where.unassigned:
        return None
    query = select(func.count()).select_from(ReviewItem)
    for column, value in _conditions(where):
        query = query.where(column == value)
    return int(session.exec(query).one())


def _conditions(where: queue.QueueFilter) -> list[tuple[object, object]]:
    pairs = (
        (ReviewItem.state, where.state),
        (ReviewItem.incident_id, where.incident_id),
        (ReviewItem.service, where.service),
        (ReviewItem.platform, where.platform),
        (ReviewItem.lang, where.lang),
        (ReviewItem.kind, where.kind),
        (ReviewItem.needs_human, where.urgent),
    )
    return [(column, value) for column, value in pairs if value is not None]


def build_rows(
    session: Session,
    items: list[ReviewItem],
    *,
    now: datetime,
    claim_ttl: timedelta = DEFAULT_CLAIM,
    targets: Targets | None = None,
) -> list[Row]:
    """The items with their comments, labels and incidents: one query each for the lot."""
    comment_ids = {item.comment_id for item in items}
    incident_ids = {item.incident_id for item in items if item.incident_id is not None}
    comments: dict[int | None, Comment] = {}
    labels: dict[int, list[Classification]] = {}
    incidents: dict[int | None, Incident] = {}
    if comment_ids:
        found = session.exec(select(Comment).where(col(Comment.id).in_(comment_ids)))
        comments = {c.id: c for c in found}
        query = (
            select(Classification)
            .where(col(Classification.comment_id).in_(comment_ids))
            .order_by(col(Classification.model))
        )
        for label in session.exec(query):
            labels.setdefault(label.comment_id, []).append(label)
    if incident_ids:
        found_incidents = session.exec(select(Incident).where(col(Incident.id).in_(incident_ids)))
        incidents = {i.id: i for i in found_incidents}
    return [
        Row(
            item=item,
            comment=comments.get(item.comment_id),
            labels=labels.get(item.comment_id, []),
            incident=incidents.get(item.incident_id),
            waiting_seconds=max(int((now - item.arrived_at).total_seconds()), 0),
            limit=LENGTH_LIMITS.get(item.platform.lower()),
            weight=x_length(item.text),
            age=age(now, item.arrived_at),
            claim=(claim := active_claim(item, now=now, ttl=claim_ttl)),
            claim_age=age(now, claim.since) if claim else "",
            left=targets.left(item, now) if targets and item.state == "pending" else None,
        )
        for item in items
    ]


def load_detail(
    session: Session, item_id: int, *, now: datetime, claim_ttl: timedelta = DEFAULT_CLAIM
) -> Detail:
    """One item as ``crisis queue show`` shows it: with its history and follow-up warnings."""
    item = queue.get_item(session, item_id)
    [row] = build_rows(session, [item], now=now, claim_ttl=claim_ttl)
    return Detail(
        row=row,
        history=audit.history(session, entity="review_item", entity_id=item_id),
        follow_up=answered.answering_follow_up(session, item),
        earlier=answered.open_replies_answered_by(session, item),
    )


@dataclass(frozen=True, slots=True)
class Choices:
    states: tuple[str, ...]
    incidents: list[Incident]
    services: tuple[str, ...]
    platforms: tuple[str, ...]
    langs: tuple[str, ...]
    kinds: tuple[str, ...]


def filter_choices(session: Session, where: queue.QueueFilter) -> Choices:
    """What the filter menus offer, without scanning the queue: the known states, platforms,
    languages, services and kinds, and the latest incidents, open ones first (a resolved one's
    follow-ups wait in the queue too), plus the chosen one."""
    query = (
        select(Incident)
        .order_by(col(Incident.status) == "resolved", col(Incident.id).desc())
        .limit(50)
    )
    incidents = list(session.exec(query))
    if where.incident_id is not None and all(i.id != where.incident_id for i in incidents):
        chosen = session.get(Incident, where.incident_id)
        incidents += [chosen] if chosen is not None else []

    def plus(known: tuple[str, ...], chosen: str | None) -> tuple[str, ...]:
        return known if chosen is None or chosen in known else (*known, chosen)

    return Choices(
        states=tuple(s for s in STATES if s in REVIEW_TRANSITIONS),
        incidents=incidents,
        services=plus(tuple(s.value for s in Service), where.service),
        platforms=plus(PLATFORMS, where.platform),
        langs=plus(LANGS, where.lang),
        kinds=queue.KINDS,
    )
