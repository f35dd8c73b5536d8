"""The users page (leads) and a person's own account page."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from crisis import accounts
from crisis.db import session_scope
from crisis.tables import AuditEntry
from tests.crisis.web.webtools import PASSWORD, sign_in

NEW_PASSWORD = "a different passphrase"
FROM_USERS = {"Referer": "http://testserver/users"}


@pytest.fixture
def lena(client):
    return sign_in(client, "lena")


# lena reads German: the refusal in her language
LAST_LEAD = "lena ist die letzte Teamleitung: machen Sie erst jemand anderen zur Teamleitung."


def _post(client, path, csrf, **data):
    return client.post(path, data={"csrf_token": csrf, **data}, headers=FROM_USERS)


def _flash(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'class="flash flash-\w+"[^>]*>([^<]*)<', page)]


def _audit(engine, action):
    with session_scope(engine) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == action)).all()
        return [(r.actor, r.entity_id, r.reason, r.details) for r in rows]


def _user(engine, name):
    with session_scope(engine) as session:
        user = accounts.find_user(session, name)
        if user is not None:
            session.expunge(user)
        return user


def _other_browser(client, name, password=PASSWORD):
    other = TestClient(client.app)
    sign_in(other, name, password)
    return other


def test_the_lead_sees_every_user_with_role_language_and_berlin_times(client, lena):
    page = client.get("/users").text
    rows = dict(re.findall(r'<tr class="[^"]*" data-user="([^"]+)">(.*?)</tr>', page, re.S))
    assert set(rows) == {"lena", "tom"}
    assert "Leitung" in rows["lena"] and "Deutsch" in rows["lena"]
    assert "Agent" in rows["tom"] and "Englisch" in rows["tom"]
    assert "13.05.2017 14:00" in rows["tom"]  # 12:00 UTC is 14:00 in Berlin (summer time)
    assert "Angelegt (Berlin)" in page


def test_adding_a_user_needs_the_password_twice_and_is_audited(client, lena, web_engine):
    differ = _post(client, "/users/add", lena, name="anna", role="agent", lang="en",
                   password=NEW_PASSWORD, password_again=NEW_PASSWORD + "x")  # fmt: skip
    assert differ.status_code == 422
    assert "the two passwords differ: type the same one twice" in " ".join(_flash(differ.text))
    assert 'name="name" maxlength="128" required autocomplete="off" value="anna"' in differ.text
    assert '<option value="en" selected>' in differ.text  # what was typed stays
    assert NEW_PASSWORD not in differ.text  # except the passwords
    assert _user(web_engine, "anna") is None
    short = _post(client, "/users/add", lena, name="anna", role="agent", lang="en",
                  password="short", password_again="short")  # fmt: skip
    assert "Das Passwort braucht mindestens 10 Zeichen." in " ".join(_flash(short.text))
    done = _post(client, "/users/add", lena, name="anna", role="agent", lang="en",
                 password=NEW_PASSWORD, password_again=NEW_PASSWORD)  # fmt: skip
    assert _flash(done.text) == ["anna ist angelegt."]
    assert 'data-user="anna"' in done.text
    assert _audit(web_engine, "user.added")[-1] == (
        "lena",
        "anna",
        None,
        {"role": "agent", "lang": "en"},
    )
    again = _post(client, "/users/add", lena, name="anna", role="lead", lang="de",
                  password=NEW_PASSWORD, password_again=NEW_PASSWORD)  # fmt: skip
    assert "Es gibt schon eine Person namens anna" in " ".join(_flash(again.text))
    anna = _other_browser(client, "anna", NEW_PASSWORD)
    assert "Review queue" in anna.get("/queue").text  # her language is English


def test_a_lead_changes_a_role_and_the_last_lead_stays_a_lead(client, lena, web_engine):
    promoted = _post(client, "/users/role", lena, name="tom", role="lead")
    assert _flash(promoted.text) == ["tom hat jetzt die Rolle Leitung."]
    assert _user(web_engine, "tom").role == "lead"
    _post(client, "/users/role", lena, name="tom", role="agent")
    refused = _post(client, "/users/role", lena, name="lena", role="agent")
    assert _flash(refused.text) == [LAST_LEAD]
    assert _user(web_engine, "lena").role == "lead"
    assert [(a, e, d) for a, e, _, d in _audit(web_engine, "user.role_set")] == [
        ("lena", "tom", {"role": ["agent", "lead"]}),
        ("lena", "tom", {"role": ["lead", "agent"]}),
    ]


def test_the_last_lead_cannot_be_disabled(client, lena, web_engine):
    refused = _post(client, "/users/disable", lena, name="lena", reason="testing")
    assert _flash(refused.text) == [LAST_LEAD]
    assert _user(web_engine, "lena").disabled_at is None
    assert client.get("/users").status_code == 200  # still signed in


def test_resetting_a_password_ends_that_users_sessions(client, lena, web_engine):
    tom = _other_browser(client, "tom")
    assert tom.get("/queue", follow_redirects=False).status_code == 200
    differ = _post(client, "/users/password", lena, name="tom", password=NEW_PASSWORD,
                   password_again="something else entirely")  # fmt: skip
    assert "differ" in " ".join(_flash(differ.text))
    assert tom.get("/queue", follow_redirects=False).status_code == 200  # nothing happened
    done = _post(client, "/users/password", lena, name="tom", password=NEW_PASSWORD,
                 password_again=NEW_PASSWORD)  # fmt: skip
    assert _flash(done.text) == [
        "Neues Passwort für tom gesetzt; die Person wurde überall abgemeldet."
    ]
    assert tom.get("/queue", follow_redirects=False).status_code == 303
    fresh = TestClient(client.app)
    failed = fresh.post("/login", data={"name": "tom", "password": PASSWORD})
    assert failed.status_code == 401
    sign_in(fresh, "tom", NEW_PASSWORD)
    assert _audit(web_engine, "user.password_set") == [("lena", "tom", None, {})]


def test_disabling_needs_a_reason_and_ends_sessions_and_tokens(client, lena, web_engine, clock):
    tom = _other_browser(client, "tom")
    with session_scope(web_engine) as session:
        token = accounts.create_api_token(session, "tom", label="bot", actor="lena",
                                          now=clock.now())  # fmt: skip
    no_reason = _post(client, "/users/disable", lena, name="tom", reason="  ")
    assert "say why" in " ".join(_flash(no_reason.text))
    assert _user(web_engine, "tom").disabled_at is None
    done = _post(client, "/users/disable", lena, name="tom", reason="left the team")
    assert _flash(done.text) == ["tom ist gesperrt."]
    row = re.search(r'data-user="tom">(.*?)</tr>', done.text, re.S).group(1)
    assert "gesperrt" in row and "13.05.2017 14:00" in row
    assert "Rolle setzen" not in row  # no more actions for a disabled user
    assert tom.get("/queue", follow_redirects=False).status_code == 303
    api = TestClient(client.app)
    gone = api.get("/account", headers={"Authorization": f"Bearer {token}"}, follow_redirects=False)
    assert gone.status_code == 303  # to the sign-in page
    assert _audit(web_engine, "user.disabled") == [("lena", "tom", "left the team", {})]


def test_an_api_token_is_shown_once_and_can_be_revoked(client, lena, web_engine):
    created = _post(client, "/users/token", lena, name="tom", label="Ticketsystem")
    secret = re.search(r'<pre class="secret" id="new-token">([^<]+)</pre>', created.text).group(1)
    assert secret.startswith("crisis_")
    assert "crisis_flash" not in created.headers.get("set-cookie", "")  # not in a cookie
    listing = client.get("/users").text
    assert secret not in listing
    assert "Ticketsystem" in listing
    api = TestClient(client.app)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert api.get("/account", headers=bearer, follow_redirects=False).status_code == 200
    hashed = re.search(r'name="token" value="([0-9a-f]{64})"', listing).group(1)
    revoked = _post(client, "/users/token/revoke", lena, token=hashed)
    assert _flash(revoked.text) == ["Token „Ticketsystem“ ist widerrufen."]
    assert api.get("/account", headers=bearer, follow_redirects=False).status_code == 303
    assert _audit(web_engine, "user.api_token_created") == [
        ("lena", "tom", None, {"label": "Ticketsystem"})
    ]
    assert _audit(web_engine, "user.api_token_revoked")[0][:2] == ("lena", "tom")
    no_label = _post(client, "/users/token", lena, name="tom", label=" ")
    assert "Sagen Sie, wofür das Token ist" in " ".join(_flash(no_label.text))


def test_names_people_typed_are_escaped(client, lena):
    evil = '<img src=x onerror="alert(1)">'
    _post(client, "/users/add", lena, name=evil, role="agent", lang="de",
          password=NEW_PASSWORD, password_again=NEW_PASSWORD)  # fmt: skip
    page = client.get("/users").text
    assert evil not in page
    assert html.escape(evil) in page or "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page


def test_anyone_changes_their_own_password_with_the_current_one(client, web_engine):
    csrf = sign_in(client, "tom")
    elsewhere = _other_browser(client, "tom")
    page = client.get("/account").text
    assert "My account: tom" in page
    wrong = client.post("/account/password", headers={"Referer": "http://testserver/account"},
                        data={"csrf_token": csrf, "current": "not it", "password": NEW_PASSWORD,
                              "password_again": NEW_PASSWORD})  # fmt: skip
    assert _flash(wrong.text) == ["The current password is wrong."]  # tom: English
    done = client.post("/account/password", headers={"Referer": "http://testserver/account"},
                       data={"csrf_token": csrf, "current": PASSWORD, "password": NEW_PASSWORD,
                             "password_again": NEW_PASSWORD})  # fmt: skip
    assert _flash(done.text) == ["Your password was changed; other sessions ended."]
    assert client.get("/account", follow_redirects=False).status_code == 200  # still here
    assert elsewhere.get("/account", follow_redirects=False).status_code == 303  # signed out
    sign_in(TestClient(client.app), "tom", NEW_PASSWORD)
    assert _audit(web_engine, "user.password_changed") == [("tom", "tom", None, {})]


def test_the_account_page_switches_the_interface_language(client, web_engine):
    csrf = sign_in(client, "tom")
    german = client.post("/lang", data={"csrf_token": csrf, "lang": "de", "back": "/account"})
    assert "Mein Konto: tom" in german.text
    assert _user(web_engine, "tom").lang == "de"


def test_a_role_change_applies_to_the_persons_open_session_at_once(client, lena):
    tom = _other_browser(client, "tom")
    assert tom.get("/users").status_code == 403
    _post(client, "/users/role", lena, name="tom", role="lead")
    assert tom.get("/users").status_code == 200
    assert 'href="/users"' in tom.get("/queue").text
    _post(client, "/users/role", lena, name="tom", role="agent")
    assert tom.get("/users").status_code == 403


def test_everyone_reaches_their_account_page_from_the_header(client):
    sign_in(client, "tom")
    page = client.get("/queue").text
    assert '<a href="/account" class="account"><span class="user-name">tom</span></a>' in page


def test_guessing_the_current_password_is_throttled(client):
    csrf = sign_in(client, "tom")
    form = {"csrf_token": csrf, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    for attempt in range(5):
        wrong = client.post("/account/password", data={**form, "current": f"guess {attempt}"},
                            headers={"Referer": "http://testserver/account"})  # fmt: skip
        assert _flash(wrong.text) == ["The current password is wrong."]  # tom: English
    right = client.post("/account/password", data={**form, "current": PASSWORD},
                        headers={"Referer": "http://testserver/account"})  # fmt: skip
    assert "too many wrong passwords" in " ".join(_flash(right.text))
    same_place = client.post("/login", data={"name": "tom", "password": PASSWORD})
    assert same_place.status_code == 429  # the guesser cannot sign in anew to go on, either
    elsewhere = TestClient(client.app, client=("10.0.0.7", 4000))  # tom, at his own desk
    assert elsewhere.post("/login", data={"name": "tom", "password": PASSWORD}).status_code == 200


def test_a_disabled_user_is_enabled_again_with_a_reason(client, lena, web_engine, clock):
    with session_scope(web_engine) as session:
        token = accounts.create_api_token(session, "tom", label="bot", actor="lena",
                                          now=clock.now())  # fmt: skip
    _post(client, "/users/disable", lena, name="tom", reason="on leave")
    page = client.get("/users").text
    assert 'action="/users/enable"' in page
    no_reason = _post(client, "/users/enable", lena, name="tom", reason="")
    assert "say why" in " ".join(_flash(no_reason.text))
    done = _post(client, "/users/enable", lena, name="tom", reason="back from leave")
    assert _flash(done.text) == ["tom kann sich wieder anmelden."]
    assert _user(web_engine, "tom").disabled_at is None
    sign_in(TestClient(client.app), "tom")
    api = TestClient(client.app)
    stale = api.get(
        "/account", headers={"Authorization": f"Bearer {token}"}, follow_redirects=False
    )
    assert stale.status_code == 303  # tokens stay revoked
    assert _audit(web_engine, "user.enabled") == [("lena", "tom", "back from leave", {})]
    twice = _post(client, "/users/enable", lena, name="tom", reason="again")
    assert _flash(twice.text) == ["tom ist nicht gesperrt."]  # lena reads German


def test_a_lead_resetting_their_own_password_signs_in_again(client, lena):
    done = _post(client, "/users/password", lena, name="lena", password=NEW_PASSWORD,
                 password_again=NEW_PASSWORD)  # fmt: skip
    assert done.url.path == "/login"
    assert _flash(done.text) == ["Ihr Passwort ist neu gesetzt: bitte neu anmelden."]
    assert client.get("/users", follow_redirects=False).status_code == 303
    sign_in(client, "lena", NEW_PASSWORD)
