from datetime import timedelta

import pytest
from sqlalchemy import create_engine
from sqlmodel import select

from crisis.clock import VirtualClock
from crisis.db import session_scope
from crisis.detection.detector import SpikeRules
from crisis.domain import Service, Urgency
from crisis.ingest import store_comments
from crisis.pipeline import Pipeline
from crisis.replies.respond import ReplySetup
from crisis.tables import Classification, Incident, ReviewItem
from crisis.testing import EchoResponder, KeywordClassifier
from responders.policy import decide
from tests.factories import T0, complaint, make_comment, make_labels

# Small spikes open incidents here (no Poisson term): these tests are about the flow.
RULES = SpikeRules(window=timedelta(minutes=30), min_complaints=5, ratio=3.0, significance=1.0)


def make_pipeline(engine, clock):
    classifier = KeywordClassifier(
        {
            "WhatsApp": make_labels(
                is_complaint=True, third_party="whatsapp", service=Service.MOBILE
            ),
            "Anwalt": complaint(Service.INTERNET, urgent=(Urgency.LEGAL,)),
            "Internet": complaint(Service.INTERNET),
            "Rechnung": complaint(Service.BILLING),
        }
    )
    return Pipeline(
        replies=ReplySetup(responder=EchoResponder(), policy=decide, own_authors=("Nordtel",)),
        engine=engine,
        classifier=classifier,
        clock=clock,
        rules=RULES,
    )


def comments_at(clock, texts, *, step=timedelta(minutes=1), **overrides):
    out = []
    for i, text in enumerate(texts):
        clock.advance(step)
        out.append(
            make_comment(text=text, created_at=clock.now(), **overrides, author=f"a{i}-{text[:5]}")
        )
    return out


def test_a_spike_of_complaints_opens_one_incident_and_later_complaints_name_it(engine):
    clock = VirtualClock(T0)
    pipeline = make_pipeline(engine, clock)
    first = pipeline.process(comments_at(clock, ["Rechnung falsch"] * 2 + ["Internet weg"] * 4))
    assert first.incidents == []
    spike = pipeline.process(comments_at(clock, ["Internet tot"] * 6))
    assert [i.service for i in spike.incidents] == ["internet"]
    assert spike.incidents[0].opened_by == "detector" and spike.incidents[0].status == "suspected"
    more = pipeline.process(comments_at(clock, ["Internet immer noch tot"] * 6))
    assert more.incidents == []  # the open incident absorbs the rest of the spike
    with session_scope(engine) as session:
        assert len(session.exec(select(Incident)).all()) == 1
    incident_id = spike.incidents[0].id
    assert all(item.incident_id == incident_id for item in more.review_items)
    assert all(
        f"incident {incident_id} (internet, suspected)" in item.text for item in more.review_items
    )


def test_other_companies_outages_and_one_loud_customer_open_no_incident(engine):
    clock = VirtualClock(T0)
    pipeline = make_pipeline(engine, clock)
    result = pipeline.process(comments_at(clock, ["WhatsApp geht nicht"] * 20))
    assert result.incidents == []
    loud = [
        make_comment(
            text="Internet tot!!!", author="same person", created_at=T0 + timedelta(minutes=30 + i)
        )
        for i in range(20)
    ]
    clock.set(T0 + timedelta(minutes=50))
    assert pipeline.process(loud).incidents == []


def test_urgent_complaints_and_unknown_languages_are_flagged_for_a_human(engine):
    clock = VirtualClock(T0)
    pipeline = make_pipeline(engine, clock)
    result = pipeline.process(
        [
            make_comment(text="Internet weg, mein Anwalt meldet sich", created_at=T0),
            make_comment(text="Internet yok", lang=None, created_at=T0),
            make_comment(text="Internet? Wir prüfen das.", author="Nordtel", created_at=T0),
        ]
    )
    flagged = sorted((item.needs_human, tuple(item.reasons)) for item in result.review_items)
    turkish = ("no template for language tr (Turkish)",)  # "yok": the text tells, no tag
    assert flagged == [(True, ("legal",)), (True, turkish)]
    by_reason = {tuple(item.reasons): item for item in result.review_items}
    assert by_reason[("legal",)].urgency_rank == 0  # top of the queue
    assert by_reason[turkish].text == ""  # nothing to start from


