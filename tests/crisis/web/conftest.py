"""The web app under test: built over a real database (SQLite file; PostgreSQL where a test
asks for the ``engine`` fixture), a clock that stands still, signed-in users, a real server on a
free port, and Debian's Chromium driven by Playwright for the browser tests.

Users: ``lena`` (lead) and ``tom`` (agent), password ``PASSWORD``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from crisis import accounts
from crisis.clock import VirtualClock
from crisis.db import make_engine, upgrade
from crisis.settings import Settings
from crisis.web.app import create_app
from tests.crisis.web.webtools import CHROMIUM, CHROMIUM_ARGS, NOW, add_users


@pytest.fixture(autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """argon2id with small parameters: the web tests sign in hundreds of times, and the
    production parameters cost about 0.1-0.7 s a hash on this machine. One test checks that
    the app's own default parameters are the library's current ones."""
    previous = accounts.use_password_hasher(
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    yield
    accounts.use_password_hasher(previous)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(NOW)


@pytest.fixture
def web_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite file (the embedded default), with the users lena and tom."""
    engine = make_engine(f"sqlite:///{tmp_path / 'web.db'}")
    upgrade(engine)
    add_users(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings() -> Settings:
    return Settings(status_url="https://status.example/")


@pytest.fixture
def app(web_engine: Engine, clock: VirtualClock, settings: Settings) -> FastAPI:
    return create_app(settings, engine=web_engine, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free local port, for the browser; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the web app did not start within 10 s")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: run scripts/install-browser (Debian's chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser tab (its own cookies) on the live server; ``page.base`` is its URL."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900},
                                  locale="de-DE")  # fmt: skip
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.base = live_server
    yield tab
    context.close()
