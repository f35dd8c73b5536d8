"""The detector on generated traffic, on a virtual clock: quiet weeks stay quiet, outages are
found fast. ``benchmarks/detection.py`` measures the same through the real classifier."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from crisis.db import session_scope
from crisis.detection.detector import SpikeRules
from crisis.domain import Service
from crisis.replay import traffic
from crisis.tables import Incident

MONDAY = datetime(2017, 5, 7, 22, 0, tzinfo=UTC)  # Monday 8 May, 00:00 in Berlin
RULES = SpikeRules()  # the shipped defaults


def store(engine, generated):
    with session_scope(engine) as session:
        traffic.store(session, generated)


def peak_complainers(generated, service, window):
    times = [(g.at, g.author) for g in generated if g.service == service]
    return max(len({a for t, a in times if end - window < t <= end}) for end, _ in times)


def run_detector(engine, start, end, step):
    return traffic.scan(engine, start=start, end=end, step=step, rules=RULES)


def test_a_generated_week_of_ordinary_traffic_opens_no_incident(engine):
    week = traffic.ordinary_traffic(MONDAY, 7, volume=3.0, seed=12)
    # Busy enough that the floor alone would not keep it quiet: evenings cross it.
    assert peak_complainers(week, Service.INTERNET, RULES.window) > RULES.min_complaints
    store(engine, week)
    assert run_detector(engine, MONDAY, MONDAY + timedelta(days=7), timedelta(minutes=5)) == []


def test_a_real_outage_opens_an_incident_within_ten_simulated_minutes(engine):
    history = traffic.ordinary_traffic(MONDAY, 3, volume=3.0, seed=12)
    # Wednesday 19:00 Berlin, a busy hour (about 11 internet complaints an hour): DSL fails in
    # Hamburg and 4 customers a minute complain.
    spike_start = MONDAY + timedelta(days=2, hours=17)
    spike = traffic.outage(spike_start, timedelta(hours=1), per_hour=240, regions=["Hamburg"])
    store(engine, sorted(history + spike, key=lambda g: g.at))
    before, after = spike_start - timedelta(hours=2), spike_start + timedelta(minutes=30)
    opened = run_detector(engine, before, after, timedelta(minutes=1))
    assert [service for _, service in opened] == ["internet"]
    assert opened[0][0] - spike_start <= timedelta(minutes=10)
    with session_scope(engine) as session:
        [incident] = session.exec(select(Incident)).all()
    assert incident.regions == ["Hamburg"]
