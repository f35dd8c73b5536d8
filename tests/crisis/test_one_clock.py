"""One clock: every time a person reads, in the CLI, the pages and the report, is in the team's
time zone, labelled, to the minute; no UTC or ISO time reaches a person.

The demo is replayed once (with the lexicon classifier: seconds instead of a minute) up to
Saturday 16:00, when the DSL outage is open and marketing is held; then the demo's story, the
commands a person runs on it and the main pages are scanned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from sqlmodel import select
from typer.testing import CliRunner

from crisis.cli.demo import run_demo
from crisis.cli.main import app as cli
from crisis.clock import VirtualClock
from crisis.db import make_engine, session_scope
from crisis.settings import Settings
from crisis.tables import ReviewItem
from crisis.web.app import create_app
from tests.crisis.web.webtools import add_users, sign_in

UNTIL = datetime.fromisoformat("2017-05-13T16:00+02:00")
LABEL = "Berlin"
_TIME = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?![\d:])")
_FORBIDDEN = [
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "ISO time"),
    (re.compile(r"\+00:?00\b|\bUTC\b|\d:\d{2}Z\b"), "UTC time"),
    (re.compile(r"(?<!\d)\d{1,2}:\d{2}:\d{2}"), "seconds"),
]
_LABELLED_AFTER = re.compile(rf"^\s?(?:{LABEL}\b|\({LABEL}\))")


def problems_in_line(line: str, header: str = "") -> list[str]:
    """What is wrong with the times in one line of text a person reads; ``header``: the table
    column's header when the line is a cell (it may carry the label for the whole column)."""
    found = [f"{what}: {line.strip()!r}" for pattern, what in _FORBIDDEN if pattern.search(line)]
    for match in _TIME.finditer(line):
        after = line[match.end() :]
        # "2017-05-13 08:30 Berlin", "18:00 (Berlin)", a "(Berlin)" column, "08:30–09:00 Berlin"
        if _LABELLED_AFTER.match(after) or f"({LABEL})" in header:
            continue
        if re.match(r"^\s?[–-]\s?\d{1,2}:\d{2}", after):
            continue
        if re.match(r"^\s?(?:Uhr|am|pm)\b", after):  # a reply's wording, to a customer
            continue
        found.append(f"unlabelled time {match.group(0)}: {line.strip()!r}")
    return found


def problems_in_terminal(text: str) -> list[str]:
    """Scan a command's output; a rich table's cells take their column header's label."""
    found: list[str] = []
    headers: list[str] = []
    for line in text.splitlines():
        if line.startswith("┏"):
            headers = []
        elif line.startswith("┃"):
            cells = line.strip("┃").split("┃")
            above = headers or [""] * len(cells)
            headers = [f"{old} {new}" for old, new in zip(above, cells, strict=False)]
        elif line.startswith("│") and headers:
            for cell, header in zip(line.strip("│").split("│"), headers, strict=False):
                found += problems_in_line(cell, header)
        else:
            found += problems_in_line(line)
    return found


class _PageText(HTMLParser):
    """A page's visible text as lines, each with its table column header (if in a table).
    Customers' own words and reply texts (to customers, in their wording) are not scanned."""

    SKIPPED = {"script", "style", "textarea", "svg"}
    CUSTOMER = {"comment-text", "reply-text", "suggestion", "public-status"}

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[str, str]] = []
        self._skip = 0
        self._stack: list[tuple[str, bool]] = []
        self._headers: list[str] = []
        self._column = -1
        self._in_head = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        skip = tag in self.SKIPPED or bool(classes & self.CUSTOMER)
        if tag in ("br", "input", "img", "meta", "link", "hr"):
            return
        self._flush()
        self._stack.append((tag, skip))
        self._skip += skip
        if tag == "table":
            self._headers = []
        elif tag == "tr":
            self._column = -1
        elif tag in ("td", "th"):
            self._column += 1

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, skip = self._stack[-1]
            if open_tag == "th":
                self._headers.append(" ".join(self._text))
                self._text = []
            self._flush()
            self._stack.pop()
            self._skip -= skip
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self._text.append(" ".join(data.split()))

    def _flush(self) -> None:
        if not self._text:
            return
        in_cell = any(tag == "td" for tag, _ in self._stack)
        known = in_cell and self._column < len(self._headers)
        header = self._headers[self._column] if known else ""
        self.lines.append((" ".join(self._text), header))
        self._text = []


