"""The volume chart over long spans: weeks (from Monday) and months in Berlin time, at most
about 200 bars, and axis labels with the year; on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

from crisis.clock import team_zone
from crisis.reports.charts import tick_indices, tick_label, with_year
from crisis.reports.data import build_report
from crisis.reports.export import to_csv
from crisis.reports.period import Period
from crisis.reports.volume import bucket_size
from tests.crisis.reports.report_scenario import MODEL, NOW, OWN
from tests.factories import make_labels, store_comment


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _report(session, period, times):
    labels = make_labels(model=MODEL)
    for when in times:
        store_comment(session, at=when, labels=labels)
    return build_report(session, period, now=NOW, classifier=MODEL, own_authors=OWN)


def test_the_bucket_grows_with_the_span_so_the_chart_keeps_about_200_bars():
    start = _utc(2017, 1, 1)
    sizes = [
        bucket_size(Period(start=start, end=start + timedelta(days=days)))
        for days in (1, 8, 9, 31, 32, 200, 201, 1400, 1401, 9 * 365)
    ]
    assert sizes == [
        "hour",
        "hour",
        "6 hours",
        "6 hours",
        "day",
        "day",
        "week",
        "week",
        "month",
        "month",
    ]


def test_weeks_start_on_monday_in_berlin_across_new_year_and_summer_time(session):
    period = Period(start=_utc(2016, 1, 4), end=_utc(2019, 6, 1))
    report = _report(
        session,
        period,
        [
            _utc(2017, 1, 1, 22, 30),  # Sun 01.01.2017 23:30 in Berlin: the week of 26.12.2016
            _utc(2017, 1, 1, 23, 30),  # Mon 02.01.2017 00:30 in Berlin
            _utc(2017, 1, 2, 10, 0),
            _utc(2018, 7, 1, 22, 30),  # Mon 02.07.2018 00:30 in Berlin (summer time)
        ],
    )
    assert report.volume.bucket == "week"
    buckets = report.volume.buckets
    busy = {b.start: b.comments for b in buckets if b.comments}
    assert busy == {
        _utc(2016, 12, 25, 23): 1,  # Mon 26.12.2016 00:00 in Berlin
        _utc(2017, 1, 1, 23): 2,  # Mon 02.01.2017
        _utc(2018, 7, 1, 22): 1,  # Mon 02.07.2018 (UTC+2)
    }
    assert all(b.start.astimezone(team_zone()).strftime("%a %H:%M") == "Mon 00:00" for b in buckets)
    # Mon 04.01.2016 to the week of Fri 31.05.2019: 178 weeks
    assert len(buckets) == 178
    assert buckets[-1].start == _utc(2019, 5, 26, 22)  # Mon 27.05.2019 in Berlin
    labels = [tick_label(buckets[i].start, "week") for i in tick_indices(buckets, "week", most=9)]
    assert labels == ["Jul 2016", "2017", "Jul 2017", "2018", "Jul 2018", "2019"]


def test_nine_years_chart_by_berlin_month_with_yearly_labels_and_short_csv(session):
    period = Period(start=_utc(2009, 12, 31, 23), end=_utc(2018, 12, 31, 23))  # Berlin years
    report = _report(
        session,
        period,
        [
            _utc(2012, 2, 29, 23, 30),  # 01.03.2012 00:30 in Berlin: March
            _utc(2015, 10, 31, 22, 30),  # 31.10.2015 23:30 in Berlin: October
            _utc(2015, 10, 31, 23, 30),  # 01.11.2015 00:30: November
        ],
    )
    assert report.volume.bucket == "month"
    buckets = report.volume.buckets
    assert len(buckets) == 108  # 2010-2018
    busy = {
        b.start.astimezone(team_zone()).strftime("%Y-%m"): b.comments for b in buckets if b.comments
    }
    assert busy == {"2012-03": 1, "2015-10": 1, "2015-11": 1}
    assert all(b.start.astimezone(team_zone()).strftime("%d %H:%M") == "01 00:00" for b in buckets)
    end = period.end
    assert with_year(buckets[0].start, end)
    labels = [tick_label(buckets[i].start, "month") for i in tick_indices(buckets, "month", most=9)]
    assert labels == [str(year) for year in range(2010, 2019)]
    timeline = [line for line in to_csv(report).splitlines() if line.startswith("timeline,")]
    assert len(timeline) == 108 * 6  # comments, four moods, complaints per month


def test_labels_name_the_year_when_the_chart_crosses_one_or_spans_months():
    midnight = _utc(2016, 12, 31, 23)  # 01.01.2017 00:00 in Berlin
    assert with_year(_utc(2016, 12, 31, 18), _utc(2017, 1, 1, 6))
    assert tick_label(midnight, "hour", dated=True) == "01.01.2017"
    assert tick_label(midnight + timedelta(hours=2), "hour", dated=True) == "02:00"
    assert not with_year(_utc(2017, 5, 13, 8), _utc(2017, 5, 13, 12))
    assert tick_label(_utc(2017, 5, 12, 22), "hour") == "Sat 13.05."
    assert with_year(_utc(2017, 3, 1), _utc(2017, 6, 1))  # more than two months
    assert tick_label(_utc(2017, 5, 7, 22), "day", dated=True) == "08.05.2017"


def test_the_html_chart_of_a_long_span_carries_yearly_labels(session):
    from crisis.reports.html import render_html

    period = Period(start=_utc(2009, 12, 31, 23), end=_utc(2018, 12, 31, 23))
    report = _report(session, period, [_utc(2017, 5, 8, 6)])
    html = render_html(report)
    assert ">2014</text>" in html and ">2018</text>" in html
    assert "Mon 08.05." not in html
