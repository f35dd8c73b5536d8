"""A tiny BERT built from a config (random weights, word-level tokenizer) for loading-code tests,
and the real bundled model, loaded once per test session (the encoder cache is the user's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

WORDS = (
    "kein internet seit heute früh netz weg hotline danke super service rechnung falsch "
    "no signal since morning thanks great bill wrong whatsapp down tv email mail router dsl "
    "anwalt kündige lawyer cancel notruf praxis"
).split()


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    directory = tmp_path_factory.mktemp("tiny-encoder")
    specials = ["<pad>", "<unk>", "<s>", "</s>", "<mask>"]
    vocab = {token: i for i, token in enumerate(specials + ["query", ":"] + WORDS)}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Punctuation()]
    )
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 2), ("</s>", 3)]
    )
    PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        pad_token="<pad>",
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        mask_token="<mask>",
    ).save_pretrained(str(directory))
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=160,
        pad_token_id=0,
    )
    BertModel(config, add_pooling_layer=False).save_pretrained(str(directory))
    assert json.loads((directory / "config.json").read_text())["hidden_size"] == 16
    return directory
