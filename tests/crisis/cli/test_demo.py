"""The shipped demo scenario tells the story it was written for."""

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from sqlmodel import col, select

from crisis.cli.demo import run_demo
from crisis.db import session_scope
from crisis.replay.run import replay_into
from crisis.replay.scenario import scenario_path
from crisis.settings import Settings
from crisis.tables import Classification, Comment, Incident, ReviewItem
from responders.templates import TemplateResponder

BERLIN = ZoneInfo("Europe/Berlin")


def local(value):
    return datetime.fromisoformat(value).astimezone(BERLIN)


def test_demo_scenario_holds_mothers_day_and_the_detector_finds_both_outages(engine):
    with scenario_path() as path:
        summary = replay_into(engine, path, Settings())

    assert summary["problems"] == []
    assert summary["comments"] == 748
    posts = {p["id"]: p for p in summary["posts"]}
    assert posts["post-muttertag"]["state"] == "held"
    assert posts["post-muttertag"]["published_at"] is None
    assert posts["post-stoerungsinfo"]["state"] == "published"  # service posts keep going
    assert local(posts["post-wochenend-deal"]["published_at"]) == datetime(
        2017, 5, 15, 10, 0, tzinfo=BERLIN
    )  # held on Sunday, resumed by the operator for Monday

    by_service = {i["service"]: i for i in summary["incidents"]}
    assert all(i["opened_by"] == "detector" for i in summary["incidents"])
    portal, dsl = by_service["customer_service"], by_service["internet"]
    assert datetime(2017, 5, 12, 14, 30, tzinfo=BERLIN) < local(portal["opened_at"])
    assert local(portal["opened_at"]) < datetime(2017, 5, 12, 17, 0, tzinfo=BERLIN)
    assert datetime(2017, 5, 13, 7, 30, tzinfo=BERLIN) < local(dsl["opened_at"])
    assert local(dsl["opened_at"]) < datetime(2017, 5, 13, 9, 0, tzinfo=BERLIN)
    assert set(dsl["regions"]) == {"Hamburg", "München"}
    assert portal["regions"] == []  # a national outage is not pinned on a city
    assert portal["resolved_at"] and dsl["resolved_at"]
    # held by the portal outage, passed to the DSL outage still open when the portal one ended
    assert posts["post-muttertag"]["held_by_incident_id"] == dsl["id"]
    # Each incident explains itself: counts against the usual number, words, examples.
    portal_words = {"kundencenter", "login", "hotline", "app", "portal", "meinnordtel"}
    for incident, words in ((portal, portal_words), (dsl, {"dsl", "internet", "router"})):
        card = incident["explanation"]
        assert "customers complained about" in card["reason"]
        assert card["authors"] >= card["threshold"] > card["usual_per_window"]
        top = {word for word, _ in card["top_terms"]}
        assert top & words  # the words that say which service broke
        assert len(card["examples"]) == 5
    assert dsl["previous_incident_id"] is None

    suggestions = summary["suggestions"]
    assert {s["lang"] for s in suggestions} == {"de", "en"}
    dsl_replies = [s for s in suggestions if s["incident_id"] == dsl["id"] and s["kind"] == "reply"]
    assert len(dsl_replies) > 100
    assert all("DSL" in s["text"] for s in dsl_replies if s["lang"] == "de")
    assert all("DSL" in s["text"] for s in dsl_replies if s["lang"] == "en")
    assert any("Munich" in s["text"] for s in dsl_replies if s["lang"] == "en")
    reasons = {r for item in summary["flagged"] for r in item["reasons"]}
    assert {"churn", "legal", "business", "vulnerable"} <= reasons
    answers_every_outage_complaint_once_flags_the_urgent_and_follows_up(engine, summary)


def test_crisis_demo_prints_the_story(tmp_path):
    console = Console(record=True, width=120)
    run_demo(tmp_path / "demo.db", Settings(), console)
    story = console.export_text()
    assert "748 comments replayed" in story
    assert "post-muttertag" in story and "held" in story
    assert "customer_service" in story and "Hamburg" in story and "München" in story
    assert "reply suggestions in the review queue" in story
    assert "customers complained about internet" in story and "top terms:" in story
    assert (tmp_path / "demo.db").exists()


def answers_every_outage_complaint_once_flags_the_urgent_and_follows_up(engine, summary):
    """The issue's "done when", on the replayed demo (one replay serves both tests' checks)."""
    catalogs = TemplateResponder().catalogs
    with session_scope(engine) as session:
        rows = session.exec(
            select(ReviewItem, Comment, Classification, Incident)
            .join(Comment, col(Comment.id) == col(ReviewItem.comment_id))
            .join(Classification, col(Classification.comment_id) == col(Comment.id))
            .join(Incident, col(Incident.id) == col(ReviewItem.incident_id))
        ).all()
    replies = [row for row in rows if row[0].kind == "reply"]
    follow_ups = [row for row in rows if row[0].kind == "follow_up"]
    assert len(replies) > 200

    per_customer: dict[tuple[int, str], int] = {}
    for item, comment, labels, incident in replies:
        key = (incident.id, comment.author)
        per_customer[key] = per_customer.get(key, 0) + 1
        if labels.urgent:
            assert item.needs_human and set(labels.urgent) <= set(item.reasons)
            assert item.urgency_rank == 0
            continue
        if item.needs_human:  # no templates in the comment's language
            assert item.reasons[0].startswith("no template for language")
            continue
        catalog = catalogs[item.lang]
        assert item.lang == (comment.lang or item.lang)
        assert item.situation == "outage_incident"
        # worded for the stage the incident was in when the reply was (re-)written
        assert item.template.split("#")[0] in {
            f"{item.lang}/outage_suspected",
            f"{item.lang}/outage_incident",
            f"{item.lang}/outage_monitoring",
        }
        if item.template.startswith(f"{item.lang}/outage_incident#"):
            assert catalog.outages[incident.service] in item.text  # "die DSL-Störung"
        assert "Internet (DSL)" not in item.text and ":00 Uhr" not in item.text
    assert set(per_customer.values()) == {1}  # one reply per customer per incident

    # Both incidents were resolved: one follow-up per customer who complained, in their language.
    assert sorted((i.id, c.author) for _, c, _, i in follow_ups) == sorted(per_customer)
    for item, _, _, incident in follow_ups:
        assert item.situation == "resolved_follow_up" and item.state == "pending"
        if not item.needs_human:  # the outage named, or the lead's text at resolution quoted
            outage = catalogs[item.lang].outages[incident.service]
            assert outage in item.text or (incident.public_status or "") in item.text
    # The flagged ones are not among the templated suggestions.
    flagged = {f["comment_id"] for f in summary["flagged"] if f["kind"] == "reply"}
    templated = {s["comment_id"] for s in summary["suggestions"] if s["kind"] == "reply"}
    assert flagged and not flagged & templated
