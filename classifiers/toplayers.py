"""The fine-tuned part of outage.v2: the encoder's top layers and the task heads, as one module.

The bottom layers of the base encoder stay frozen, so their output for a text never changes:
training computes it once per text (:func:`bottom_hidden`) and runs only :class:`TopModel`,
the top ``tuned`` BERT layers, mean pooling and one linear head per task, forward and backward.
At inference the same top layers simply replace the base encoder's own (:func:`patch_encoder`),
and the heads are exported as ordinary :class:`classifiers.heads.Heads` (numpy), so the v2
classifier runs the very same code path as v1.

The pooled vector is L2-normalised (as the :class:`Encoder` returns it) and multiplied by
``sqrt(hidden)`` so a linear head sees entries of unit scale; the exported heads carry that
factor as their feature scale. The delta file holds the tuned layers in fp16 (3.5 MB a layer).
Only the v2 classifier and training import this module, so importing torch here costs v1 nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from classifiers.corpora import SENTIMENTS, SERVICES, URGENCIES
from classifiers.heads import Head, Heads
from crisis.errors import ConfigError

DELTA_FILE = "layers.safetensors"


def head_specs() -> list[Head]:
    """The five tasks, in the order the heads file stores them; thresholds are set after tuning."""
    return [
        Head("complaint", "sigmoid", ["complaint"], [0.5]),
        Head("third_party", "sigmoid", ["third_party"], [0.5]),
        Head("service", "softmax", list(SERVICES), []),
        Head("sentiment", "softmax", list(SENTIMENTS), []),
        Head("urgent", "sigmoid", list(URGENCIES), [0.5] * len(URGENCIES)),
    ]


def attention_mask(config: Any, hidden: torch.Tensor, attention: torch.Tensor) -> Any:
    from transformers.masking_utils import create_bidirectional_mask

    return create_bidirectional_mask(config=config, inputs_embeds=hidden, attention_mask=attention)


def bottom_hidden(model: Any, inputs: dict[str, torch.Tensor], frozen: int) -> torch.Tensor:
    """The output of the embeddings and the first ``frozen`` layers (no gradients)."""
    with torch.inference_mode():
        hidden = model.embeddings(input_ids=inputs["input_ids"])
        mask = attention_mask(model.config, hidden, inputs["attention_mask"])
        for layer in model.encoder.layer[:frozen]:
            hidden = layer(hidden, mask)
        return hidden  # type: ignore[no-any-return]


class TopModel(torch.nn.Module):
    """Top layers + mean pooling + one linear head per task; returns logits per task."""

    def __init__(self, model: Any, tuned: int, heads: Sequence[Head], dropout: float = 0.1):
        import copy

        super().__init__()
        total = len(model.encoder.layer)
        if not 0 < tuned <= total:
            raise ConfigError(f"cannot tune {tuned} of {total} layers")
        self.config = model.config
        self.first = total - tuned
        self.layers = torch.nn.ModuleList(copy.deepcopy(model.encoder.layer[self.first :]))
        dim = int(model.config.hidden_size)
        self.scale = math.sqrt(dim)
        self.specs = list(heads)
        self.heads = torch.nn.ModuleDict({h.name: torch.nn.Linear(dim, h.width) for h in heads})
        self.dropout = torch.nn.Dropout(dropout)

    def pooled(self, hidden: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        mask = attention_mask(self.config, hidden, attention)
        for layer in self.layers:
            hidden = layer(hidden, mask)
        weights = attention.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        return torch.nn.functional.normalize(pooled, dim=-1) * self.scale

    def forward(self, hidden: torch.Tensor, attention: torch.Tensor) -> dict[str, torch.Tensor]:
        features = self.dropout(self.pooled(hidden, attention))
        return {name: head(features) for name, head in self.heads.items()}

    def export_heads(self, specs: Sequence[Head] | None = None) -> Heads:
        import numpy as np

        chosen = list(specs or self.specs)
        weights = {}
        for head in chosen:
            linear = self.heads[head.name]
            assert isinstance(linear, torch.nn.Linear)
            weight = linear.weight.detach().numpy().astype(np.float32).copy()
            weights[head.name] = [(weight, linear.bias.detach().numpy().astype(np.float32).copy())]
        dim = int(self.config.hidden_size)
        mean = np.zeros(dim, dtype=np.float32)
        scale = np.full(dim, 1.0 / self.scale, dtype=np.float32)
        return Heads(chosen, mean, scale, weights)

    def save_layers(self, directory: Path) -> None:
        from safetensors.torch import save_file

        tensors = {
            f"{self.first + i}.{key}": value.detach().to(torch.float16).contiguous()
            for i, layer in enumerate(self.layers)
            for key, value in layer.state_dict().items()
        }
        directory.mkdir(parents=True, exist_ok=True)
        save_file(tensors, str(directory / DELTA_FILE))


def patch_encoder(model: Any, directory: Path) -> list[int]:
    """Load the tuned layers of ``directory`` into ``model`` (fp32); returns their indexes."""
    from safetensors.torch import load_file

    try:
        tensors = load_file(str(directory / DELTA_FILE))
    except OSError as exc:
        raise ConfigError(f"{directory} has no tuned layers ({DELTA_FILE}): {exc}") from exc
    by_layer: dict[int, dict[str, torch.Tensor]] = {}
    for name, value in tensors.items():
        number, key = name.split(".", 1)
        by_layer.setdefault(int(number), {})[key] = value.to(torch.float32)
    total = len(model.encoder.layer)
    for index, state in by_layer.items():
        if index >= total:
            raise ConfigError(f"tuned layer {index} does not exist in a {total}-layer encoder")
        try:
            model.encoder.layer[index].load_state_dict(state)
        except RuntimeError as exc:
            raise ConfigError(f"tuned layer {index} does not fit the encoder: {exc}") from exc
    return sorted(by_layer)
