"""How good and how fast the lexicon baseline ("lexicon.v1") is, on public labelled data.

    python -m benchmarks.lexicon_eval [--data ../shared/datasets] [--samples PATH]  # repo root

Prints, from the data sets described in the data directory's README.md (never copied here):
- complaint detection on complaints_preotiuc2019 (English tweets to brands, all domains, and the
  telecom accounts among them);
- document sentiment on GermEval 2017 test_syn (German, Deutsche Bahn feedback) and SB10k test
  (German tweets): accuracy (= micro-F1), macro-F1, per-class precision/recall;
- everything on the hand-written telecom samples (``SAMPLES`` of research/
  sample_comments_reference.py). The lexicon was written with these in view: a development set,
  so read its figures as an upper bound;
- throughput on 10,000 texts, as a ratio to lowercasing the same texts in the same process.
Each figure comes with the majority-class baseline of the same data, for scale.
"""

from __future__ import annotations

import argparse
import json
import re
import runpy
import statistics
import time
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

from classifiers.lexicon import LexiconClassifier
from crisis.domain import Labels

ROOT = Path(__file__).resolve().parent.parent
SENTIMENTS = ("negative", "neutral", "positive")
SAMPLE_SERVICES = {"dsl": "internet", "portal": "customer_service", "none": None}
SAMPLE_SENTIMENTS = {"neg": "negative", "neu": "neutral", "pos": "positive"}
# Operators' support accounts in the complaints data (our heuristic, about 130 tweets).
TELECOM = re.compile(
    r"@(?:vodafone\w*|safaricom_care|ee|virginmedia|threeuksupport|comcast\w*|xfinity\w*|btcare"
    r"|bt_uk|o2|tmobile\w*|verizon\w*|att|attcares|sprint\w*|skyhelpteam|talktalk\w*)\b",
    re.IGNORECASE,
)


def load_complaints(data: Path) -> list[tuple[str, bool]]:
    path = data / "complaints_preotiuc2019" / "complaints-data.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(row["text"], bool(row["complaint"])) for row in rows]


def load_germeval(data: Path, split: str = "test_syn") -> list[tuple[str, str]]:
    path = data / "germeval2017" / f"germeval2017_{split}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(row["text"], row["sentiment"]) for row in rows]


def load_sb10k(data: Path) -> list[tuple[str, str]]:
    """The test split's ids and labels, with the raw tweet text (the split file is tokenised)."""
    folder = data / "sb10k"
    raw = {}
    for line in (folder / "sb10k_corpus_v1.0.cgsa.tsv").read_text(encoding="utf-8").splitlines():
        tweet_id, _, text = line.split("\t", 2)
        raw[tweet_id] = text
    rows = []
    for line in (
        (folder / "sb10k_notpreprocessed_test.tsv").read_text(encoding="utf-8").splitlines()
    ):
        tweet_id, sentiment, tokens = line.split("\t")[:3]
        rows.append((raw.get(tweet_id, tokens), sentiment))
    return rows


def load_samples(path: Path) -> list[tuple[str, str, bool, str | None, str]]:
    """(text, lang, is_complaint, service, sentiment), with services in our names."""
    samples = runpy.run_path(str(path))["SAMPLES"]
    return [
        (text, lang, bool(complaint), SAMPLE_SERVICES.get(service, service), SAMPLE_SENTIMENTS[s])
        for text, lang, complaint, service, s in samples
    ]


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def per_class(
    gold: Sequence[Hashable], pred: Sequence[Hashable], cls: Hashable
) -> tuple[float, float, float]:
    true_pos = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == cls)
    predicted = sum(1 for p in pred if p == cls)
    actual = sum(1 for g in gold if g == cls)
    precision = true_pos / predicted if predicted else 0.0
    recall = true_pos / actual if actual else 0.0
    return precision, recall, f1(precision, recall)


def accuracy(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    return sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold)


def majority(gold: Sequence[Hashable]) -> float:
    return Counter(gold).most_common(1)[0][1] / len(gold)


def report_binary(title: str, gold: Sequence[bool], pred: Sequence[bool]) -> None:
    precision, recall, score = per_class(gold, pred, True)
    print(
        f"{title}: n={len(gold)} accuracy={accuracy(gold, pred):.3f} precision={precision:.3f} "
        f"recall={recall:.3f} F1={score:.3f} (majority-class accuracy {majority(gold):.3f})"
    )


