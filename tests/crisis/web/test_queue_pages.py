"""The review queue pages without JavaScript: plain forms, as an agent or a lead works them."""

from __future__ import annotations

import re
from datetime import timedelta

from markupsafe import escape

from crisis import audit, incidents
from crisis.db import session_scope
from crisis.registry import reply_setup
from crisis.replies import answered, queue
from crisis.replies.incident_changes import after_incident_change
from crisis.settings import Settings
from tests.crisis.web.test_queue_data import EVIL_AUTHOR, EVIL_TEXT, a_crisis, items_by_author
from tests.crisis.web.webtools import NOW, csrf_of, sign_in


def listed_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="qitem[^"]*" id="item-(\d+)"', page)]


def item(engine, item_id):
    with session_scope(engine) as session:
        return queue.get_item(session, item_id)


def trail(engine, item_id):
    with session_scope(engine) as session:
        entries = audit.history(session, entity="review_item", entity_id=item_id)
        return [(e.action, e.actor, e.reason) for e in entries]


def test_the_queue_page_lists_urgent_first_with_sla_age_labels_and_incident(
    client, web_engine, clock
):
    a_crisis(web_engine)
    by_author = items_by_author(web_engine)
    clock.advance(timedelta(minutes=10))
    sign_in(client, "tom")
    page = client.get("/queue").text
    with session_scope(web_engine) as session:
        expected = [i.id for i in queue.list_items(session)]
    assert listed_ids(page) == expected and expected[0] == by_author["Dr. Hahn"]
    urgent = page[page.index(f'id="item-{by_author["Dr. Hahn"]}"') :]
    urgent = urgent[: urgent.index("</article>")]
    assert "is-urgent" in page.split(f'id="item-{by_author["Dr. Hahn"]}"')[0][-80:]
    assert "A person answers this:" in urgent and "legal" in urgent
    assert "mein Anwalt &lt;b&gt;klagt&lt;/b&gt;" in urgent  # the comment, as text
    assert "#1 Internet (Hamburg)</a>" in urgent and "(investigating)" in urgent
    assert "complaint" in urgent
    oldest = page[page.index(f'id="item-{by_author["Kundin 0"]}"') :]
    assert re.search(r'class="sla sla-old"[^>]*>1h00m<', oldest)
    assert "7 items" in page


def test_in_german_the_queue_names_incident_status_labels_and_reasons_in_german(client, web_engine):
    a_crisis(web_engine)
    sign_in(client, "lena")  # German
    page = client.get("/queue").text
    urgent = page[page.index('class="qitem is-urgent"') :]
    urgent = urgent[: urgent.index("</article>")]
    assert "Hier antwortet ein Mensch:</strong> Rechtliches" in urgent
    assert ">Internet</span>" in urgent and ">negativ</span>" in urgent
    assert "#1 Internet (Hamburg)</a>" in urgent and "(wird untersucht)" in urgent
    menu = page[page.index('name="incident"') : page.index('name="service"')]
    assert "#1 Internet (Hamburg) (wird untersucht)</option>" in menu
    assert ">Kundenservice</option>" in page
    for raw in ("investigating", ">legal<", ">negative<", "Known outage", ">customer_service<"):
        assert raw not in page
    hahn = items_by_author(web_engine)["Dr. Hahn"]
    client.post(f"/queue/{hahn}/reject", data={"csrf_token": csrf_of(page), "reason": "Anwalt"})
    history = client.get(f"/queue/{hahn}").text.split("</h2>")[-1]
    assert "<td>lena</td><td>abgelehnt</td><td>Anwalt</td>" in history
    assert "an einen Menschen gegeben" in history and "review_item." not in history


def test_comment_and_author_markup_is_shown_as_text_on_every_queue_page(client, web_engine):
    a_crisis(web_engine, evil=True)
    evil = items_by_author(web_engine)[EVIL_AUTHOR]
    sign_in(client, "lena")
    for path in ("/queue", f"/queue/{evil}", "/queue/clusters"):
        body = client.get(path).text
        assert "<script>alert" not in body and "<img src=x" not in body and "<img src=y" not in body
        if path in ("/queue", f"/queue/{evil}"):
            assert str(escape(EVIL_TEXT)) in body and str(escape(EVIL_AUTHOR)) in body
    assert client.get("/queue").headers["content-security-policy"].startswith("default-src 'self'")
    api = client.get(f"/api/queue/{evil}")  # JSON carries the text as it is, never as HTML
    assert api.headers["content-type"] == "application/json"
    assert api.json()["item"]["comment"]["text"] == EVIL_TEXT


