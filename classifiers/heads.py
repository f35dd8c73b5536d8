"""Small linear heads on frozen sentence embeddings: one per label, trained in seconds.

Each head is a logistic regression (``sigmoid`` for yes/no and multi-label, ``softmax`` for one
class out of several) on standardised embeddings, fitted with L-BFGS and an L2 penalty. That is
all the data we have supports: about 1,300 hand-labelled telecom comments teach service and
urgency, tens of thousands of public tweets teach sentiment and complaint. Heads are stored as
safetensors plus a JSON file of labels and thresholds: a few hundred kilobytes in git.
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

    @property
    def width(self) -> int:
        return len(self.labels)


@dataclass
class FitReport:
    name: str
    rows: int
    loss: float


class Heads:
    """All heads of one model, plus the feature standardisation they were trained with."""

    def __init__(
        self,
        heads: list[Head],
        mean: np.ndarray,
        scale: np.ndarray,
        weights: dict[str, tuple[np.ndarray, np.ndarray]],
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
            weight, bias = self.weights[name]
            logits = x @ weight.T + bias
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
        for name, (weight, bias) in self.weights.items():
            tensors[f"{name}.weight"] = torch.from_numpy(weight.copy())
            tensors[f"{name}.bias"] = torch.from_numpy(bias.copy())
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
        weights = {h.name: (tensors[f"{h.name}.weight"], tensors[f"{h.name}.bias"]) for h in heads}
        return cls(heads, tensors["feature.mean"], tensors["feature.scale"], weights)


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
) -> tuple[tuple[np.ndarray, np.ndarray], FitReport]:
    """Fit one head. ``x`` is standardised; ``y`` holds class ids (softmax) or 0/1 columns."""
    import torch

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
    with torch.no_grad():
        final = float(loss_fn())
    fitted = (linear.weight.detach().numpy().copy(), linear.bias.detach().numpy().copy())
    return fitted, FitReport(head.name, len(x), final)
