"""Claims and assignments: two agents never work the same item unknowingly; a lead shares out
the queue; bulk approval leaves other people's items alone."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from crisis.db import session_scope
from crisis.replies import bulk, claims, queue
from crisis.tables import AuditEntry
from tests.crisis.replies.test_queue import NOW, cluster, pending_item, with_incident

TTL = timedelta(minutes=15)


def test_the_first_agent_to_open_an_item_holds_it_until_the_claim_expires(engine):
    item_id = pending_item(engine)
    with session_scope(engine) as session:
        tom = claims.claim(session, item_id, user="tom", now=NOW, ttl=TTL)
        max_sees = claims.claim(session, item_id, user="max", now=NOW + timedelta(minutes=3))
    assert tom == claims.Claim("tom", NOW, NOW + TTL)
    assert max_sees == tom  # max is told tom has it, since when and until when
    with session_scope(engine) as session:  # tom comes back: the claim is renewed
        renewed = claims.claim(session, item_id, user="tom", now=NOW + timedelta(minutes=10))
    assert renewed == claims.Claim("tom", NOW + timedelta(minutes=10), NOW + timedelta(minutes=25))
    with session_scope(engine) as session:  # tom went to lunch: max may take it over
        taken = claims.claim(session, item_id, user="max", now=NOW + timedelta(minutes=26))
    assert taken is not None and taken.by == "max"
    with session_scope(engine) as session:
        assert claims.release(session, item_id, user="max")
        assert claims.active_claim(queue.get_item(session, item_id), now=NOW) is None


def test_a_decided_item_is_not_claimed(engine):
    item_id = pending_item(engine)
    with session_scope(engine) as session:
        queue.approve(session, item_id, actor="lena", now=NOW)
        assert claims.claim(session, item_id, user="tom", now=NOW) is None


def test_a_lead_assigns_a_cluster_and_my_items_and_unassigned_views_follow(engine):
    incident_id = with_incident(engine)
    german = cluster(engine, 4, incident_id=incident_id)
    english = cluster(engine, 2, incident_id=incident_id, lang="en")
    with session_scope(engine) as session:
        ids = claims.cluster_ids(session, incident_id=incident_id, lang="de", templated=True)
        assert ids == german
        assert claims.assign(session, ids, to="tom", actor="lena", now=NOW) == german
        claims.claim(session, english[0], user="max", now=NOW)
    with session_scope(engine) as session:
        since = NOW - TTL + timedelta(minutes=1)

        def listed(**who):
            where = queue.QueueFilter(claims_from=since, **who)
            return [i.id for i in queue.list_items(session, where=where)]

        assert sorted(listed(mine="tom")) == german
        assert listed(mine="max") == [english[0]]
        assert listed(unassigned=True) == [english[1]]
        load = claims.load(session, now=NOW + timedelta(minutes=1), ttl=TTL)
        assert load == [claims.Load("tom", 4, 0), claims.Load("max", 0, 1)]
        assigned = session.exec(
            select(AuditEntry).where(AuditEntry.action == "review_item.assigned")
        ).all()
        assert {(e.entity_id, e.actor, e.details["assigned_to"][1]) for e in assigned} == {
            (str(i), "lena", "tom") for i in german
        }


def test_bulk_approve_leaves_items_claimed_or_assigned_by_others(engine):
    incident_id = with_incident(engine)
    ids = cluster(engine, 5, incident_id=incident_id)
    with session_scope(engine) as session:
        claims.claim(session, ids[3], user="tom", now=NOW)
        claims.assign(session, [ids[4]], to="max", actor="lena", now=NOW)
        claims.claim(session, ids[0], user="lena", now=NOW)  # her own claim does not stop her
    with session_scope(engine) as session:
        result = bulk.bulk_approve(
            session, incident_id=incident_id, spot_checked=ids[:3], up_to=ids[-1], actor="lena",
            now=NOW + timedelta(minutes=1), claim_ttl=TTL,
        )  # fmt: skip
    assert result.approved == ids[:3]
    assert result.refused == [(ids[3], "claimed by tom"), (ids[4], "assigned to max")]
