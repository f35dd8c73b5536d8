"""In Debian's Chromium: a lead sees the banner and the post an incident held, resumes it at a
new time once the incident is resolved, and freezes and unfreezes marketing by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crisis import incidents, posts
from crisis.db import session_scope
from crisis.domain import Service
from tests.crisis.web.webtools import NOW, browser_sign_in, needs_browser


@needs_browser
def test_resume_held_posts(page, web_engine):
    with session_scope(web_engine) as session:
        posts.schedule_post(
            session,
            key="muttertag",
            channel="facebook",
            category="marketing",
            text="Zum Muttertag: 20 % auf alle Tarife",
            publish_at=NOW + timedelta(hours=1),
            now=NOW,
            actor="lena",
        )
        incident = incidents.open_incident(
            session,
            service=Service.INTERNET,
            now=NOW,
            opened_by="operator",
            actor="lena",
            reason="DSL down",
            regions=["Hamburg"],
        )
        incident_id = incident.id
    problems = []  # script errors and CSP violations
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.location.get('url')}: {m.text}") if m.type == "error" else None
        ),
    )
    browser_sign_in(page, "lena")
    page.goto("/posts")
    banner = page.locator("#freeze-banner")
    assert banner.is_visible() and f"#{incident_id}" in banner.inner_text()
    row = page.locator('#held tr[data-key="muttertag"]')
    assert "Zum Muttertag" in row.inner_text()
    assert row.locator(f'a[href="/incidents/{incident_id}"]').is_visible()

    # while the incident is open: refused with the reason, and the form keeps what was typed
    row.locator('input[name="key"]').check()
    page.check('input[name="mode"][value="time"]')
    page.fill('#resume-form input[name="at"]', "2017-05-13T18:00")
    page.fill('#resume-form input[name="reason"]', "Kampagne geht weiter")
    page.click('button[name="which"][value="selected"]')
    assert "noch offen" in page.locator(".flash-error").inner_text()  # lena reads German
    assert page.input_value('#resume-form input[name="reason"]') == "Kampagne geht weiter"

    with session_scope(web_engine) as session:
        incidents.resolve_incident(session, incident_id, now=NOW, actor="lena", reason="behoben")
    page.goto("/posts")
    assert page.locator("#freeze-banner").count() == 0
    page.locator('#held tr[data-key="muttertag"] input[name="key"]').check()
    page.check('input[name="mode"][value="time"]')
    page.fill('#resume-form input[name="at"]', "2017-05-13T18:00")
    page.fill('#resume-form input[name="reason"]', "Störung behoben")
    page.click('button[name="which"][value="selected"]')
    scheduled = page.locator('#scheduled tr[data-key="muttertag"]')
    scheduled.wait_for()
    assert "13.05.2017 18:00" in scheduled.inner_text()
    assert "1 Posts freigegeben." in page.locator(".flash-message").inner_text()
    with session_scope(web_engine) as session:
        post = posts.get_post(session, "muttertag")
        assert (post.state, post.publish_at.astimezone(UTC)) == (
            "scheduled",
            datetime(2017, 5, 13, 16, 0, tzinfo=UTC),
        )

    # a freeze by hand holds it again and raises the banner; ending it takes the banner away
    page.on("dialog", lambda dialog: dialog.accept())
    page.fill('form[action="/posts/freeze"] input[name="reason"]', "Shitstorm <b>Spot</b>")
    page.click('form[action="/posts/freeze"] button')
    page.locator("#freeze-banner").wait_for()
    assert "Shitstorm <b>Spot</b>" in page.locator("#freeze-banner").inner_text()
    assert page.locator('#held tr[data-key="muttertag"]').is_visible()
    page.fill('form[action="/posts/unfreeze"] input[name="reason"]', "Spot abgesetzt")
    page.click('form[action="/posts/unfreeze"] button')
    page.locator("#blocker.clear").wait_for()
    assert page.locator("#freeze-banner").count() == 0
    assert page.locator('#held tr[data-key="muttertag"]').is_visible()  # stays held
    # the refused resume's 409 is expected; the app has no favicon (the foundation's, not ours)
    assert [p for p in problems if "409" not in p and "/favicon.ico" not in p] == []
