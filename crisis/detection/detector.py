"""Spike detection: open an incident when complaints about one service pile up.

For each service, the customers complaining in the last window (each counted once, so one angry
customer is not an outage) are compared with the usual number for this hour of the week
(``crisis.detection.baseline``). Two stages, because holding a marketing post by mistake costs
nothing and cheerful marketing during an outage is the failure this tool exists to prevent:

- **suspected** as soon as the count is significant against the usual number: at least
  ``suspect_min_complaints`` customers (a floor of a few when the usual number is near zero),
  ``suspect_ratio`` times the usual number, and a count ordinary (Poisson) traffic reaches less
  often than ``suspect_significance``. A suspicion holds marketing at once and alerts the team;
  customers hear nothing of it. With no such evidence for ``dismiss_after`` it is dismissed
  (``crisis.incidents.dismiss_faded``) and the posts it held go back on the schedule.
- **confirmed** (``investigating``) at the stronger evidence: ``min_complaints``, ``ratio``
  times the usual number, ``significance``, and persistence (the window that ended
  ``persistence`` earlier was over the threshold too, so one noisy minute confirms nothing).

Both are checked in the main window and in a shorter ``fast_window`` (a sharp outage at a busy
hour), and, when the service's national number hides it, per region against that region's usual
number (a Hamburg outage at a big operator's busy hour). The arithmetic lives in
``crisis.detection.spikes``, which other service may join an incident in
``crisis.detection.joining``.

Detection runs on the comments' own times (``at``), not the wall clock (``now``): an import of
an old export finds the spike when it happened, and the card says how late it was found.

Complaints that blame us for another company's outage (``third_party``: "WhatsApp geht nicht")
never count. One outage is one incident: a spike on a service with an open incident extends it
(regions merged, the card's peak updated), and so does a spike of a related service in the same
regions (internet, phone and TV at home go down together; "mobile" complaints that speak of DSL
are a labelling error); after an incident is resolved, a cool-down keeps the tail of the same
outage from opening a second one; a later new incident links to the previous one of its service.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlmodel import Session

from crisis import incidents
from crisis.detection import card
from crisis.detection.baseline import Baseline, region_samples, usual_complainers
from crisis.detection.complaints import recent_complaints
from crisis.detection.joining import incident_to_join
from crisis.detection.regions import find_regions
from crisis.detection.spikes import (
    Complaint,
    Spike,
    SpikeRules,
    counts,
    first_spike,
)
from crisis.domain import Service
from crisis.tables import Incident

__all__ = ["SpikeRules", "detect"]

LATE = timedelta(minutes=2)  # found later than this after the spike: the card says so


@dataclass(frozen=True, slots=True)
class Evidence:
    suspect: Spike  # the suspected stage's evidence (a confirmation is one too)
    confirm: Spike | None
    regions: list[str]
    complaints: list[Complaint]  # in the main window
    baseline: Baseline


def detect(
    session: Session,
    *,
    model: str,
    now: datetime,
    rules: SpikeRules,
    own_authors: Sequence[str] = (),
    at: datetime | None = None,
) -> list[Incident]:
    """Open, confirm, extend or dismiss incidents by the complaints up to ``at`` (the comments'
    own time; default ``now``, the wall clock, which audits and holds use)."""
    at = now if at is None else at
    changed: list[Incident] = []
    if rules.suspecting:
        changed += incidents.dismiss_faded(
            session, now=now, at=at, after=rules.dismiss_after, late_up_to=rules.release_late_up_to
        )
    start = at - rules.window - rules.persistence
    recent = recent_complaints(session, model, start, at, own_authors)
    # The most complained-about service first: its incident is the one others may join.
    for service, complaints in sorted(recent.items(), key=lambda item: -len(item[1])):
        dismissed = incidents.last_dismissed(session, service)
        if dismissed is not None:  # its complaints were no outage: they do not open it again
            seen = incidents.last_evidence_at(dismissed)
            complaints = [c for c in complaints if c.at > seen]
        evidence = _evidence(session, model, service, complaints, rules, at=at, own=own_authors)
        if evidence is None:
            continue
        open_now, why = incident_to_join(session, service, evidence.complaints, evidence.regions)
        if open_now is not None:
            if _extend(session, open_now, service, evidence, why, now=now, at=at):
                changed.append(open_now)
            continue
        previous = incidents.last_resolved(session, service)
        if previous and previous.resolved_at and at - previous.resolved_at < rules.cooldown:
            continue
        explanation = _card(service, evidence, rules, now=now, at=at)
        incident = incidents.open_incident(
            session,
            service=service,
            now=now,
            opened_at=at,
            opened_by="detector",
            actor="detector",
            reason=explanation["reason"],
            regions=evidence.regions,
            status="suspected",
            explanation=explanation,
        )
        if evidence.confirm is not None:
            _confirm(session, incident, evidence.confirm, now=now, at=at)
        changed.append(incident)
    return list({id(incident): incident for incident in changed}.values())  # each once


def _evidence(
    session: Session,
    model: str,
    service: Service,
    complaints: Sequence[Complaint],
    rules: SpikeRules,
    *,
    at: datetime,
    own: Sequence[str],
) -> Evidence | None:
    """What the complaints of ``service`` up to ``at`` say: nothing, a suspicion, or more."""
    current = [c for c in complaints if c.at > at - rules.window]
    windows = [rules.window, *([rules.fast_window] if rules.fast_window else [])]
    per_window = {w: counts(complaints, at, w, rules.persistence) for w in windows}
    suspect_rules = rules.for_suspicion() if rules.suspecting else rules
    if rules.suspecting and _one_city(current):
        floor = min(rules.suspect_one_city_min_complaints, suspect_rules.min_complaints)
        chance = max(rules.suspect_one_city_significance, suspect_rules.significance)
        suspect_rules = replace(suspect_rules, min_complaints=floor, significance=chance)
    floor = min(suspect_rules.min_complaints, rules.min_complaints)
    if all(pair[0] < floor for pair in per_window.values()):
        return None  # below the floor whatever the usual number: skip the history queries
    baseline = usual_complainers(
        session,
        model=model,
        service=service,
        now=at,
        window=rules.window,
        history=rules.history,
        cooldown=rules.cooldown,
        prior_per_window=rules.prior_per_window,
        prior_weight=rules.prior_weight,
        own_authors=own,
    )
    regions = _regions(current)
    confirm = first_spike(per_window, baseline.usual, rules)
    suspect = None
    if rules.suspecting:
        now_only = {w: (pair[0], pair[0]) for w, pair in per_window.items()}
        observed = baseline.observed
        suspect = first_spike(now_only, baseline.usual if observed is None else observed,
                              suspect_rules)  # fmt: skip
    if confirm is None and suspect is None:
        region_rules = replace(
            suspect_rules,
            min_complaints=max(suspect_rules.min_complaints, rules.suspect_region_min_complaints),
        )
        stages = [rules, *([region_rules] if rules.suspecting else [])]
        local = _regional_spike(session, model, service, complaints, baseline, stages, at=at)
        if local is None:
            return None
        spike, region, stage = local
        regions = [region]
        if stage == 0:
            confirm = spike
        suspect = spike
    chosen = suspect if suspect is not None else confirm
    if chosen is None:
        return None
    return Evidence(chosen, confirm, regions, current, baseline)


def _regional_spike(
    session: Session,
    model: str,
    service: Service,
    complaints: Sequence[Complaint],
    baseline: Baseline,
    stages: Sequence[SpikeRules],
    *,
    at: datetime,
) -> tuple[Spike, str, int] | None:
    """A spike in one region against that region's usual number, when the service's national
    number hides it (a Hamburg outage at a big operator's busy hour): (spike, region, which of
    ``stages`` it passed), the strongest stage first."""
    by_region: dict[str, list[Complaint]] = defaultdict(list)
    for complaint in complaints:
        for region in set(find_regions(complaint.text, complaint.location)):
            by_region[region].append(complaint)
    floor = min(stage.min_complaints for stage in stages)
    per_region = {
        region: counts(found, at, stages[0].window, stages[0].persistence)
        for region, found in by_region.items()
        if len(found) >= floor
    }
    if not any(pair[0] >= floor for pair in per_region.values()):
        return None
    samples = region_samples(
        session, model=model, service=service, baseline=baseline, window=stages[0].window
    )
    for number, stage in enumerate(stages):
        for region, pair in sorted(per_region.items(), key=lambda item: -item[1][0]):
            history = samples.get(region, [0.0] * len(baseline.spans))
            usual = median(history) if history else stage.prior_per_window
            if stage.persistence == timedelta(0):
                pair = (pair[0], pair[0])
            spike = first_spike({stage.window: pair}, usual, stage)
            if spike is not None:
                return replace(spike, national=False), region, number
    return None


def _confirm(
    session: Session, incident: Incident, spike: Spike, *, now: datetime, at: datetime
) -> None:
    minutes = int(spike.window.total_seconds() // 60)
    updated = dict(incident.explanation)
    updated["confirmed_reason"] = (
        f"{spike.authors} customers in the last {minutes} min ({spike.earlier} in the window "
        f"before), usual {spike.usual:.1f}, threshold {spike.threshold:.1f}"
    )
    updated["confirmed_on_evidence_at"] = at.isoformat()
    incident.explanation = updated
    assert incident.id is not None
    incidents.confirm_incident(
        session, incident.id, now=now, actor="detector", reason=updated["confirmed_reason"]
    )


def _extend(
    session: Session,
    incident: Incident,
    service: Service,
    evidence: Evidence,
    why: str | None,
    *,
    now: datetime,
    at: datetime,
) -> bool:
    """Grow an open incident with new evidence; whether anything the team sees changed."""
    assert incident.id is not None
    regions = evidence.regions
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
    if evidence.suspect.authors > int(updated.get("peak_complainers", 0)):
        # A new peak: the words, places and examples the team reads grow with the evidence.
        updated["peak_complainers"] = evidence.suspect.authors
        complaints = evidence.complaints
        updated["top_terms"] = card.top_terms(c.text for c in complaints)
        named = _region_counts(complaints)
        updated["regions_count"] = dict(named.most_common(8))
        updated["confidence"] = card.confidence(
            [c.text for c in complaints], named, evidence.suspect.authors
        )
        updated["examples"] = [card.example(c.external_id, c.at, c.text) for c in complaints[-5:]]
    updated["last_spike_at"] = at.isoformat()
    newest = max(c.at for c in evidence.complaints)
    if newest > incidents.last_evidence_at(incident):
        updated["last_evidence_at"] = newest.isoformat()
    also = list(updated.get("also_services", []))
    new_service = service.value != incident.service and service.value not in also
    if new_service:
        updated["also_services"] = [*also, service.value]
        joined = list(updated.get("joined", []))
        updated["joined"] = [*joined, {"service": service.value, "why": why, "at": at.isoformat()}]
    incident.explanation = updated  # a new dict: the JSON column sees the change
    session.add(incident)
    confirmed = False
    if incident.status == "suspected" and evidence.confirm is not None and why is None:
        _confirm(session, incident, evidence.confirm, now=now, at=at)
        confirmed = True
    return widened or new_service or confirmed


def _card(
    service: Service, evidence: Evidence, rules: SpikeRules, *, now: datetime, at: datetime
) -> dict[str, Any]:
    spike, complaints = evidence.confirm or evidence.suspect, evidence.complaints
    minutes = int(spike.window.total_seconds() // 60)
    region = None if spike.national else evidence.regions[0]
    where = f" in {region}" if region else ""
    persistence = int(rules.persistence.total_seconds() // 60)
    counted = [c for c in complaints if c.at > at - spike.window]
    span = max(1, round((at - min(c.at for c in counted)).total_seconds() / 60)) if counted else 0
    late = now - at
    found_late = f" (found {round(late.total_seconds() / 60)} min late)" if late > LATE else ""
    if evidence.confirm is None:
        reason = (
            f"possible {service.value} outage{where}: {spike.authors} customers in {span} min, "
            f"usual {spike.usual:.1f} per {minutes} min, threshold {spike.threshold:.1f}"
        )
    else:
        reason = (
            f"{spike.authors} customers{where} complained about {service.value} in the last "
            f"{minutes} min ({spike.earlier} in the {minutes} min to {persistence} min ago); "
            f"usual{where} for this hour of the week {spike.usual:.1f}, "
            f"threshold {spike.threshold:.1f}"
        )
    return {
        "reason": reason + found_late,
        "stage": "suspected" if evidence.confirm is None else "confirmed",
        "detected_at": now.isoformat(),
        "spike_at": at.isoformat(),
        "found_late_minutes": round(late.total_seconds() / 60) if late > LATE else None,
        # The newest complaint behind the evidence: with none newer for ``dismiss_after``,
        # the suspicion is dismissed.
        "last_evidence_at": max(c.at for c in complaints).isoformat(),
        "spike_region": region,
        "window_minutes": minutes,
        "complaints": len(complaints),
        "authors": spike.authors,
        "authors_earlier_window": spike.earlier,
        "persistence_minutes": persistence,
        "threshold": round(spike.threshold, 2),
        "ratio_to_usual": round(spike.authors / spike.usual, 1) if spike.usual else None,
        **evidence.baseline.as_card(),
        "usual_per_window": round(spike.usual, 2),
        "samples_window_minutes": int(rules.window.total_seconds() // 60),
        "peak_complainers": spike.authors,
        "top_terms": card.top_terms(c.text for c in complaints),
        "regions_count": dict(_region_counts(complaints).most_common(8)),
        "confidence": card.confidence(
            [c.text for c in complaints], _region_counts(complaints), spike.authors
        ),
        "examples": [card.example(c.external_id, c.at, c.text) for c in complaints[-5:]],
    }


def _region_counts(complaints: Sequence[Complaint]) -> Counter[str]:
    named: Counter[str] = Counter()
    for complaint in complaints:
        named.update(set(find_regions(complaint.text, complaint.location)))
    return named


def _one_city(complaints: Sequence[Complaint]) -> bool:
    """Whether most customers complaining name one city: several neighbours are stronger
    evidence of an outage than as many complaints from all over the country."""
    authors = {c.author.casefold() for c in complaints}
    if not authors:
        return False
    named: Counter[str] = Counter()
    for author in authors:
        places = {r for c in complaints if c.author.casefold() == author
                  for r in find_regions(c.text, c.location)}  # fmt: skip
        named.update(places)
    top = named.most_common(1)
    return bool(top) and top[0][1] >= max(2, 2 * len(authors) / 3)


def _regions(complaints: Sequence[Complaint]) -> list[str]:
    named = _region_counts(complaints)
    # A region must stand out: a national outage has complainers everywhere, a few of them in
    # any one city, and is not a "Bremen outage" because two people there said so.
    floor = max(3, round(0.15 * len(complaints)))
    return [region for region, n in named.most_common() if n >= floor]
