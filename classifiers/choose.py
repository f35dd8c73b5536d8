"""Choose outage.v2's thresholds and lexicon rules on the real set, fold by fold.

What is chosen (:func:`pick`): the complaint threshold and the lexicon's share of the complaint
score (best complaint F1), whether a complaint the service head calls "other" takes the
lexicon's service, and per urgency reason a threshold, whether the lexicon's explicit terms may
add that reason, and whether a positive comment drops it (best F-beta).

Urgency is tuned for recall where a miss is expensive: ``legal``, ``vulnerable`` and ``safety``
maximise F2 (a missed legal threat costs more than a second look), ``churn`` and ``business``
maximise F1 (a false churn alarm pushes a happy customer to the top of the queue).

:func:`choose_rules` picks on every real row and writes the choice into the model directory.
:func:`cross_fitted` is what the model card reports: each fold labelled with rules picked on
the other folds only, so no reported row helped choose its own rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classifiers.corpora import URGENCIES, Example
from classifiers.outage import ModelConfig, OutageClassifier, Rules
from classifiers.realset import DEFAULT_DIR, FOLDS, fold, load_real
from crisis.domain import Labels

if TYPE_CHECKING:
    import numpy as np

RECALL_FIRST = ("legal", "vulnerable", "safety")
GRID = [round(0.05 * i, 2) for i in range(2, 19)]
LEXICON_WEIGHTS = (0.0, 0.15, 0.3)


@dataclass(frozen=True)
class Choice:
    complaint: float
    urgent: tuple[float, ...]
    rules: Rules


@dataclass
class Scored:
    """Head scores and lexicon labels of some rows, computed once and re-labelled cheaply."""

    rows: list[Example]
    scores: dict[str, np.ndarray]
    lexicon: list[Labels]

    def subset(self, keep: Sequence[int]) -> Scored:
        return Scored(
            [self.rows[i] for i in keep],
            {k: v[list(keep)] for k, v in self.scores.items()},
            [self.lexicon[i] for i in keep],
        )


def score(classifier: OutageClassifier, rows: Sequence[Example]) -> Scored:
    texts = [e.text for e in rows]
    features = classifier.encoder.embed(texts)
    return Scored(list(rows), classifier.heads.scores(features), classifier.lexicon.classify(texts))


def _f(tp: int, fp: int, fn: int, beta: float = 1.0) -> float:
    b2 = beta * beta
    denominator = (1 + b2) * tp + b2 * fn + fp
    return (1 + b2) * tp / denominator if denominator else 0.0


def pick(classifier: OutageClassifier, data: Scored) -> Choice:
    import numpy as np

    gold = [(i, e.complaint) for i, e in enumerate(data.rows) if e.complaint is not None]
    index = np.array([i for i, _ in gold], dtype=np.int64)
    truth = np.array([bool(g) for _, g in gold])
    head = data.scores["complaint"][index, 0]
    lexical = np.array([data.lexicon[i].complaint_score for i in index])
    third = (
        data.scores["third_party"][index, 0] >= classifier.heads.heads["third_party"].thresholds[0]
    )
    best = (-1.0, 0.5, 0.0)
    for weight in LEXICON_WEIGHTS:
        blended = (1 - weight) * head + weight * lexical
        for cut in GRID:
            said = (blended >= cut) & ~third
            f1 = _f(
                int((said & truth).sum()), int((said & ~truth).sum()), int((~said & truth).sum())
            )
            if f1 > best[0] + 1e-9:
                best = (f1, cut, weight)
    _, complaint_cut, weight = best
    rules = replace(classifier.config.rules, lexicon_weight=weight)
    rules = replace(rules, lexicon_service=_service_rule(classifier, data, complaint_cut, rules))
    cuts, allowed, calm = [], [], []
    labelled = [i for i, e in enumerate(data.rows) if e.urgent is not None]
    sentiment = data.scores["sentiment"][labelled].argmax(axis=1)
    positive = sentiment == classifier.heads.heads["sentiment"].labels.index("positive")
    for column, reason in enumerate(URGENCIES):
        beta = 2.0 if reason in RECALL_FIRST else 1.0
        wanted = np.array([reason in (data.rows[i].urgent or ()) for i in labelled])
        scores = data.scores["urgent"][labelled, column]
        lexicon = np.array(
            [any(u.value == reason for u in data.lexicon[i].urgent) for i in labelled]
        )
        options = []
        for cut in GRID:
            # An explicit legal, care or danger term ("Anwalt", "Hausnotruf") is always flagged:
            # a few real rows cannot outvote the cost of missing one.
            for use_lexicon in (True,) if reason in RECALL_FIRST else (True, False):
                # Only a threat to leave or a business loss fades when the customer is happy now.
                for drop_positive in (False, True) if reason in ("churn", "business") else (False,):
                    said = (scores >= cut) | (lexicon & use_lexicon)
                    if drop_positive:
                        said &= ~positive
                    tp = int((said & wanted).sum())
                    fp = int((said & ~wanted).sum())
                    fn = int((~said & wanted).sum())
                    # Ties go to the lexicon (a legal term is explicit) and to a higher cut.
                    options.append((_f(tp, fp, fn, beta), use_lexicon, cut, not drop_positive))
        _, use_lexicon, cut, keep_positive = max(options)
        cuts.append(cut)
        if use_lexicon:
            allowed.append(reason)
        if not keep_positive:
            calm.append(reason)
    rules = replace(rules, lexicon_urgent=tuple(allowed), not_when_positive=tuple(calm))
    return Choice(complaint_cut, tuple(cuts), rules)


def _service_rule(classifier: OutageClassifier, data: Scored, cut: float, rules: Rules) -> bool:
    from classifiers.evaluation import evaluate

    heads = _with(
        classifier, Choice(cut, tuple(classifier.heads.heads["urgent"].thresholds), rules)
    )
    texts = [e.text for e in data.rows]
    accuracy = {}
    for flag in (True, False):
        labels = heads.postprocess(
            texts, data.scores, data.lexicon, replace(rules, lexicon_service=flag)
        )
        results = evaluate(data.rows, labels).get("service", {})
        right = sum(s.micro_f1 * s.support for s in results.values())
        accuracy[flag] = right / max(sum(s.support for s in results.values()), 1)
    return accuracy[True] >= accuracy[False]


def _with(classifier: OutageClassifier, choice: Choice) -> OutageClassifier:
    """The classifier with ``choice`` applied to its heads and config (in place)."""
    classifier.heads.heads["complaint"].thresholds = [choice.complaint]
    classifier.heads.heads["urgent"].thresholds = list(choice.urgent)
    classifier.config = replace(classifier.config, rules=choice.rules)
    return classifier


def label(classifier: OutageClassifier, data: Scored, choice: Choice) -> list[Labels]:
    _with(classifier, choice)
    return classifier.postprocess([e.text for e in data.rows], data.scores, data.lexicon)


def cross_fitted(classifier: OutageClassifier, data: Scored) -> list[Labels]:
    """Labels for every row, each fold's from rules picked on the other folds."""
    shipped = Choice(
        classifier.heads.heads["complaint"].thresholds[0],
        tuple(classifier.heads.heads["urgent"].thresholds),
        classifier.config.rules,
    )
    out: list[Labels | None] = [None] * len(data.rows)
    folds = [fold(e.group) for e in data.rows]
    for k in range(FOLDS):
        inside = [i for i, f in enumerate(folds) if f == k]
        if not inside:
            continue
        outside = [i for i, f in enumerate(folds) if f != k]
        choice = pick(classifier, data.subset(outside))
        for i, labels in zip(inside, label(classifier, data.subset(inside), choice), strict=True):
            out[i] = labels
    _with(classifier, shipped)
    return [labels for labels in out if labels is not None]


def choose_rules(model_dir: Path, real_dir: Path = DEFAULT_DIR) -> dict[str, Any]:
    """Pick on every real row and write thresholds (heads.json) and rules (config.json)."""
    from classifiers.tuned import TunedClassifier

    classifier = TunedClassifier(model_dir)
    choice = pick(classifier, score(classifier, load_real(real_dir)))
    _with(classifier, choice).heads.save(model_dir)
    config = ModelConfig.read(model_dir)
    replace(config, rules=choice.rules).write(model_dir)
    urgent = dict(zip(URGENCIES, choice.urgent, strict=True))
    return {"complaint": choice.complaint, "urgent": urgent, "rules": choice.rules}
