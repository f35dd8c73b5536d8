"""Signing in and out: passwords, sessions, cookies, throttling, redirects, security headers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from crisis import accounts
from crisis.db import session_scope
from crisis.tables import AuditEntry, User, WebSession
from tests.crisis.web.webtools import PASSWORD, sign_in


def _login(client: TestClient, name: str, password: str, next: str = "/queue"):
    return client.post(
        "/login",
        data={"name": name, "password": password, "next": next},
        follow_redirects=False,
    )


def _audit(engine, action: str) -> list[AuditEntry]:
    with session_scope(engine) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == action)).all()
        session.expunge_all()
        return list(rows)


def test_sign_in_with_the_right_password_opens_the_queue_with_the_users_name(client):
    response = _login(client, "lena", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/queue"
    page = client.get("/queue")
    assert page.status_code == 200
    assert '<span class="user-name">lena</span>' in page.text


def test_unknown_name_and_wrong_password_get_the_same_answer_and_are_audited(client, web_engine):
    wrong_password = _login(client, "lena", "not the password")
    unknown_name = _login(client, "nobody-here", PASSWORD)
    assert wrong_password.status_code == unknown_name.status_code == 401
    for response in (wrong_password, unknown_name):
        assert "Name oder Passwort falsch." in response.text  # German: no language chosen yet
        assert "crisis_session" not in response.headers.get("set-cookie", "")
    failed = _audit(web_engine, "user.sign_in_failed")
    assert [entry.entity_id for entry in failed] == ["lena", "nobody-here"]
    assert client.get("/queue", follow_redirects=False).status_code == 303  # still signed out


def test_the_login_page_speaks_the_browsers_language(client):
    response = _login(client, "lena", "wrong", next="/queue")
    assert "Name oder Passwort falsch." in response.text
    english = client.post(
        "/login",
        data={"name": "lena", "password": "wrong"},
        headers={"Accept-Language": "en-GB,en;q=0.8"},
    )
    assert "Wrong name or password." in english.text


def test_repeated_failures_throttle_even_the_right_password(client):
    for _ in range(5):
        assert _login(client, "lena", "guess " * 3).status_code == 401
    throttled = _login(client, "lena", PASSWORD)
    assert throttled.status_code == 429
    assert "Zu viele Fehlversuche" in throttled.text
    assert "crisis_session" not in throttled.headers.get("set-cookie", "")
    # another person at another address is not held up by lena's guesser
    other = TestClient(client.app, client=("10.0.0.9", 50000))
    assert _login(other, "tom", PASSWORD).status_code == 303


def test_sign_out_ends_the_session_on_the_server(client, web_engine):
    csrf = sign_in(client, "tom")
    old_cookie = client.cookies.get("crisis_session")
    assert old_cookie
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    with session_scope(web_engine) as session:
        assert session.exec(select(WebSession)).all() == []
    replay = TestClient(client.app, cookies={"crisis_session": old_cookie})
    answer = replay.get("/queue", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")
    assert [e.actor for e in _audit(web_engine, "user.signed_out")] == ["tom"]


def test_a_session_expires_after_web_session_hours(client, clock, settings):
    sign_in(client, "tom")
    clock.advance(timedelta(hours=settings.web_session_hours) - timedelta(minutes=1))
    assert client.get("/queue", follow_redirects=False).status_code == 200
    clock.advance(timedelta(minutes=2))
    expired = client.get("/queue", follow_redirects=False)
    assert expired.status_code == 303
    assert expired.headers["location"] == "/login?next=/queue"


def test_the_cookie_is_httponly_and_samesite_strict_over_http(client):
    cookie = _login(client, "tom", PASSWORD).headers["set-cookie"]
    assert cookie.startswith("crisis_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie


def test_over_https_the_cookie_is_secure_with_the_host_prefix(app):
    with TestClient(app, base_url="https://testserver") as client:
        response = _login(client, "tom", PASSWORD)
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-crisis_session=")
        assert "; Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Path=/" in cookie
        assert "Domain" not in cookie  # __Host- cookies must not name a domain
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert client.get("/queue", follow_redirects=False).status_code == 200


def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    sign_in(client, "lena")
    for path in ("/login", "/queue", "/users"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cache-Control"] == "no-store"


def test_next_may_not_lead_to_another_site(client):
    for evil in ("//evil.example", "https://evil.example/", "/\\evil.example", "evil.example"):
        response = _login(client, "tom", PASSWORD, next=evil)
        assert response.status_code == 303
        assert response.headers["location"] == "/queue"
        form = client.get("/login", params={"next": evil}).text
        assert 'name="next" value="/queue"' in form
    for sneaky in ("/\t/evil.example", "/\n/evil.example", "/%2F/evil.example"):
        # browsers drop raw tabs and newlines from URLs: they must arrive percent-encoded
        location = _login(client, "tom", PASSWORD, next=sneaky).headers["location"]
        assert location.startswith("/") and not location.startswith("//")
        assert not any(ch.isspace() for ch in location), location
    same_site = _login(client, "tom", PASSWORD, next="/incidents?open=1")
    assert same_site.headers["location"] == "/incidents?open=1"


def test_a_disabled_user_cannot_sign_in_and_their_session_and_token_stop(client, web_engine, clock):
    csrf = sign_in(client, "tom")
    assert csrf
    with session_scope(web_engine) as session:
        token = accounts.create_api_token(session, "tom", label="bot", actor="lena",
                                          now=clock.now())  # fmt: skip
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/queue", headers=bearer, follow_redirects=False).status_code == 200
    with session_scope(web_engine) as session:
        accounts.disable_user(session, "tom", actor="lena", now=clock.now(), reason="left")
    assert client.get("/queue", follow_redirects=False).status_code == 303
    fresh = TestClient(client.app)
    assert fresh.get("/queue", headers=bearer, follow_redirects=False).status_code == 303
    refused = _login(fresh, "tom", PASSWORD)
    assert refused.status_code == 401
    assert "Name oder Passwort falsch." in refused.text  # no hint that the account exists


def test_passwords_are_stored_only_as_argon2id_hashes(web_engine):
    with session_scope(web_engine) as session:
        users = session.exec(select(User)).all()
        assert {u.name for u in users} == {"lena", "tom"}
        for user in users:
            assert user.password_hash.startswith("$argon2id$")
            assert PASSWORD not in user.password_hash
        assert accounts.authenticate(session, "tom", PASSWORD, now=users[0].created_at)


def test_an_old_hash_is_upgraded_at_the_next_sign_in(client, web_engine):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with session_scope(web_engine) as session:
        tom = accounts.get_user(session, "tom")
        tom.password_hash = weak
        session.add(tom)
    assert _login(client, "tom", PASSWORD).status_code == 303
    with session_scope(web_engine) as session:
        upgraded = accounts.get_user(session, "tom").password_hash
    assert upgraded != weak
    assert upgraded.startswith("$argon2id$")


def test_one_persons_typos_do_not_lock_out_the_office(client):
    """Everyone signs in from the office's one NAT address."""
    for name in ("anna", "ben", "carla", "dirk", "emre", "lena"):
        assert _login(client, name, "typo in the password").status_code == 401
    assert _login(client, "tom", PASSWORD).status_code == 303


