"""The report as a person sees it: rendered by a real browser (headless Chromium), every
section heading visible and every chart drawn with a size."""

from pathlib import Path

import pytest

from crisis.db import make_engine, session_scope, upgrade
from crisis.report_data import build_report
from crisis.report_html import SECTIONS, render_html
from crisis.report_period import Period
from tests.crisis import report_scenario as scenario
from tests.crisis.report_scenario import END, MODEL, NOW, OWN, START

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: run scripts/install-browser (Debian's chromium package)",
)


def test_the_report_renders_in_a_browser_with_every_section_and_chart(tmp_path):
    from scripts.screenshot_report import ARGS

    playwright = pytest.importorskip("playwright.sync_api")
    engine = make_engine(f"sqlite:///{tmp_path / 'crisis.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        scenario.build(session)
        report = build_report(
            session, Period(start=START, end=END), now=NOW, classifier=MODEL, own_authors=OWN
        )
    engine.dispose()
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report), encoding="utf-8")
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
