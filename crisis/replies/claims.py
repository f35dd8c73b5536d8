"""Who works on what: claims and assignments in the review queue.

An agent opening a pending item claims it: the others see who has it and since when, so two
people do not answer the same customer. A claim expires (``claim_minutes``) and is renewed
each time its holder opens the item again; an expired one may be taken over. A lead assigns
items, or a whole cluster of an incident, to an agent: the item is theirs until someone
decides it. Bulk approval leaves out items another person has claimed or been assigned.

Claims are compare-and-set updates (a conditional UPDATE): of two agents opening the same item
at once, one gets it and the other sees their name. Assignments are audited; claims, a
side effect of opening a page, are not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from crisis import audit
from crisis.errors import BadRecord
from crisis.replies.queue import get_item
from crisis.tables import ReviewItem

DEFAULT_CLAIM = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Claim:
    """Who has an item now: since when and until when the claim holds."""

    by: str
    since: datetime
    until: datetime


@dataclass(frozen=True, slots=True)
class Load:
    """One person's share of the pending queue: items assigned to them, items they claimed."""

    name: str
    assigned: int
    claimed: int

    @property
    def total(self) -> int:
        return self.assigned + self.claimed


def active_claim(
    item: ReviewItem, *, now: datetime, ttl: timedelta = DEFAULT_CLAIM
) -> Claim | None:
    """The item's claim if it still holds, else ``None``."""
    if item.claimed_by is None or item.claimed_at is None or item.state != "pending":
        return None
    until = item.claimed_at + ttl
    return Claim(item.claimed_by, item.claimed_at, until) if until > now else None


def claim(
    session: Session, item_id: int, *, user: str, now: datetime, ttl: timedelta = DEFAULT_CLAIM
) -> Claim | None:
    """Claim a pending item for ``user`` (or renew their claim), unless someone else's claim
    still holds. Returns the claim that holds now (``user``'s or the other person's);
    ``None`` for an item that is no longer pending."""
    free = or_(
        col(ReviewItem.claimed_by).is_(None),
        col(ReviewItem.claimed_by) == user,
        col(ReviewItem.claimed_at) <= now - ttl,
    )
    session.execute(
        update(ReviewItem)
        .where(col(ReviewItem.id) == item_id, col(ReviewItem.state) == "pending", free)
        .values(claimed_by=user, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    item = get_item(session, item_id)
    session.refresh(item)
    return active_claim(item, now=now, ttl=ttl)


def release(session: Session, item_id: int, *, user: str) -> bool:
    """Give up ``user``'s claim on an item; whether they held one."""
    result = session.execute(
        update(ReviewItem)
        .where(col(ReviewItem.id) == item_id, col(ReviewItem.claimed_by) == user)
        .values(claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    session.refresh(get_item(session, item_id))
    return bool(getattr(result, "rowcount", 0))


def assign(
    session: Session, item_ids: Sequence[int], *, to: str | None, actor: str, now: datetime
) -> list[int]:
    """Assign pending items to ``to`` (``None``: take the assignment back); audited per item.
    Returns the ids changed; decided items keep who decided them."""
    to = to.strip() if to else None
    changed: list[int] = []
    for item_id in dict.fromkeys(item_ids):
        item = get_item(session, item_id)
        if item.state != "pending" or item.assigned_to == to:
            continue
        before = item.assigned_to
        item.assigned_to, item.assigned_by, item.assigned_at = to, actor, now
        session.add(item)
        audit.record(
            session,
            at=now,
            actor=actor,
            action="review_item.assigned",
            entity="review_item",
            entity_id=item_id,
            details={"assigned_to": [before, to]},
        )
        changed.append(item_id)
    return changed


def cluster_ids(
    session: Session,
    *,
    incident_id: int,
    kind: str | None = None,
    lang: str | None = None,
    situation: str | None = None,
    templated: bool = False,
) -> list[int]:
    """The pending items of an incident, oldest first; narrowed to one kind, language and
    situation, and to template replies only (``templated``: no item a person must answer),
    the cluster ``crisis queue list --clusters`` shows."""
    query = select(ReviewItem.id).where(
        ReviewItem.state == "pending", ReviewItem.incident_id == incident_id
    )
    if templated:
        query = query.where(col(ReviewItem.needs_human).is_(False))
    for column, value in (
        (ReviewItem.kind, kind),
        (ReviewItem.lang, lang),
        (ReviewItem.situation, situation),
    ):
        if value:
            query = query.where(column == value)
    ids = [i for i in session.exec(query.order_by(col(ReviewItem.arrived_at))) if i is not None]
    if not ids:
        raise BadRecord("cluster", f"incident {incident_id} has no pending items like that")
    return ids


def taken_by_other(
    item: ReviewItem, *, user: str, now: datetime, ttl: timedelta = DEFAULT_CLAIM
) -> str | None:
    """Why ``user`` should leave the item to someone else: "claimed by tom", "assigned to
    tom"; ``None`` when it is free or theirs."""
    held = active_claim(item, now=now, ttl=ttl)
    if held is not None and held.by != user:
        return f"claimed by {held.by}"
    if item.assigned_to is not None and item.assigned_to != user:
        return f"assigned to {item.assigned_to}"
    return None


def load(session: Session, *, now: datetime, ttl: timedelta = DEFAULT_CLAIM) -> list[Load]:
    """Per person, the pending items assigned to them and those they claimed (and are not
    assigned to them), most loaded first."""
    assigned = Counter[str]()
    claimed = Counter[str]()
    pending = col(ReviewItem.state) == "pending"
    for name, n in session.execute(
        select(col(ReviewItem.assigned_to), func.count())
        .where(pending, col(ReviewItem.assigned_to).is_not(None))
        .group_by(col(ReviewItem.assigned_to))
    ):
        assigned[str(name)] = int(n)
    for name, n in session.execute(
        select(col(ReviewItem.claimed_by), func.count())
        .where(
            pending,
            col(ReviewItem.claimed_at) > now - ttl,
            or_(
                col(ReviewItem.assigned_to).is_(None),
                col(ReviewItem.assigned_to) != col(ReviewItem.claimed_by),
            ),
        )
        .group_by(col(ReviewItem.claimed_by))
    ):
        claimed[str(name)] = int(n)
    names = set(assigned) | set(claimed)
    rows = [Load(name, assigned[name], claimed[name]) for name in names]
    return sorted(rows, key=lambda row: (-row.total, row.name))
