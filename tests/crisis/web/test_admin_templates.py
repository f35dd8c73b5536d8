"""The reply templates page: every wording, rendered by the real responder with real facts."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from crisis import incidents
from crisis.db import session_scope
from crisis.domain import Service
from crisis.platform_text import x_length
from tests.crisis.web.webtools import sign_in

PREVIEW = re.compile(
    r'<p class="wording-name"><code>([^<]+)</code>[^<]*</p>\s*<p class="reply-preview">(.*?)</p>',
    re.S,
)


@pytest.fixture
def lena(client):
    return sign_in(client, "lena")


def _previews(page: str) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in PREVIEW.findall(page)}


def test_every_language_and_situation_is_listed_with_each_wording(client, lena):
    previews = _previews(client.get("/templates").text)
    for lang in ("de", "en"):
        for situation in ("outage_incident", "outage_no_incident", "complaint",
                          "resolved_follow_up", "question", "praise"):  # fmt: skip
            names = sorted(n for n in previews if n.startswith(f"{lang}/{situation}#"))
            assert names, f"{lang}/{situation}"
            assert names == [f"{lang}/{situation}#{i}" for i in range(1, len(names) + 1)]
    assert len([n for n in previews if n.startswith("de/outage_incident#")]) == 3
    for stage in ("outage_suspected", "outage_monitoring"):  # each stage's own wordings
        assert any(n.startswith(f"de/{stage}#") for n in previews)


def test_sample_facts_fill_the_wordings_in_each_language(client, lena, settings):
    previews = _previews(client.get("/templates").text)
    german = previews["de/outage_incident#1"]
    assert german.startswith("Hallo Sabine K., das tut uns wirklich leid")
    assert "Mobilfunk-Störung in Berlin, Hamburg, München und Köln" in german
    assert "Uhr" not in german  # the public status text stands for the ETA: each fact once
    assert settings.status_url in german
    english = previews["en/outage_incident#1"]
    assert "Sabine K." in english and "{{" not in english
    assert "Mobilfunk" not in english  # the English service name, not the German one


def test_without_negative_sentiment_the_apology_is_left_out(client, lena):
    calm = _previews(client.get("/templates", params={"negative": "false"}).text)
    assert not any("das tut uns wirklich leid" in text for text in calm.values())
    assert calm["de/complaint#1"].startswith("Hallo Sabine K., danke")


def test_x_previews_are_shortened_to_fit(client, lena):
    facebook = _previews(client.get("/templates").text)
    x = _previews(client.get("/templates", params={"platform": "x"}).text)
    assert x and all(x_length(text) <= 280 for text in x.values())
    assert any(x_length(text) > 280 for text in facebook.values())  # so shortening was needed


def test_a_chosen_incidents_facts_are_used_and_escaped(client, lena, web_engine, clock):
    with session_scope(web_engine) as session:
        incident = incidents.open_incident(
            session, service=Service.INTERNET, now=clock.now(), opened_by="operator",
            actor="lena", reason="test", regions=["Dresden"], status="identified",
            public_status="Ein <b>Glasfaser</b>kabel wurde beschädigt",
            eta=clock.now() + timedelta(hours=5),
        )  # fmt: skip
        incident_id = incident.id
    page = client.get("/templates", params={"incident": incident_id}).text
    assert "<b>Glasfaser</b>" not in page  # what the team typed is text, never markup
    previews = _previews(page)
    german = previews["de/outage_incident#2"]
    assert "DSL-Störung in Dresden" in german
    assert "Ein <b>Glasfaser</b>kabel wurde beschädigt." in german
    assert "Uhr" not in german  # the public status text stands for the ETA: each fact once
    assert "behoben" in previews["de/resolved_follow_up#1"]
    assert f'<option value="{incident_id}" selected>' in page


def test_an_unknown_incident_is_a_clear_404(client, lena):
    response = client.get("/templates", params={"incident": 999})
    assert response.status_code == 404
    assert "999" in response.text


def test_the_page_shows_each_wordings_source(client, lena):
    page = client.get("/templates").text
    assert html.escape("{{ greeting }} {{ apology }} die {{ outage }}") in page


# --- editing (CRISIS_TEMPLATES_DIR) ---------------------------------------------------------

FROM_TEMPLATES = {"Referer": "http://testserver/templates"}


@pytest.fixture
def editor(web_engine, clock, settings, tmp_path):
    """The app with an edits folder, lena signed in: (client, csrf, folder, settings)."""
    from fastapi.testclient import TestClient

    from crisis.web.app import create_app

    folder = tmp_path / "wordings"
    editable = settings.model_copy(update={"templates_dir": folder})
    with TestClient(create_app(editable, engine=web_engine, clock=clock)) as client:
        yield client, sign_in(client, "lena"), folder, editable


def _save(client, csrf, text, *, lang="de", situation="complaint", number=1):
    return client.post(
        "/templates/wording",
        data={"csrf_token": csrf, "lang": lang, "situation": situation, "number": str(number),
              "text": text},
        headers=FROM_TEMPLATES,
    )  # fmt: skip


def _audit(engine, action):
    from sqlmodel import select

    from crisis.tables import AuditEntry

    with session_scope(engine) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == action)).all()
        return [(r.actor, r.entity_id, r.details) for r in rows]


def test_without_a_templates_dir_the_page_is_read_only(client, lena):
    page = client.get("/templates").text
    assert "CRISIS_TEMPLATES_DIR" in page
    assert "<textarea" not in page
    refused = _save(client, lena, "{{ greeting }} Hallo.")
    assert "set CRISIS_TEMPLATES_DIR" in html.unescape(refused.text)


def test_a_lead_edits_a_wording_and_new_suggestions_use_it(editor, web_engine):
    client, csrf, folder, settings = editor
    text = "{{ greeting }} {{ apology }} wir kümmern uns um {{ service }}. Schreib uns eine DM."
    saved = _save(client, csrf, text)
    assert saved.status_code == 200
    assert "de/complaint#1 ist gespeichert." in html.unescape(saved.text)
    previews = _previews(saved.text)
    assert previews["de/complaint#1"] == (
        "Hallo Sabine K., das tut uns wirklich leid – wir kümmern uns um Mobilfunk. "
        "Schreib uns eine DM."
    )
    assert previews["de/complaint#2"].startswith("Hallo Sabine K., das tut uns wirklich leid – das")
    assert "hier geändert" in saved.text
    assert (folder / "de.toml").exists() and not (folder / "en.toml").exists()
    # what the queue and the pipeline build (registry.reply_setup) says the same
    from crisis.domain import CommentView, Labels, Sentiment
    from crisis.registry import reply_setup
    from responders.templates import rotation

    comment_id = next(i for i in range(1, 100) if rotation(i, 3) == 0)
    suggestion = reply_setup(settings).responder.respond(
        CommentView(comment_id, "facebook", "Ali", "", "de"),
        Labels("t", True, 1.0, Service.TV, Sentiment.NEUTRAL, lang="de"),
        None,
        situation="complaint",
    )
    assert suggestion is not None
    assert suggestion.text == "Hallo Ali, wir kümmern uns um TV. Schreib uns eine DM."
    ((actor, entity_id, details),) = _audit(web_engine, "template.wording_set")
    assert (actor, entity_id) == ("lena", "de/complaint#1")
    assert details["after"] == text
    assert details["before"].startswith(
        '{{ greeting }} {{ apology }} danke für {{ du("dein", "Ihr") }} Feedback.'
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{{ greeting }} deine {{ kundennummer }} bitte", "'kundennummer' is undefined"),
        ("{{ greeting }} {% if eta %}bald", "line 1"),
        ("{{ greeting.__class__.__mro__ }}", "unsafe"),
        ("   ", "needs some text"),
    ],
)
def test_a_broken_wording_is_refused_and_the_text_kept(editor, web_engine, text, reason):
    client, csrf, folder, _ = editor
    refused = _save(client, csrf, text)
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert reason in page
    assert "de/complaint#1 wurde nicht gespeichert" in page
    if text.strip():
        draft = r'<details class="edit" open id="draft">.*?<textarea[^>]*>(.*?)</textarea>'
        textarea = re.search(draft, refused.text, re.S)
        assert textarea and html.unescape(textarea.group(1)) == text
    assert not (folder / "de.toml").exists()
    assert _audit(web_engine, "template.wording_set") == []


def test_a_wording_is_added_and_the_edits_reset(editor, web_engine):
    client, csrf, folder, _ = editor
    added = _save(client, csrf, "{{ greeting }} Lob kommt an, {{ brand }} sagt danke!",
                  situation="praise", number=4)  # fmt: skip
    assert (
        _previews(added.text)["de/praise#4"] == "Hallo Sabine K., Lob kommt an, Nordtel sagt danke!"
    )
    assert "de/praise#5" not in _previews(added.text)
    assert _save(client, csrf, "x", situation="praise", number=9).status_code == 422
    reset = client.post("/templates/reset", headers=FROM_TEMPLATES,
                        data={"csrf_token": csrf, "lang": "de", "situation": "praise"})  # fmt: skip
    assert "de/praise nutzt wieder die mitgelieferten Formulierungen." in html.unescape(reset.text)
    assert "de/praise#4" not in _previews(reset.text)
    assert not (folder / "de.toml").exists()  # nothing else was edited
    ((actor, entity_id, details),) = _audit(web_engine, "template.situation_reset")
    assert (actor, entity_id) == ("lena", "de/praise")
    assert len(details["dropped"]) == 4


def test_hand_made_edits_in_the_file_are_kept_when_a_wording_is_saved(editor):
    client, csrf, folder, _ = editor
    folder.mkdir()
    (folder / "de.toml").write_text('[services]\ntv = "Fernsehen"\n', encoding="utf-8")
    saved = _save(client, csrf, "{{ greeting }} Problem mit {{ service }}? Schreib uns.")
    previews = _previews(saved.text)
    assert previews["de/complaint#1"] == "Hallo Sabine K., Problem mit Mobilfunk? Schreib uns."
    import tomllib

    data = tomllib.loads((folder / "de.toml").read_text(encoding="utf-8"))
    assert data["services"] == {"tv": "Fernsehen"}
    assert (
        data["complaint"]["wordings"][0] == "{{ greeting }} Problem mit {{ service }}? Schreib uns."
    )


def test_a_wording_with_markup_is_shown_as_text(editor):
    client, csrf, _, _ = editor
    saved = _save(client, csrf, '{{ greeting }} <script>alert("x")</script> DM bitte.')
    assert '<script>alert("x")</script>' not in saved.text
    assert _previews(saved.text)["de/complaint#1"] == (
        'Hallo Sabine K., <script>alert("x")</script> DM bitte.'
    )


def test_a_running_pipelines_responder_picks_up_an_edit_and_its_reset(editor):
    """``crisis poll --follow`` builds its responder once; a lead's edit must still reach its
    next suggestions, without a restart."""
    from crisis.domain import CommentView, Labels, Sentiment
    from crisis.registry import reply_setup
    from responders.templates import rotation

    client, csrf, folder, settings = editor
    running = reply_setup(settings).responder  # built before the edit, like the poller's
    comment_id = next(i for i in range(1, 100) if rotation(i, 3) == 0)

    def suggest() -> str:
        suggestion = running.respond(
            CommentView(comment_id, "facebook", "Ali", "", "de"),
            Labels("t", True, 1.0, Service.TV, Sentiment.NEUTRAL, lang="de"),
            None,
            situation="complaint",
        )
        assert suggestion is not None
        return suggestion.text

    packaged = suggest()
    assert _save(client, csrf, "{{ greeting }} neu: {{ service }}.").status_code == 200
    assert suggest() == "Hallo Ali, neu: TV."
    client.post(
        "/templates/reset",
        data={"csrf_token": csrf, "lang": "de", "situation": "complaint"},
        headers=FROM_TEMPLATES,
    )
    assert suggest() == packaged
    (folder / "de.toml").write_text("[complaint\nbroken", encoding="utf-8")  # a bad hand edit
    assert suggest() == packaged  # the wordings that worked stay


def test_the_sample_facts_are_named_in_the_pages_language(client, lena):
    german = html.unescape(client.get("/templates").text)
    assert "<dd>Mobilfunk</dd>" in german and "<dd>Ursache gefunden</dd>" in german
    client.post("/lang", data={"csrf_token": lena, "lang": "en"})
    english = html.unescape(client.get("/templates").text)
    assert "<dd>Mobile</dd>" in english and "<dd>identified</dd>" in english
