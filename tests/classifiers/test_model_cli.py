"""``crisis classify-file`` and ``crisis evaluate`` as a user runs them, on the bundled model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from classifiers.outage import BUNDLED
from crisis.cli.main import app

runner = CliRunner()


def test_classify_file_labels_german_and_english_and_reports_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "comments.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps(
                    {"id": "a", "text": "Seit heute früh kein Internet in Hamburg, Router tot"}
                ),
                json.dumps(
                    {
                        "id": "b",
                        "text": "Thanks, the technician fixed everything. Great!",
                        "lang": "en",
                    }
                ),
                "not json at all",
                json.dumps({"id": "c", "text": ""}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "labelled.jsonl"
    result = runner.invoke(app, ["classify-file", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "labelled 2 comments, skipped 2 lines" in result.output
    assert "comments.jsonl:3: not JSON" in result.output
    assert "comments.jsonl:4: empty text" in result.output
    first, second = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    assert first["id"] == "a" and first["is_complaint"] is True
    assert first["service"] == "internet" and first["model"] == "outage.v1"  # the default
    assert first["lang"] == "de"  # detected when the input has none
    assert second["is_complaint"] is False and second["sentiment"] == "positive"
    assert second["lang"] == "en" and second["urgent"] == []


def test_evaluate_prints_scores_and_writes_them_into_the_model_card(tmp_path: Path) -> None:
    model = tmp_path / "outage.v1"
    shutil.copytree(BUNDLED, model)
    gold = tmp_path / "gold.jsonl"
    rows = [
        {
            "text": "Kein Netz seit gestern in Köln, Handy zeigt SOS",
            "is_complaint": True,
            "service": "mobile",
            "sentiment": "negative",
            "urgent": [],
        },
        {
            "text": "Danke, alles läuft wieder super!",
            "is_complaint": False,
            "service": "other",
            "sentiment": "positive",
            "urgent": [],
        },
    ]
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--model", str(model), "--data", str(gold)])
    assert result.exit_code == 0, result.output
    assert "complaint" in result.output and "gold.jsonl" in result.output
    card = (model / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "## Evaluation on gold.jsonl" in card
    assert "| complaint | gold.jsonl | 2 |" in card
    assert (BUNDLED / "MODEL_CARD.md").read_text(encoding="utf-8") != card  # the copy, not ours


def test_an_unknown_data_folder_is_one_clear_error_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crisis.cli",
            "evaluate",
            "--model",
            str(BUNDLED),
            "--data",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "is not a data set this project knows" in " ".join(result.stdout.split())
    assert "Traceback" not in result.stdout + result.stderr
