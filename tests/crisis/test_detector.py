from datetime import timedelta

from crisis import incidents
from crisis.classify import to_row
from crisis.db import session_scope
from crisis.detector import SpikeRules, detect
from crisis.domain import Service
from crisis.ingest import store_comments
from tests.factories import T0, complaint, make_comment

RULES = SpikeRules(
    window=timedelta(minutes=30),
    min_complaints=5,
    ratio=3.0,
    history=timedelta(days=1),
    cooldown=timedelta(hours=2),
    significance=1.0,  # no Poisson term: these tests are about the floor and the ratio
)


def add_complaints(
    engine,
    start,
    count,
    *,
    service=Service.INTERNET,
    spacing=timedelta(minutes=1),
    location=None,
    text="Kein Internet",
):
    with session_scope(engine) as session:
        comments = [
            make_comment(
                created_at=start + i * spacing,
                text=text,
                location=location,
                author=f"{start:%H%M}-{i}",
            )
            for i in range(count)
        ]
        ids = store_comments(session, comments, now=start)
        for cid in ids:
            session.add(to_row(cid, complaint(service), now=start))


def run_detector(engine, now):
    with session_scope(engine) as session:
        return detect(session, model="keywords.test", now=now, rules=RULES)


def test_spike_opens_a_suspected_incident_with_the_regions_customers_name(engine):
    add_complaints(engine, T0, 6, location="Hamburg-Altona")
    [incident] = run_detector(engine, T0 + timedelta(minutes=10))
    assert (incident.service, incident.status, incident.opened_by) == (
        "internet",
        "suspected",
        "detector",
    )
    assert incident.regions == ["Hamburg"]
    assert incident.explanation["authors"] == 6 and incident.explanation["threshold"] == 5.0


def test_a_busy_service_needs_a_bigger_spike_than_a_quiet_one(engine):
    # A day of 4 complaints per half hour is this service's normal: 12 per window are needed.
    add_complaints(engine, T0 - timedelta(hours=23), 4 * 46, spacing=timedelta(minutes=7.5))
    now = T0 + timedelta(minutes=30)
    add_complaints(engine, T0 + timedelta(minutes=1), 8)
    assert run_detector(engine, now) == []
    add_complaints(engine, T0 + timedelta(minutes=10), 5)
    assert [i.service for i in run_detector(engine, now)] == ["internet"]


def test_tail_of_a_resolved_outage_does_not_reopen_it_within_the_cool_down(engine):
    add_complaints(engine, T0, 6)
    [incident] = run_detector(engine, T0 + timedelta(minutes=10))
    with session_scope(engine) as session:
        incidents.resolve_incident(
            session, incident.id, now=T0 + timedelta(minutes=20), actor="lena"
        )
    add_complaints(engine, T0 + timedelta(minutes=40), 6)
    assert run_detector(engine, T0 + timedelta(minutes=50)) == []
    # The earlier outage now counts in the usual rate (12 in 5.3 windows): 7 are needed.
    add_complaints(engine, T0 + timedelta(hours=3), 7)
    [again] = run_detector(engine, T0 + timedelta(hours=3, minutes=10))
    assert again.id != incident.id


def test_an_open_incident_grows_its_regions_instead_of_a_second_incident(engine):
    add_complaints(engine, T0, 6, location="Hamburg")
    [incident] = run_detector(engine, T0 + timedelta(minutes=10))
    add_complaints(engine, T0 + timedelta(minutes=11), 6, location="München")
    [widened] = run_detector(engine, T0 + timedelta(minutes=20))
    assert widened.id == incident.id
    assert widened.regions == ["Hamburg", "München"]
