"""The posts page: held posts with what held them, the lead's resume, freeze and unfreeze forms,
the marketing-frozen banner, and what agents may not do (real SQLite, the real domain calls)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from crisis import audit, holds, incidents, posts
from crisis.db import session_scope
from crisis.domain import Service
from crisis.tables import AuditEntry
from crisis.testing import RecordingPublisher
from tests.crisis.web.webtools import NOW, sign_in

DUE = NOW + timedelta(hours=1)  # 15:00 in Berlin
SIX_PM = datetime(2017, 5, 13, 16, 0, tzinfo=UTC)  # 18:00 in Berlin
BACK = {"referer": "http://testserver/posts"}


def schedule(engine, key, *, category="marketing", at=DUE, text=None):
    with session_scope(engine) as session:
        posts.schedule_post(
            session,
            key=key,
            channel="facebook",
            category=category,
            text=text or f"{key}: Muttertagsangebot",
            publish_at=at,
            now=NOW,
            actor="lena",
        )


def open_incident(engine, now=NOW):
    with session_scope(engine) as session:
        incident = incidents.open_incident(
            session,
            service=Service.INTERNET,
            now=now,
            opened_by="operator",
            actor="lena",
            reason="DSL down in Hamburg",
            regions=["Hamburg"],
        )
        return incident.id


def resolve(engine, incident_id, now=NOW):
    with session_scope(engine) as session:
        incidents.resolve_incident(session, incident_id, now=now, actor="lena", reason="fixed")


def state_of(engine, key):
    with session_scope(engine) as session:
        post = posts.get_post(session, key)
        return post.state, post.publish_at.astimezone(UTC)


def trail(engine, key):
    with session_scope(engine) as session:
        return [
            (e.action, e.actor, e.reason)
            for e in audit.history(session, entity="post", entity_id=key)
        ]


def resume(client, csrf, **form):
    data = {"csrf_token": csrf, "which": "selected", **form}
    return client.post("/posts/resume", data=data, headers=BACK, follow_redirects=True)


def held_section(html):
    return html[html.index('id="held"') : html.index('id="scheduled"')]


def test_a_held_post_shows_when_it_was_due_its_incident_and_since_when(client, web_engine):
    schedule(web_engine, "muttertag")
    schedule(web_engine, "stoerungsinfo", category="service")
    incident_id = open_incident(web_engine)
    sign_in(client, "lena")
    html = client.get("/posts").text
    held = held_section(html)
    assert "muttertag: Muttertagsangebot" in held and "stoerungsinfo" not in held
    assert f'href="/incidents/{incident_id}"' in held and "wird untersucht" in held
    assert held.count("13.05.2017 15:00") == 1  # due, in Berlin time
    assert held.count("13.05.2017 14:00") == 1  # held since the incident opened
    assert "stoerungsinfo" in html[html.index('id="scheduled"') :]
    assert 'id="freeze-banner"' in html and "Marketing ist gestoppt" in html


def test_an_agent_sees_held_posts_but_no_forms_and_cannot_resume_or_freeze(client, web_engine):
    schedule(web_engine, "muttertag")
    incident_id = open_incident(web_engine)
    resolve(web_engine, incident_id)
    csrf = sign_in(client, "tom")
    html = client.get("/posts").text
    assert "muttertag: Muttertagsangebot" in html and "Held (1)" in html
    assert 'action="/posts/resume"' not in html and 'action="/posts/freeze"' not in html
    assert 'name="key"' not in html
    form = {"csrf_token": csrf, "key": "muttertag", "mode": "time", "after": "+2h", "reason": "go"}
    refused = client.post("/posts/resume", data=form, headers=BACK)
    assert refused.status_code == 403 and "needs a lead" in refused.text
    refused = client.post("/posts/freeze", data={"csrf_token": csrf, "reason": "x"}, headers=BACK)
    assert refused.status_code == 403
    assert state_of(web_engine, "muttertag")[0] == "held"
    with session_scope(web_engine) as session:
        assert holds.active_freeze(session) is None


def test_resume_while_the_incident_is_open_is_refused_with_its_reason_and_changes_nothing(
    client, web_engine
):
    schedule(web_engine, "muttertag")
    incident_id = open_incident(web_engine)
    csrf = sign_in(client, "lena")
    before = trail(web_engine, "muttertag")
    page = resume(
        client,
        csrf,
        key="muttertag",
        mode="time",
        at="2017-05-13T18:00",
        reason="Störung fast vorbei",
    )
    assert page.url.path == "/posts"
    assert f"Störung #{incident_id} ist noch offen" in page.text and "flash-error" in page.text
    assert state_of(web_engine, "muttertag") == ("held", DUE)
    assert trail(web_engine, "muttertag") == before


def test_resume_chosen_posts_on_a_new_berlin_time_after_the_incident_is_resolved(
    client, web_engine
):
    schedule(web_engine, "muttertag")
    schedule(web_engine, "pfingsten")
    incident_id = open_incident(web_engine)
    resolve(web_engine, incident_id)
    csrf = sign_in(client, "lena")
    page = resume(
        client,
        csrf,
        key="muttertag",
        mode="time",
        at="2017-05-13T18:00",
        reason="Störung behoben, Kampagne läuft weiter",
    )
    assert "1 Posts freigegeben: muttertag" in page.text
    assert state_of(web_engine, "muttertag") == ("scheduled", SIX_PM)
    assert state_of(web_engine, "pfingsten")[0] == "held"
    assert trail(web_engine, "muttertag")[-1] == (
        "post.scheduled",
        "lena",
        "Störung behoben, Kampagne läuft weiter",
    )
    scheduled = page.text[page.text.index('id="scheduled"') :]
    assert "muttertag" in scheduled and "13.05.2017 18:00" in scheduled
    assert "muttertag" not in held_section(page.text)


def test_resume_all_back_to_draft_works_even_while_marketing_is_blocked(client, web_engine):
    schedule(web_engine, "muttertag")
    schedule(web_engine, "pfingsten")
    open_incident(web_engine)
    csrf = sign_in(client, "lena")
    page = resume(client, csrf, which="all", mode="draft", reason="Texte passen nicht mehr")
    assert "2 Posts zurück im Entwurf" in page.text
    assert state_of(web_engine, "muttertag")[0] == "draft"
    assert state_of(web_engine, "pfingsten")[0] == "draft"
    assert trail(web_engine, "pfingsten")[-1] == ("post.draft", "lena", "Texte passen nicht mehr")
    assert "Texte passen nicht mehr" in page.text[page.text.index('id="drafts"') :]


def test_a_post_whose_time_passed_needs_a_new_time_and_a_relative_one_works(
    client, web_engine, clock
):
    schedule(web_engine, "muttertag")
    incident_id = open_incident(web_engine)
    clock.advance(timedelta(hours=3))  # the post was due two hours ago
    resolve(web_engine, incident_id, now=clock.now())
    csrf = sign_in(client, "lena")
    assert "Zeit verstrichen: braucht eine neue Zeit" in held_section(client.get("/posts").text)
    page = resume(client, csrf, key="muttertag", mode="keep", reason="weiter")
    assert "time that has passed" in page.text and state_of(web_engine, "muttertag")[0] == "held"
    page = resume(client, csrf, key="muttertag", mode="time", at="2017-05-13T12:00", reason="x")
    assert "has already passed" in page.text and state_of(web_engine, "muttertag")[0] == "held"
    resume(client, csrf, key="muttertag", mode="time", after="+2h", reason="weiter")
    assert state_of(web_engine, "muttertag") == ("scheduled", clock.now() + timedelta(hours=2))


def test_resume_needs_a_reason_a_choice_and_a_time(client, web_engine):
    schedule(web_engine, "muttertag")
    resolve(web_engine, open_incident(web_engine))
    csrf = sign_in(client, "lena")
    page = resume(client, csrf, key="muttertag", mode="time", after="+2h", reason="  ")
    assert "Sagen Sie, warum die Posts wieder hinausgehen dürfen" in page.text  # lena: German
    page = resume(client, csrf, mode="time", after="+2h", reason="weiter")
    assert "Haken Sie die zurückgehaltenen Posts an" in page.text
    page = resume(client, csrf, key="muttertag", mode="time", reason="weiter")
    assert "Geben Sie die neue Zeit (Berlin) an" in page.text
    assert state_of(web_engine, "muttertag") == ("held", DUE)


def test_freeze_holds_scheduled_marketing_and_shows_the_banner_until_unfrozen(client, web_engine):
    schedule(web_engine, "muttertag")
    schedule(web_engine, "stoerungsinfo", category="service")
    csrf = sign_in(client, "lena")
    assert 'id="freeze-banner"' not in client.get("/posts").text
    reason = "<script>alert('x')</script> Shitstorm zum Spot"
    page = client.post(
        "/posts/freeze",
        data={"csrf_token": csrf, "reason": reason},
        headers=BACK,
        follow_redirects=True,
    )
    assert "Marketing gestoppt: 1 Posts zurückgehalten" in page.text
    assert 'id="freeze-banner"' in page.text and "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Shitstorm zum Spot" in page.text
    assert state_of(web_engine, "muttertag")[0] == "held"
    assert state_of(web_engine, "stoerungsinfo")[0] == "scheduled"
    assert "Stopp #1 von lena" in held_section(page.text)
    with session_scope(web_engine) as session:
        query = select(AuditEntry).where(AuditEntry.action == "marketing.freeze")
        entry = session.exec(query).one()
        assert (entry.actor, entry.reason) == ("lena", reason)

    page = client.post(
        "/posts/unfreeze",
        data={"csrf_token": csrf, "reason": "Spot abgesetzt"},
        headers=BACK,
        follow_redirects=True,
    )
    assert "1 zurückgehaltene Posts bleiben bis zur Freigabe zurückgehalten" in page.text
    assert 'id="freeze-banner"' not in page.text
    assert state_of(web_engine, "muttertag")[0] == "held"


def test_a_second_freeze_and_an_unfreeze_without_reason_are_refused(client, web_engine):
    csrf = sign_in(client, "lena")
    client.post("/posts/freeze", data={"csrf_token": csrf, "reason": "Spot"}, headers=BACK)
    page = client.post(
        "/posts/freeze",
        data={"csrf_token": csrf, "reason": "noch mal"},
        headers=BACK,
        follow_redirects=True,
    )
    assert "Marketing ist schon seit 2017-05-13 14:00 Berlin von lena gestoppt." in page.text
    page = client.post(
        "/posts/unfreeze",
        data={"csrf_token": csrf, "reason": ""},
        headers=BACK,
        follow_redirects=True,
    )
    assert "Sagen Sie, warum Marketing wieder hinausgehen darf" in page.text
    with session_scope(web_engine) as session:
        assert holds.active_freeze(session).reason == "Spot"


def test_a_script_in_a_post_text_is_shown_as_text(client, web_engine):
    schedule(web_engine, "xss", text='<script>alert(1)</script><img src=x onerror="alert(2)">')
    open_incident(web_engine)
    sign_in(client, "tom")
    html = client.get("/posts").text
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x" in html


def test_the_banner_goes_when_the_incident_is_resolved_and_nothing_is_frozen(client, web_engine):
    schedule(web_engine, "muttertag")
    incident_id = open_incident(web_engine)
    sign_in(client, "tom")
    for path in ("/posts", "/reports"):
        assert 'id="freeze-banner"' in client.get(path).text
    resolve(web_engine, incident_id)
    for path in ("/posts", "/reports"):
        assert 'id="freeze-banner"' not in client.get(path).text
    html = client.get("/posts").text
    assert "Marketing may go out" in html and "1 held posts still wait for a lead" in html


def test_published_failed_and_stuck_posts_are_listed_with_what_happened(client, web_engine, clock):
    schedule(web_engine, "wartung", category="service", at=NOW - timedelta(minutes=5))
    with session_scope(web_engine) as session:
        posts.publish_due(session, RecordingPublisher(), now=NOW)
        posts.schedule_post(
            session,
            key="haengt",
            channel="x",
            category="service",
            text="t",
            publish_at=NOW,
            now=NOW,
            actor="lena",
        )
        post = posts.get_post(session, "haengt")
        post.state = "publishing"  # a publisher died mid-call
        session.add(post)
    sign_in(client, "tom")
    html = client.get("/posts").text
    assert "wartung" in html[html.index('id="published"') :]
    assert "haengt" in html[html.index('id="stuck"') : html.index('id="published"')]
    assert "crisis posts settle" in html
