"""Leads set which posts of other scheduling tools are marketing; everyone sees the rules."""

from __future__ import annotations

from sqlmodel import select

from crisis.db import session_scope
from crisis.tables import AuditEntry, SchedulerRule
from tests.crisis.web.webtools import sign_in

BACK = {"referer": "http://testserver/posts"}


def test_a_lead_sets_a_rule_and_everyone_reads_it(client, web_engine):
    csrf = sign_in(client, "lena")
    page = client.post(
        "/posts/rules",
        data={"csrf_token": csrf, "source": "postiz", "label": "#Service", "category": "service"},
        headers=BACK,
        follow_redirects=True,
    )
    assert "Regel gespeichert: postiz Service → service." in page.text
    with session_scope(web_engine) as session:
        [rule] = session.exec(select(SchedulerRule)).all()
        assert (rule.source, rule.label, rule.category, rule.updated_by) == (
            "postiz", "Service", "service", "lena",
        )  # fmt: skip
        assert session.exec(
            select(AuditEntry.actor).where(AuditEntry.action == "scheduler.rule")
        ).all() == ["lena"]
    sign_in(client, "tom")
    page = client.get("/posts").text
    assert 'data-rule="postiz:Service"' in page
    assert 'action="/posts/rules"' not in page  # agents read, leads change


def test_an_agent_cannot_set_a_rule_and_a_bad_source_is_refused(client, web_engine):
    csrf = sign_in(client, "tom")
    refused = client.post(
        "/posts/rules",
        data={"csrf_token": csrf, "source": "postiz", "label": "", "category": "service"},
        headers=BACK,
    )
    assert refused.status_code == 403
    csrf = sign_in(client, "lena")
    bad = client.post(
        "/posts/rules",
        data={"csrf_token": csrf, "source": "myspace", "label": "", "category": "service"},
        headers=BACK,
    )
    assert "source: facebook, postiz, buffer, hootsuite" in bad.text  # said on the page
    assert _rules(web_engine) == []


def _rules(engine):
    with session_scope(engine) as session:
        return session.exec(select(SchedulerRule)).all()
