"""The queue in Debian's Chromium: the keyboard fast path, bulk approval, untrusted text."""

from __future__ import annotations

import re
from typing import Any

from crisis import audit
from crisis.db import session_scope
from crisis.platform_text import x_length
from crisis.replies import queue
from tests.crisis.web.test_queue_data import EVIL_AUTHOR, EVIL_TEXT, a_crisis, items_by_author
from tests.crisis.web.webtools import NOW, browser_sign_in, needs_browser

pytestmark = needs_browser


def stored(engine, item_id: int) -> tuple[str, str, str | None, str | None]:
    """(state, text, who decided, the decision's reason) as the database holds them."""
    with session_scope(engine) as session:
        item = queue.get_item(session, item_id)
        trail = audit.history(session, entity="review_item", entity_id=item_id)
        return item.state, item.text, item.decided_by, trail[-1].reason if trail else None


def test_an_agent_works_the_queue_with_the_keyboard(page: Any, web_engine) -> None:
    a_crisis(web_engine)
    ids = items_by_author(web_engine)
    k0, k1, k2, k3 = (ids[f"Kundin {n}"] for n in range(4))
    first_text = stored(web_engine, k0)[1]
    browser_sign_in(page, "tom")
    page.goto("/queue?lang=de&urgent=templated")
    selected = page.locator("article.qitem.selected")
    assert selected.get_attribute("id") == f"item-{k0}"
    page.keyboard.press("j")
    assert selected.get_attribute("id") == f"item-{k1}"
    page.keyboard.press("k")
    assert selected.get_attribute("id") == f"item-{k0}"

    page.keyboard.press("a")  # approve as suggested
    page.locator(f"#item-{k0}").wait_for(state="detached")
    assert selected.get_attribute("id") == f"item-{k1}"

    page.keyboard.press("e")  # edit, then approve with the new text
    page.keyboard.press("Control+A")
    page.keyboard.type("Hallo, wir sind dran – Hamburg ist betroffen.")
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    page.locator(f"#item-{k1}").wait_for(state="detached")

    page.keyboard.press("r")  # reject, with a reason
    page.keyboard.type("doppelt")
    page.keyboard.press("Enter")
    page.locator(f"#item-{k2}").wait_for(state="detached")
    assert selected.get_attribute("id") == f"item-{k3}"
    assert page.get_by_text(f"#{k2} rejected").is_visible()

    page.wait_for_timeout(600)  # keys right after a typed decision are dropped (typing ahead)
    page.keyboard.press("x")  # select two, approve them together
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.get_by_role("button", name="Approve selected").click()
    page.locator(f"#item-{k3}").wait_for(state="detached")
    page.locator(f"#item-{ids['Kundin 4']}").wait_for(state="detached")

    assert stored(web_engine, k0) == ("approved", first_text, "tom", None)
    assert stored(web_engine, k3)[0::2] == stored(web_engine, ids["Kundin 4"])[0::2]
    assert stored(web_engine, k3)[0::2] == ("approved", "tom")
    assert stored(web_engine, k1) == (
        "approved", "Hallo, wir sind dran – Hamburg ist betroffen.", "tom", None)  # fmt: skip
    assert stored(web_engine, k2)[0::2] == ("rejected", "tom")
    assert stored(web_engine, k2)[3] == "doppelt"
    page.keyboard.press("?")
    assert page.locator("#shortcuts").is_visible()


def test_a_lead_bulk_approves_a_cluster_after_ticking_three_items(page: Any, web_engine) -> None:
    a_crisis(web_engine)
    ids = items_by_author(web_engine)
    browser_sign_in(page, "lena")
    page.goto("/queue/clusters")
    biggest = page.locator("section.cluster").first  # de, 5 items; the English one has 1
    approve = biggest.locator("form.bulk-form button[type=submit]")  # not the lead's assign form
    assert approve.is_disabled()
    boxes = biggest.locator("input[name=spot_checked]")
    for n in range(3):
        boxes.nth(n).check()
    assert approve.is_enabled()
    approve.click()
    page.wait_for_url(re.compile(r".*/queue/clusters$"))
    said = page.locator(".flash-message").inner_text()
    assert said == "5 Einträge der Störung #1 freigegeben (Störung bekannt, de)."
    assert [stored(web_engine, ids[f"Kundin {n}"])[0] for n in range(5)] == ["approved"] * 5
    assert stored(web_engine, ids["Kundin 0"])[2] == "lena"
    with session_scope(web_engine) as session:
        assert queue.get_item(session, ids["Dr. Hahn"]).state == "pending"


def test_a_comment_with_markup_is_shown_as_text_and_never_runs(page: Any, web_engine) -> None:
    a_crisis(web_engine, evil=True)
    evil = items_by_author(web_engine)[EVIL_AUTHOR]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    browser_sign_in(page, "tom")
    for path in ("/queue", f"/queue/{evil}"):
        page.goto(path)
        card = page.locator(f"#item-{evil}")
        assert card.locator(".comment-text").inner_text() == EVIL_TEXT
        assert card.locator(".author").inner_text() == EVIL_AUTHOR
        assert card.locator(".comment img, .comment script").count() == 0
        page.wait_for_timeout(300)
    assert dialogs == []