def test_one_reply_per_customer_per_incident(engine):
    clock = VirtualClock(T0)
    pipeline = make_pipeline(engine, clock)
    opened = pipeline.process(comments_at(clock, ["Internet tot"] * 9))  # 9 min: persistent
    assert len(opened.incidents) == 1
    again = [
        make_comment(text="Internet immer noch tot", author="a0-Inter", created_at=clock.now())
    ]
    assert pipeline.process(again).review_items == []


def test_catch_up_labels_comments_stored_before_a_crash(engine):
    clock = VirtualClock(T0)
    pipeline = make_pipeline(engine, clock)

    class Crash(Exception):
        pass

    def crash(*args, **kwargs):
        raise Crash

    pipeline.classifier.classify = crash  # type: ignore[method-assign]
    with pytest.raises(Crash):
        pipeline.process([make_comment(text="Internet weg", created_at=T0)])
    pipeline = make_pipeline(engine, clock)
    assert pipeline.process([make_comment(text="x", created_at=T0)]).labels  # new one only
    result = pipeline.catch_up()
    assert [labels.service for labels in result.labels.values()] == [Service.INTERNET]
    with session_scope(engine) as session:
        assert len(session.exec(select(Classification)).all()) == 2
        assert len(session.exec(select(ReviewItem)).all()) == 1
    assert pipeline.catch_up().labels == {}


def test_a_me_too_without_a_service_joins_the_only_open_incident(engine):
    clock = VirtualClock(T0)
    pipeline = make_pipeline(engine, clock)
    pipeline.classifier.rules["Bei mir auch"] = complaint(service=None)
    [incident] = pipeline.process(comments_at(clock, ["Internet tot"] * 9)).incidents
    [item] = pipeline.process(comments_at(clock, ["Bei mir auch!"])).review_items
    assert item.incident_id == incident.id
    assert f"incident {incident.id} (internet, suspected)" in item.text


def test_a_me_too_is_not_guessed_into_one_of_several_open_incidents(engine):
    clock = VirtualClock(T0)
    pipeline = make_pipeline(engine, clock)
    pipeline.classifier.rules["Bei mir auch"] = complaint(service=None)
    assert pipeline.process(comments_at(clock, ["Internet tot"] * 9)).incidents
    assert pipeline.process(comments_at(clock, ["Rechnung doppelt abgebucht"] * 9)).incidents
    [item] = pipeline.process(comments_at(clock, ["Bei mir auch!"])).review_items
    assert item.incident_id is None


def test_pages_from_a_source_resume_from_the_saved_cursor(engine):
    from crisis.ingest import load_cursor
    from crisis.testing import StaticSource

    clock = VirtualClock(T0)
    pipeline = make_pipeline(engine, clock)
    source = StaticSource([[make_comment(text="Internet weg")], [make_comment(text="Frage")]])
    first = source.fetch(None)
    assert len(pipeline.process_page("static", first).new_comment_ids) == 1
    with session_scope(engine) as session:
        cursor = load_cursor(session, "static")
    second = source.fetch(cursor)
    assert [c.text for c in second.items] == ["Frage"] and not second.more
    assert len(pipeline.process_page("static", second).new_comment_ids) == 1


def test_a_decision_written_while_the_classifier_runs_is_not_kept_waiting(engine):
    """Labelling holds no write transaction: on SQLite a web decision used to wait ~30 s behind
    a batch (or a catch-up of 10,000 comments) and fail with "database is locked"."""
    clock = VirtualClock(T0)
    pipeline = make_pipeline(engine, clock)
    pipeline.batch_size = 2
    impatient = engine
    if engine.dialect.name == "sqlite":  # a writer that gives up after 0.5 s, not 30 s
        impatient = create_engine(engine.url, connect_args={"timeout": 0.5})
    inner = pipeline.classifier.classify
    written = []

    def classify(texts):
        with session_scope(impatient) as session:  # another writer, mid-classification
            store_comments(session, [make_comment(text="via web")], now=T0)
        written.append(len(texts))
        return inner(texts)

    pipeline.classifier.classify = classify  # type: ignore[method-assign]
    result = pipeline.process(comments_at(clock, ["Internet tot"] * 5))
    assert written == [2, 2, 1] and len(result.labels) == 5
    with session_scope(engine) as session:
        assert len(session.exec(select(Classification)).all()) == 5
