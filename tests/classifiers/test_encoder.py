"""The encoder's loading code and batching, on a tiny model built from a config."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifiers.encoder import Encoder, resolve
from crisis.errors import ConfigError


def test_embeddings_are_unit_vectors_in_input_order_whatever_the_batching(
    tiny_encoder: Path,
) -> None:
    texts = [
        "kein internet seit heute früh, router dsl netz weg und die hotline: kein service",
        "danke",
        "no signal since morning",
        "whatsapp down",
        "",
    ]
    batched = Encoder(str(tiny_encoder), quantize=False, batch_size=2).embed(texts)
    one_by_one = np.stack(
        [Encoder(str(tiny_encoder), quantize=False, batch_size=1).embed([t])[0] for t in texts]
    )
    assert batched.shape == (5, 16)
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    # Sorting by length and padding must not change what a text's vector is, nor where it lands.
    assert np.allclose(batched, one_by_one, atol=1e-5)


def test_int8_encoder_stays_close_to_fp32(tiny_encoder: Path) -> None:
    texts = ["kein internet seit heute", "thanks great service", "rechnung falsch anwalt"]
    fp32 = Encoder(str(tiny_encoder), quantize=False).embed(texts)
    int8 = Encoder(str(tiny_encoder), quantize=True).embed(texts)
    assert (fp32 * int8).sum(axis=1).min() > 0.9


def test_no_texts_give_an_empty_matrix(tiny_encoder: Path) -> None:
    assert Encoder(str(tiny_encoder)).embed([]).shape == (0, 16)


def test_a_missing_local_encoder_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        resolve(str(tmp_path / "nowhere") + "/")
    with pytest.raises(ConfigError, match="has no config.json"):
        resolve(str(tmp_path))


def test_a_hub_id_is_passed_on_for_online_users() -> None:
    assert resolve("intfloat/multilingual-e5-small") == "intfloat/multilingual-e5-small"


def test_an_unloadable_encoder_names_itself(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "bert"}')
    with pytest.raises(ConfigError, match="cannot load encoder"):
        Encoder(str(tmp_path))
