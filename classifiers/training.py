"""``crisis train``: embed the labelled data once, fit the heads, score them on held-out data.

The encoder stays frozen: on 2 CPU cores a full fine-tune runs at ~25 examples/s (50,000 examples
take over half an hour per epoch), while embedding once and fitting linear heads takes minutes and
is redone in seconds from the embedding cache. Embeddings are cached per encoder and data set
under ``~/.cache/crisis/embeddings``, keyed by a hash of the texts.

Data sets weigh by what they teach (``SOURCE_WEIGHT``): our telecom set is small but the only one
that speaks of outages, so it carries as much weight for sentiment as the largest public set.
"""

from __future__ import annotations

import hashlib
import platform
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from classifiers import corpora, heads
from classifiers.corpora import SENTIMENTS, SERVICES, URGENCIES, Corpus, Example
from classifiers.encoder import DEFAULT, MAX_TOKENS, Encoder, default_cache_dir
from classifiers.evaluation import Scores, evaluate
from classifiers.heads import Head, Heads
from crisis.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

Progress = Callable[[int, int], None]

# Total weight of each source's rows in a head's loss, relative to each other. Sources not
# named weigh 1.0.
SOURCE_WEIGHT = {
    "telecom": 4.0,
    "real": 4.0,  # real customer comments, when cross-validation trains on some of them
    "germeval2017": 4.0,
    "sb10k": 2.5,
    "potts": 0.75,
    "complaints_preotiuc2019": 2.0,
    "twitter_us_airline_sentiment": 1.0,
    "semeval2017": 1.0,
}
CHUNK = 1024


@dataclass
class TrainOptions:
    name: str = "outage.v1"
    encoder: str = DEFAULT
    # Dynamic int8 is ~3x faster on CPU but scales activations per batch: a comment's label then
    # depends on its batch neighbours (6 % of complaint labels flipped in a measurement). Off by
    # default; the bundled model is fp32.
    quantize: bool = False
    batch_size: int = 64
    cache_dir: Path | None = None
    l2: float = 1e-3
    # At most this many rows per data set and split (a fixed sample by hash of the text):
    # embedding is the slow part, and 6,000 tweets teach a linear head sentiment about as well
    # as 20,000. None keeps everything.
    max_rows: int | None = None


@dataclass
class Trained:
    out: Path
    corpora: list[Corpus]
    counts: dict[str, Counter[str]]
    results: dict[str, dict[str, Scores]]
    baseline: dict[str, dict[str, Scores]]
    seconds: dict[str, float] = field(default_factory=dict)


def encoder_key(encoder: Encoder) -> str:
    return f"{encoder.spec}|int8={encoder.quantized}|max={MAX_TOKENS}"


