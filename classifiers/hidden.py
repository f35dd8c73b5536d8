"""The frozen layers' output per text, computed once and kept: what makes CPU fine-tuning fast.

The bottom layers of the encoder never change during fine-tuning, so their output for a text
is computed once and cached under ``~/.cache/crisis/hidden`` (fp16, packed: one tensor of
tokens and one of offsets), keyed by encoder, depth and the texts themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from classifiers.encoder import MAX_TOKENS, Encoder
from classifiers.toplayers import bottom_hidden

StageProgress = Callable[[str, int, int], None]


class Hidden:
    """Variable-length hidden states of many texts, packed: ``tokens[offsets[i]:offsets[i+1]]``."""

    def __init__(self, tokens: torch.Tensor, offsets: torch.Tensor) -> None:
        self.tokens = tokens
        self.offsets = offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def length(self, row: int) -> int:
        return int(self.offsets[row + 1] - self.offsets[row])

    def batch(self, rows: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
        """Right-padded fp32 hidden states and their attention mask."""
        longest = max(self.length(r) for r in rows)
        dim = self.tokens.shape[1]
        device = self.tokens.device
        hidden = torch.zeros(len(rows), longest, dim, device=device)
        mask = torch.zeros(len(rows), longest, dtype=torch.long, device=device)
        for i, row in enumerate(rows):
            start, end = int(self.offsets[row]), int(self.offsets[row + 1])
            hidden[i, : end - start] = self.tokens[start:end].to(torch.float32)
            mask[i, : end - start] = 1
        return hidden, mask


def _cache_path(encoder: Encoder, texts: Sequence[str], frozen: int, root: Path) -> Path:
    digest = hashlib.sha256(f"{encoder.spec}|frozen={frozen}|max={MAX_TOKENS}".encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\x00")
    return root / f"{digest.hexdigest()[:32]}.pt"


def _save(hidden: Hidden, path: Path) -> Hidden:
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    torch.save({"tokens": hidden.tokens, "offsets": hidden.offsets}, scratch)
    scratch.replace(path)
    return hidden


def cache_hidden(
    encoder: Encoder,
    texts: Sequence[str],
    frozen: int,
    cache_root: Path,
    progress: StageProgress | None = None,
) -> Hidden:
    """The frozen layers' output for ``texts``, from the cache when these texts were seen.

    A cache of fewer frozen layers for the same texts is continued rather than recomputed: going
    from 8 to 10 frozen layers costs two layers' forward pass, not twelve.
    """
    path = _cache_path(encoder, texts, frozen, cache_root)
    if path.is_file():
        packed = torch.load(path, weights_only=True)
        return Hidden(packed["tokens"], packed["offsets"])
    for shallower in range(frozen - 1, 0, -1):
        earlier = _cache_path(encoder, texts, shallower, cache_root)
        if earlier.is_file():
            packed = torch.load(earlier, weights_only=True)
            start = Hidden(packed["tokens"], packed["offsets"])
            return _save(_continue(encoder, start, shallower, frozen, progress), path)
    pieces: list[torch.Tensor | None] = [None] * len(texts)
    done = 0
    for batch in encoder.preprocess(texts):
        hidden = bottom_hidden(encoder.model, batch.inputs, frozen)
        lengths = batch.inputs["attention_mask"].sum(dim=1).tolist()
        for row, position in enumerate(batch.positions):
            pieces[position] = hidden[row, : int(lengths[row])].to(torch.float16).clone()
        done += len(batch.positions)
        if progress:
            progress("caching frozen layers", done, len(texts))
    return _save(_pack(pieces, encoder.dim), path)


def _pack(pieces: Sequence[torch.Tensor | None], dim: int) -> Hidden:
    parts = [p for p in pieces if p is not None]
    sizes = torch.tensor([0] + [len(p) for p in parts], dtype=torch.long)
    tokens = torch.cat(parts) if parts else torch.zeros(0, dim, dtype=torch.float16)
    return Hidden(tokens, sizes.cumsum(0))


def _continue(
    encoder: Encoder, start: Hidden, done: int, frozen: int, progress: StageProgress | None
) -> Hidden:
    from classifiers.toplayers import attention_mask

    layers = encoder.model.encoder.layer[done:frozen]
    order = sorted(range(len(start)), key=start.length)
    pieces: list[torch.Tensor | None] = [None] * len(start)
    with torch.inference_mode():
        for first in range(0, len(order), 64):
            chosen = order[first : first + 64]
            hidden, attention = start.batch(chosen)
            mask = attention_mask(encoder.model.config, hidden, attention)
            for layer in layers:
                hidden = layer(hidden, mask)
            for row, i in enumerate(chosen):
                pieces[i] = hidden[row, : start.length(i)].to(torch.float16).clone()
            if progress:
                progress("caching frozen layers", first + len(chosen), len(start))
    return _pack(pieces, encoder.dim)
