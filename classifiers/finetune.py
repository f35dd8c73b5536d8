"""Fine-tune outage.v2: the encoder's top layers and all five task heads at once, on a 2-core CPU.

    python -m classifiers.finetune --data ../shared/datasets/germeval2017 ... \
        --data classifiers/data/telecom --out models/outage.v2

A full fine-tune runs at ~25 examples/s on two cores. Here the bottom layers stay frozen, so
their output for a text never changes: it is computed once and cached under
``~/.cache/crisis/hidden`` (fp16, keyed by encoder, depth and texts), and each step runs only
the top ``tuned`` layers forward and backward (:class:`classifiers.toplayers.TopModel`).
One loss per task, masked to the rows that carry its label and weighted by source
(:data:`classifiers.training.SOURCE_WEIGHT`), so a set that labels only sentiment teaches only
sentiment. A checkpoint after every epoch makes a run resumable: run the same command again.
Seeded; ``torch.set_num_threads`` keeps to the cores we were given.

Thresholds and the lexicon rules are chosen afterwards on the real set's folds
(:mod:`classifiers.choose`); this module writes the layers, the heads and the config.
"""

from __future__ import annotations

import hashlib
import json
import platform
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import torch

from classifiers import corpora
from classifiers.corpora import Example
from classifiers.encoder import DEFAULT, Encoder, default_cache_dir
from classifiers.heads import Head
from classifiers.hidden import Hidden, StageProgress, cache_hidden
from classifiers.toplayers import TopModel, head_specs
from classifiers.training import SOURCE_WEIGHT, cap
from crisis.errors import ConfigError

# Rows that train although their data set calls them "test": GermEval's diachronic test set is
# the most real German complaint data we have; test_syn stays the untouched benchmark.
EXTRA_TRAIN = ("germeval2017/test_dia",)
TASK_WEIGHT = {
    "complaint": 1.0,
    "service": 1.0,
    "sentiment": 1.0,
    "urgent": 0.5,
    "third_party": 0.5,
}


@dataclass
class FinetuneOptions:
    name: str = "outage.v2"
    encoder: str = DEFAULT
    tuned: int = 2  # top layers trained; the rest are frozen and cached
    epochs: int = 2
    batch_size: int = 32
    lr: float = 6e-5  # the tuned layers
    head_lr: float = 2e-3
    max_rows: int | None = 4000  # per data set and split, as in ``TrainOptions``
    seed: int = 0
    threads: int = 2
    cache_dir: Path | None = None  # the encoder cache; hidden states go beside it
    extra: list[Example] = field(default_factory=list)  # e.g. real-set folds in cross-validation


@dataclass
class Finetuned:
    out: Path
    model: TopModel
    rows: list[Example]
    seconds: dict[str, float]
    history: list[dict[str, float]]


def training_rows(paths: Sequence[Path], max_rows: int | None) -> list[Example]:
    rows = []
    for path in paths:
        corpus = cap(corpora.load(path), max_rows)
        rows += [e for e in corpus.examples if e.split == "train" or e.source in EXTRA_TRAIN]
    return rows


def _family(example: Example) -> str:
    return example.source.split("/")[0]


def targets(rows: Sequence[Example], heads: Sequence[Head]) -> dict[str, dict[str, torch.Tensor]]:
    """Per task: ``y`` (class ids or 0/1 columns), ``w`` (0 where unlabelled, mean 1 where set)."""
    out = {}
    for head in heads:
        labelled = [getattr(e, head.name) is not None for e in rows]
        sizes = Counter(_family(e) for e, has in zip(rows, labelled, strict=True) if has)
        weight = torch.tensor(
            [
                SOURCE_WEIGHT.get(_family(e), 1.0) / sizes[_family(e)] if has else 0.0
                for e, has in zip(rows, labelled, strict=True)
            ]
        )
        if weight.sum() > 0:
            weight = weight / weight[weight > 0].mean()
        if head.kind == "softmax":
            y = torch.tensor(
                [head.labels.index(getattr(e, head.name)) if has else 0 for e, has in
                 zip(rows, labelled, strict=True)]
            )  # fmt: skip
        elif head.name == "urgent":
            y = torch.tensor(
                [[1.0 if u in (e.urgent or ()) else 0.0 for u in head.labels] for e in rows]
            )
        else:
            y = torch.tensor([[1.0 if getattr(e, head.name) else 0.0] for e in rows])
        share = max(sum(labelled) / len(rows), 1e-6) if rows else 1.0
        out[head.name] = {"y": y, "w": weight / share}
    return out


