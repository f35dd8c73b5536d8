"""The real-text evaluation set (``classifiers/data/real``): verbatim customer comments.

Rows come from public pages; rows of one page (same ``url``) read alike, so they always share a
fold: the fold is a stable hash of the url modulo :data:`FOLDS`. The set measures and chooses;
it may train only through these folds, and only scores on folds a model did not see count.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from classifiers.corpora import Example, read_labelled

FOLDS = 5
DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "real"


def fold(group: str | None, folds: int = FOLDS) -> int:
    """The fold of a page, stable across runs and machines (not Python's salted ``hash``)."""
    digest = hashlib.sha1((group or "").encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % folds


def load_real(directory: Path = DEFAULT_DIR) -> list[Example]:
    """Every row of ``de.jsonl`` and ``en.jsonl`` as a held-out example, source ``real/<lang>``."""
    rows: list[Example] = []
    for name in ("de", "en"):
        path = directory / f"{name}.jsonl"
        if path.is_file():
            rows += read_labelled(path, "test", f"real/{name}")
    return rows
