"""Screenshots of the web app's main pages in the middle of the demo crisis, for docs/.

Replays the shipped scenario up to Saturday 13 May 2017, 16:00 Berlin (DSL down in Hamburg and
Munich, marketing held), adds a lead, serves the app on a free port with the clock standing at
that moment, and saves PNGs of the main pages taken in Debian's Chromium (scripts/install-browser)::

    python scripts/screenshot_web.py docs/
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright
from rich.console import Console

from crisis import accounts
from crisis.cli.demo import run_demo
from crisis.clock import VirtualClock
from crisis.db import make_engine, session_scope
from crisis.settings import Settings
from crisis.web.app import create_app

STOP = datetime.fromisoformat("2017-05-13T16:00+02:00")
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {  # file name: (path, language)
    "web-queue.png": ("/queue", "de"),
    "web-incident.png": ("/incidents/2", "de"),
    "web-incidents.png": ("/incidents", "en"),
    "web-posts.png": ("/posts", "en"),
    "web-clusters.png": ("/queue/clusters", "en"),
}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db_file = Path(tmp) / "demo.db"
        settings = Settings(database_url=f"sqlite:///{db_file}")
        run_demo(db_file, settings, Console(quiet=True), until=STOP)
        engine = make_engine(settings.database_url)
        with session_scope(engine) as session:
            accounts.add_user(session, name="lena.schmidt", password="demo password 1",
                              role="lead", lang="de", actor="setup", now=STOP)  # fmt: skip
        app = create_app(settings, engine=engine, clock=VirtualClock(STOP))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off"))  # fmt: skip
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        try:
            _shoot(f"http://127.0.0.1:{port}", out)
        finally:
            server.should_exit = True
            engine.dispose()


def _shoot(base: str, out: Path) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(base_url=base, viewport={"width": 1280, "height": 900})
        page.goto("/login")
        page.fill("input[name=name]", "lena.schmidt")
        page.fill("input[name=password]", "demo password 1")
        page.click("button[type=submit]")
        page.wait_for_url("**/queue**")
        lang = "de"
        for name, (path, wanted) in PAGES.items():
            if wanted != lang:  # the header's language button switches the interface
                page.click("form[action='/lang'] button")
                page.wait_for_load_state()
                lang = wanted
            page.goto(path)
            page.screenshot(path=str(out / name), full_page=False)
            print(f"wrote {out / name}")
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
