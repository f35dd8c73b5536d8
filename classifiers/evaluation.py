"""Scores a person can check: precision, recall and F1 per class, macro and micro F1, confusion.

:func:`evaluate` compares a classifier's labels with the gold labels of held-out examples, per
task (complaint, service, sentiment, urgency, third party) and per data set; :func:`to_markdown`
writes the tables that go into a model card. Plain Python: no scikit-learn for five formulas.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from classifiers.corpora import SENTIMENTS, SERVICES, URGENCIES, Example
from crisis.domain import Labels


@dataclass
class Scores:
    """One task on one data set. Multi-label tasks score each label as its own yes/no."""

    labels: list[str]
    support: int = 0
    per_class: dict[str, tuple[float, float, float, int]] = field(default_factory=dict)
    macro_f1: float = 0.0
    micro_f1: float = 0.0
    confusion: list[list[int]] = field(default_factory=list)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def single_label(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> Scores:
    index = {label: i for i, label in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    for g, guess in zip(gold, predicted, strict=True):
        confusion[index[g]][index[guess]] += 1
    scores = Scores(list(labels), support=len(gold), confusion=confusion)
    f1s = []
    for i, label in enumerate(labels):
        tp = confusion[i][i]
        fp = sum(confusion[r][i] for r in range(len(labels))) - tp
        fn = sum(confusion[i]) - tp
        precision, recall, f = _prf(tp, fp, fn)
        scores.per_class[label] = (precision, recall, f, sum(confusion[i]))
        if sum(confusion[i]):
            f1s.append(f)  # classes absent from the gold labels do not drag the macro mean
    scores.macro_f1 = sum(f1s) / len(f1s) if f1s else 0.0
    scores.micro_f1 = sum(confusion[i][i] for i in range(len(labels))) / len(gold) if gold else 0.0
    return scores


def multi_label(
    gold: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]], labels: Sequence[str]
) -> Scores:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for g_row, p_row in zip(gold, predicted, strict=True):
        wanted, found = set(g_row), set(p_row)
        for label in labels:
            if label in wanted:
                counts[label]["tp" if label in found else "fn"] += 1
            elif label in found:
                counts[label]["fp"] += 1
    scores = Scores(list(labels), support=len(gold))
    f1s = []
    tp_all = fp_all = fn_all = 0
    for label in labels:
        c = counts[label]
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        precision, recall, f = _prf(tp, fp, fn)
        scores.per_class[label] = (precision, recall, f, tp + fn)
        if tp + fn:
            f1s.append(f)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        scores.confusion.append([tp, fn, fp])
    scores.macro_f1 = sum(f1s) / len(f1s) if f1s else 0.0
    scores.micro_f1 = _prf(tp_all, fp_all, fn_all)[2]
    return scores


TASKS = ("complaint", "service", "sentiment", "urgent", "third_party")


def evaluate(examples: Sequence[Example], labels: Sequence[Labels]) -> dict[str, dict[str, Scores]]:
    """``{task: {source: Scores}}`` over the examples that carry that task's gold label."""
    rows: dict[tuple[str, str], tuple[list[object], list[object]]] = defaultdict(lambda: ([], []))
    for example, predicted in zip(examples, labels, strict=True):
        for task, gold, guess in _pairs(example, predicted):
            gold_list, guess_list = rows[(task, example.source)]
            gold_list.append(gold)
            guess_list.append(guess)
    results: dict[str, dict[str, Scores]] = defaultdict(dict)
    for (task, source), (gold, guess) in sorted(rows.items()):
        if task == "urgent":
            results[task][source] = multi_label(gold, guess, URGENCIES)  # type: ignore[arg-type]
        else:
            results[task][source] = single_label(gold, guess, _LABELS[task])  # type: ignore[arg-type]
    return dict(results)


_LABELS = {
    "complaint": ("no", "yes"),
    "third_party": ("no", "yes"),
    "service": SERVICES,
    "sentiment": SENTIMENTS,
}


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _pairs(example: Example, labels: Labels) -> Iterable[tuple[str, object, object]]:
    if example.complaint is not None:
        yield "complaint", _yes(example.complaint), _yes(labels.is_complaint)
    if example.service is not None:
        service = labels.service.value if labels.service else "other"
        yield "service", example.service, service
    if example.sentiment is not None:
        yield "sentiment", example.sentiment, labels.sentiment.value
    if example.urgent is not None:
        yield "urgent", example.urgent, [u.value for u in labels.urgent]
    if example.third_party is not None:
        yield "third_party", _yes(example.third_party), _yes(labels.third_party is not None)


def to_markdown(
    results: dict[str, dict[str, Scores]], baseline: dict[str, dict[str, Scores]] | None = None
) -> str:
    """Summary table (ours beside the baseline), then per-class tables and confusion matrices."""
    lines = ["| task | data (held out) | n | macro-F1 | micro-F1 |"]
    if baseline:
        lines[0] += " baseline macro-F1 | baseline micro-F1 |"
    lines.append("|" + "---|" * (lines[0].count("|") - 1))
    for task in TASKS:
        for source, scores in results.get(task, {}).items():
            row = (
                f"| {task} | {source} | {scores.support} "
                f"| {scores.macro_f1:.3f} | {scores.micro_f1:.3f} |"
            )
            base = (baseline or {}).get(task, {}).get(source)
            if baseline:
                row += f" {base.macro_f1:.3f} | {base.micro_f1:.3f} |" if base else " | |"
            lines.append(row)
    for task in TASKS:
        for source, scores in results.get(task, {}).items():
            lines += ["", f"**{task} on {source}** (precision / recall / F1 / support)", ""]
            lines += ["| class | P | R | F1 | n |", "|---|---|---|---|---|"]
            for label, (p, r, f, n) in scores.per_class.items():
                lines.append(f"| {label} | {p:.3f} | {r:.3f} | {f:.3f} | {n} |")
            lines += ["", _confusion(task, scores)]
    return "\n".join(lines) + "\n"


def _confusion(task: str, scores: Scores) -> str:
    if task == "urgent":
        rows = [
            f"{label}: tp {c[0]}, fn {c[1]}, fp {c[2]}"
            for label, c in zip(scores.labels, scores.confusion, strict=True)
        ]
        return "Counts: " + "; ".join(rows) + "."
    head = "| gold \\ predicted | " + " | ".join(scores.labels) + " |"
    lines = [head, "|" + "---|" * (len(scores.labels) + 1)]
    for label, row in zip(scores.labels, scores.confusion, strict=True):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)
