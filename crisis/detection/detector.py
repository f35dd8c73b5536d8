"""Spike detection: open an incident when complaints about one service pile up.

For each service, the customers complaining in the last window (each counted once, so one angry
customer is not an outage) are compared with the usual number for this hour of the week
(``crisis.detection.baseline``). A spike needs all of:

- at least ``min_complaints`` customers, ``ratio`` times the usual number, and a number that
  ordinary (Poisson) traffic at the usual rate reaches less often than ``significance``;
- persistence: the window that ended ``persistence`` earlier was over the threshold too, so one
  noisy minute opens nothing.

The same is checked in a shorter ``fast_window`` (a sharp outage at a busy hour), and, when the
service's national number hides it, per region against that region's usual number (a Hamburg
outage at a big operator's busy hour). The arithmetic lives in ``crisis.detection.spikes``.

Complaints that blame us for another company's outage (``third_party``: "WhatsApp geht nicht")
never count. One outage is one incident: a spike on a service with an open incident extends it
(regions merged, the card's peak updated); after one is resolved, a cool-down keeps the tail of
the same outage from opening a second one; a later new incident links to the previous one of
its service. Phone lines here are VoIP over the DSL line (``CARRIED_BY``), so a phone spike while
an internet incident is open is that outage, not a second one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from crisis import incidents
from crisis.detection import card
from crisis.detection.baseline import Baseline, complaints_filter, region_samples, usual_complainers
from crisis.detection.regions import find_regions
from crisis.detection.spikes import (
    Complaint,
    Spike,
    SpikeRules,
    counts,
    first_spike,
)
from crisis.domain import Service
from crisis.incidents import CARRIED_BY
from crisis.tables import Classification, Comment, Incident

__all__ = ["SpikeRules", "detect"]


def detect(
    session: Session,
    *,
    model: str,
    now: datetime,
    rules: SpikeRules,
    own_authors: Sequence[str] = (),
) -> list[Incident]:
    """Open (or extend) incidents for the services whose complaints spike at ``now``."""
    start = now - rules.window - rules.persistence
    recent = _complaints_by_service(session, model, start, now, own_authors)
    changed: list[Incident] = []
    for service, complaints in recent.items():
        current = [c for c in complaints if c.at > now - rules.window]
        windows = [rules.window, *([rules.fast_window] if rules.fast_window else [])]
        per_window = {w: counts(complaints, now, w, rules.persistence) for w in windows}
        if all(min(pair) < rules.min_complaints for pair in per_window.values()):
            continue  # below the floor whatever the usual number: skip the history queries
        baseline = usual_complainers(
            session,
            model=model,
            service=service,
            now=now,
            window=rules.window,
            history=rules.history,
            cooldown=rules.cooldown,
            prior_per_window=rules.prior_per_window,
            prior_weight=rules.prior_weight,
            own_authors=own_authors,
        )
        spike = first_spike(per_window, baseline.usual, rules)
        regions = _regions(current)
        if spike is None:
            local = _regional_spike(session, model, service, complaints, baseline, rules, now=now)
            if local is None:
                continue
            spike, regions = local[0], [local[1]]
        local_region = None if spike.national else regions[0]
        open_now = incidents.open_incident_for(session, service)
        if open_now is None and service in CARRIED_BY:
            open_now = incidents.open_incident_for(session, CARRIED_BY[service])
        if open_now is not None:
            if _extend(session, open_now, service, regions, spike.authors, now=now):
                changed.append(open_now)
            continue
        previous = incidents.last_resolved(session, service)
        if previous and previous.resolved_at and now - previous.resolved_at < rules.cooldown:
            continue
        explanation = _card(service, current, spike, baseline, rules, now=now, region=local_region)
        changed.append(
            incidents.open_incident(
                session,
                service=service,
                now=now,
                opened_by="detector",
                actor="detector",
                reason=explanation["reason"],
                regions=regions,
                status="suspected",
                explanation=explanation,
            )
        )
    return changed


def _regional_spike(
    session: Session,
    model: str,
    service: Service,
    complaints: Sequence[Complaint],
    baseline: Baseline,
    rules: SpikeRules,
    *,
    now: datetime,
) -> tuple[Spike, str] | None:
    """A spike in one region against that region's usual number, when the service's national
    number hides it (a Hamburg outage at a big operator's busy hour)."""
    by_region: dict[str, list[Complaint]] = defaultdict(list)
    for complaint in complaints:
        for region in set(find_regions(complaint.text, complaint.location)):
            by_region[region].append(complaint)
    per_region = {
        region: counts(found, now, rules.window, rules.persistence)
        for region, found in by_region.items()
    }
    candidates = {r: pair for r, pair in per_region.items() if min(pair) >= rules.min_complaints}
    if not candidates:
        return None
    samples = region_samples(
        session, model=model, service=service, baseline=baseline, window=rules.window
    )
    for region, pair in sorted(candidates.items(), key=lambda item: -min(item[1])):
        history = samples.get(region, [0.0] * len(baseline.spans))
        usual = median(history) if history else rules.prior_per_window
        spike = first_spike({rules.window: pair}, usual, rules)
        if spike is not None:
            return replace(spike, national=False), region
    return None


def _extend(
    session: Session,
    incident: Incident,
    service: Service,
    regions: Sequence[str],
    authors: int,
    *,
    now: datetime,
) -> bool:
    """Grow an open incident with a new spike; whether anything the team sees changed."""
    assert incident.id is not None
    widened = bool(set(regions) - set(incident.regions))
    if widened:
        incidents.update_incident(
            session,
            incident.id,
            now=now,
            actor="detector",
            regions=regions,
            reason=f"complaints now also from {', '.join(regions)}",
        )
    updated: dict[str, Any] = dict(incident.explanation)
    updated["peak_complainers"] = max(int(updated.get("peak_complainers", 0)), authors)
    updated["last_spike_at"] = now.isoformat()
    also = list(updated.get("also_services", []))
    new_service = service.value != incident.service and service.value not in also
    if new_service:
        updated["also_services"] = [*also, service.value]
    incident.explanation = updated  # a new dict: the JSON column sees the change
    session.add(incident)
    return widened or new_service


def _card(
    service: Service,
    complaints: Sequence[Complaint],
    spike: Spike,
    baseline: Baseline,
    rules: SpikeRules,
    *,
    now: datetime,
    region: str | None = None,
) -> dict[str, Any]:
    minutes = int(spike.window.total_seconds() // 60)
    where = f" in {region}" if region else ""
    persistence = int(rules.persistence.total_seconds() // 60)
    region_counts = _region_counts(complaints)
    return {
        "reason": (
            f"{spike.authors} customers{where} complained about {service.value} in the last "
            f"{minutes} min ({spike.earlier} in the {minutes} min to {persistence} min ago); "
            f"usual{where} for this hour of the week {spike.usual:.1f}, "
            f"threshold {spike.threshold:.1f}"
        ),
        "detected_at": now.isoformat(),
        "spike_region": region,
        "window_minutes": minutes,
        "complaints": len(complaints),
        "authors": spike.authors,
        "authors_earlier_window": spike.earlier,
        "persistence_minutes": persistence,
        "threshold": round(spike.threshold, 2),
        "ratio_to_usual": round(spike.authors / spike.usual, 1) if spike.usual else None,
        **baseline.as_card(),
        "usual_per_window": round(spike.usual, 2),
        "samples_window_minutes": int(rules.window.total_seconds() // 60),
        "peak_complainers": spike.authors,
        "top_terms": card.top_terms(c.text for c in complaints),
        "regions_count": dict(region_counts.most_common(8)),
        "examples": [card.example(c.external_id, c.at, c.text) for c in complaints[-5:]],
    }


def _complaints_by_service(
    session: Session,
    model: str,
    start: datetime,
    end: datetime,
    own_authors: Sequence[str],
) -> dict[Service, list[Complaint]]:
    query = (
        sa_select(
            col(Comment.external_id),
            col(Comment.author),
            col(Comment.text),
            col(Comment.location),
            col(Comment.created_at),
            col(Classification.service),
        )
        .where(
            *complaints_filter(model, own_authors),
            col(Classification.service).is_not(None),
            col(Comment.created_at) > start,
            col(Comment.created_at) <= end,
        )
        .order_by(col(Comment.created_at), col(Comment.id))
    )
    found: dict[Service, list[Complaint]] = defaultdict(list)
    for external_id, author, text, location, at, service in session.connection().execute(query):
        if service is not None:  # plain columns, no ORM objects: this runs on every batch
            found[Service(service)].append(Complaint(external_id, author, text, location, at))
    return found


def _region_counts(complaints: Sequence[Complaint]) -> Counter[str]:
    named: Counter[str] = Counter()
    for complaint in complaints:
        named.update(set(find_regions(complaint.text, complaint.location)))
    return named


def _regions(complaints: Sequence[Complaint]) -> list[str]:
    named = _region_counts(complaints)
    # A region must stand out: a national outage has complainers everywhere, a few of them in
    # any one city, and is not a "Bremen outage" because two people there said so.
    floor = max(3, round(0.15 * len(complaints)))
    return [region for region, n in named.most_common() if n >= floor]
