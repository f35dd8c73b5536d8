"""The numbers of a crisis report, gathered from the database for one period.

``build_report`` runs the grouped queries of ``report_volume``, ``report_response``,
``report_incidents`` and ``report_posts`` and returns plain dataclasses; the HTML, CSV and JSON
writers only format them. Labels come from one model: the configured classifier when it
labelled comments in the period, else the model that labelled the most; every model's label
count is reported, so the reader knows which model said what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from crisis.clock import team_zone
from crisis.replies.sla import Figures, Targets, by_agent, by_incident
from crisis.reports.incidents import Freeze, IncidentReport, freezes_in, incidents_in
from crisis.reports.period import Period
from crisis.reports.posts import Hold, Published, blocking_spans, holds_in, published_during_blocks
from crisis.reports.response import ResponseStats, response_in
from crisis.reports.review import Urgent, follow_ups_by_incident, review_states, urgent_cases
from crisis.reports.volume import TextCounts, Volume, label_counts, text_counts, volume
from crisis.settings import get_settings


@dataclass
class Report:
    period: Period
    generated_at: datetime
    timezone: str
    model: str | None  # the model whose labels the report uses
    models: list[tuple[str, int]]  # every model that labelled the period's comments
    volume: Volume
    text: TextCounts
    incidents: list[IncidentReport]
    freezes: list[Freeze]
    response: ResponseStats
    response_by_incident: dict[int, ResponseStats]  # complaints while open, within the period
    replies: dict[str, dict[str, int]]
    follow_ups_by_incident: dict[int, dict[str, int]]
    urgent: Urgent
    holds: list[Hold]
    published_during: list[Published]
    sla_targets: Targets
    sla_agents: list[Figures]  # first responses against the targets, per agent and incident
    sla_incidents: list[Figures]

    @property
    def almost_published(self) -> list[Hold]:
        return sorted((h for h in self.holds if h.almost_published), key=lambda h: h.margin)

    @property
    def empty(self) -> bool:
        return self.volume.comments == 0


def pick_model(models: Sequence[tuple[str, int]], configured: str | None) -> str | None:
    """The configured classifier if it labelled anything in the period, else the busiest."""
    names = [name for name, _ in models]
    if configured in names:
        return configured
    return names[0] if names else None


def build_report(
    session: Session,
    period: Period,
    *,
    now: datetime,
    classifier: str | None = None,
    own_authors: Sequence[str] = (),
    targets: Targets | None = None,
) -> Report:
    models = label_counts(session, period, own_authors)
    model = pick_model(models, classifier)
    counted = volume(session, period, model, own_authors)
    incidents = incidents_in(session, period, model, own_authors, now=now)
    per_incident = {}
    for incident in incidents:
        while_open = Period(
            start=max(incident.opened_at, period.start),
            end=min(incident.resolved_at or now, period.end),
        )
        per_incident[incident.id] = response_in(
            session, while_open, model, own_authors, services=incident.services
        )
    spans = blocking_spans(session)
    targets = targets or Targets.from_settings(get_settings())
    arrived = (period.start, period.end)
    return Report(
        period=period,
        generated_at=now,
        timezone=team_zone().key,
        model=model,
        models=models,
        volume=counted,
        text=text_counts(session, period, model, own_authors, complaints=counted.complaints),
        incidents=incidents,
        freezes=freezes_in(session, period),
        response=response_in(session, period, model, own_authors),
        response_by_incident=per_incident,
        replies=review_states(session, period, own_authors),
        follow_ups_by_incident=follow_ups_by_incident(session, [i.id for i in incidents]),
        urgent=urgent_cases(session, period, model, own_authors),
        holds=holds_in(session, period, spans),
        published_during=published_during_blocks(session, period, spans),
        sla_targets=targets,
        sla_agents=by_agent(session, targets, now=now, arrived=arrived),
        sla_incidents=by_incident(session, targets, now=now, arrived=arrived),
    )
