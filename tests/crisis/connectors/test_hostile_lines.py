"""Hostile lines in an import: each is one reported line, never a crash that stops the import.

Every case here crashed ``crisis ingest`` with a traceback before (on SQLite or PostgreSQL), and
since the cursor stayed before the line, every re-run crashed at the same place.
"""

import json
from datetime import timedelta

from sqlmodel import select

from crisis.clock import VirtualClock
from crisis.connectors.files import FileSource
from crisis.connectors.polling import Reporter, poll
from crisis.db import session_scope
from crisis.ingest import MAX_TEXT
from crisis.pipeline import Pipeline
from crisis.replies.respond import ReplySetup
from crisis.tables import Comment
from crisis.testing import EchoResponder, KeywordClassifier
from responders.policy import decide
from tests.factories import T0

GOOD = {
    "at": "2017-05-13T09:00:00+02:00",
    "platform": "facebook",
    "author": "Sabine K.",
    "text": "Kein Internet in Altona",
}


def line(id_: str, **fields) -> str:
    return json.dumps({**GOOD, "id": id_, **fields})


def pipeline_for(engine):
    return Pipeline(
        engine=engine,
        classifier=KeywordClassifier({}),
        clock=VirtualClock(T0 + timedelta(days=1)),
        replies=ReplySetup(responder=EchoResponder(), policy=decide, own_authors=()),
    )


def stored(engine) -> dict[str, Comment]:
    with session_scope(engine) as session:
        return {c.external_id: c for c in session.exec(select(Comment)).all()}


HOSTILE = [
    '{"at": "2017-05-13T09:00:00+02:00", "platform": "x", "id": "deep", "author": "a", '
    '"text": "t", "extra": ' + "[" * 1000 + "]" * 1000 + "}",
    line("bigint").replace('"id": "bigint"', '"id": "bigint", "followers": ' + "9" * 4400),
    line("year1", at="0001-01-01T00:00:00+01:00"),
    line("year9999", at="9999-12-31T23:59:59-01:00"),
    line("2099", at="2099-01-01T00:00:00+00:00"),
    line("1999", at="1999-12-31T23:59:59+00:00"),
]
REPAIRABLE = [
    line("surrogate", text="Kein Netz \ud83d"),
    line("nul\u0000id", text="Kein\u0000 Netz"),
    line("nan").replace('"id": "nan"', '"id": "nan", "score": NaN, "reach": Infinity'),
]


def test_hostile_lines_are_reported_and_every_good_line_is_stored(engine, tmp_path):
    path = tmp_path / "export.jsonl"
    lines = [line("first")] + HOSTILE + REPAIRABLE + [line("last")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reported = []

    totals = poll(
        name="file:export",
        source=FileSource(path, page_size=3),
        pipeline=pipeline_for(engine),
        report=Reporter(page=lambda page, result, totals: reported.extend(page.problems)),
    )

    comments = stored(engine)
    assert set(comments) == {"first", "surrogate", "nulid", "nan", "last"}
    assert comments["surrogate"].text == "Kein Netz \ufffd"
    assert comments["nulid"].text == "Kein Netz"
    assert comments["nan"].raw["score"] is None
    skipped = {p.where: p.reason for p in reported if not p.kept}
    assert sorted(skipped) == [f"export.jsonl:{n}" for n in range(2, 8)]
    assert "nested" in skipped["export.jsonl:2"]
    assert "digits" in skipped["export.jsonl:3"]
    assert "out of range" in skipped["export.jsonl:4"]
    assert "out of range" in skipped["export.jsonl:5"]
    assert "future" in skipped["export.jsonl:6"]
    assert "before 2000" in skipped["export.jsonl:7"]
    repaired = {p.where: p.reason for p in reported if p.kept}
    assert sorted(repaired) == ["export.jsonl:8", "export.jsonl:9"]
    assert "surrogate" in repaired["export.jsonl:8"] and "NUL" in repaired["export.jsonl:9"]
    assert (totals.new, totals.problems, totals.repaired) == (5, 6, 2)


def test_unchecked_values_are_checked_unknown_platform_refused_and_changed_duplicates_reported(
    engine, tmp_path
):
    path = tmp_path / "export.jsonl"
    lines = [
        line("1"),
        line("2", platform="myspace"),
        line("3", platform="Twitter"),
        line("1", text="Ganz anderer Text"),  # same id, another text: not silently dropped
        line("1"),  # the same comment again: a plain repeat, nothing to report
        line("4", text="Kein Netz! " * 500_000),  # 5.5 MB
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reported = []

    def page(page, result, totals):
        reported.extend(page.problems + result.conflicts)

    totals = poll(
        name="file:export",
        source=FileSource(path, page_size=10),
        pipeline=pipeline_for(engine),
        report=Reporter(page=page),
    )

    comments = stored(engine)
    assert sorted(comments) == ["1", "3", "4"]
    assert comments["3"].platform == "x"
    assert {p.where: p.reason for p in reported if not p.kept}["export.jsonl:2"] == (
        "unknown platform 'myspace'; known: facebook, twitter, x"
    )
    assert comments["1"].text == "Kein Internet in Altona"
    assert totals.conflicts == 1
    [conflict] = [p for p in reported if "different text" in p.reason]
    assert conflict.where == "facebook comment 1"
    huge = comments["4"]
    assert len(huge.text) == MAX_TEXT and huge.text.endswith("…")
    assert huge.raw["text"] == "Kein Netz! " * 500_000  # the original is kept
