"""``classify-file``: every good line labelled once, every bad line reported, crashes resumed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from classifiers.batchfile import MAX_CHARS, classify_file
from crisis.domain import Labels, Sentiment, Service, Urgency
from crisis.testing import KeywordClassifier

OUTAGE = Labels("keywords.test", True, 0.9, Service.INTERNET, Sentiment.NEGATIVE, (Urgency.CHURN,))


def _write(path: Path, lines: Sequence[str | bytes]) -> Path:
    with path.open("wb") as stream:
        for line in lines:
            stream.write(line if isinstance(line, bytes) else line.encode("utf-8"))
            stream.write(b"\n")
    return path


def _read(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_output_has_the_input_fields_and_the_labels(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": "c1", "text": "kein DSL, ich kündige", "lang": "de", "x": 1}),
            json.dumps({"text": "Hab Mama angerufen ❤️"}),
        ],
    )
    report = classify_file(KeywordClassifier({"DSL": OUTAGE}), source, tmp_path / "out.jsonl")
    rows = _read(tmp_path / "out.jsonl")
    assert report.labelled == 2 and report.problems == []
    assert rows[0] == {
        "id": "c1",
        "text": "kein DSL, ich kündige",
        "lang": "de",
        "x": 1,
        "is_complaint": True,
        "complaint_score": 0.9,
        "service": "internet",
        "sentiment": "negative",
        "urgent": ["churn"],
        "model": "keywords.test",
    }
    assert rows[1]["text"] == "Hab Mama angerufen ❤️"
    assert rows[1]["is_complaint"] is False and rows[1]["service"] == "other"


def test_bad_lines_are_reported_with_their_number_and_skipped(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps({"text": "ok one"}),
            "{not json",
            json.dumps(["a list"]),
            json.dumps({"id": 7}),
            json.dumps({"text": 42}),
            json.dumps({"text": "   "}),
            json.dumps({"text": "x" * (MAX_CHARS + 1)}),
            b"\xff\xfe broken bytes",
            "",
            json.dumps({"text": "<script>alert(1)</script> ok two"}),
        ],
    )
    report = classify_file(KeywordClassifier({}), source, tmp_path / "out.jsonl")
    reasons = {p.where: p.reason for p in report.problems}
    assert set(reasons) == {f"in.jsonl:{n}" for n in (2, 3, 4, 5, 6, 7, 8)}
    assert reasons["in.jsonl:2"].startswith("not JSON")
    assert reasons["in.jsonl:3"] == "not a JSON object"
    assert reasons["in.jsonl:4"] == "no text field"
    assert reasons["in.jsonl:5"] == "text is a int, not a string"
    assert reasons["in.jsonl:6"] == "empty text"
    assert "limit 20,000" in reasons["in.jsonl:7"]
    assert reasons["in.jsonl:8"].startswith("not UTF-8")
    assert [r["text"] for r in _read(tmp_path / "out.jsonl")] == [
        "ok one",
        "<script>alert(1)</script> ok two",
    ]


class CrashingClassifier(KeywordClassifier):
    """Dies on the n-th batch, as a process killed midway would."""

    def __init__(self, crash_on_call: int) -> None:
        super().__init__({})
        self.crash_on_call = crash_on_call

    def classify(self, texts: Sequence[str]) -> list[Labels]:
        if len(self.calls) + 1 == self.crash_on_call:
            raise KeyboardInterrupt
        return super().classify(texts)


def test_a_crashed_run_resumes_without_losing_or_repeating_a_row(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "text": f"comment {i}"}) for i in range(10)]
    source = _write(tmp_path / "in.jsonl", lines[:4] + ["{broken"] + lines[4:])
    out = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        classify_file(CrashingClassifier(crash_on_call=3), source, out, chunk=3)
    partial = tmp_path / "out.jsonl.partial"
    assert not out.exists() and len(partial.read_text().splitlines()) == 6
    with partial.open("a") as stream:
        stream.write('{"id": 6, "text": "comm')  # torn last line of the killed process

    second = KeywordClassifier({})
    report = classify_file(second, source, out, chunk=3)
    assert report.resumed == 6
    assert [r["id"] for r in _read(out)] == list(range(10))
    assert sum(len(call) for call in second.calls) == 4
    assert not partial.exists()


def test_hostile_lines_are_reported_and_a_bom_does_not_cost_the_first_line(
    tmp_path: Path,
) -> None:
    source = _write(
        tmp_path / "in.jsonl",
        [
            b"\xef\xbb\xbf" + json.dumps({"id": "bom", "text": "kein DSL"}).encode(),
            '{"id": "deep", "text": "t", "x": ' + "[" * 1000 + "]" * 1000 + "}",
            '{"id": "bigint", "text": "t", "n": ' + "9" * 4400 + "}",
            json.dumps({"id": "surrogate", "text": "kein DSL \ud83d", "a\ud83d": "\ud83d"}),
            '{"id": "nan", "text": "Netz weg", "score": NaN}',
        ],
    )
    report = classify_file(KeywordClassifier({"DSL": OUTAGE}), source, tmp_path / "out.jsonl")
    rows = _read(tmp_path / "out.jsonl")
    assert [row["id"] for row in rows] == ["bom", "surrogate", "nan"]
    assert rows[0]["is_complaint"] is True
    assert rows[1]["text"] == "kein DSL \ufffd" and rows[1]["a\ufffd"] == "\ufffd"
    assert rows[2]["score"] is None
    assert [(p.where, "nested" in p.reason or "digits" in p.reason) for p in report.problems] == [
        ("in.jsonl:2", True),
        ("in.jsonl:3", True),
    ]
