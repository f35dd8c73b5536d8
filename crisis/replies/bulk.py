"""Bulk approval: approve a cluster of near-identical suggestions after a spot check.

A cluster is the pending, template-only items of one incident with the same kind, language and
situation ("de/outage_incident" in any of its wordings). Items a person must answer
(``needs_human``), items a person edited, and items whose incident facts changed after an edit
are never part of one. Approving a cluster needs spot-checked items of it: at least
``min(3, size)``. A listing is a snapshot: each cluster names its highest item id, and approval
takes only items up to that id (``up_to``), so suggestions that arrived after the spot check
are never approved unseen. The decision is audited once (the bulk decision's id) and on every
item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy
from sqlalchemy import func
from sqlmodel import Session, col, select

from crisis import audit
from crisis.errors import AnsweredByFollowUp, Inconsistent, InvalidReply, SpotCheckMissing
from crisis.replies.claims import DEFAULT_CLAIM, taken_by_other
from crisis.replies.queue import approve, get_item
from crisis.tables import ReviewItem

SPOT_CHECKS = 3
SAMPLE_SIZE = 5


@dataclass(frozen=True, slots=True)
class Cluster:
    incident_id: int
    kind: str
    lang: str
    situation: str
    size: int
    sample_ids: tuple[int, ...]
    up_to: int  # the snapshot: the highest item id of the cluster when it was listed


@dataclass
class BulkResult:
    decision_id: int
    cluster: Cluster
    approved: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # too long for the platform


def _members() -> list[Any]:
    return [
        ReviewItem.state == "pending",
        col(ReviewItem.needs_human).is_(False),
        col(ReviewItem.edited_by).is_(None),
        col(ReviewItem.incident_id).is_not(None),
        col(ReviewItem.situation).is_not(None),
        col(ReviewItem.lang).is_not(None),
    ]


def clusters(
    session: Session, *, incident_id: int | None = None, lang: str | None = None
) -> list[Cluster]:
    """The clusters that could be bulk-approved, biggest first, with a few ids to spot-check."""
    query = (
        sqlalchemy.select(
            col(ReviewItem.incident_id),
            col(ReviewItem.kind),
            col(ReviewItem.lang),
            col(ReviewItem.situation),
            func.count(),
            func.max(col(ReviewItem.id)),
        )
        .where(*_members())
        .group_by(
            col(ReviewItem.incident_id),
            col(ReviewItem.kind),
            col(ReviewItem.lang),
            col(ReviewItem.situation),
        )
    )
    if incident_id is not None:
        query = query.where(col(ReviewItem.incident_id) == incident_id)
    if lang is not None:
        query = query.where(col(ReviewItem.lang) == lang)
    found = []
    for inc, kind, language, situation, size, up_to in session.execute(query).all():
        sample = session.exec(
            select(ReviewItem.id)
            .where(*_cluster_where(inc, kind, language, situation))
            .order_by(col(ReviewItem.arrived_at), col(ReviewItem.id))
            .limit(SAMPLE_SIZE)
        )
        found.append(
            Cluster(inc, kind, language, situation, int(size), tuple(i for i in sample if i), up_to)
        )
    return sorted(found, key=lambda c: (-c.size, c.incident_id, c.kind, c.lang, c.situation))


def bulk_approve(
    session: Session,
    *,
    incident_id: int,
    spot_checked: Sequence[int],
    up_to: int,
    actor: str,
    now: datetime,
    lang: str | None = None,
    claim_ttl: timedelta = DEFAULT_CLAIM,
) -> BulkResult:
    """Approve the cluster the spot-checked items belong to, once enough of them were checked;
    only its items up to ``up_to`` (the snapshot the listing showed). Items another person
    has claimed or been assigned are left to them (listed as refused)."""
    if not spot_checked:
        raise SpotCheckMissing("name the items you checked (--spot-checked ID,ID,ID)")
    checked = [get_item(session, item_id) for item_id in dict.fromkeys(spot_checked)]
    keys = {(i.incident_id, i.kind, i.lang, i.situation) for i in checked}
    for item in checked:
        if item.state != "pending" or item.needs_human or item.edited_by:
            why = "needs a person" if item.needs_human else item.state
            why = "was edited" if item.edited_by and item.state == "pending" else why
            raise SpotCheckMissing(f"item {item.id} is not part of any cluster ({why})")
    if len(keys) != 1:
        raise SpotCheckMissing(
            "the spot-checked items belong to different clusters: "
            + "; ".join(f"#{i.id} {i.lang}/{i.situation} ({i.kind})" for i in checked)
        )
    (inc, kind, language, situation) = keys.pop()
    if inc != incident_id or (lang is not None and language != lang):
        raise SpotCheckMissing(
            f"the spot-checked items are {language}/{situation} of incident {inc}, "
            f"not of incident {incident_id}{f' in {lang}' if lang else ''}"
        )
    late = [str(item_id) for item_id in spot_checked if item_id > up_to]
    if late:
        raise SpotCheckMissing(
            f"#{', #'.join(late)} arrived after the listing you checked (up to #{up_to}): "
            "list the clusters again"
        )
    if situation is None or language is None or inc is None:  # pragma: no cover - filtered
        raise SpotCheckMissing("the spot-checked items have no template")
    members = list(
        session.exec(
            select(ReviewItem)
            .where(*_cluster_where(inc, kind, language, situation), col(ReviewItem.id) <= up_to)
            .order_by(col(ReviewItem.arrived_at), col(ReviewItem.id))
        )
    )
    needed = min(SPOT_CHECKS, len(members))
    if len(checked) < needed:
        raise SpotCheckMissing(
            f"check at least {needed} items of this cluster of {len(members)} first "
            f"(checked: {', '.join(str(i.id) for i in checked)}; "
            f"e.g. {', '.join(str(m.id) for m in members[:SAMPLE_SIZE])})"
        )
    cluster = Cluster(
        inc, kind, language, situation, len(members), tuple(i.id for i in checked if i.id), up_to
    )
    decision = audit.record(
        session,
        at=now,
        actor=actor,
        action="review_queue.bulk_approve",
        entity="incident",
        entity_id=inc,
        details={
            "kind": kind,
            "lang": language,
            "situation": situation,
            "size": len(members),
            "spot_checked": list(cluster.sample_ids),
            "up_to": up_to,
        },
    )
    session.flush()
    result = BulkResult(decision_id=decision.id or 0, cluster=cluster)
    for member in members:
        taken = taken_by_other(member, user=actor, now=now, ttl=claim_ttl)
        if taken is not None:
            result.refused.append((_id(member), taken))
            continue
        try:
            approve(session, _id(member), actor=actor, now=now, bulk_id=result.decision_id)
        except (InvalidReply, AnsweredByFollowUp) as exc:
            result.refused.append((_id(member), str(exc)))
            continue
        result.approved.append(_id(member))
    decision.details = {**decision.details, "approved": len(result.approved)}
    session.add(decision)
    return result


def _cluster_where(
    incident_id: int | None, kind: str, lang: str | None, situation: str | None
) -> list[Any]:
    return [
        *_members(),
        ReviewItem.incident_id == incident_id,
        ReviewItem.kind == kind,
        ReviewItem.lang == lang,
        ReviewItem.situation == situation,
    ]


def _id(item: ReviewItem) -> int:
    if item.id is None:
        raise Inconsistent("review item has no id before flush")
    return item.id
