"""Bulk approval after a spot check, and sending, from the queue pages (plain forms)."""

from __future__ import annotations

import re

import pytest

from crisis.db import session_scope
from crisis.domain import Service
from crisis.publishing import OnceOnlyPublisher
from crisis.replies import bulk, queue
from crisis.testing import PlatformFake
from crisis.web.queue_bulk import by_reason
from tests.crisis.web.test_queue_data import a_crisis, complain, items_by_author
from tests.crisis.web.webtools import NOW, sign_in
from tests.factories import complaint, make_comment


def states(engine) -> dict[int, str]:
    with session_scope(engine) as session:
        return {i.id or 0: i.state for i in queue.list_items(session, state=None, limit=500)}


def the_cluster(engine) -> bulk.Cluster:
    with session_scope(engine) as session:
        [cluster] = bulk.clusters(session, lang="de")
    return cluster


def test_a_cluster_is_approved_only_after_three_of_its_items_were_ticked(client, web_engine):
    a_crisis(web_engine)
    by_author = items_by_author(web_engine)
    cluster = the_cluster(web_engine)
    csrf = sign_in(client, "tom")
    page = client.get("/queue/clusters").text
    assert cluster.situation == "outage_incident"  # shown in words, not as the template's name
    assert f"Incident #1: Known outage (de), {cluster.size} items" in page
    ticks = [int(i) for i in re.findall(r'name="spot_checked" value="(\d+)"', page)]
    assert by_author["Dr. Hahn"] not in ticks  # a person answers it: never in a cluster
    form = {"csrf_token": csrf, "incident_id": "1", "lang": "de", "up_to": str(cluster.up_to)}
    refused = client.post("/queue/bulk-approve", data={**form, "spot_checked": ticks[:2]},
                          headers={"referer": "http://testserver/queue/clusters"})  # fmt: skip
    assert "check at least 3 items of this cluster" in refused.text
    assert set(states(web_engine).values()) == {"pending"}
    done = client.post("/queue/bulk-approve", data={**form, "spot_checked": ticks[:3]})
    assert f"Approved {cluster.size} items of incident #1 (Known outage, de)." in done.text
    after = states(web_engine)
    assert [after[by_author[f"Kundin {n}"]] for n in range(5)] == ["approved"] * 5
    assert after[by_author["Dr. Hahn"]] == "pending" and after[by_author["Sam"]] == "pending"


def test_items_newer_than_the_listed_cluster_are_not_approved_unseen(client, web_engine):
    a_crisis(web_engine)
    cluster = the_cluster(web_engine)
    listed = {i for i, s in states(web_engine).items() if s == "pending"}
    complain(web_engine, [make_comment(author="Spät")], [complaint(Service.INTERNET)])
    late = items_by_author(web_engine)["Spät"]
    csrf = sign_in(client, "lena")
    client.post("/queue/bulk-approve", data={
        "csrf_token": csrf, "incident_id": "1", "up_to": str(cluster.up_to),
        "spot_checked": list(cluster.sample_ids[:3])})  # fmt: skip
    approved = {i for i, s in states(web_engine).items() if s == "approved"}
    assert len(approved) == cluster.size and approved <= listed
    assert late > cluster.up_to and states(web_engine)[late] == "pending"


def test_sending_without_platform_credentials_says_so_and_keeps_the_reply_approved(
    client, web_engine
):
    a_crisis(web_engine)
    kundin = items_by_author(web_engine)["Kundin 0"]
    csrf = sign_in(client, "tom")
    with session_scope(web_engine) as session:
        queue.approve(session, kundin, actor="tom", now=NOW)
    preview = client.get("/queue/send").text
    assert "1 replies would go out on facebook, which is not configured" in preview
    sent = client.post(f"/queue/{kundin}/send", data={"csrf_token": csrf})
    assert "NOT sent (still approved): the platform is not configured." in sent.text
    assert "CRISIS_FACEBOOK_PAGE_TOKEN" in sent.text
    assert states(web_engine)[kundin] == "approved"
    everything = client.post("/queue/send", data={"csrf_token": csrf})
    assert "Sent 0." in everything.text and "1 replies were NOT sent" in everything.text


