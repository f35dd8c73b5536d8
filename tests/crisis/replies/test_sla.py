"""First-response targets: per priority in the queue, per agent and per incident, checked
against counts made by hand."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from crisis.db import session_scope
from crisis.replies import queue, sla
from tests.crisis.replies.test_queue import pending_item, with_incident

T = datetime(2017, 5, 13, 8, 0, tzinfo=UTC)  # 10:00 Berlin
NOW = T + timedelta(minutes=90)
TARGETS = sla.Targets(
    urgent=timedelta(minutes=30), incident=timedelta(minutes=60), other=timedelta(minutes=240)
)


def a_morning(engine) -> dict[str, int]:
    """By hand: lena answered one urgent item in 20 min; tom one urgent in 45 min (late) and
    one incident reply in 30 min, and rejected one; an incident reply waits 90 min (late), an
    other one 30 min."""
    incident = with_incident(engine)
    ids = {
        "a": pending_item(engine, urgency_rank=0, arrived_at=T),
        "b": pending_item(engine, urgency_rank=0, arrived_at=T),
        "c": pending_item(engine, urgency_rank=1, arrived_at=T, incident_id=incident),
        "d": pending_item(engine, urgency_rank=1, arrived_at=T, incident_id=incident),
        "e": pending_item(engine, urgency_rank=2, arrived_at=T + timedelta(minutes=60)),
        "f": pending_item(engine, urgency_rank=2, arrived_at=T),
    }
    with session_scope(engine) as session:
        queue.approve(session, ids["a"], actor="lena", now=T + timedelta(minutes=20))
        queue.approve(session, ids["b"], actor="tom", now=T + timedelta(minutes=45))
        queue.approve(session, ids["c"], actor="tom", now=T + timedelta(minutes=30))
        queue.reject(session, ids["f"], actor="tom", now=T + timedelta(minutes=5))
    return ids


def test_the_queue_counts_waiting_and_overdue_items_per_priority(engine):
    ids = a_morning(engine)
    with session_scope(engine) as session:
        status = {w.priority: w for w in sla.queue_status(session, TARGETS, now=NOW)}
    assert (status["urgent"].pending, status["urgent"].breached) == (0, 0)
    incident = status["incident"]
    assert (incident.pending, incident.breached, incident.oldest_id) == (1, 1, ids["d"])
    assert incident.oldest_left == -timedelta(minutes=30)
    other = status["other"]
    assert (other.pending, other.breached, other.oldest_id) == (1, 0, ids["e"])
    assert other.oldest_left == timedelta(minutes=210)


def test_figures_per_agent_and_per_incident_match_the_hand_count(engine):
    a_morning(engine)
    with session_scope(engine) as session:
        agents = sla.by_agent(session, TARGETS, now=NOW)
        incidents = sla.by_incident(session, TARGETS, now=NOW)
    minutes = timedelta(minutes=1)
    assert agents == [
        sla.Figures("lena", answered=1, within=1, median=20 * minutes, p90=20 * minutes,
                    breaches=0),
        sla.Figures("tom", answered=2, within=1, median=37.5 * minutes, p90=45 * minutes,
                    breaches=1),
    ]  # fmt: skip
    assert incidents == [
        sla.Figures("#1", answered=1, within=1, median=30 * minutes, p90=30 * minutes,
                    breaches=1),  # the reply still waiting past its hour
    ]  # fmt: skip


def test_business_hours_stop_the_clock_of_other_items_overnight():
    hours = (time(8, 0), time(20, 0))
    evening = datetime(2017, 5, 12, 17, 30, tzinfo=UTC)  # 19:30 Berlin
    morning = datetime(2017, 5, 13, 6, 30, tzinfo=UTC)  # 08:30 Berlin
    assert sla.business_time(evening, morning, hours) == timedelta(hours=1)
    targets = sla.Targets(TARGETS.urgent, TARGETS.incident, TARGETS.other, business_hours=hours)
    assert targets.waited(2, evening, morning) == timedelta(hours=1)
    assert targets.waited(0, evening, morning) == timedelta(hours=13)  # urgent: all night
    assert sla.parse_hours("08:00-20:00") == hours and sla.parse_hours("") is None


def test_the_report_shows_the_same_figures_for_the_comments_of_its_period(engine):
    from crisis.reports.data import build_report
    from crisis.reports.export import to_csv
    from crisis.reports.html import render_html
    from crisis.reports.period import Period

    a_morning(engine)
    with session_scope(engine) as session:
        report = build_report(session, Period(start=T - timedelta(hours=1), end=NOW), now=NOW,
                              targets=TARGETS)  # fmt: skip
        later = build_report(session, Period(start=T + timedelta(minutes=1), end=NOW), now=NOW,
                             targets=TARGETS)  # fmt: skip
    assert [(f.name, f.answered, f.within, f.breaches) for f in report.sla_agents] == [
        ("lena", 1, 1, 0),
        ("tom", 2, 1, 1),
    ]
    assert [(f.name, f.breaches) for f in report.sla_incidents] == [("#1", 1)]
    assert later.sla_agents == [] and later.sla_incidents == []  # those arrived before it
    html = render_html(report)
    assert '<section id="sla">' in html and "<td>tom</td>" in html
    assert "sla_agent,tom,breaches,1" in to_csv(report)


def test_an_other_item_left_overnight_is_not_overdue_under_business_hours(engine):
    evening = datetime(2017, 5, 12, 17, 30, tzinfo=UTC)  # 19:30 Berlin
    morning = datetime(2017, 5, 13, 6, 30, tzinfo=UTC)  # 08:30 Berlin: 1 business hour later
    pending_item(engine, urgency_rank=2, arrived_at=evening)
    pending_item(engine, urgency_rank=2, arrived_at=evening - timedelta(days=1))  # 13 h
    hours = sla.Targets(TARGETS.urgent, TARGETS.incident, TARGETS.other,
                        business_hours=(time(8, 0), time(20, 0)))  # fmt: skip
    with session_scope(engine) as session:
        other = sla.queue_status(session, hours, now=morning)[2]
        around_the_clock = sla.queue_status(session, TARGETS, now=morning)[2]
    assert (other.pending, other.breached) == (2, 1)
    assert around_the_clock.breached == 2
