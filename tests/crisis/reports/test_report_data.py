"""The report's numbers on a small scenario whose every number is counted by hand (see
``report_scenario``), on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest

from crisis.clock import team_zone
from crisis.errors import BadRecord, NotFound
from crisis.reports.data import build_report
from crisis.reports.period import Period, parse_bound, resolve_period
from crisis.tables import ScheduledPost
from tests.crisis.reports import report_scenario as scenario
from tests.crisis.reports.report_scenario import END, MODEL, NOW, OWN, START, at


def _report(session, period=None):
    scenario.build(session)
    period = period or Period(start=START, end=END)
    return build_report(session, period, now=NOW, classifier=MODEL, own_authors=OWN)


def test_volume_and_sentiment_per_hour_count_customers_only(session):
    report = _report(session)
    rows = [
        (b.start.hour, b.comments, b.negative, b.neutral, b.positive, b.unlabelled, b.complaints)
        for b in report.volume.buckets
    ]
    assert report.volume.bucket == "hour"
    assert rows == [
        (8, 4, 3, 1, 0, 0, 3),  # c1, c2, c4, c3 (Nordtel's post left out)
        (9, 5, 3, 1, 1, 0, 3),
        (10, 3, 3, 0, 0, 0, 3),
        (11, 1, 0, 0, 0, 1, 0),  # c12 ("@nordtel" at 11:30 left out)
    ]
    assert (report.volume.comments, report.volume.labelled, report.volume.complaints) == (13, 12, 9)
    assert report.volume.third_party == 1
    assert report.volume.sentiment == {"negative": 9, "neutral": 2, "positive": 1}


def test_labels_come_from_the_configured_model_and_every_model_is_named(session):
    report = _report(session)
    assert report.model == MODEL
    assert report.models == [(MODEL, 12), ("other.v0", 1)]


def test_complaints_by_service_region_and_top_terms(session):
    report = _report(session)
    assert report.volume.services == [("internet", 7), ("mobile", 1), ("phone", 1)]
    assert report.text.regions == [("Hamburg", 2), ("München", 1)]
    assert report.text.no_region == 6 and report.text.other_regions == 0
    assert not report.text.sampled
    assert report.text.terms == [("internet", 4), ("router", 3), ("hamburg", 2)]


def test_a_complaint_is_answered_by_a_reply_or_follow_up_to_its_author_at_or_after_it(session):
    report = _report(session)
    overall = report.response.complaints
    # c5 20, c1 30, c14 51 (follow-up), c4 85 (Ole's reply to c2), c2 90, c9 120 min; c6 rejected,
    # c10 pending, c13 on X while Max's answers went out on Facebook
    assert (overall.total, overall.answered, overall.within_hour) == (9, 6, 3)
    assert overall.median == timedelta(minutes=68)  # (51 + 85) / 2
    assert overall.p90 == timedelta(minutes=120)
    assert overall.answered_share == pytest.approx(6 / 9)
    assert overall.within_hour_share == pytest.approx(3 / 9)
    assert (report.response.start, report.response.end) == (START, END)


def test_customers_answered_count_from_their_first_complaint(session):
    people = _report(session).response.customers
    # Jana 30, Eva 51, Ole 90, Max 120 min; Max on X, c6's and c10's authors not answered
    assert (people.total, people.answered, people.within_hour) == (7, 4, 2)
    assert people.median == timedelta(minutes=70, seconds=30)
    assert people.p90 == timedelta(minutes=120)


def test_incident_response_covers_its_open_span_within_the_period(session):
    during = _report(session).response_by_incident[1]
    assert (during.start, during.end) == (at("08:30"), at("10:30"))
    # c5 20, c14 51, c9 120 min; c13 (X) not answered; c6 is mobile, not the incident's
    assert (during.complaints.total, during.complaints.answered) == (4, 3)
    assert during.complaints.within_hour == 2
    assert during.complaints.median == timedelta(minutes=51)
    assert (during.customers.total, during.customers.answered) == (4, 3)


def test_a_partial_period_clips_the_incident_figures_to_the_same_window(session):
    report = _report(session, Period(start=at("09:30"), end=END))
    during = report.response_by_incident[1]
    assert (during.start, during.end) == (at("09:30"), at("10:30"))
    # c14, c9, c13 (c5 at 09:00 is before the period): 2 of 3, not 2 of the 4 while open
    assert (during.complaints.total, during.complaints.answered) == (3, 2)
    assert during.complaints.answered_share == pytest.approx(2 / 3)
    assert during.complaints.median == timedelta(minutes=85, seconds=30)  # (51 + 120) / 2


def test_replies_and_follow_ups_by_state_tell_people_from_the_responder(session):
    report = _report(session)
    assert report.replies["suggested"] == {
        "pending": 1,  # c10
        "approved": 0,
        "sent": 3,  # c1, c2, c5
        "failed": 0,
        "rejected": 0,
        "withdrawn": 2,  # c4 a duplicate, c14 superseded by its follow-up
    }
    assert report.replies["for a human"]["sent"] == 1  # c9
    assert report.replies["for a human"]["rejected"] == 1  # c6, by lena
    assert report.replies["for a human"]["withdrawn"] == 0
    follow_ups = {"pending": 2, "approved": 0, "sent": 1, "failed": 0, "rejected": 1}
    assert report.replies["follow-ups"] == {**follow_ups, "withdrawn": 0}
    assert report.follow_ups_by_incident == {1: {**follow_ups, "withdrawn": 0}}


def test_urgent_cases_with_who_decided(session):
    report = _report(session)
    assert report.urgent.comments == 2
    assert report.urgent.by_reason == {
        "churn": {"rejected": 1, "sent": 1},
        "legal": {"sent": 1},
    }
    assert sorted(report.urgent.handled_by) == [("lena", 1), ("tom", 1)]


def test_incident_timeline_phases_and_detection_delay(session):
    report = _report(session)
    [incident] = report.incidents
    assert incident.services == ["internet", "phone"]
    assert incident.detection_delay == timedelta(minutes=25)
    assert [(e.at, e.actor) for e in incident.events] == [
        (at("08:30"), "detector"),
        (at("09:30"), "lena"),
        (at("10:30"), "lena"),
    ]
    assert (
        incident.events[0].what
        == "opened (suspected, Hamburg) — 9 customers complained about internet"
    )
    assert (
        incident.events[1].what
        == "status → identified; eta → Sat 13.05. 14:00 Berlin — router firmware"
    )
    before, during, after = (incident.phases[p] for p in ("before", "during", "after"))
    assert (before.comments, before.complaints) == (5, 4)  # c0, c1, c2, c4 (+ c3)
    assert (during.comments, during.complaints, during.hours) == (7, 4, 2.0)  # c5 c14 c9 c13
    assert (after.comments, after.complaints) == (3, 2)  # c10 (phone), c11; c12 unlabelled
    assert after.hours == pytest.approx(2.5)  # 10:30 to now (13:00)


def test_held_and_resumed_posts_and_what_almost_published(session):
    report = _report(session)
    holds = [(h.key, h.held_at, h.held_by, h.released_by, h.released_to) for h in report.holds]
    assert holds == [
        ("post-deal", at("08:30"), "incident #1", None, None),
        ("post-mothers-day", at("08:30"), "incident #1", "lena", "scheduled"),
    ]
    mothers_day = report.holds[1]
    assert mothers_day.new_due == START.replace(hour=13)
    [almost] = report.almost_published
    assert almost.key == "post-mothers-day"
    assert almost.margin == timedelta(minutes=75)
    assert almost.due_during == "incident #1"
    assert report.published_during == []  # the service post went out; marketing never did


def test_a_marketing_post_published_during_an_incident_is_reported(session):
    scenario.build(session)
    session.add(
        ScheduledPost(
            key="rogue",
            channel="x",
            category="marketing",
            text="Sale!",
            publish_at=at("09:05"),
            state="published",
            published_at=at("09:05"),
            created_at=START,
        )
    )
    session.flush()
    report = build_report(
        session, Period(start=START, end=END), now=NOW, classifier=MODEL, own_authors=OWN
    )
    assert [(p.key, p.during) for p in report.published_during] == [("rogue", "incident #1")]


def test_an_incident_period_spans_the_incident_with_context(session):
    scenario.build(session)
    period = resolve_period(session, now=NOW, incident_id=1)
    # open 2 h: context is at least 6 h either side, but never past now (13:00)
    assert period.start == at("08:30") - timedelta(hours=6)
    assert period.end == NOW < at("10:30") + timedelta(hours=6)
    later = resolve_period(session, now=at("10:30") + timedelta(days=1), incident_id=1)
    assert later.end == at("10:30") + timedelta(hours=6)
    with pytest.raises(NotFound, match="no incident with id 7 \\(incidents: 1\\)"):
        resolve_period(session, now=NOW, incident_id=7)


def test_an_empty_period_gives_a_report_that_says_so(session):
    scenario.build(session)
    empty = Period(start=datetime(2016, 1, 1, tzinfo=UTC), end=datetime(2016, 1, 2, tzinfo=UTC))
    report = build_report(session, empty, now=NOW, classifier=MODEL, own_authors=OWN)
    assert report.empty and report.model is None
    assert report.response.complaints.median is None
    assert report.response.complaints.answered_share == 0.0
    assert report.response.customers.total == 0
    assert report.incidents == [] and report.holds == []


def test_one_bound_takes_the_other_from_the_data_or_the_clock(session):
    scenario.build(session)
    first, last = at("07:30"), at("12:30")  # c0 and c11
    later = resolve_period(session, now=NOW, since=datetime(2030, 1, 1, tzinfo=UTC))
    assert later.start == datetime(2030, 1, 1, tzinfo=UTC)  # beyond the data and the clock
    assert later.length == timedelta(days=7)
    since = resolve_period(session, now=NOW, since=at("10:00"))
    assert (since.start, since.end) == (at("10:00"), NOW)  # until now
    ahead = resolve_period(session, now=at("11:00"), since=at("10:00"))
    assert ahead.end == last + timedelta(seconds=1)  # the data runs ahead of the clock
    early = datetime(2016, 1, 1, tzinfo=UTC)
    before = resolve_period(session, now=NOW, until=early)
    assert (before.start, before.end) == (early - timedelta(days=7), early)
    until = resolve_period(session, now=NOW, until=at("10:00"))
    assert (until.start, until.end) == (first, at("10:00"))
    everything = resolve_period(session, now=NOW)
    assert (everything.start, everything.end) == (first, last + timedelta(seconds=1))


def test_a_period_beyond_the_data_gives_an_empty_report(session):
    scenario.build(session)
    period = resolve_period(session, now=NOW, since=datetime(2030, 1, 1, tzinfo=UTC))
    report = build_report(session, period, now=NOW, classifier=MODEL, own_authors=OWN)
    assert report.empty and report.incidents == []
    assert report.replies["suggested"]["sent"] == 0


def test_own_accounts_are_left_out_however_their_name_is_written(session):
    from tests.factories import make_labels, store_comment

    labels = make_labels(model=MODEL)
    for author in ("@NORDTEL ÖSTERREICH", "nordtel österreich", " Nordtel Österreich", "@@nordtel"):
        store_comment(session, at=at("09:00"), author=author, labels=labels)
    store_comment(session, at=at("09:00"), author="nordtel-fan", labels=labels)
    own = ["Nordtel Österreich", "@Nordtel"]
    report = build_report(session, Period(start=START, end=END), now=NOW, own_authors=own)
    assert report.volume.comments == 1  # only the fan


def test_dates_are_berlin_days_and_a_backwards_period_is_refused(session):
    assert parse_bound("2017-05-13", option="--since") == datetime(2017, 5, 12, 22, tzinfo=UTC)
    assert parse_bound("2017-05-13", option="--until", end=True) == datetime(
        2017, 5, 13, 22, tzinfo=UTC
    )
    assert parse_bound("2017-05-13T10:00", option="--since") == at("08:00")
    assert parse_bound("2017-05-13T10:00Z", option="--since") == at("10:00")
    with pytest.raises(BadRecord, match="not an ISO date"):
        parse_bound("yesterday", option="--since")
    with pytest.raises(BadRecord, match="must end after it starts"):
        resolve_period(session, now=NOW, since=END, until=START)


def test_regions_and_terms_of_many_complaints_come_from_an_evenly_spread_sample(
    session, monkeypatch
):
    monkeypatch.setattr("crisis.reports.volume.TEXT_SAMPLE", 3)  # every 3rd id: c2, c9
    report = _report(session)
    assert report.text.sampled and 0 < report.text.read < report.text.complaints == 9
    estimated = sum(n for _, n in report.text.regions) + report.text.no_region
    assert estimated >= 9 - 1  # scaled back to all complaints (a complaint may name two)


def test_day_buckets_are_berlin_days(session):
    from tests.factories import make_labels, store_comment

    labels = make_labels(model=MODEL)
    store_comment(session, at=datetime(2017, 5, 13, 21, 30, tzinfo=UTC), labels=labels)  # 23:30
    store_comment(session, at=datetime(2017, 5, 13, 22, 30, tzinfo=UTC), labels=labels)  # 00:30
    period = Period(start=datetime(2017, 5, 1, tzinfo=UTC), end=datetime(2017, 6, 10, tzinfo=UTC))
    report = build_report(session, period, now=NOW, classifier=MODEL, own_authors=OWN)
    assert report.volume.bucket == "day"
    busy = {b.start: b.comments for b in report.volume.buckets if b.comments}
    assert busy == {  # Berlin midnight is 22:00 UTC in May
        datetime(2017, 5, 12, 22, tzinfo=UTC): 1,
        datetime(2017, 5, 13, 22, tzinfo=UTC): 1,
    }
    assert all(b.start.astimezone(team_zone()).hour == 0 for b in report.volume.buckets)


def test_a_post_held_by_a_freeze_and_due_during_it_almost_published(session):
    from crisis import holds, posts

    holds.freeze_marketing(session, reason="Sturmwarnung", now=at("08:00"), actor="lena")
    posts.schedule_post(
        session,
        key="promo",
        channel="x",
        category="marketing",
        text="Sale",
        publish_at=at("09:00"),
        now=at("08:10"),
        actor="anna",
    )
    holds.unfreeze_marketing(session, now=at("10:00"), actor="lena")
    report = build_report(
        session, Period(start=START, end=END), now=NOW, classifier=MODEL, own_authors=OWN
    )
    [freeze] = report.freezes
    assert (freeze.started_by, freeze.ended_at) == ("lena", at("10:00"))
    [held] = report.almost_published
    assert (held.key, held.held_by, held.due_during) == ("promo", "freeze #1", "freeze #1")
    assert held.margin == timedelta(minutes=50)


def _late_incident(session, ids):
    """Incident #2 (mobile) opened 13:00 and resolved 14:00, after the last comment (c11 at
    12:30); its follow-up to c11's author sent at 14:10."""
    from crisis import incidents
    from crisis.domain import Service
    from crisis.tables import ReviewItem
    from crisis.testing import RecordingPublisher

    late = incidents.open_incident(
        session,
        service=Service.MOBILE,
        now=at("13:00"),
        opened_by="lena",
        actor="lena",
        reason="mast down",
        regions=[],
        status="investigating",
    )
    assert late.id is not None
    incidents.resolve_incident(session, late.id, now=at("14:00"), actor="lena", reason="fixed")
    row = ReviewItem(
        comment_id=ids["c11"],
        incident_id=late.id,
        lang="de",
        text="Die Störung ist behoben",
        state="pending",
        created_at=at("14:00"),
        arrived_at=at("14:00"),
        kind="follow_up",
        platform="facebook",
    )
    session.add(row)
    session.commit()
    assert row.id is not None
    scenario.send(session, RecordingPublisher(), row.id, "anna", at("14:10"))
    return late.id