def test_an_approved_reply_is_sent_once_through_the_real_publisher(
    client, web_engine, monkeypatch: pytest.MonkeyPatch
):
    platform = PlatformFake()

    def platforms(settings, *, engine, clock):
        return OnceOnlyPublisher(platform, engine=engine, clock=clock)

    monkeypatch.setattr("crisis.registry.make_publisher", platforms)
    a_crisis(web_engine)
    kundin = items_by_author(web_engine)["Kundin 0"]
    csrf = sign_in(client, "tom")
    pending = client.post(f"/queue/{kundin}/send", data={"csrf_token": csrf},
                          headers={"referer": "http://testserver/queue"})  # fmt: skip
    assert "is pending: approve it first" in pending.text and platform.posted == []
    with session_scope(web_engine) as session:
        queue.approve(session, kundin, actor="tom", now=NOW)
    assert (
        f"#{kundin} sent." in client.post(f"/queue/{kundin}/send", data={"csrf_token": csrf}).text
    )
    assert len(platform.posted) == 1 and states(web_engine)[kundin] == "sent"
    again = client.post(f"/queue/{kundin}/send", data={"csrf_token": csrf},
                        headers={"referer": "http://testserver/queue"})  # fmt: skip
    assert "already sent" in again.text or "is sent" in again.text
    assert len(platform.posted) == 1


def test_send_all_without_credentials_names_each_platform_once_with_its_items(client, web_engine):
    a_crisis(web_engine, german=3)
    ids = items_by_author(web_engine)
    mine = [ids["Kundin 0"], ids["Kundin 1"], ids["Kundin 2"], ids["Sam"]]
    csrf = sign_in(client, "tom")
    with session_scope(web_engine) as session:
        for item_id in mine:
            queue.approve(session, item_id, actor="tom", now=NOW)
    page = client.post("/queue/send", data={"csrf_token": csrf}).text
    [flash] = re.findall(r'<div class="flash flash-error" role="alert">([^<]*)</div>', page)
    assert flash.startswith("4 replies were NOT sent (still approved)")
    assert flash.count("posting to Facebook needs") == 1 and flash.count("posting to X needs") == 1
    assert f"(#{mine[0]}, #{mine[1]}, #{mine[2]})" in flash and f"(#{mine[3]})" in flash
    assert {states(web_engine)[i] for i in mine} == {"approved"}


def test_send_refuses_a_reply_box_changed_since_approval_and_keeps_the_typed_text(
    client, web_engine
):
    a_crisis(web_engine)
    kundin = items_by_author(web_engine)["Kundin 0"]
    csrf = sign_in(client, "tom")
    with session_scope(web_engine) as session:
        approved = queue.approve(session, kundin, actor="lena", now=NOW).text
    changed = {"csrf_token": csrf, "text": "Tom's better words", "original": approved}
    refused = client.post(f"/queue/{kundin}/send", data=changed)
    assert refused.status_code == 409
    assert "NOT sent: the text in the box is not the approved one" in refused.text
    assert ">Tom&#39;s better words</textarea>" in refused.text
    with session_scope(web_engine) as session:
        item = queue.get_item(session, kundin)
        assert (item.state, item.text, item.attempts) == ("approved", approved, 0)
    as_approved = client.post(f"/queue/{kundin}/send",
                              data={**changed, "text": approved.replace("\n", "\r\n")})  # fmt: skip
    assert "NOT sent (still approved): the platform is not configured." in as_approved.text


def test_a_send_message_keeps_each_platforms_reason_apart_from_the_next():
    said = by_reason([(1, "x is not configured"), (2, "facebook is not configured"),
                      (3, "x is not configured")])  # fmt: skip
    assert said == "x is not configured (#1, #3); facebook is not configured (#2)"
