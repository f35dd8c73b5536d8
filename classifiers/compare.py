"""outage.v2, outage.v1 and the lexicon on the same held-out rows: the numbers in v2's card.

    python -m classifiers.compare --data ../shared/datasets/germeval2017 ... \
        --data classifiers/data/telecom --out models/outage.v2

Held out: every data set's test rows (GermEval test_syn and test_dia, SB10k, PotTS, Preotiuc,
airline, our written set) and the whole real set (``classifiers/data/real``). v1 and the lexicon
never saw the real set; v2's real-set labels are cross-fitted (:func:`classifiers.choose.
cross_fitted`): each fold with rules chosen on the other four, and, when v2's heads were
refitted with the real set (:mod:`classifiers.refit`), scored by heads fitted without it.
GermEval test_dia trained v2 (see :data:`classifiers.finetune.EXTRA_TRAIN`), so its v2 row is
marked and proves nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from classifiers import corpora
from classifiers.choose import Scored, cross_fitted
from classifiers.corpora import Example
from classifiers.evaluation import TASKS, Scores, evaluate, to_markdown
from classifiers.finetune import EXTRA_TRAIN
from classifiers.realset import DEFAULT_DIR, load_real
from classifiers.toplayers import attention_mask, bottom_hidden
from classifiers.training import cap
from crisis.domain import Labels

if TYPE_CHECKING:
    import numpy as np

    from classifiers.outage import OutageClassifier
    from classifiers.tuned import TunedClassifier

Results = dict[str, dict[str, Scores]]
WORST = 20
# Held-out rows per source and split: 1,500 tweets measure sentiment about as well as 3,000, and
# two models over every row took too long on a shared 2-core machine. The benchmark is whole.
MAX_ROWS = 1500
UNCAPPED = ("germeval2017/test_syn",)


@dataclass
class Comparison:
    rows: list[Example]
    results: dict[str, Results]  # model name -> task -> source -> scores
    worst: dict[str, list[str]]  # task -> markdown lines (v2 on the real set)


def held_out(
    paths: Sequence[Path], real_dir: Path = DEFAULT_DIR, max_rows: int | None = MAX_ROWS
) -> list[Example]:
    """Test rows of each data set (at most ``max_rows`` a source, except the benchmark's
    test_syn), then every real row."""
    rows = []
    for path in paths:
        corpus = corpora.load(path)
        test = [e for e in corpus.examples if e.split == "test"]
        keep = [e for e in test if e.source in UNCAPPED]
        rest = corpora.Corpus(corpus.name, corpus.licence, [e for e in test if e not in keep])
        rows += keep + cap(rest, max_rows).examples
    return rows + load_real(real_dir)


def embed_both(
    v1: OutageClassifier, v2: TunedClassifier, texts: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Both models' embeddings in one pass: they share every layer below v2's tuned ones."""
    import numpy as np
    import torch

    first = int(v2.config.trained["tuned_layers"][0])
    dim = v1.encoder.dim
    out = (np.zeros((len(texts), dim), np.float32), np.zeros((len(texts), dim), np.float32))
    for batch in v1.encoder.preprocess(texts):
        shared = bottom_hidden(v1.encoder.model, batch.inputs, first)
        with torch.inference_mode():
            mask = attention_mask(v1.encoder.model.config, shared, batch.inputs["attention_mask"])
            weights = batch.inputs["attention_mask"].unsqueeze(-1).to(shared.dtype)
            for model, target in zip((v1.encoder.model, v2.encoder.model), out, strict=True):
                hidden = shared
                for layer in model.encoder.layer[first:]:
                    hidden = layer(hidden, mask)
                pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
                target[batch.positions] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
    return out


def _complaint_service(rows: Sequence[Example]) -> list[Example]:
    """Service on gold complaints only, the figure the issue asks for, as its own source."""
    return [
        Example(e.text, e.lang, f"{e.source} (complaints)", "test", service=e.service)
        for e in rows
        if e.complaint and e.service is not None
    ]


def compare(
    paths: Sequence[Path],
    v2_dir: Path,
    v1_dir: Path | None = None,
    real_dir: Path = DEFAULT_DIR,
) -> Comparison:
    from classifiers.lexicon import LexiconClassifier
    from classifiers.outage import BUNDLED, OutageClassifier
    from classifiers.tuned import TunedClassifier

    rows = held_out(paths, real_dir)
    texts = [e.text for e in rows]
    v1 = OutageClassifier(v1_dir or BUNDLED)
    v2 = TunedClassifier(v2_dir)
    first, second = embed_both(v1, v2, texts)
    extra = _complaint_service(rows)
    index = {id(e): i for i, e in enumerate(rows)}
    pairs = [(r, index[id(e)]) for r, e in zip(extra, [e for e in rows if e.complaint and
             e.service is not None], strict=True)]  # fmt: skip
    lexicon = LexiconClassifier().classify(texts)
    labelled: dict[str, list[Labels]] = {"lexicon": lexicon}
    labelled[v1.name] = v1.postprocess(texts, v1.heads.scores(first), lexicon)
    data = Scored(rows, v2.heads.scores(second), lexicon)
    labels = v2.postprocess(texts, data.scores, data.lexicon)
    real = [i for i, e in enumerate(rows) if e.source.startswith("real/")]
    held = data.subset(real)
    if "refit" in v2.config.trained:  # its heads saw every real row: score each fold without it
        held = _out_of_fold(v2, paths, held, second[real])
    for i, fitted in zip(real, cross_fitted(v2, held), strict=True):
        labels[i] = fitted
    labelled[v2.name] = labels
    results = {}
    for name, guessed in labelled.items():
        scores = evaluate(rows, guessed)
        service = evaluate([r for r, _ in pairs], [guessed[i] for _, i in pairs])
        scores["service"] = {**scores.get("service", {}), **service.get("service", {})}
        results[name] = scores
    worst = worst_errors(held, [labels[i] for i in real])
    return Comparison(rows, results, worst)