def test_everything_stored_runs_to_the_last_event_so_incident_rows_add_up(session):
    ids = scenario.build(session)
    late = _late_incident(session, ids)
    now = at("15:00")
    period = resolve_period(session, now=now)
    # from c0 (07:30) to a second after the follow-up sent at 14:10, the last thing that happened
    assert (period.start, period.end) == (at("07:30"), at("14:10") + timedelta(seconds=1))
    report = build_report(session, period, now=now, classifier=MODEL, own_authors=OWN)
    assert [i.id for i in report.incidents] == [1, late]
    assert report.follow_ups_by_incident[late]["sent"] == 1
    totals = report.replies["follow-ups"]
    assert (totals["pending"], totals["sent"], totals["rejected"]) == (2, 2, 1)
    by_incident = report.follow_ups_by_incident.values()
    assert {s: sum(counts[s] for counts in by_incident) for s in totals} == totals


def test_everything_stored_runs_to_now_while_an_incident_is_open(session):
    from crisis import incidents
    from crisis.domain import Service

    scenario.build(session)
    incidents.open_incident(
        session,
        service=Service.MOBILE,
        now=at("13:00"),
        opened_by="lena",
        actor="lena",
        reason="mast down",
        regions=[],
        status="investigating",
    )
    session.commit()
    later = at("18:00")
    period = resolve_period(session, now=later)
    assert (period.start, period.end) == (at("07:30"), later)
    report = build_report(session, period, now=later, classifier=MODEL, own_authors=OWN)
    assert [i.status for i in report.incidents][-1] == "investigating"


def test_everything_stored_without_comments_spans_the_incidents(session):
    from crisis import incidents
    from crisis.domain import Service

    incident = incidents.open_incident(
        session,
        service=Service.MOBILE,
        now=at("13:00"),
        opened_by="lena",
        actor="lena",
        reason="mast down",
        regions=[],
        status="investigating",
    )
    assert incident.id is not None
    incidents.resolve_incident(session, incident.id, now=at("14:00"), actor="lena", reason="ok")
    session.commit()
    period = resolve_period(session, now=NOW.replace(day=20))
    assert (period.start, period.end) == (at("13:00"), at("14:00") + timedelta(seconds=1))
    assert period.empty_store
