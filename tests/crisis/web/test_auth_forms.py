"""CSRF, cross-site requests, roles and API tokens, checked over every route the app has, so a
form or a lead page added later is covered without a new test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import select

from crisis import accounts
from crisis.db import session_scope
from crisis.tables import AuditEntry, User
from crisis.web.security import ApiLead, ApiUser, api_lead, form_lead, lead_user
from tests.crisis.web.webtools import PASSWORD, sign_in


def _routes(app: FastAPI) -> Iterator[Any]:
    """Every API route with its full path (FastAPI >= 0.16x keeps included routers nested)."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def _form_posts(app: FastAPI) -> list[Any]:
    """Every HTML form target: POST routes outside the JSON API, except signing in."""
    return [
        r for r in _routes(app)
        if "POST" in r.methods and not r.path.startswith("/api") and r.path != "/login"
    ]  # fmt: skip


LEAD_CHECKS = (lead_user, form_lead, api_lead)  # the dependencies behind Lead, FormLead, ApiLead


def _needs_lead(dependant: Dependant) -> bool:
    return any(d.call in LEAD_CHECKS or _needs_lead(d) for d in dependant.dependencies)


def _lead_only(app: FastAPI) -> list[Any]:
    return [r for r in _routes(app) if _needs_lead(r.dependant)]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _altered(token: str) -> str:
    """The token with its last character changed: almost right is still wrong."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def _audit_count(engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(AuditEntry)).one()


@pytest.fixture
def lena(client):
    return sign_in(client, "lena")


def test_enumeration_covers_the_known_forms_and_lead_routes(app):
    forms = {r.path for r in _form_posts(app)}
    assert {"/logout", "/lang", "/users/add", "/users/role", "/account/password"} <= forms
    lead = {r.path for r in _lead_only(app)}
    assert {"/users", "/users/add", "/users/disable", "/templates"} <= lead
    assert "/account" not in lead and "/queue" not in lead


def test_every_form_refuses_a_missing_or_wrong_csrf_token(app, client, lena, web_engine):
    toms = sign_in(TestClient(app), "tom")  # another session's token is no good either
    before = _audit_count(web_engine)
    wrong = ({}, {"csrf_token": "forged"}, {"csrf_token": _altered(lena)}, {"csrf_token": toms})
    for route in _form_posts(app):
        path = _concrete(route.path)
        for data in wrong:
            data = {**data, "name": "tom", "role": "lead", "lang": "en", "reason": "x"}
            response = client.post(path, data=data, follow_redirects=False)
            assert response.status_code == 403, (route.path, data, response.status_code)
    assert _audit_count(web_engine) == before  # nothing was done
    assert client.get("/users").status_code == 200  # and lena is still signed in


def _api_writes(app: FastAPI) -> list[Any]:
    return [
        r for r in _routes(app)
        if r.path.startswith("/api") and r.methods & {"POST", "PUT", "PATCH", "DELETE"}
        # the NOC's webhooks take no cookie at all: their own secrets (tests/.../test_noc_webhooks)
        and not r.path.startswith("/api/noc/")
    ]  # fmt: skip


def test_every_api_write_refuses_the_cookie_without_its_csrf_header(app, client, lena, web_engine):
    writes = _api_writes(app)
    assert writes  # the queue, incidents and posts APIs
    before = _audit_count(web_engine)
    for route in writes:
        path = _concrete(route.path)
        for method in sorted(route.methods):
            for headers in ({}, {"X-CSRF-Token": _altered(lena)}):
                answer = client.request(method, path, json={}, headers=headers)
                assert answer.status_code == 403, (method, path, answer.text[:200])
                assert answer.json()["kind"] == "Forbidden"
    assert _audit_count(web_engine) == before


def test_a_post_from_another_site_is_refused_even_with_the_right_token(client, lena, web_engine):
    form = {"csrf_token": lena, "name": "mallory", "role": "lead", "lang": "de",
            "password": PASSWORD, "password_again": PASSWORD}  # fmt: skip
    refused = client.post("/users/add", data=form, headers={"Origin": "https://evil.example"},
                          follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403
    with session_scope(web_engine) as session:
        assert accounts.find_user(session, "mallory") is None
    same_site = client.post("/users/add", data=form, headers={"Origin": "http://testserver"},
                            follow_redirects=False)  # fmt: skip
    assert same_site.status_code == 303
    with session_scope(web_engine) as session:
        assert accounts.find_user(session, "mallory") is not None


def test_an_agent_gets_403_on_every_lead_route(app, client, web_engine, clock):
    csrf = sign_in(client, "tom")
    with session_scope(web_engine) as session:
        token = accounts.create_api_token(session, "tom", label="it", actor="lena",
                                          now=clock.now())  # fmt: skip
    routes = _lead_only(app)
    assert routes
    before = _audit_count(web_engine)
    for route in routes:
        path = _concrete(route.path)
        for method in sorted(route.methods - {"HEAD"}):
            if path.startswith("/api"):
                by_token = client.request(method, path, json={},
                                          headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                assert by_token.status_code == 403, (method, path)
                assert by_token.json()["kind"] == "Forbidden"
                by_cookie = client.request(method, path, json={}, headers={"X-CSRF-Token": csrf})
                assert by_cookie.status_code == 403, (method, path)
            elif method == "GET":
                assert client.get(path).status_code == 403, path
            else:
                answer = client.post(path, data={"csrf_token": csrf, "name": "tom", "role": "lead"},
                                     follow_redirects=False)  # fmt: skip
                assert answer.status_code == 403, (method, path)
    assert _audit_count(web_engine) == before
    with session_scope(web_engine) as session:
        assert accounts.get_user(session, "tom").role == "agent"


def test_an_agent_sees_no_lead_links(client):
    sign_in(client, "tom")
    page = client.get("/account").text
    assert 'href="/users"' not in page
    assert 'href="/templates"' not in page


@pytest.fixture
def probe_app(app: FastAPI) -> FastAPI:
    """Two JSON write endpoints guarded by the foundation's API dependencies."""
    router = APIRouter()

    @router.post("/probe")
    def probe(user: ApiUser) -> dict[str, str]:
        return {"name": user.name}

    @router.post("/probe/lead")
    def probe_lead(user: ApiLead) -> dict[str, str]:
        return {"name": user.name}

    app.include_router(router, prefix="/api")
    return app