def _out_of_fold(
    v2: TunedClassifier, paths: Sequence[Path], held: Scored, x_real: np.ndarray
) -> Scored:
    from classifiers.finetune import FinetuneOptions, training_rows
    from classifiers.refit import out_of_fold, training_features

    rows = training_rows(paths, FinetuneOptions().max_rows)
    scored = out_of_fold(v2, training_features(v2, rows), rows, held.rows, x_real)
    return Scored(held.rows, scored.scores, held.lexicon)


def worst_errors(data: Scored, labels: Sequence[Labels]) -> dict[str, list[str]]:
    """Per task, the wrong labels the model was surest of (real set, v2)."""
    heads = {"service": "service", "sentiment": "sentiment"}
    found: dict[str, list[tuple[float, str]]] = {t: [] for t in TASKS}
    for row, (example, said) in enumerate(zip(data.rows, labels, strict=True)):
        text = example.text.replace("|", "/").replace("\n", " ")[:160]
        if example.complaint is not None and example.complaint != said.is_complaint:
            sure = abs(said.complaint_score - 0.5)
            line = f"gold {'yes' if example.complaint else 'no'}, score {said.complaint_score:.2f}"
            found["complaint"].append((sure, f"| {line} | {text} |"))
        for task, gold, guess in (
            ("service", example.service, said.service.value if said.service else "other"),
            ("sentiment", example.sentiment, said.sentiment.value),
        ):
            if gold is not None and gold != guess:
                column = list(data.scores[heads[task]][row])
                sure = max(column)
                found[task].append((sure, f"| gold {gold}, said {guess} ({sure:.2f}) | {text} |"))
        if example.urgent is not None:
            gold_u, said_u = set(example.urgent), {u.value for u in said.urgent}
            if gold_u != said_u:
                sure = float(data.scores["urgent"][row].max())
                line = f"gold {sorted(gold_u) or '-'}, said {sorted(said_u) or '-'}"
                found["urgent"].append((sure, f"| {line} | {text} |"))
        if example.third_party is not None and example.third_party != (
            said.third_party is not None
        ):
            sure = float(data.scores["third_party"][row, 0])
            gold_t = "yes" if example.third_party else "no"
            found["third_party"].append(
                (abs(sure - 0.5), f"| gold {gold_t}, score {sure:.2f} | {text} |")
            )
    return {
        task: ["| gold / said | text |", "|---|---|"]
        + [line for _, line in sorted(rows, reverse=True)[:WORST]]
        for task, rows in found.items()
    }


def summary(comparison: Comparison, names: Sequence[str]) -> str:
    """One line per task and data set: macro-F1 / micro-F1 of each model side by side."""
    head = "| task | held-out data | n | " + " | ".join(f"{n} macro / micro" for n in names) + " |"
    lines = [head, "|" + "---|" * (3 + len(names))]
    first = comparison.results[names[0]]
    for task in TASKS:
        for source in sorted(first.get(task, {})):
            n = first[task][source].support
            mark = " (trained v2)" if source in EXTRA_TRAIN else ""
            cells = []
            for name in names:
                s = comparison.results[name].get(task, {}).get(source)
                cells.append(f"{s.macro_f1:.3f} / {s.micro_f1:.3f}" if s else "-")
            lines.append(f"| {task} | {source}{mark} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def headline(comparison: Comparison, names: Sequence[str]) -> str:
    """The issue's targets, each model's figure beside it."""
    checks = (
        ("German complaint F1 (real, unseen folds)", "complaint", "real/de", "yes", 0.88),
        ("German service accuracy on complaints", "service", "real/de (complaints)", None, 0.80),
        ("German sentiment macro-F1 (real)", "sentiment", "real/de", "macro", 0.72),
        ("English complaint F1 (real)", "complaint", "real/en", "yes", 0.85),
        (
            "GermEval 2017 test_syn sentiment micro-F1",
            "sentiment",
            "germeval2017/test_syn",
            None,
            0.78,
        ),
    )
    lines = ["| target | goal | " + " | ".join(names) + " |", "|" + "---|" * (2 + len(names))]
    for title, task, source, which, goal in checks:
        cells = []
        for name in names:
            s = comparison.results[name].get(task, {}).get(source)
            if s is None:
                cells.append("-")
            elif which == "yes":
                cells.append(f"{s.per_class['yes'][2]:.3f}")
            elif which == "macro":
                cells.append(f"{s.macro_f1:.3f}")
            else:
                cells.append(f"{s.micro_f1:.3f}")
        lines.append(f"| {title} | >= {goal} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def urgency_table(comparison: Comparison, names: Sequence[str]) -> str:
    lines = ["| data | reason | n | " + " | ".join(f"{n} P / R" for n in names) + " |"]
    lines.append("|" + "---|" * (3 + len(names)))
    for source in ("real/de", "real/en", "telecom/de", "telecom/en"):
        for reason, (_, _, _, n) in (
            comparison.results[names[0]]["urgent"].get(source, Scores([])).per_class.items()
        ):
            cells = []
            for name in names:
                p, r, _, _ = comparison.results[name]["urgent"][source].per_class[reason]
                cells.append(f"{p:.2f} / {r:.2f}")
            lines.append(f"| {source} | {reason} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def details(results: Results, keep: str = "real/") -> str:
    chosen = {t: {s: v for s, v in by.items() if s.startswith(keep)} for t, by in results.items()}
    return to_markdown(chosen)
