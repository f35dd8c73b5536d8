"""Bounded fuzz of ``classify-file``: hostile JSONL never crashes it, every valid line is
labelled once and every output line is valid UTF-8 JSON."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings

from classifiers.batchfile import classify_file
from crisis.testing import KeywordClassifier
from tests.factories import complaint
from tests.fuzzing import jsonl_file


@settings(max_examples=300, deadline=None, database=None)
@given(data=jsonl_file(words=True))
def test_hostile_lines_never_crash_classify_file_and_every_valid_line_is_labelled(data):
    content, valid = data
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "in.jsonl", Path(folder) / "out.jsonl"
        source.write_bytes(content)
        classify_file(KeywordClassifier({"a": complaint()}), source, out, chunk=3)
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
    labelled = [row["id"] for row in rows if str(row.get("id")) in valid]
    assert sorted(labelled) == sorted(valid)
    assert all("is_complaint" in row for row in rows)