def embed_cached(
    encoder: Encoder,
    texts: Sequence[str],
    cache_dir: Path,
    progress: Progress | None = None,
) -> np.ndarray:
    """Embeddings for ``texts``, from the cache when this encoder has seen exactly these texts."""
    import numpy as np

    digest = hashlib.sha256(encoder_key(encoder).encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\x00")
    path = cache_dir / f"{digest.hexdigest()[:32]}.npy"
    if path.is_file():
        cached: np.ndarray = np.load(path)
        if progress:
            progress(len(texts), len(texts))
        return cached
    parts = []
    for start in range(0, len(texts), CHUNK):
        parts.append(encoder.embed(texts[start : start + CHUNK]))
        if progress:
            progress(min(start + CHUNK, len(texts)), len(texts))
    features = np.concatenate(parts) if parts else np.zeros((0, encoder.dim), dtype=np.float32)
    cache_dir.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp.npy")
    np.save(scratch, features)
    scratch.replace(path)
    return features


def train(
    data: Sequence[Path],
    out: Path,
    options: TrainOptions | None = None,
    *,
    encoder: Encoder | None = None,
    progress: Progress | None = None,
) -> Trained:
    import time

    import numpy as np

    from classifiers.lexicon import LexiconClassifier
    from classifiers.modelcard import write_card
    from classifiers.outage import ModelConfig, OutageClassifier

    options = options or TrainOptions()
    loaded = [cap(corpora.load(path), options.max_rows) for path in data]
    examples = [e for corpus in loaded for e in corpus.examples]
    train_rows = [e for e in examples if e.split == "train"]
    test_rows = [e for e in examples if e.split == "test"]
    for task, needed in (("service", "service"), ("urgent", "urgency")):
        if not any(getattr(e, task) is not None for e in train_rows):
            raise ConfigError(
                f"no training rows label {needed}: include the telecom set "
                "(classifiers/data/telecom) in --data"
            )
    clock: dict[str, float] = {}
    started = time.perf_counter()
    encoder = encoder or Encoder(
        options.encoder,
        quantize=options.quantize,
        batch_size=options.batch_size,
        cache_dir=options.cache_dir,
    )
    cache = (options.cache_dir or default_cache_dir()).parent / "embeddings"
    features = np.concatenate(
        [embed_cached(encoder, [e.text for e in c.examples], cache, progress) for c in loaded]
    )
    is_train = np.array([e.split == "train" for e in examples])
    x_train, x_test = features[is_train], features[~is_train]
    clock["embed"] = time.perf_counter() - started

    started = time.perf_counter()
    mean, scale = heads.standardiser(x_train)
    fitted = fit_heads((x_train - mean) / scale, train_rows, options.l2)
    model = Heads([h for h, _ in fitted], mean, scale, {h.name: w for h, w in fitted})
    out.mkdir(parents=True, exist_ok=True)
    model.save(out)
    counts = {
        task: _label_counts(train_rows, task)
        for task in ("complaint", "service", "sentiment", "urgent", "third_party")
    }
    config = ModelConfig(
        name=options.name,
        encoder=options.encoder,
        quantize=options.quantize,
        trained={
            "at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "data": [c.name for c in loaded],
            "train_rows": len(train_rows),
            "test_rows": len(test_rows),
            "python": platform.python_version(),
            "l2": options.l2,
        },
    )
    config.write(out)
    clock["fit"] = time.perf_counter() - started

    started = time.perf_counter()
    classifier = OutageClassifier(out, encoder=encoder)
    texts = [e.text for e in test_rows]
    results = evaluate(test_rows, classifier.classify_features(texts, x_test))
    baseline = evaluate(test_rows, LexiconClassifier().classify(texts))
    clock["evaluate"] = time.perf_counter() - started
    trained = Trained(out, loaded, counts, results, baseline, clock)
    write_card(trained, config)
    return trained


def cap(corpus: Corpus, max_rows: int | None) -> Corpus:
    """Keep a fixed sample of at most ``max_rows`` rows per source and split."""
    if max_rows is None:
        return corpus
    groups: dict[tuple[str, str], list[Example]] = {}
    for example in corpus.examples:
        groups.setdefault((example.source, example.split), []).append(example)
    keep: set[int] = set()
    for rows in groups.values():
        ranked = sorted(rows, key=lambda e: hashlib.sha1(e.text.encode("utf-8")).digest())
        keep.update(id(e) for e in ranked[:max_rows])
    return Corpus(corpus.name, corpus.licence, [e for e in corpus.examples if id(e) in keep])


def _label_counts(rows: Sequence[Example], task: str) -> Counter[str]:
    counter: Counter[str] = Counter()
    for row in rows:
        value = getattr(row, task)
        if value is None:
            continue
        if isinstance(value, tuple):
            counter.update(value or ("none",))
        else:
            counter[str(value)] += 1
    return counter


def _weights(rows: Sequence[Example]) -> np.ndarray:
    import numpy as np

    def family(example: Example) -> str:
        return example.source.split("/")[0]

    sizes = Counter(family(e) for e in rows)
    return np.array(
        [SOURCE_WEIGHT.get(family(e), 1.0) * 1000.0 / sizes[family(e)] for e in rows],
        dtype=np.float32,
    )


def fit_heads(x: np.ndarray, rows: Sequence[Example], l2: float) -> list[tuple[Head, heads.Layers]]:
    import numpy as np

    def select(task: str) -> tuple[np.ndarray, list[Example]]:
        index = [i for i, e in enumerate(rows) if getattr(e, task) is not None]
        return np.array(index, dtype=np.int64), [rows[i] for i in index]

    out: list[tuple[Head, heads.Layers]] = []
    specs: list[tuple[Head, str]] = [
        (Head("complaint", "sigmoid", ["complaint"], [0.5]), "complaint"),
        (Head("third_party", "sigmoid", ["third_party"], [0.5]), "third_party"),
        (Head("service", "softmax", list(SERVICES), []), "service"),
        (Head("sentiment", "softmax", list(SENTIMENTS), [], hidden=256), "sentiment"),
        (Head("urgent", "sigmoid", list(URGENCIES), [0.5] * len(URGENCIES)), "urgent"),
    ]
    for head, task in specs:
        index, chosen = select(task)
        if head.kind == "softmax":
            y = np.array([head.labels.index(getattr(e, task)) for e in chosen], dtype=np.int64)
        elif task == "urgent":
            y = np.array(
                [[1.0 if u in (e.urgent or ()) else 0.0 for u in head.labels] for e in chosen],
                dtype=np.float32,
            )
        else:
            y = np.array([[1.0 if getattr(e, task) else 0.0] for e in chosen], dtype=np.float32)
        out.append((head, heads.fit(head, x[index], y, _weights(chosen), l2=l2)))
    return out