def test_an_api_token_acts_as_its_user_without_csrf(probe_app, web_engine, clock):
    with session_scope(web_engine) as session:
        token = accounts.create_api_token(session, "tom", label="tickets", actor="lena",
                                          now=clock.now())  # fmt: skip
    api = TestClient(probe_app)
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.post("/api/probe", headers=bearer).json() == {"name": "tom"}
    assert api.post("/api/probe/lead", headers=bearer).status_code == 403
    assert api.post("/api/probe").status_code == 401
    assert (
        api.post("/api/probe", headers={"Authorization": "Bearer crisis_wrong"}).status_code == 401
    )
    with session_scope(web_engine) as session:
        ((row, _),) = accounts.list_api_tokens(session)
        accounts.revoke_api_token(session, row.token_hash, actor="lena", now=clock.now())
    revoked = api.post("/api/probe", headers=bearer)
    assert revoked.status_code == 401
    assert revoked.json()["kind"] == "NotSignedIn"


def test_the_api_with_the_session_cookie_needs_the_csrf_header(probe_app):
    with TestClient(probe_app) as browser:
        csrf = sign_in(browser, "lena")
        assert browser.post("/api/probe").status_code == 403
        assert browser.post("/api/probe", headers={"X-CSRF-Token": "forged"}).status_code == 403
        ok = browser.post("/api/probe/lead", headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 200
        assert ok.json() == {"name": "lena"}
        cross = browser.post("/api/probe", headers={"X-CSRF-Token": csrf,
                                                    "Origin": "https://evil.example"})  # fmt: skip
        assert cross.status_code == 403


def test_api_tokens_are_stored_only_as_hashes(web_engine, clock):
    with session_scope(web_engine) as session:
        token = accounts.create_api_token(session, "tom", label="x", actor="lena", now=clock.now())
        ((row, owner),) = accounts.list_api_tokens(session)
        assert owner == "tom"
        assert row.token_hash == accounts.token_hash(token) != token
        assert session.exec(select(User).where(User.name == "tom")).one().password_hash != token


def test_an_error_page_speaks_the_users_language_and_keeps_the_navigation(client):
    sign_in(client, "tom")  # chose English; the browser asks for German
    refused = client.get("/users", headers={"Accept-Language": "de-DE"})
    assert refused.status_code == 403
    assert "tom is an agent: this needs a lead" in refused.text
    assert ">Home</a>" in refused.text and "Zur Startseite" not in refused.text
    assert 'href="/queue"' in refused.text and '<span class="user-name">tom</span>' in refused.text
    missing = client.get("/incidents/99999", headers={"Accept-Language": "de-DE"})
    assert missing.status_code == 404 and ">Review queue</a>" in missing.text


def test_behind_a_proxy_that_rewrites_host_the_sites_own_forms_still_work(client, lena):
    # nginx's default passes its upstream address as Host and the public name separately
    proxied = {"Host": "127.0.0.1:8000", "X-Forwarded-Host": "crisis.nordtel.example",
               "X-Forwarded-Proto": "https"}  # fmt: skip
    own = client.post("/lang", data={"csrf_token": lena, "lang": "en", "back": "/account"},
                      headers={**proxied, "Origin": "https://crisis.nordtel.example"},
                      follow_redirects=False)  # fmt: skip
    assert own.status_code == 303
    other = client.post("/lang", data={"csrf_token": lena, "lang": "de", "back": "/account"},
                        headers={**proxied, "Origin": "https://evil.example"},
                        follow_redirects=False)  # fmt: skip
    assert other.status_code == 403
