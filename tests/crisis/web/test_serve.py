"""``crisis serve`` as a new user starts it: the first lead from ``crisis users add``, then the
server, then signing in over real HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from crisis import accounts
from crisis.db import make_engine, session_scope, upgrade

CRISIS = [sys.executable, "-m", "crisis.cli"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_crisis_serve_lets_the_first_lead_sign_in_and_see_the_queue(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'crisis.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    env = {**os.environ, "CRISIS_DATABASE_URL": url}
    added = subprocess.run(
        [*CRISIS, "users", "add", "Lena Schmidt", "--role", "lead", "--password-stdin"],
        input="a long enough password\n", capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    assert "added Lena Schmidt (lead, de)" in added.stdout
    with session_scope(make_engine(url)) as session:
        stored = accounts.get_user(session, "Lena Schmidt").password_hash
    # argon2id with the library's current parameters (the other web tests use cheap ones)
    assert stored.split("$")[1:4] == ["argon2id", "v=19", "m=65536,t=3,p=4"]
    port = _free_port()
    server = subprocess.Popen(
        [*CRISIS, "serve", "--port", str(port)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=5) as client:
            _wait_until_up(client, server)
            assert client.get("/").headers["location"] == "/login"
            signed_in = client.post(
                "/login",
                data={"name": "Lena Schmidt", "password": "a long enough password",
                      "next": "/queue"},
                follow_redirects=True,
            )  # fmt: skip
            assert signed_in.status_code == 200
            assert str(signed_in.url) == f"{base}/queue"
            assert "Lena Schmidt" in signed_in.text
            cookie = signed_in.history[0].headers["set-cookie"]
            assert re.search(r"(?i)httponly", cookie) and re.search(r"(?i)samesite=strict", cookie)
    finally:
        server.terminate()
        server.communicate(timeout=20)  # reaps it and closes its output pipe


def _wait_until_up(client: httpx.Client, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(
                f"crisis serve stopped: {server.stdout.read() if server.stdout else ''}"
            )
        try:
            client.get("/login")
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("crisis serve did not answer within 60 s")
