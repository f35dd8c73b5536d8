"""The report as a person sees it: rendered by a real browser (headless Chromium), every
section heading visible and every chart drawn with a size; and the demo weekend's report."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crisis.db import make_engine, session_scope, upgrade
from crisis.replay.run import replay_into
from crisis.replay.scenario import scenario_path
from crisis.reports.data import build_report
from crisis.reports.html import SECTIONS, render_html
from crisis.reports.period import Period, resolve_period
from crisis.settings import Settings
from tests.crisis.reports import report_scenario as scenario
from tests.crisis.reports.report_scenario import END, MODEL, NOW, OWN, START

CHROMIUM = Path("/usr/bin/chromium")
needs_browser = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: run scripts/install-browser (Debian's chromium package)",
)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    """The shipped demo weekend, replayed once into SQLite, and its report over everything."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    settings = Settings()
    with scenario_path() as scenario_file:
        replay_into(engine, scenario_file, settings)
    now = datetime(2017, 5, 15, 12, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        period = resolve_period(session, now=now)
        report = build_report(
            session,
            period,
            now=now,
            classifier=settings.classifier,
            own_authors=settings.own_authors,
        )
    engine.dispose()
    return report


def test_the_demo_report_tells_the_weekend(demo_report):
    report = demo_report
    assert report.model == Settings().classifier
    portal, dsl = report.incidents
    assert (portal.service, dsl.service) == ("customer_service", "internet")
    assert portal.detection_delay is not None and dsl.detection_delay is not None
    assert dsl.phases["during"].complaints_per_hour > 5 * dsl.phases["before"].complaints_per_hour
    assert dict(report.volume.services)["internet"] > 0
    assert {"Hamburg", "München"} <= {region for region, _ in report.text.regions[:2]}
    # the demo only suggests replies: nothing answered, and the page says so sensibly
    complaints, customers = report.response.complaints, report.response.customers
    assert complaints.answered == 0 and complaints.median is None
    assert 0 < customers.total <= complaints.total and customers.answered == 0
    assert report.replies["suggested"]["pending"] > 100
    # resolving both incidents queued follow-ups and withdrew the pending "we are on it" replies
    assert report.replies["suggested"]["withdrawn"] > 100
    assert report.replies["suggested"]["rejected"] == 0  # nobody rejected anything
    assert all(counts["pending"] > 50 for counts in report.follow_ups_by_incident.values())
    holds = {h.key: h for h in report.holds}
    assert holds["post-muttertag"].state == "held"
    assert holds["post-wochenend-deal"].released_by == "lena.schmidt"
    assert holds["post-wochenend-deal"].new_due == datetime(2017, 5, 15, 10, tzinfo=BERLIN)
    [almost] = report.almost_published
    assert almost.key == "post-muttertag"
    assert almost.due == datetime(2017, 5, 14, 9, tzinfo=BERLIN)
    assert almost.due_during == f"incident #{dsl.id}"
    assert report.published_during == []
    html = render_html(report)
    assert "No complaint of this period has been answered yet." in html
    assert "post-muttertag" in html


@needs_browser
def test_the_demo_report_renders_in_a_browser_with_every_section_and_chart(demo_report, tmp_path):
    _check_in_browser(render_html(demo_report), tmp_path)


@needs_browser
def test_the_report_renders_in_a_browser_with_every_section_and_chart(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'crisis.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        scenario.build(session)
        report = build_report(
            session, Period(start=START, end=END), now=NOW, classifier=MODEL, own_authors=OWN
        )
    engine.dispose()
    _check_in_browser(render_html(report), tmp_path)


def _check_in_browser(html, tmp_path):
    from scripts.screenshot_report import ARGS

    playwright = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "report.html"
    page_file.write_text(html, encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(page_file.as_uri())
            for _, title in SECTIONS:
                heading = page.get_by_role("heading", name=title, exact=True)
                heading.scroll_into_view_if_needed()
                assert heading.is_visible(), title
            boxes = [chart.bounding_box() for chart in page.locator("svg.chart").all()]
            assert len(boxes) >= 3
            assert all(box and box["width"] > 100 and box["height"] > 20 for box in boxes)
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "report.png").stat().st_size > 10_000