def test_filters_narrow_the_list_and_an_absent_value_says_which_exist(client, web_engine):
    a_crisis(web_engine)
    by_author = items_by_author(web_engine)
    sign_in(client, "tom")
    assert listed_ids(client.get("/queue?lang=en").text) == [by_author["Sam"]]
    assert listed_ids(client.get("/queue?platform=x&incident=1").text) == [by_author["Sam"]]
    assert listed_ids(client.get("/queue?urgent=urgent").text) == [by_author["Dr. Hahn"]]
    templated = listed_ids(client.get("/queue?urgent=templated&service=internet").text)
    assert len(templated) == 6 and by_author["Dr. Hahn"] not in templated
    assert listed_ids(client.get("/queue?state=approved").text) == []
    absent = client.get("/queue?lang=fr")
    assert absent.status_code == 404
    assert "no items for language fr (languages in the queue: de, en)" in absent.text
    assert '<form method="get" action="/queue" class="filters"' in absent.text


def test_approve_edit_and_reject_by_form_are_audited_as_the_signed_in_agent(client, web_engine):
    a_crisis(web_engine)
    ids = items_by_author(web_engine)
    csrf = sign_in(client, "tom")
    first, second, third = ids["Kundin 0"], ids["Kundin 1"], ids["Kundin 2"]
    original = item(web_engine, first).text
    done = client.post(f"/queue/{first}/approve", data={
        "csrf_token": csrf, "text": original, "original": original, "next": "/queue?lang=de"},
        follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/queue?lang=de"
    assert f"#{first} approved." in client.get("/queue?lang=de").text
    client.post(f"/queue/{second}/edit", data={"csrf_token": csrf, "text": "Wir sind dran."})
    final = {"text": "Wir sind dran, Hamburg.", "original": "Wir sind dran."}
    client.post(f"/queue/{second}/approve", data={"csrf_token": csrf, **final})
    client.post(f"/queue/{third}/reject", data={"csrf_token": csrf, "reason": "spam"})
    assert (item(web_engine, first).state, item(web_engine, first).text) == ("approved", original)
    assert (item(web_engine, second).state, item(web_engine, second).text) == (
        "approved", "Wir sind dran, Hamburg.")  # fmt: skip
    assert item(web_engine, third).state == "rejected"
    assert trail(web_engine, first) == [("review_item.approved", "tom", None)]
    assert [a for a, who, _ in trail(web_engine, second) if who == "tom"] == [
        "review_item.edited", "review_item.approved"]  # fmt: skip
    assert trail(web_engine, third) == [("review_item.rejected", "tom", "spam")]


def test_a_form_without_its_csrf_token_changes_nothing(client, web_engine):
    a_crisis(web_engine)
    sign_in(client, "tom")
    refused = client.post("/queue/1/approve", data={"text": "x", "original": "y"})
    assert refused.status_code == 403 and item(web_engine, 1).state == "pending"


def test_a_reply_too_long_for_x_is_refused_and_the_typed_text_stays(client, web_engine):
    a_crisis(web_engine)
    sam = items_by_author(web_engine)["Sam"]
    before = item(web_engine, sam).text
    csrf = sign_in(client, "tom")
    typed = "Sorry Sam! " + "Our engineers are on it. " * 12
    for action in ("approve", "edit"):
        refused = client.post(f"/queue/{sam}/{action}", data={
            "csrf_token": csrf, "text": typed, "original": before})  # fmt: skip
        assert refused.status_code == 422
        assert "the limit is 280" in refused.text
        assert f">{escape(typed)}</textarea>" in refused.text
    assert (item(web_engine, sam).state, item(web_engine, sam).text) == ("pending", before)
    assert 'data-limit="280"' in client.get(f"/queue/{sam}").text


def test_the_item_page_shows_history_and_asks_for_force_once_a_follow_up_answers(
    client, web_engine, clock
):
    a_crisis(web_engine)
    hahn = items_by_author(web_engine)["Dr. Hahn"]
    with session_scope(web_engine) as session:
        resolved = incidents.resolve_incident(session, 1, now=NOW, actor="lena", reason="fixed")
        after_incident_change(session, reply_setup(Settings()), resolved, now=NOW)
        follow_up = answered.answering_follow_up(session, queue.get_item(session, hahn))
        assert follow_up is not None
    csrf = sign_in(client, "tom")
    page = client.get(f"/queue/{hahn}").text
    assert f"follow-up #{follow_up.id} (pending) answers this customer" in page
    assert 'name="force"' in page
    data = {"csrf_token": csrf, "text": "Hallo, Ihr Fall liegt bei uns.", "original": "",
            "next": f"/queue/{hahn}"}  # fmt: skip
    refused = client.post(f"/queue/{hahn}/approve", data=data, headers={
        "referer": f"http://testserver/queue/{hahn}"}, follow_redirects=True)  # fmt: skip
    assert (
        "--force approves it anyway" in refused.text and item(web_engine, hahn).state == "pending"
    )
    client.post(f"/queue/{hahn}/approve", data={**data, "force": "true"})
    assert item(web_engine, hahn).state == "approved"
    history = client.get(f"/queue/{hahn}").text
    assert "approved despite follow-up" in history and "review_item." not in history
    assert re.search(r"<td>tom</td><td>approved</td>", history)  # the action, in words
    follow_up_page = client.get(f"/queue/{follow_up.id}").text
    assert "earlier replies are still open" in follow_up_page
    assert f'<a href="/queue/{hahn}">#{hahn}</a> (approved)' in follow_up_page


def test_an_edited_reply_whose_incident_facts_changed_is_flagged_until_approved(client, web_engine):
    a_crisis(web_engine)
    kundin = items_by_author(web_engine)["Kundin 4"]
    with session_scope(web_engine) as session:
        queue.edit(session, kundin, text="Hallo, wir suchen noch.", actor="max", now=NOW)
        changed = incidents.update_incident(session, 1, now=NOW, actor="lena", status="identified")
        after_incident_change(session, reply_setup(Settings()), changed, now=NOW)
    csrf = sign_in(client, "tom")
    card = client.get("/queue").text.split(f'id="item-{kundin}"')[1].split("</article>")[0]
    assert "facts changed" in card and "edited by max" in card
    assert "read it again before approving" in client.get(f"/queue/{kundin}").text
    text = item(web_engine, kundin).text
    client.post(f"/queue/{kundin}/approve", data={"csrf_token": csrf, "text": text,
                                                  "original": text})  # fmt: skip
    assert not item(web_engine, kundin).facts_changed
    assert trail(web_engine, kundin)[-1] == (
        "review_item.approved", "tom", "approved despite changed facts")  # fmt: skip


def test_the_queue_pages_by_fifty_keeping_the_filter(client, web_engine):
    a_crisis(web_engine, german=55)
    sign_in(client, "tom")
    first = client.get("/queue?lang=de&kind=reply").text
    assert len(listed_ids(first)) == 50 and "items 1–50" in first
    following = re.search(r'href="(/queue\?[^"]*offset=50)"', first)
    assert following and html_unescape(following.group(1)) == "/queue?lang=de&kind=reply&offset=50"
    second = client.get(html_unescape(following.group(1))).text
    with session_scope(web_engine) as session:
        rest = queue.list_items(session, where=queue.QueueFilter(lang="de"), offset=50)
    assert listed_ids(second) == [i.id for i in rest] and len(rest) == 6
    assert 'offset=0">' in second and "next page" not in second


def html_unescape(text: str) -> str:
    from html import unescape

    return unescape(text)


def test_the_item_page_shows_what_the_incident_tells_the_public_as_the_cli_does(client, web_engine):
    a_crisis(web_engine)
    hahn = items_by_author(web_engine)["Dr. Hahn"]  # urgent: a person writes the answer
    said = "DSL in Hamburg gestört <seit 8 Uhr>, Technik vor Ort"
    with session_scope(web_engine) as session:
        incidents.update_incident(session, 1, now=NOW, actor="lena", public_status=said)
    sign_in(client, "tom")
    page = client.get(f"/queue/{hahn}").text
    assert "What we tell the public about this incident:</span> " + str(escape(said)) in page


def test_a_resolved_incident_with_follow_ups_waiting_can_be_picked_in_the_filter(
    client, web_engine
):
    a_crisis(web_engine)
    with session_scope(web_engine) as session:
        resolved = incidents.resolve_incident(session, 1, now=NOW, actor="lena", reason="fixed")
        after_incident_change(session, reply_setup(Settings()), resolved, now=NOW)
        follow_ups = queue.list_items(session, where=queue.QueueFilter(kind="follow_up"))
    assert follow_ups and {i.incident_id for i in follow_ups} == {1}
    sign_in(client, "tom")
    page = client.get("/queue?kind=follow_up").text
    assert re.search(r'<option value="1" >#1 [^<]*\(resolved\)</option>', page)
