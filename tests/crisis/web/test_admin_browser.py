"""In Chromium: a lead adds a colleague, hands an integration its token, fixes a wording."""

from __future__ import annotations

import re

import pytest

from crisis.settings import Settings
from tests.crisis.web.webtools import browser_sign_in, needs_browser

NEW_PASSWORD = "a long enough passphrase"


@pytest.fixture
def settings(tmp_path):
    """The app as deployed with an edits folder (CRISIS_TEMPLATES_DIR)."""
    return Settings(status_url="https://status.example/", templates_dir=tmp_path / "wordings")


@needs_browser
def test_a_lead_adds_a_user_creates_a_token_and_edits_a_wording(page):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm questions
    browser_sign_in(page, "lena")

    page.goto("/users")
    add = page.locator("form.add-user")
    add.locator("input[name=name]").fill("anna")
    add.locator("select[name=lang]").select_option("en")
    add.locator("input[name=password]").fill(NEW_PASSWORD)
    add.locator("input[name=password_again]").fill(NEW_PASSWORD + "!")
    add.locator("button[type=submit]").click()
    assert "the two passwords differ" in page.locator("#add-error").inner_text()
    assert add.locator("input[name=name]").input_value() == "anna"  # kept
    add.locator("input[name=password]").fill(NEW_PASSWORD)
    add.locator("input[name=password_again]").fill(NEW_PASSWORD)
    add.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/users$"))
    assert page.locator(".flash-message").inner_text() == "anna ist angelegt."

    row = page.locator("tr[data-user=anna]")
    row.locator("summary").click()
    row.locator("input[name=label]").fill("Ticketsystem")
    row.get_by_role("button", name="API-Token erstellen").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("crisis_")
    page.goto("/users")
    assert page.locator("#new-token").count() == 0  # shown once

    page.goto("/templates")
    section = page.locator("li", has=page.locator("code", has_text="de/complaint#2"))
    section.locator("summary").first.click()
    section.locator("textarea").fill("{{ greeting }} bitte per DM an {{ kundenservice }}.")
    section.get_by_role("button", name="Prüfen und speichern").click()
    assert (
        "'kundenservice' is undefined"
        in page.locator("details.edit[open] .flash-error").inner_text()
    )
    kept = page.locator("details.edit[open] textarea").input_value()
    assert kept == "{{ greeting }} bitte per DM an {{ kundenservice }}."
    page.locator("details.edit[open] textarea").fill("{{ greeting }} bitte per DM an uns.")
    page.locator("details.edit[open]").get_by_role("button", name="Prüfen und speichern").click()
    page.wait_for_url(re.compile(r".*/templates#de-complaint$"))
    preview = page.locator("li", has=page.locator("code", has_text="de/complaint#2"))
    assert preview.locator(".reply-preview").inner_text() == (
        "Hallo Sabine K., bitte per DM an uns."
    )
    # the refused user's and wording's 422 and the browser's favicon request aside
    assert [u for u in failed if not u.endswith(("/users/add", "/templates/wording",
                                                 "/favicon.ico"))] == []  # fmt: skip
    assert [p for p in problems if "Failed to load resource" not in p] == []