def test_an_address_that_tries_many_names_is_slowed_down(client):
    for attempt in range(25):
        assert _login(client, f"guess{attempt}", "password123").status_code == 401
    assert _login(client, "tom", PASSWORD).status_code == 429


def test_the_name_may_be_typed_in_another_case(client, web_engine, clock):
    response = _login(client, "Tom", PASSWORD)
    assert response.status_code == 303
    assert '<span class="user-name">tom</span>' in client.get("/queue").text
    with session_scope(web_engine) as session:
        with pytest.raises(accounts.AccountError, match="exists already"):
            accounts.add_user(session, name="TOM", password=PASSWORD, role="agent",
                              actor="lena", now=clock.now())  # fmt: skip


def test_signing_in_again_ends_the_browsers_previous_session(client, web_engine):
    assert _login(client, "lena", PASSWORD).status_code == 303
    first = client.cookies["crisis_session"]
    assert _login(client, "tom", PASSWORD).status_code == 303  # someone else, same screen
    second = client.cookies["crisis_session"]
    assert second != first
    with session_scope(web_engine) as session:
        assert session.get(WebSession, accounts.token_hash(first)) is None
        assert session.get(WebSession, accounts.token_hash(second)) is not None
    client.cookies.clear()
    client.cookies.set("crisis_session", first)
    assert client.get("/queue", follow_redirects=False).headers["location"].startswith("/login")
    assert [entry.actor for entry in _audit(web_engine, "user.signed_out")] == ["lena"]


def test_a_flood_of_made_up_names_does_not_fill_the_servers_memory(client, app):
    throttle = app.state.throttle
    throttle.failed("name:lena", "addr:10.0.0.1")  # a real typo, before the flood
    for number in range(throttle.MAX_KEYS + 500):
        throttle.failed(f"name:bot{number}")
    assert len(throttle._failures) <= throttle.MAX_KEYS
    assert "name:lena" not in throttle._failures  # the oldest go first
    huge = _login(client, "x" * 1_000_000, "wrong password")
    assert huge.status_code == 401
    assert max(len(key) for key in throttle._failures) < 200  # not a megabyte


def test_a_troll_guessing_the_leads_name_cannot_lock_the_lead_out(client):
    troll = TestClient(client.app, client=("203.0.113.66", 40000))
    for _ in range(40):
        assert _login(troll, "lena", "let me in please").status_code in (401, 429)
    assert _login(troll, "lena", PASSWORD).status_code == 429  # the troll's address waits
    assert _login(client, "lena", PASSWORD).status_code == 303  # lena, at her desk, signs in


def test_guessing_one_name_from_many_addresses_is_slowed_down_too(client):
    for number in range(30):
        guesser = TestClient(client.app, client=(f"198.51.100.{number}", 40000))
        assert _login(guesser, "lena", "password guess").status_code == 401
    assert _login(client, "lena", PASSWORD).status_code == 429