def report_classes(title: str, gold: Sequence[str], pred: Sequence[str]) -> None:
    scores = {cls: per_class(gold, pred, cls) for cls in SENTIMENTS}
    macro = statistics.fmean(score for _, _, score in scores.values())
    print(
        f"{title}: n={len(gold)} accuracy=micro-F1={accuracy(gold, pred):.3f} "
        f"macro-F1={macro:.3f} (majority-class accuracy {majority(gold):.3f})"
    )
    for cls, (precision, recall, score) in scores.items():
        print(f"    {cls:<9} precision={precision:.3f} recall={recall:.3f} F1={score:.3f}")
    confusion = Counter(zip(gold, pred, strict=True))
    print("    confusion (rows gold, columns predicted):", "  ".join(SENTIMENTS))
    for g in SENTIMENTS:
        print(f"    {g:<9}", "  ".join(f"{confusion[g, p]:>8}" for p in SENTIMENTS))


def evaluate_complaints(classify: Callable[[Sequence[str]], list[Labels]], data: Path) -> None:
    rows = load_complaints(data)
    labels = classify([text for text, _ in rows])
    gold = [complaint for _, complaint in rows]
    pred = [lab.is_complaint for lab in labels]
    report_binary("complaints_preotiuc2019 (en, all domains)", gold, pred)
    telecom = [i for i, (text, _) in enumerate(rows) if TELECOM.search(text)]
    report_binary(
        "complaints_preotiuc2019 (en, telecom accounts)",
        [gold[i] for i in telecom],
        [pred[i] for i in telecom],
    )


def evaluate_sentiment(
    title: str, classify: Callable[[Sequence[str]], list[Labels]], rows: list[tuple[str, str]]
) -> None:
    labels = classify([text for text, _ in rows])
    report_classes(title, [s for _, s in rows], [lab.sentiment.value for lab in labels])


def evaluate_samples(classify: Callable[[Sequence[str]], list[Labels]], path: Path) -> None:
    samples = load_samples(path)
    labels = classify([row[0] for row in samples])
    print(f"hand-written telecom samples ({path.name}; development set, optimistic):")
    report_binary(
        "    complaint", [row[2] for row in samples], [lab.is_complaint for lab in labels]
    )
    complaints = [i for i, row in enumerate(samples) if row[2]]
    services = [lab.service.value if lab.service else None for lab in labels]
    print(
        f"    service accuracy: on complaints "
        f"{accuracy([samples[i][3] for i in complaints], [services[i] for i in complaints]):.3f}"
        f" (n={len(complaints)}), on all {accuracy([row[3] for row in samples], services):.3f}"
    )
    report_classes(
        "    sentiment", [row[4] for row in samples], [lab.sentiment.value for lab in labels]
    )
    langs = [lab.lang for lab in labels]
    print(
        f"    language accuracy {accuracy([row[1] for row in samples], langs):.3f}, "
        f"left open (None) {langs.count(None)}"
    )


def measure_throughput(
    classify: Callable[[Sequence[str]], list[Labels]], texts: list[str], repeat: int = 3
) -> None:
    """Best of ``repeat`` runs each, interleaved, so both see the same machine state."""
    classify_times, lower_times = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        classify(texts)
        classify_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        _ = [text.lower() for text in texts]
        lower_times.append(time.perf_counter() - started)
    spent, baseline = min(classify_times), min(lower_times)
    mean_chars = statistics.fmean(len(text) for text in texts)
    print(
        f"throughput on {len(texts):,} texts (mean {mean_chars:.0f} characters): "
        f"{len(texts) / spent:,.0f} texts/s; lowercasing the same texts "
        f"{len(texts) / baseline:,.0f} texts/s; the classifier takes {spent / baseline:,.0f}x "
        f"as long as lowercasing"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT / ".." / "shared" / "datasets")
    parser.add_argument("--samples", type=Path, default=None, help="default: DATA/../research/...")
    parser.add_argument("--texts", type=int, default=10_000, help="texts for the throughput run")
    args = parser.parse_args()
    data: Path = args.data.resolve()
    samples = args.samples or data.parent / "research" / "sample_comments_reference.py"
    classify = LexiconClassifier().classify

    print(f"lexicon.v1 on {data}\n")
    evaluate_complaints(classify, data)
    print()
    germeval = load_germeval(data)
    evaluate_sentiment("GermEval 2017 test_syn (de, document sentiment)", classify, germeval)
    print()
    sb10k = load_sb10k(data)
    evaluate_sentiment("SB10k test (de tweets)", classify, sb10k)
    print()
    evaluate_samples(classify, samples)
    print()
    pool = [text for text, _ in germeval + sb10k] + [text for text, _ in load_complaints(data)]
    measure_throughput(classify, [pool[i % len(pool)] for i in range(args.texts)])


if __name__ == "__main__":
    main()
