"""Small linear heads on frozen sentence embeddings: one per label, trained in seconds.

Each head is a logistic regression (``sigmoid`` for yes/no and multi-label, ``softmax`` for one
class out of several) on standardised embeddings, fitted with L-BFGS and an L2 penalty, or, where
tens of thousands of rows allow it (sentiment), a one-hidden-layer MLP fitted with AdamW. A
logistic regression is all that about 1,300 hand-labelled telecom comments support for service
and urgency. Heads are stored as safetensors plus a JSON file of labels and thresholds: a few
hundred kilobytes in git.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from crisis.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

Kind = Literal["sigmoid", "softmax"]
HEADS_FILE = "heads.safetensors"


@dataclass
class Head:
    name: str
    kind: Kind
    labels: list[str]
    thresholds: list[float]  # sigmoid heads: one per label; softmax heads: unused
    hidden: int = 0  # units of the hidden layer; 0: a plain linear head

    @property
    def width(self) -> int:
        return len(self.labels)


class Heads:
    """All heads of one model, plus the feature standardisation they were trained with."""

    def __init__(
        self,
        heads: list[Head],
        mean: np.ndarray,
        scale: np.ndarray,
        weights: dict[str, Layers],
    ) -> None:
        self.heads = {head.name: head for head in heads}
        self.mean = mean
        self.scale = scale
        self.weights = weights

    def scores(self, features: np.ndarray) -> dict[str, np.ndarray]:
        """Probabilities per head: ``(rows, width)``; softmax rows sum to one."""
        import numpy as np

        x = (features - self.mean) / self.scale
        out = {}
        for name, head in self.heads.items():
            logits = x
            for depth, (weight, bias) in enumerate(self.weights[name]):
                if depth:
                    logits = _gelu(logits)
                logits = logits @ weight.T + bias
            if head.kind == "softmax":
                logits = logits - logits.max(axis=1, keepdims=True)
                exp = np.exp(logits)
                out[name] = exp / exp.sum(axis=1, keepdims=True)
            else:
                out[name] = 1.0 / (1.0 + np.exp(-logits))
        return out

    def save(self, directory: Path) -> None:
        import torch
        from safetensors.torch import save_file

        tensors = {
            "feature.mean": torch.from_numpy(self.mean.copy()),
            "feature.scale": torch.from_numpy(self.scale.copy()),
        }
        for name, layers in self.weights.items():
            for depth, (weight, bias) in enumerate(layers):
                tensors[f"{name}.{depth}.weight"] = torch.from_numpy(weight.copy())
                tensors[f"{name}.{depth}.bias"] = torch.from_numpy(bias.copy())
        directory.mkdir(parents=True, exist_ok=True)
        save_file(tensors, str(directory / HEADS_FILE))
        heads = [asdict(head) for head in self.heads.values()]
        (directory / "heads.json").write_text(json.dumps(heads, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Heads:
        from safetensors.numpy import load_file

        try:
            tensors = load_file(str(directory / HEADS_FILE))
            raw = json.loads((directory / "heads.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{directory} is not a trained model: {exc}") from exc
        heads = [Head(**item) for item in raw]
        weights = {
            h.name: [
                (tensors[f"{h.name}.{depth}.weight"], tensors[f"{h.name}.{depth}.bias"])
                for depth in range(2 if h.hidden else 1)
            ]
            for h in heads
        }
        return cls(heads, tensors["feature.mean"], tensors["feature.scale"], weights)


Layers = list[tuple["np.ndarray", "np.ndarray"]]


def _gelu(x: np.ndarray) -> np.ndarray:
    import numpy as np

    # The tanh form, as torch's GELU(approximate="tanh") that the MLP heads are trained with.
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))


def standardiser(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = features.mean(axis=0).astype("float32")
    scale = (features.std(axis=0) + 1e-6).astype("float32")
    return mean, scale


def fit(
    head: Head,
    x: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    *,
    l2: float = 1e-3,
    steps: int = 200,
) -> Layers:
    """Fit one head. ``x`` is standardised; ``y`` holds class ids (softmax) or 0/1 columns."""
    import torch

    if head.hidden:
        return _fit_mlp(head, x, y, sample_weight)

    torch.manual_seed(0)
    features = torch.from_numpy(x)
    target = torch.from_numpy(y)
    weights = torch.from_numpy(sample_weight.astype("float32"))
    weights = weights / weights.mean()
    linear = torch.nn.Linear(x.shape[1], head.width)
    torch.nn.init.zeros_(linear.weight)
    torch.nn.init.zeros_(linear.bias)
    optimiser = torch.optim.LBFGS(
        linear.parameters(), lr=1.0, max_iter=steps, line_search_fn="strong_wolfe"
    )

    def loss_fn() -> torch.Tensor:
        logits = linear(features)
        if head.kind == "softmax":
            per_row = torch.nn.functional.cross_entropy(logits, target.long(), reduction="none")
        else:
            per_row = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, target.float(), reduction="none"
            ).sum(dim=1)
        return (per_row * weights).mean() + l2 * linear.weight.pow(2).sum()

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = loss_fn()
        loss.backward()  # type: ignore[no-untyped-call]
        return loss

    optimiser.step(closure)  # type: ignore[no-untyped-call]
    return [(linear.weight.detach().numpy().copy(), linear.bias.detach().numpy().copy())]


def _fit_mlp(
    head: Head,
    x: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    *,
    epochs: int = 10,
    batch: int = 256,
) -> Layers:
    """A softmax MLP head: dropout on the input and the hidden layer against over-fitting."""
    import torch

    if head.kind != "softmax":
        raise ValueError("MLP heads are softmax heads")
    torch.manual_seed(0)
    first = torch.nn.Linear(x.shape[1], head.hidden)
    second = torch.nn.Linear(head.hidden, head.width)
    model = torch.nn.Sequential(
        torch.nn.Dropout(0.1),
        first,
        torch.nn.GELU(approximate="tanh"),
        torch.nn.Dropout(0.2),
        second,
    )
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    features = torch.from_numpy(x)
    target = torch.from_numpy(y).long()
    weights = torch.from_numpy(sample_weight.astype("float32"))
    weights = weights / weights.mean()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for start in range(0, len(x), batch):
            chosen = order[start : start + batch]
            per_row = torch.nn.functional.cross_entropy(
                model(features[chosen]), target[chosen], reduction="none"
            )
            loss = (per_row * weights[chosen]).mean()
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
    return [
        (layer.weight.detach().numpy().copy(), layer.bias.detach().numpy().copy())
        for layer in (first, second)
    ]
