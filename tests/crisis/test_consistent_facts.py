"""The same fact reads the same everywhere: a held post is listed under what holds it now, an
incident's held-post count agrees with the banner, a report never runs past now, and a post
that went out just before an outage was detected is not forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select
from typer.testing import CliRunner

from crisis import holds, incidents, posts
from crisis.cli.main import app
from crisis.domain import Service
from crisis.publishing import RecordingPublisher
from crisis.reports.data import build_report
from crisis.reports.period import resolve_period
from crisis.tables import AuditEntry, ScheduledPost
from crisis.web.incident_views import queue_counts
from crisis.web.render import frozen_banner

T0 = datetime(2017, 5, 12, 13, 0, tzinfo=UTC)


def _schedule(session, key: str, due: datetime, *, now: datetime = T0) -> None:
    posts.schedule_post(
        session, key=key, channel="facebook", category="marketing", text=f"{key}!",
        publish_at=due, now=now, actor="lena",
    )  # fmt: skip


def _open(session, service: Service, now: datetime) -> int:
    incident = incidents.open_incident(
        session, service=service, now=now, opened_by="detector", actor="detector",
        reason="spike",
    )  # fmt: skip
    assert incident.id is not None
    return incident.id


def _holders(session) -> dict[str, tuple[int | None, int | None]]:
    return {
        p.key: (p.held_by_incident_id, p.held_by_freeze_id)
        for p in session.exec(select(ScheduledPost).where(ScheduledPost.state == "held"))
    }


def test_posts_held_by_a_resolved_incident_pass_to_the_one_still_open(session, engine):
    _schedule(session, "muttertag", T0 + timedelta(days=2))
    _schedule(session, "deal", T0 + timedelta(days=2, hours=9))
    first = _open(session, Service.CUSTOMER_SERVICE, T0)
    second = _open(session, Service.INTERNET, T0 + timedelta(hours=16))
    assert _holders(session) == {"muttertag": (first, None), "deal": (first, None)}

    incidents.resolve_incident(session, first, now=T0 + timedelta(hours=20), actor="lena")
    session.commit()

    assert _holders(session) == {"muttertag": (second, None), "deal": (second, None)}
    counts = queue_counts(session, [first, second])
    banner = frozen_banner(session)
    assert banner is not None and banner["incident_id"] == second
    assert counts[second].held_posts == banner["held"] == 2
    assert first not in counts or counts[first].held_posts == 0
    passed = session.exec(select(AuditEntry).where(AuditEntry.action == "post.hold_passed")).all()
    assert {(e.entity_id, e.reason) for e in passed} == {
        ("muttertag", f"incident {second} is still open"),
        ("deal", f"incident {second} is still open"),
    }
    if engine.dialect.name == "sqlite":  # the command keeps its own engine (pool) open
        url = engine.url.render_as_string(hide_password=False)
        listed = CliRunner().invoke(
            app, ["posts", "list", "--database-url", url], env={"COLUMNS": "200"}
        )
        assert listed.exit_code == 0, listed.output
        assert f"incident #{second}" in listed.output
        assert f"incident #{first}" not in listed.output


def test_posts_held_by_a_freeze_pass_to_an_open_incident_when_it_ends(session):
    _schedule(session, "promo", T0 + timedelta(days=1))
    holds.freeze_marketing(session, reason="shitstorm", now=T0, actor="lena")
    incident = _open(session, Service.MOBILE, T0 + timedelta(hours=1))
    holds.unfreeze_marketing(session, now=T0 + timedelta(hours=2), actor="lena", reason="ok")
    session.commit()
    assert _holders(session) == {"promo": (incident, None)}


def test_with_nothing_left_blocking_held_posts_stay_with_the_incident_and_wait(session):
    _schedule(session, "promo", T0 + timedelta(days=1))
    incident = _open(session, Service.MOBILE, T0)
    incidents.resolve_incident(session, incident, now=T0 + timedelta(hours=2), actor="lena")
    session.commit()
    assert _holders(session) == {"promo": (incident, None)}
    assert frozen_banner(session) is None


def test_the_report_of_a_still_open_incident_ends_now(session):
    incident = _open(session, Service.INTERNET, T0)
    now = T0 + timedelta(hours=2)
    period = resolve_period(session, now=now, incident_id=incident)
    assert period.end == now
    assert period.start == T0 - timedelta(hours=6)


def test_a_marketing_post_published_just_before_detection_is_listed(session):
    # The outage began at 08:00; the detector opened the incident at 08:30; the post went out
    # at 08:28:12, 1 min 48 s before detection, during the outage.
    detected = T0.replace(hour=8, minute=30)
    published_at = detected - timedelta(minutes=1, seconds=48)
    _schedule(session, "gewinnspiel", published_at, now=T0.replace(hour=6))
    _schedule(session, "early", detected - timedelta(hours=2), now=T0.replace(hour=6))
    posts.publish_due(session, RecordingPublisher(), now=detected - timedelta(hours=2))
    posts.publish_due(session, RecordingPublisher(), now=published_at)
    incident = _open(session, Service.INTERNET, detected)
    session.commit()

    period = resolve_period(session, now=detected + timedelta(hours=3), incident_id=incident)
    report = build_report(session, period, now=detected + timedelta(hours=3), classifier=None,
                          own_authors=[])  # fmt: skip
    listed = {p.key: p.during for p in report.published_during}
    assert listed == {"gewinnspiel": f"1 min 48 s before incident #{incident} was detected"}