def problems_in_page(html: str) -> list[str]:
    parser = _PageText()
    parser.feed(html)
    parser.close()
    found: list[str] = []
    for line, header in parser.lines:
        found += problems_in_line(line, header)
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo database at Saturday 16:00 and the story the demo told."""
    folder = tmp_path_factory.mktemp("clock")
    console = Console(record=True, width=200)
    run_demo(folder / "demo.db", Settings(classifier="lexicon.v1"), console, until=UNTIL)
    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    add_users(engine)
    engine.dispose()
    yield url, console.export_text()


def test_the_scanner_finds_utc_unlabelled_and_second_precise_times():
    assert problems_in_line("opened 19:49 Berlin; ETA 2017-05-13 18:00 Berlin") == []
    assert problems_in_line("Fri 12.05. 15:57", header="opened (Berlin)") == []
    for bad in (
        "  18:47 Kundencenter geht nicht",
        "last spike 2026-12-05T19:12:02.005114+00:00",
        "ETA 2017-05-13 16:00Z",
        "at 2017-05-13 16:00:12 Berlin",
        "frozen since 14:00 UTC",
    ):
        assert problems_in_line(bad), bad
    page = "<table><tr><th>Due (Berlin)</th><th>Who</th></tr><tr><td>13.05. 18:00</td>"
    assert problems_in_page(page + "<td>lena</td></tr></table>") == []
    assert problems_in_page(page + "<td>lena 18:00</td></tr></table>")


def test_the_demo_story_shows_every_time_in_team_time_labelled(demo):
    _, story = demo
    lines = [line for line in story.splitlines() if "--clock-at" not in line]  # a command to copy
    assert problems_in_terminal("\n".join(lines)) == []
    assert "Berlin" in story


def test_commands_show_every_time_in_team_time_labelled(demo):
    url, _ = demo
    runner = CliRunner()
    engine = make_engine(url)
    with session_scope(engine) as session:
        item = session.exec(select(ReviewItem).where(ReviewItem.edited_by.is_(None))).first()
        assert item is not None
        item_id = item.id
    engine.dispose()
    found: dict[str, list[str]] = {}
    for args in (
        ["incidents", "list"],
        ["incidents", "show", "1"],
        ["incidents", "show", "2"],
        ["posts", "list"],
        ["posts", "show", "post-muttertag"],
        ["queue", "list"],
        ["queue", "show", str(item_id)],
        ["users", "list"],
    ):
        result = runner.invoke(cli, [*args, "--database-url", url], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (args, result.output)
        problems = problems_in_terminal(result.output)
        if problems:
            found[" ".join(args)] = problems
    assert found == {}


def test_the_report_shows_every_time_in_team_time_labelled(demo, tmp_path):
    url, _ = demo
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli, ["report", "--incident", "2", "--out", str(out), "--database-url", url],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert problems_in_terminal(result.output) == []
    assert problems_in_page(out.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_main_pages_show_every_time_in_team_time_labelled(demo, lang):
    url, _ = demo
    engine = make_engine(url)
    web = create_app(Settings(), engine=engine, clock=VirtualClock(UNTIL))
    with TestClient(web) as client:
        sign_in(client, "lena" if lang == "de" else "tom")
        first = client.get("/queue").text
        ids = re.findall(r'href="/queue/(\d+)', first)
        pages = ["/queue", "/incidents", "/incidents/1", "/incidents/2", "/posts", "/reports",
                 "/reports/view?incident=2", "/sla", "/queue/clusters"]  # fmt: skip
        pages += ["/users"] if lang == "de" else []  # lena, the lead; tom is an agent
        pages += [f"/queue/{i}" for i in ids[:3]]
        found = {}
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            problems = problems_in_page(response.text)
            if problems:
                found[path] = problems
    engine.dispose()
    assert found == {}


def test_the_label_follows_the_team_time_zone(tmp_path: Path, monkeypatch):
    from crisis.clock import local_time
    from crisis.settings import get_settings

    monkeypatch.setenv("CRISIS_TIMEZONE", "America/New_York")
    get_settings.cache_clear()
    try:
        assert local_time(UNTIL) == "2017-05-13 10:00 New York"
    finally:
        monkeypatch.delenv("CRISIS_TIMEZONE")
        get_settings.cache_clear()
    assert local_time(UNTIL) == "2017-05-13 16:00 Berlin"
