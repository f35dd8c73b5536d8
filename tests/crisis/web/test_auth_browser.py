"""In Chromium: sign in through the real login page, switch the language, sign out."""

from __future__ import annotations

import re

from tests.crisis.web.webtools import PASSWORD, needs_browser


@needs_browser
def test_sign_in_switch_to_english_and_sign_out_in_a_real_browser(page):
    problems: list[str] = []  # CSP violations and script errors show up in the console
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto("/queue")
    page.wait_for_url(re.compile(r".*/login\?next=/queue$"))  # not signed in yet
    page.fill("input[name=name]", "lena")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert page.locator(".flash-error").inner_text() == "Name oder Passwort falsch."
    page.fill("input[name=name]", "lena")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/queue$"))
    assert page.locator(".user-name").inner_text() == "lena"
    nav = page.locator("header.top nav")
    assert "Warteschlange" in nav.inner_text()
    assert nav.get_by_role("link", name="Benutzer").is_visible()  # lena is a lead

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.get_by_text("Review queue").first.wait_for()
    assert "Review queue" in nav.inner_text()
    assert "Users" in nav.inner_text()
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("link", name="Users").click()
    page.wait_for_url(re.compile(r".*/users$"))
    assert page.locator("h1").inner_text() == "Users"

    page.goto("/account")
    assert page.locator("h1").inner_text() == "My account: lena"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/login$"))
    page.goto("/users")
    page.wait_for_url(re.compile(r".*/login\?next=/users$"))  # the session is gone
    # the wrong password's 401 and the browser's own favicon request aside, nothing failed
    assert [u for u in failed if not u.endswith(("/login", "/favicon.ico"))] == []
    assert [p for p in problems if "Failed to load resource" not in p] == []
