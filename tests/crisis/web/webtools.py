"""Helpers for the web app's tests (the fixtures are in conftest.py).

Users: ``lena`` (lead) and ``tom`` (agent), password ``PASSWORD``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from crisis import accounts
from crisis.db import session_scope

PASSWORD = "correct horse battery"
NOW = datetime(2017, 5, 13, 12, 0, tzinfo=UTC)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_browser = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: run scripts/install-browser (Debian's chromium package)",
)


def add_users(engine: Engine) -> None:
    with session_scope(engine) as session:
        accounts.add_user(session, name="lena", password=PASSWORD, role="lead", actor="setup",
                          now=NOW)  # fmt: skip
        accounts.add_user(session, name="tom", password=PASSWORD, role="agent", lang="en",
                          actor="lena", now=NOW)  # fmt: skip


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Signs ``client`` in; returns the session's CSRF token (for forms and the API)."""
    response = client.post("/login", data={"name": name, "password": password, "next": "/queue"})
    assert response.status_code == 200, response.text[:500]
    return csrf_of(client.get("/queue").text)


def csrf_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found, "the page carries no CSRF token: not signed in?"
    return found.group(1)


def browser_sign_in(tab: Any, name: str, password: str = PASSWORD) -> None:
    tab.goto("/login")
    tab.fill("input[name=name]", name)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")
    tab.wait_for_url(re.compile(r".*/queue.*"))
