"""outage.v2's training code on a tiny encoder, the GermEval mapping and the real set's folds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.germeval import map_row, service_of
from classifiers.realset import fold, load_real
from tests.classifiers.test_training import _telecom


def _row(relevance: str, sentiment: str, *aspects: tuple[str, str]) -> dict[str, object]:
    return {
        "relevance": relevance,
        "sentiment": sentiment,
        "aspects": [{"category": c, "polarity": p} for c, p in aspects],
    }


def test_irrelevant_germeval_rows_are_not_complaints() -> None:
    mapped = map_row(_row("false", "neutral"))
    assert (mapped.complaint, mapped.service, mapped.sentiment) == (False, None, "neutral")


def test_a_negative_wifi_aspect_is_an_internet_complaint() -> None:
    row = _row("true", "negative", ("Connectivity#WLAN_und_Internet", "negative"))
    assert map_row(row).complaint is True
    assert map_row(row).service == "internet"


def test_a_negative_delay_is_a_complaint_without_a_telecom_service() -> None:
    row = _row("true", "negative", ("Zugfahrt#Pünktlichkeit", "negative"))
    assert (map_row(row).complaint, map_row(row).service) == (True, None)


def test_negative_news_without_a_service_failure_teaches_no_complaint_label() -> None:
    row = _row("true", "negative", ("Allgemein#Haupt", "negative"))
    assert map_row(row).complaint is None


def test_praise_is_no_complaint_even_with_a_mapped_aspect() -> None:
    row = _row("true", "positive", ("Service_und_Kundenbetreuung#Haupt", "positive"))
    assert (map_row(row).complaint, map_row(row).service) == (False, "customer_service")


@pytest.mark.parametrize(
    ("aspect", "service"),
    [
        ("Connectivity#Telefonie_und_Handyempfang", "mobile"),
        ("DB_App_und_Website#Störungen_DB_App_und_Website", "customer_service"),
        ("Ticketkauf#Haupt", "billing"),
        ("Zugfahrt#Pünktlichkeit", None),
    ],
)
def test_aspects_map_to_our_services(aspect: str, service: str | None) -> None:
    assert service_of(aspect) == service


def test_rows_of_one_page_share_a_fold_that_never_moves(tmp_path: Path) -> None:
    rows = [
        {"id": f"r{i}", "lang": "de", "text": f"t{i}", "url": f"https://x/{i % 3}"}
        for i in range(9)
    ]
    (tmp_path / "de.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    loaded = load_real(tmp_path)
    assert {e.source for e in loaded} == {"real/de"}
    by_page: dict[str | None, set[int]] = {}
    for example in loaded:
        by_page.setdefault(example.group, set()).add(fold(example.group))
    assert all(len(folds) == 1 for folds in by_page.values())
    assert fold("https://example.org/a") == 2  # sha1, not the salted hash()


def test_top_layers_on_cached_states_give_the_encoders_own_embedding(
    tiny_encoder: Path, tmp_path: Path
) -> None:
    import torch

    from classifiers.encoder import Encoder
    from classifiers.hidden import cache_hidden
    from classifiers.toplayers import TopModel, head_specs

    encoder = Encoder(str(tiny_encoder), quantize=False)
    texts = ["kein internet seit heute", "danke", "netz weg hotline super service rechnung"]
    hidden = cache_hidden(encoder, texts, 1, tmp_path)
    model = TopModel(encoder.model, 1, head_specs()).eval()
    with torch.inference_mode():
        pooled = torch.cat([model.pooled(*hidden.batch([i])) for i in range(len(texts))])
    expected = torch.from_numpy(encoder.embed(texts))
    assert torch.allclose(pooled / model.scale, expected, atol=2e-3)
    assert cache_hidden(encoder, texts, 1, tmp_path).tokens.shape == hidden.tokens.shape


def test_finetuning_writes_a_delta_that_loads_and_a_second_run_resumes(
    tiny_encoder: Path, tmp_path: Path
) -> None:
    from classifiers.finetune import FinetuneOptions, finetune
    from classifiers.tuned import TunedClassifier

    data = _telecom(tmp_path / "telecom")
    out = tmp_path / "models" / "tiny.v2"
    options = FinetuneOptions(
        name="tiny.v2", encoder=str(tiny_encoder), tuned=1, epochs=2, cache_dir=tmp_path / "enc"
    )
    first = finetune([data], out, options)
    assert [h["epoch"] for h in first.history] == [1, 2]
    assert sorted(p.name for p in out.iterdir()) == [
        "config.json",
        "heads.json",
        "heads.safetensors",
        "layers.safetensors",
    ]
    config = json.loads((out / "config.json").read_text())
    assert config["trained"]["tuned_layers"] == [1]

    classifier = TunedClassifier(out, encoder_spec=str(tiny_encoder))
    labels = classifier.classify(["kein internet seit heute früh", "thanks great service"])
    assert [label.model for label in labels] == ["tiny.v2", "tiny.v2"]

    again = finetune([data], out, options)  # the last checkpoint is complete: nothing to train
    assert again.history == first.history


def _real(directory: Path) -> Path:
    directory.mkdir(parents=True)
    rows = [
        ("kein internet seit heute früh", True, "internet", "negative", ["churn"]),
        ("danke super service", False, "other", "positive", []),
        ("rechnung falsch, anwalt", True, "billing", "negative", ["legal"]),
        ("whatsapp down", False, "other", "negative", []),
    ]
    with (directory / "de.jsonl").open("w", encoding="utf-8") as stream:
        for n in range(5):
            for i, (text, complaint, service, sentiment, urgent) in enumerate(rows):
                row = {
                    "id": f"real-{n}-{i}",
                    "lang": "de",
                    "text": f"{text} {'!' * n}",
                    "url": f"https://page/{n}-{i % 2}",
                    "is_complaint": complaint,
                    "service": service,
                    "sentiment": sentiment,
                    "urgent": urgent,
                    "third_party": text.startswith("whatsapp"),
                }
                stream.write(json.dumps(row) + "\n")
    return directory


def test_v2_v1_and_the_lexicon_are_scored_on_the_same_rows_and_the_card_says_so(
    tiny_encoder: Path, tmp_path: Path
) -> None:
    from classifiers.card_v2 import write_card
    from classifiers.choose import choose_rules
    from classifiers.compare import compare
    from classifiers.finetune import FinetuneOptions, finetune
    from classifiers.training import TrainOptions, train

    data = _telecom(tmp_path / "telecom")
    real = _real(tmp_path / "real")
    v1 = tmp_path / "v1"
    train([data], v1, TrainOptions(name="outage.v1", encoder=str(tiny_encoder)))
    v2 = tmp_path / "v2"
    options = FinetuneOptions(name="tiny.v2", encoder=str(tiny_encoder), tuned=1, epochs=1)
    finetune([data], v2, options)

    chosen = choose_rules(v2, real)
    assert 0.0 < chosen["complaint"] < 1.0
    comparison = compare([data], v2, v1, real)
    assert set(comparison.results) == {"tiny.v2", "outage.v1", "lexicon"}
    for scores in comparison.results.values():
        assert scores["complaint"]["real/de"].support == 20
        assert "real/de (complaints)" in scores["service"]
    card = write_card(comparison, v2).read_text()
    assert "| German complaint F1 (real, unseen folds) | >= 0.88 |" in card
    assert "| Connectivity#WLAN_und_Internet | internet |" in card


def test_q4_blocks_pack_bit_for_bit_and_other_weights_are_refused() -> None:
    import numpy as np

    from classifiers.gpu import q4_decode, q4_encode
    from crisis.errors import ConfigError

    rng = np.random.default_rng(0)
    scale = rng.uniform(0.001, 0.1, size=(6, 1)).astype(np.float16).astype(np.float32)
    q = rng.integers(-8, 8, size=(6, 32))
    q[:, 0] = -8  # the Q4_0 quantiser maps each block's largest magnitude to -8
    weights = (q * scale).astype(np.float32).reshape(3, 64)
    assert np.array_equal(q4_decode(*q4_encode(weights), weights.shape), weights)
    with pytest.raises(ConfigError, match="not Q4_0 blocks"):
        q4_encode(rng.normal(size=(2, 32)).astype(np.float32))
