"""``crisis train`` / ``crisis evaluate`` end to end on a tiny encoder: files, card, reload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.modelcard import update_section
from classifiers.outage import OutageClassifier
from classifiers.training import TrainOptions, train
from crisis.errors import ConfigError

ROWS = [
    ("kein internet seit heute früh, router dsl weg", True, "internet", "negative", []),
    ("no signal since morning", True, "mobile", "negative", []),
    ("super service, netz weg, danke für nix", True, "mobile", "negative", []),
    ("rechnung falsch, anwalt", True, "billing", "negative", ["legal"]),
    ("kein notruf, praxis tv weg", True, "phone", "negative", ["vulnerable", "business"]),
    ("thanks great service", False, "other", "positive", []),
    ("danke super", False, "other", "positive", []),
    ("whatsapp down", False, "other", "negative", []),
    ("email mail router", False, "email", "neutral", []),
    ("kündige cancel", True, "other", "negative", ["churn"]),
]


def _telecom(directory: Path, copies: int = 6) -> Path:
    directory.mkdir(parents=True)
    (directory / "LABEL_GUIDE.md").write_text("# guide\n")
    with (directory / "de.jsonl").open("w", encoding="utf-8") as stream:
        for n in range(copies):
            for i, (text, complaint, service, sentiment, urgent) in enumerate(ROWS):
                row = {
                    "id": f"t-{n}-{i}",
                    "lang": "de",
                    "text": text + " " * n,
                    "is_complaint": complaint,
                    "service": service,
                    "sentiment": sentiment,
                    "urgent": urgent,
                    "third_party": text.startswith("whatsapp"),
                    "kind": "x",
                }
                stream.write(json.dumps(row) + "\n")
    return directory


def test_training_writes_a_small_model_with_its_card_and_it_reloads(
    tiny_encoder: Path, tmp_path: Path
) -> None:
    data = _telecom(tmp_path / "telecom")
    out = tmp_path / "models" / "tiny.v1"
    options = TrainOptions(name="tiny.v1", encoder=str(tiny_encoder), cache_dir=tmp_path / "enc")
    trained = train([data], out, options)

    assert sorted(p.name for p in out.iterdir()) == [
        "MODEL_CARD.md",
        "config.json",
        "heads.json",
        "heads.safetensors",
    ]
    assert sum(p.stat().st_size for p in out.iterdir()) < 100_000
    card = (out / "MODEL_CARD.md").read_text()
    assert "| telecom | Apache-2.0 (written for this project) |" in card
    assert "| complaint | telecom/de | " in card  # held-out scores, per data set
    assert set(trained.results) >= {"complaint", "service", "sentiment", "urgent"}
    assert (tmp_path / "embeddings").is_dir()  # embedded once, reused next time

    classifier = OutageClassifier(out)
    labels = classifier.classify(["kein internet seit heute früh", "thanks great service"])
    assert [label.model for label in labels] == ["tiny.v1", "tiny.v1"]
    assert all(0.0 <= label.complaint_score <= 1.0 for label in labels)


def test_training_without_service_labels_says_which_data_is_missing(
    tiny_encoder: Path, tmp_path: Path
) -> None:
    only_complaints = tmp_path / "complaints.jsonl"
    only_complaints.write_text(json.dumps({"text": "x", "is_complaint": True}) + "\n")
    data = tmp_path / "pre"
    data.mkdir()
    (data / "complaints-data.jsonl").write_text(
        json.dumps({"tweet_id": "1", "text": "bad", "complaint": 1, "domain": "telecom"}) + "\n"
    )
    with pytest.raises(ConfigError, match="include the telecom set"):
        train([data], tmp_path / "out", TrainOptions(encoder=str(tiny_encoder)))


def test_an_unknown_data_folder_is_refused_with_what_is_expected(tmp_path: Path) -> None:
    from classifiers.corpora import load

    with pytest.raises(ConfigError, match="is not a data set this project knows"):
        load(tmp_path)


def test_evaluation_replaces_its_own_section_of_the_card(tmp_path: Path) -> None:
    from classifiers.evaluation import single_label

    (tmp_path / "MODEL_CARD.md").write_text("# m\n\nintro\n")
    first = {"sentiment": {"x": single_label(["a"], ["b"], ["a", "b"])}}
    second = {"sentiment": {"x": single_label(["a"], ["a"], ["a", "b"])}}
    update_section(tmp_path, "gold.jsonl", first, None)
    update_section(tmp_path, "gold.jsonl", second, None)
    update_section(tmp_path, "other.jsonl", second, None)
    card = (tmp_path / "MODEL_CARD.md").read_text()
    assert card.startswith("# m\n\nintro\n")
    assert card.count("## Evaluation on gold.jsonl") == 1
    assert "| sentiment | x | 1 | 1.000 | 1.000 |" in card
    assert "| sentiment | x | 1 | 0.000 |" not in card
    assert "## Evaluation on other.jsonl" in card