def test_the_x_counter_weighs_like_the_platform_and_a_refused_text_stays(
    page: Any, web_engine
) -> None:
    a_crisis(web_engine)
    sam = items_by_author(web_engine)["Sam"]  # on X: 280, weighted
    browser_sign_in(page, "tom")
    page.goto("/queue?platform=x")
    area = page.locator(f"#item-{sam} textarea[name=text]")
    counter = page.locator(f"#item-{sam} .counter")
    mixed = "Hi Sam 🙏 see https://status.example/hamburg/dsl – 東京 "
    area.fill(mixed)
    assert counter.inner_text() == f"{x_length(mixed)} / 280"
    typed = mixed + "we are on it. " * 18
    area.fill(typed)
    assert x_length(typed) > 280 and "over" in (counter.get_attribute("class") or "")
    area.press("Control+Enter")
    page.locator(".flash-error").filter(has_text="the limit is 280").wait_for()
    assert area.input_value() == typed
    assert stored(web_engine, sam)[0] == "pending"


def test_the_next_page_link_follows_the_items_decided_in_place(
    page: Any, web_engine, monkeypatch
) -> None:
    monkeypatch.setattr("crisis.web.routes_queue.PAGE_SIZE", 2)
    a_crisis(web_engine, german=5)  # 6 template replies: 3 pages of 2
    with session_scope(web_engine) as session:
        order = [i.id for i in queue.list_items(session, where=queue.QueueFilter(urgent=False))]
    browser_sign_in(page, "tom")
    page.goto("/queue?urgent=templated")
    following = page.locator("nav.paging a.next-page")
    assert "offset=2" in (following.get_attribute("href") or "")
    page.keyboard.press("a")
    page.locator(f"#item-{order[0]}").wait_for(state="detached")
    assert "offset=1" in (following.get_attribute("href") or "")  # not skipping order[2]
    page.keyboard.press("a")  # the page is done: on to the items after it, none skipped
    page.wait_for_url(re.compile(r".*offset=0$"))
    shown = page.locator("article.qitem")
    assert [shown.nth(n).get_attribute("data-id") for n in range(2)] == [str(i) for i in order[2:4]]


def test_the_fast_path_does_not_approve_a_colleagues_new_wording_unread(
    page: Any, web_engine
) -> None:
    a_crisis(web_engine)
    kundin = items_by_author(web_engine)["Kundin 0"]
    browser_sign_in(page, "tom")
    page.goto("/queue?lang=de&urgent=templated")
    assert page.locator("article.qitem.selected").get_attribute("id") == f"item-{kundin}"
    with session_scope(web_engine) as session:
        queue.edit(session, kundin, text="Lena: neu formuliert", actor="lena", now=NOW)
    page.keyboard.press("a")
    page.locator(".flash-error").filter(has_text="the reply was changed since").wait_for()
    assert stored(web_engine, kundin)[:3] == ("pending", "Lena: neu formuliert", None)


def test_s_does_not_send_the_old_approved_text_when_the_box_was_changed(
    page: Any, web_engine
) -> None:
    a_crisis(web_engine)
    kundin = items_by_author(web_engine)["Kundin 0"]
    with session_scope(web_engine) as session:
        approved = queue.approve(session, kundin, actor="lena", now=NOW).text
    browser_sign_in(page, "tom")
    page.goto("/queue?state=approved")
    page.keyboard.press("e")
    page.keyboard.type(" PS: bitte DM.")
    page.keyboard.press("Escape")
    page.keyboard.press("s")
    page.locator(".flash-error").filter(
        has_text="the text in the box is not the approved"
    ).wait_for()
    assert stored(web_engine, kundin)[:3] == ("approved", approved, "lena")


def test_e_puts_the_cursor_at_the_end_of_the_reply_to_add_to_it(page: Any, web_engine) -> None:
    a_crisis(web_engine)
    kundin = items_by_author(web_engine)["Kundin 0"]
    suggested = stored(web_engine, kundin)[1]
    browser_sign_in(page, "tom")
    page.goto("/queue?lang=de&urgent=templated")
    page.keyboard.press("e")
    page.keyboard.type(" PS: Bitte per DM.")
    page.keyboard.press("Control+Enter")
    page.locator(f"#item-{kundin}").wait_for(state="detached")
    assert stored(web_engine, kundin)[:2] == ("approved", suggested + " PS: Bitte per DM.")


def test_a_reason_typed_ahead_never_becomes_shortcuts_on_the_next_item(
    page: Any, web_engine
) -> None:
    a_crisis(web_engine)
    ids = items_by_author(web_engine)
    k0, k1 = ids["Kundin 0"], ids["Kundin 1"]
    browser_sign_in(page, "tom")
    page.goto("/queue?lang=de&urgent=templated")
    page.keyboard.press("r")
    page.keyboard.type("Spam")
    page.keyboard.press("Enter")  # rejects #k0; the typist goes on at once:
    page.keyboard.press("r")
    page.keyboard.type("Spam bot again", delay=40)
    page.keyboard.press("Enter")
    page.locator(f"#item-{k0}").wait_for(state="detached")
    page.wait_for_timeout(1000)
    assert stored(web_engine, k0)[0::2] == ("rejected", "tom")
    assert stored(web_engine, k1)[0] != "approved"  # the "a" of "again" approved nothing
    assert page.url.endswith("/queue?lang=de&urgent=templated")  # Enter opened nothing


def test_a_decisions_message_does_not_move_the_queue_under_the_pointer(page: Any, web_engine):
    a_crisis(web_engine)
    k0 = items_by_author(web_engine)["Kundin 0"]
    browser_sign_in(page, "tom")
    page.goto("/queue?urgent=templated")
    heading = page.locator("main h1")
    top = heading.bounding_box()["y"]
    page.locator(f"#item-{k0} button", has_text="Approve").click()
    said = page.get_by_text(f"#{k0} approved")
    said.wait_for()
    assert heading.bounding_box()["y"] == top  # the message floats in a corner meanwhile
    box, viewport = said.bounding_box(), page.viewport_size
    assert box["y"] + box["height"] <= viewport["height"]  # and can be read without scrolling
