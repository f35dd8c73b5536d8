"""When to look: the comments' own times, not only the wall clock.

Live, comments arrive as they are written and the detector looks at ``now``. An import of an
older export, webhook deliveries that come late and a backfill after downtime bring comments
from the past: looking only at ``now`` would find their spike outside the window (an outage
export two hours old opened no incident at all). So the detector also looks at each minute in
which late complaints were written, oldest first, and opens the incident at the spike's time,
saying on the card how late it was found. Holds and audits keep the wall clock: nothing is held
in the past.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from crisis import incidents
from crisis.detection.spikes import SpikeRules
from crisis.tables import Comment, Incident

STEP = timedelta(minutes=1)  # the comments' clock is read minute by minute
LATE_AFTER = timedelta(minutes=5)  # older than this when it arrives: the comment came late
MAX_LOOKS = 24 * 60  # at most a day of minutes per batch (a longer backfill is looked at coarser)


def detection_times(
    session: Session, complaint_ids: Sequence[int], *, now: datetime
) -> list[datetime]:
    """When the detector should look for these new complaints: each minute (on the comments'
    clock) in which late ones were written, oldest first, then ``now``."""
    if not complaint_ids:
        return []
    written = session.exec(
        select(Comment.created_at).where(col(Comment.id).in_(list(complaint_ids)))
    ).all()
    late = sorted({_minute_end(at) for at in written if at < now - LATE_AFTER})
    late = [at for at in late if at < now]
    if len(late) > MAX_LOOKS:
        step = len(late) // MAX_LOOKS + 1
        late = [*late[::step], late[-1]]
    return [*late, now]


def dismiss_suspicions(session: Session, rules: SpikeRules, *, now: datetime) -> list[Incident]:
    """Dismiss the suspicions whose evidence faded by ``now`` (the posts they held go back)."""
    if not rules.suspecting:
        return []
    return incidents.dismiss_faded(
        session, now=now, after=rules.dismiss_after, late_up_to=rules.release_late_up_to
    )


def _minute_end(at: datetime) -> datetime:
    """The end of the minute ``at`` falls in: a look then sees every complaint of that minute."""
    floor = at.replace(second=0, microsecond=0)
    return floor if floor == at else floor + STEP


def next_dismissal(session: Session, rules: SpikeRules) -> datetime | None:
    """When the first open suspicion fades if no new evidence comes (for a replay's clock)."""
    if not rules.suspecting:
        return None
    found = session.exec(
        select(Incident).where(Incident.status == "suspected", Incident.opened_by == "detector")
    ).all()
    return min((incidents.last_evidence_at(i) + rules.dismiss_after for i in found), default=None)
