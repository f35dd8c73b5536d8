"""The complaints the detector weighs: by service, as labelled, and by their wording.

The labels decide first. Wording adds evidence a label misses: a complaint labelled another
service that speaks of DSL ("Kein Internet und die Hotline ist besetzt") is evidence of an
internet outage too, and a follow-up with no content of its own ("Immer noch nichts?", "bei mir
auch") names no service but, while exactly one incident is open, is evidence for that one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from crisis import incidents
from crisis.detection.baseline import complaints_filter
from crisis.detection.joining import speaks_of
from crisis.detection.spikes import Complaint
from crisis.domain import Service
from crisis.tables import Classification, Comment

# A follow-up with no content of its own: "Immer noch nichts?", "bei mir auch", "same here".
FOLLOW_UP = re.compile(
    r"\b(immer noch|noch immer|bei mir auch|bei uns auch|hier auch|hier genauso|gleiches problem"
    r"|gleiche problem|auch betroffen|same here|me too|still nothing|still down|st(ö|oe)rung\?)",
    re.IGNORECASE,
)
FOLLOW_UP_CHARS = 80


def recent_complaints(
    session: Session, model: str, start: datetime, end: datetime, own_authors: Sequence[str]
) -> dict[Service, list[Complaint]]:
    """Complaints between ``start`` and ``end`` by service, with the wording's evidence added."""
    recent = _complaints_by_service(session, model, start, end, own_authors)
    _count_dsl_words_for_internet(recent)
    _count_follow_ups_for_the_open_incident(session, recent, model, start, end, own_authors)
    return recent


def _count_dsl_words_for_internet(recent: dict[Service, list[Complaint]]) -> None:
    """Wording as evidence: a complaint labelled another service that speaks of DSL ("Kein
    Internet und die Hotline ist besetzt") is evidence of an internet outage too."""
    extra = [
        c
        for service, found in recent.items()
        if service != Service.INTERNET
        for c in found
        if speaks_of(c.text, Service.INTERNET)
    ]
    if extra:
        both = [*recent.get(Service.INTERNET, []), *extra]
        recent[Service.INTERNET] = sorted(both, key=lambda c: c.at)


def _count_follow_ups_for_the_open_incident(
    session: Session,
    recent: dict[Service, list[Complaint]],
    model: str,
    start: datetime,
    end: datetime,
    own_authors: Sequence[str],
) -> None:
    """Follow-ups with no content ("Immer noch nichts?", "bei mir auch") name no service: while
    exactly one incident is open, they are evidence for it (and keep a suspicion alive)."""
    open_now = incidents.open_incidents(session)
    if len(open_now) != 1:
        return
    found = [
        c
        for c in _nameless_complaints(session, model, start, end, own_authors)
        if FOLLOW_UP.search(c.text) and len(c.text) <= FOLLOW_UP_CHARS
    ]
    if found:
        service = Service(open_now[0].service)
        recent[service] = sorted([*recent.get(service, []), *found], key=lambda c: c.at)


def _complaints_by_service(
    session: Session, model: str, start: datetime, end: datetime, own_authors: Sequence[str]
) -> dict[Service, list[Complaint]]:
    found: dict[Service, list[Complaint]] = defaultdict(list)
    for service, complaint in _complaint_rows(session, model, start, end, own_authors):
        if service is not None:
            found[Service(service)].append(complaint)
    return found


def _nameless_complaints(
    session: Session, model: str, start: datetime, end: datetime, own_authors: Sequence[str]
) -> list[Complaint]:
    """Complaints that name no service ("bei mir auch")."""
    rows = _complaint_rows(session, model, start, end, own_authors, nameless=True)
    return [complaint for _, complaint in rows]


def _complaint_rows(
    session: Session,
    model: str,
    start: datetime,
    end: datetime,
    own_authors: Sequence[str],
    *,
    nameless: bool = False,
) -> list[tuple[str | None, Complaint]]:
    service = col(Classification.service)
    query = (
        sa_select(
            col(Comment.external_id),
            col(Comment.author),
            col(Comment.text),
            col(Comment.location),
            col(Comment.created_at),
            service,
        )
        .where(
            *complaints_filter(model, own_authors),
            service.is_(None) if nameless else service.is_not(None),
            col(Comment.created_at) > start,
            col(Comment.created_at) <= end,
        )
        .order_by(col(Comment.created_at), col(Comment.id))
    )
    # plain columns, no ORM objects: this runs on every batch
    return [
        (named, Complaint(external_id, author, text, location, at))
        for external_id, author, text, location, at, named in session.connection().execute(query)
    ]
