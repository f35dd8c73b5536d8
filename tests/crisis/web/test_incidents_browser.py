"""In Debian's Chromium: a lead moves an incident's ETA with the form and sees the pending
replies say the new time (issue 7's "done when")."""

from __future__ import annotations

from datetime import timedelta

from tests.crisis.web.test_incidents_world import outage
from tests.crisis.web.webtools import NOW, browser_sign_in, needs_browser


@needs_browser
def test_lead_edits_the_eta_and_sees_the_pending_replies_change(page, web_engine, clock, settings):
    world = outage(web_engine, clock, settings, eta=NOW + timedelta(hours=6))  # 20:00 Berlin
    browser_sign_in(page, "lena")

    page.goto(f"/incidents/{world.incident_id}")
    replies = page.locator("#pending-replies .reply-text")
    assert replies.count() == len(world.reply_ids)
    # only suspected: the replies look into it and name no ETA yet
    assert all("Uhr" not in text for text in replies.all_inner_texts())

    page.select_option("#update-form select[name=status]", "investigating")
    page.fill("#eta-input", "2017-05-13T21:30")
    page.fill("#update-form input[name=reason]", "Techniker braucht länger")
    page.click("#update-form button[type=submit]")

    page.wait_for_selector(".flash-message")
    message = page.inner_text(".flash-message")
    assert f"{len(world.reply_ids)} Vorschläge neu geschrieben" in message
    assert page.inner_text("#fact-eta") == "13.05.2017 21:30 (Berlin)"
    texts = page.locator("#pending-replies .reply-text").all_inner_texts()
    assert len(texts) == len(world.reply_ids)
    assert all("gegen 21:30 Uhr" in text and "20 Uhr" not in text for text in texts)
    assert "Techniker braucht länger" in page.inner_text("#history")
