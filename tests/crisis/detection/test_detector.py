from datetime import timedelta

from crisis import incidents
from crisis.classify import to_row
from crisis.db import session_scope
from crisis.detection.detector import SpikeRules, detect
from crisis.domain import Service
from crisis.ingest import store_comments
from tests.factories import T0, complaint, make_comment

MINUTE = timedelta(minutes=1)

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


def test_a_spike_of_third_party_blame_opens_no_incident(engine):
    with session_scope(engine) as session:
        comments = [
            make_comment(text="WhatsApp geht nicht", author=f"w{i}", created_at=T0 + i * MINUTE)
            for i in range(20)
        ]
        for cid in store_comments(session, comments, now=T0):
            labels = complaint(Service.MOBILE, third_party="whatsapp")
            session.add(to_row(cid, labels, now=T0))
    assert run_detector(engine, T0 + timedelta(minutes=20)) == []


def test_one_noisy_minute_is_not_an_outage(engine):
    add_complaints(engine, T0 + timedelta(minutes=9), 6, spacing=timedelta(seconds=5))
    assert run_detector(engine, T0 + timedelta(minutes=10)) == []  # not there 3 min earlier


def test_the_card_says_why_with_counts_terms_and_examples(engine):
    add_complaints(engine, T0, 6, location="Hamburg", text="Router blinkt rot, kein DSL")
    [incident] = run_detector(engine, T0 + timedelta(minutes=10))
    card = incident.explanation
    assert card["authors"] == 6 and card["window_minutes"] == 30
    assert "6 customers complained about internet" in card["reason"]
    assert ["router", 6] in card["top_terms"] and ["dsl", 6] in card["top_terms"]
    assert [e["text"] for e in card["examples"]] == ["Router blinkt rot, kein DSL"] * 5
    assert card["regions_count"] == {"Hamburg": 6}


def test_a_phone_spike_during_a_dsl_outage_joins_it_instead_of_a_second_incident(engine):
    add_complaints(engine, T0, 6, location="Hamburg")
    [dsl] = run_detector(engine, T0 + timedelta(minutes=10))
    add_complaints(engine, T0 + timedelta(minutes=11), 6, service=Service.PHONE, location="München")
    [joined] = run_detector(engine, T0 + timedelta(minutes=20))
    assert joined.id == dsl.id
    assert joined.regions == ["Hamburg", "München"]
    assert joined.explanation["also_services"] == ["phone"]


def test_a_recurring_outage_links_to_the_previous_incident_of_its_service(engine):
    add_complaints(engine, T0, 6)
    [first] = run_detector(engine, T0 + timedelta(minutes=10))
    with session_scope(engine) as session:
        incidents.resolve_incident(session, first.id, now=T0 + timedelta(minutes=30), actor="lena")
    later = T0 + timedelta(hours=5)
    add_complaints(engine, later, 8)
    [second] = run_detector(engine, later + timedelta(minutes=10))
    assert second.previous_incident_id == first.id
    with session_scope(engine) as session:
        chain = incidents.earlier_incidents(session, incidents.get_incident(session, second.id))
    assert [i.id for i in chain] == [first.id]


def test_the_usual_number_is_learned_per_hour_of_the_week(engine):
    """Sunday evenings are busy every week: 12 complainers are normal then, not at night."""
    rules = SpikeRules(min_complaints=5, ratio=3.0, significance=1.0)
    sunday_evening = T0 + timedelta(days=1, hours=10)  # Sunday 14 May, 20:00 in Berlin
    for weeks in (1, 2, 3):  # about 10 complainers per half hour around 20:00
        add_complaints(
            engine, sunday_evening - timedelta(weeks=weeks, minutes=65), 32, spacing=MINUTE * 3
        )
    add_complaints(engine, sunday_evening - timedelta(minutes=25), 12, spacing=MINUTE * 2)
    with session_scope(engine) as session:
        assert detect(session, model="keywords.test", now=sunday_evening, rules=rules) == []
    night = sunday_evening + timedelta(hours=7)
    add_complaints(engine, night - timedelta(minutes=25), 12, spacing=MINUTE * 2)
    with session_scope(engine) as session:
        [incident] = detect(session, model="keywords.test", now=night, rules=rules)
    assert incident.explanation["same_hour_earlier_weeks"] == [0, 0, 0]
    assert incident.explanation["same_hour_earlier_days"] == []  # three weeks are enough


def test_a_local_outage_hidden_in_busy_national_traffic_is_found_in_its_region(engine):
    now = T0 + timedelta(days=1)
    yesterday = now - timedelta(days=1)
    add_complaints(engine, yesterday - timedelta(minutes=60), 60, spacing=MINUTE * 1.5)
    add_complaints(engine, now - timedelta(minutes=29), 20, spacing=MINUTE * 1.4)
    add_complaints(engine, now - timedelta(minutes=25), 10, spacing=MINUTE * 2, location="Altona")
    # 30 customers nationally are normal here (about 20 per half hour), 10 in Hamburg are not.
    [incident] = run_detector(engine, now)
    assert incident.regions == ["Hamburg"]
    assert incident.explanation["spike_region"] == "Hamburg"
    assert incident.explanation["reason"].startswith(
        "10 customers in Hamburg complained about internet in the last 30 min"
    )