def _batches(hidden: Hidden, rows: Sequence[int], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: a batch pads to its longest text."""
    order = list(rows)
    rng.shuffle(order)
    batches = []
    pool = size * 50
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=hidden.length)
        batches += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return batches


def loss(
    model: TopModel, logits: dict[str, torch.Tensor], target: dict[str, dict[str, torch.Tensor]]
) -> torch.Tensor:
    total = torch.zeros(())
    for head in model.specs:
        y, w = target[head.name]["y"], target[head.name]["w"]
        if head.kind == "softmax":
            per_row = torch.nn.functional.cross_entropy(logits[head.name], y, reduction="none")
        else:
            per_row = torch.nn.functional.binary_cross_entropy_with_logits(
                logits[head.name], y, reduction="none"
            ).sum(dim=1)
        total = total + TASK_WEIGHT[head.name] * (per_row * w).mean()
    return total


def finetune(
    data: Sequence[Path],
    out: Path,
    options: FinetuneOptions | None = None,
    *,
    encoder: Encoder | None = None,
    progress: StageProgress | None = None,
) -> Finetuned:
    options = options or FinetuneOptions()
    torch.set_num_threads(options.threads)
    clock: dict[str, float] = {}
    started = time.perf_counter()
    rows = training_rows(data, options.max_rows) + list(options.extra)
    if not any(e.urgent is not None for e in rows):
        raise ConfigError("no training rows label urgency: include classifiers/data/telecom")
    encoder = encoder or Encoder(options.encoder, quantize=False, cache_dir=options.cache_dir)
    frozen = len(encoder.model.encoder.layer) - options.tuned
    cache_root = (options.cache_dir or default_cache_dir()).parent / "hidden"
    hidden = cache_hidden(encoder, [e.text for e in rows], frozen, cache_root, progress)
    clock["cache"] = time.perf_counter() - started
    started = time.perf_counter()
    model = TopModel(encoder.model, options.tuned, head_specs())
    checkpoint = cache_root / "runs" / _run_key(options, rows) / "last.pt"
    history = fit(model, hidden, rows, options, checkpoint, progress)
    clock["train"] = time.perf_counter() - started
    write_model(model, out, options, rows, history, clock)
    return Finetuned(out, model, rows, clock, history)


def fit(
    model: TopModel,
    hidden: Hidden,
    rows: Sequence[Example],
    options: FinetuneOptions,
    checkpoint: Path | None,
    progress: StageProgress | None = None,
) -> list[dict[str, float]]:
    """Train ``model`` in place on the device ``hidden`` lives on; resumes from ``checkpoint``."""
    device = hidden.tokens.device
    torch.manual_seed(options.seed)
    rng = random.Random(options.seed)
    model.to(device)
    target = {
        task: {k: v.to(device) for k, v in d.items()}
        for task, d in targets(rows, model.specs).items()
    }
    optimiser = torch.optim.AdamW(
        [
            {"params": list(model.layers.parameters()), "lr": options.lr},
            {"params": list(model.heads.parameters()), "lr": options.head_lr},
        ],
        weight_decay=0.01,
    )
    total_steps = -(-len(rows) // options.batch_size) * options.epochs
    warmup = max(1, total_steps // 20)

    def schedule(step: int) -> float:
        return min((step + 1) / warmup, max(0.0, (total_steps - step) / (total_steps - warmup)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, schedule)
    first_epoch, history = 0, []
    if checkpoint is not None and checkpoint.is_file():
        state = torch.load(checkpoint, weights_only=False, map_location=device)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["torch_rng"].cpu())
        rng.setstate(state["rng"])
        first_epoch, history = state["epoch"] + 1, state["history"]
    for epoch in range(first_epoch, options.epochs):
        model.train()
        batches = _batches(hidden, range(len(rows)), options.batch_size, rng)
        running = 0.0
        for number, chosen in enumerate(batches, 1):
            states, mask = hidden.batch(chosen)
            index = torch.tensor(chosen, device=device)
            picked = {t: {k: v[index] for k, v in d.items()} for t, d in target.items()}
            value = loss(model, model(states, mask), picked)
            optimiser.zero_grad()
            value.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            scheduler.step()
            running += value.detach().item()
            if progress:
                progress(f"epoch {epoch + 1}/{options.epochs}", number, len(batches))
        history.append({"epoch": epoch + 1, "loss": running / max(len(batches), 1)})
        if checkpoint is not None:
            checkpoint.parent.mkdir(parents=True, exist_ok=True)
            scratch = checkpoint.with_suffix(".tmp")
            state = {
                "epoch": epoch,
                "model": model.state_dict(),
                "optimiser": optimiser.state_dict(),
                "scheduler": scheduler.state_dict(),
                "torch_rng": torch.get_rng_state(),
                "rng": rng.getstate(),
                "history": history,
            }
            torch.save(state, scratch)
            scratch.replace(checkpoint)
    model.eval()
    return history


def write_model(
    model: TopModel,
    out: Path,
    options: FinetuneOptions,
    rows: Sequence[Example],
    history: list[dict[str, float]],
    clock: dict[str, float],
    where: str = "cpu",
) -> None:
    model.to("cpu").eval()
    model.save_layers(out)
    model.export_heads().save(out)
    tuned = list(range(model.first, model.first + len(model.layers)))
    write_config(out, options, rows, history, clock, tuned, where)


def write_config(
    out: Path,
    options: FinetuneOptions,
    rows: Sequence[Example],
    history: list[dict[str, float]],
    clock: dict[str, float],
    tuned: list[int],
    where: str,
) -> None:
    from classifiers.outage import ModelConfig

    settings = asdict(options)
    settings.pop("extra")
    settings["cache_dir"] = None
    config = ModelConfig(
        name=options.name,
        encoder=options.encoder,
        quantize=False,
        trained={
            "at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "data": sorted({_family(e) for e in rows}),
            "train_rows": len(rows),
            "rows_per_source": dict(sorted(Counter(e.source for e in rows).items())),
            "tuned_layers": tuned,
            "options": settings,
            "history": history,
            "seconds": {k: round(v) for k, v in clock.items()},
            "device": where,
            "python": platform.python_version(),
            "torch": torch.__version__,
        },
    )
    config.write(out)


def _run_key(options: FinetuneOptions, rows: Sequence[Example]) -> str:
    settings = asdict(options)
    settings.pop("extra")
    settings.pop("cache_dir")
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    for row in rows:
        digest.update(row.text.encode("utf-8", "surrogatepass") + b"\x00")
    return digest.hexdigest()[:24]


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    from rich.progress import Progress

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", required=True)
    parser.add_argument("--out", type=Path, required=True)
    defaults = FinetuneOptions()
    parser.add_argument("--name", default=defaults.name)
    parser.add_argument("--tuned", type=int, default=defaults.tuned)
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--max-rows", type=int, default=defaults.max_rows)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--threads", type=int, default=defaults.threads)
    parser.add_argument("--choose", action="store_true", help="then choose rules on the real set")
    args = parser.parse_args(argv)
    options = FinetuneOptions(
        name=args.name,
        tuned=args.tuned,
        epochs=args.epochs,
        max_rows=args.max_rows,
        seed=args.seed,
        threads=args.threads,
    )
    with Progress() as bar:
        task = bar.add_task("loading", total=None)
        last = [0.0]

        def report(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)
            if not bar.console.is_terminal and time.monotonic() - last[0] > 30:
                last[0] = time.monotonic()  # a log file gets a line every half minute
                print(f"{datetime.now(UTC):%H:%M:%S} {stage}: {done}/{total}", flush=True)

        result = finetune(args.data, args.out, options, progress=report)
    print(json.dumps({"out": str(result.out), "seconds": result.seconds}, indent=1))
    if args.choose:
        from classifiers.choose import choose_rules

        print(json.dumps(choose_rules(args.out), indent=1, default=str))


if __name__ == "__main__":
    main()
