"""Refit outage.v2's heads on its own tuned features, with the real set's folds among the rows.

Fine-tuning the layers on every fold costs an hour of shared CPU per fold; refitting the heads
on the tuned features costs seconds. So the real set trains here, and only here, through
cross-validation: for fold k the heads are fitted (as :func:`classifiers.training.fit_heads`
fits v1's) on the training rows plus the real rows of the other folds, and score fold k, which
they never saw. Those out-of-fold scores are what the model card reports and what the
thresholds are chosen on (:func:`classifiers.choose.pick`); the shipped heads are then fitted
on every row.

    python -m classifiers.refit --data ... --data classifiers/data/telecom --model models/outage.v2
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classifiers.choose import Scored, pick
from classifiers.corpora import Example
from classifiers.encoder import default_cache_dir
from classifiers.finetune import FinetuneOptions, training_rows
from classifiers.heads import Heads, standardiser
from classifiers.hidden import cache_hidden
from classifiers.outage import ModelConfig
from classifiers.realset import DEFAULT_DIR, FOLDS, fold, load_real
from classifiers.training import fit_heads

if TYPE_CHECKING:
    import numpy as np

    from classifiers.tuned import TunedClassifier

L2 = 1e-3


def training_features(classifier: TunedClassifier, rows: Sequence[Example]) -> np.ndarray:
    """The tuned encoder's embeddings of the training rows, from the frozen layers' cache."""
    import numpy as np
    import torch

    from classifiers.toplayers import attention_mask

    first = int(classifier.config.trained["tuned_layers"][0])
    root = default_cache_dir().parent / "hidden"
    hidden = cache_hidden(classifier.encoder, [e.text for e in rows], first, root)
    model = classifier.encoder.model
    out = np.zeros((len(rows), classifier.encoder.dim), dtype=np.float32)
    order = sorted(range(len(rows)), key=hidden.length)
    with torch.inference_mode():
        for start in range(0, len(order), 128):
            chosen = order[start : start + 128]
            states, mask = hidden.batch(chosen)
            extended = attention_mask(model.config, states, mask)
            for layer in model.encoder.layer[first:]:
                states = layer(states, extended)
            weights = mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
            out[chosen] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
    return out


def fit(x: np.ndarray, rows: Sequence[Example], keep: Heads) -> Heads:
    """Heads fitted on ``x``, with the thresholds ``keep`` has (chosen later)."""
    mean, scale = standardiser(x)
    fitted = fit_heads((x - mean) / scale, rows, L2)
    for head, _ in fitted:
        head.thresholds = list(keep.heads[head.name].thresholds)
    return Heads([h for h, _ in fitted], mean, scale, {h.name: w for h, w in fitted})


def out_of_fold(
    classifier: TunedClassifier,
    x_train: np.ndarray,
    rows: Sequence[Example],
    real: Sequence[Example],
    x_real: np.ndarray,
) -> Scored:
    """Every real row scored by heads fitted without its fold."""
    import numpy as np

    folds = [fold(e.group) for e in real]
    scores: dict[str, np.ndarray] = {}
    for k in range(FOLDS):
        inside = [i for i, f in enumerate(folds) if f == k]
        outside = [i for i, f in enumerate(folds) if f != k]
        if not inside:
            continue
        train = list(rows) + [replace(real[i], split="train") for i in outside]
        heads = fit(np.concatenate([x_train, x_real[outside]]), train, classifier.heads)
        for name, values in heads.scores(x_real[inside]).items():
            scores.setdefault(name, np.zeros((len(real), values.shape[1]), np.float32))
            scores[name][inside] = values
    return Scored(list(real), scores, classifier.lexicon.classify([e.text for e in real]))


def refit(
    data: Sequence[Path], model_dir: Path, real_dir: Path = DEFAULT_DIR
) -> tuple[Scored, dict[str, Any]]:
    """Refit ``model_dir``'s heads with the real set, choose rules on out-of-fold scores."""
    import numpy as np

    from classifiers.choose import _with
    from classifiers.tuned import TunedClassifier

    classifier = TunedClassifier(model_dir)
    rows = training_rows(data, FinetuneOptions().max_rows)
    x_train = training_features(classifier, rows)
    real = load_real(real_dir)
    x_real = classifier.encoder.embed([e.text for e in real])
    oof = out_of_fold(classifier, x_train, rows, real, x_real)
    everything = list(rows) + [replace(e, split="train") for e in real]
    classifier.heads = fit(np.concatenate([x_train, x_real]), everything, classifier.heads)
    choice = pick(classifier, oof)
    _with(classifier, choice).heads.save(model_dir)
    config = ModelConfig.read(model_dir)
    trained = {**config.trained, "refit": {"real_rows": len(real), "l2": L2}}
    replace(config, trained=trained, rules=choice.rules).write(model_dir)
    return oof, {"complaint": choice.complaint, "urgent": choice.urgent, "rules": choice.rules}


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", required=True)
    parser.add_argument("--model", type=Path, required=True)
    args = parser.parse_args(argv)
    _, chosen = refit(args.data, args.model)
    print(json.dumps(chosen, default=str, indent=1))


if __name__ == "__main__":
    main()
