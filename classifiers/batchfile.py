"""``crisis classify-file``: label a JSONL file of comments, as fast as the encoder allows.

Lines go through the classifier in chunks of ``chunk`` rows (the encoder sorts each chunk by
length before batching), through the same ``classify`` the pipeline calls. Bad lines (not JSON,
not an object, no text, empty or huge text, nested too deep, a number too long to read) are
reported as ``line N: reason`` and skipped; a byte-order mark on the first line is no reason.
What a reader can still use is repaired: a lone surrogate (half a cut-off emoji) becomes
U+FFFD and ``NaN`` becomes null, so every output line is valid UTF-8 JSON.

Output goes to ``OUT.partial`` first, flushed after every chunk, and is renamed to ``OUT`` at the
end. A run that crashed leaves the partial file; the next run keeps its complete lines, skips as
many good input lines, and carries on: no row is labelled twice or lost.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crisis.domain import Labels, Problem
from crisis.protocols import Classifier

MAX_CHARS = 20_000  # about 40 screens of text: no comment is that long, a pasted log file is
MAX_DEPTH = 32  # a comment is flat; deeper nesting is an attack or a broken export
_SURROGATE = re.compile("[\ud800-\udfff]")
OUTPUT_FIELDS = ("is_complaint", "complaint_score", "service", "sentiment", "urgent", "model")

Progress = Callable[[int, int], None]


@dataclass
class FileReport:
    read: int = 0
    labelled: int = 0
    resumed: int = 0
    problems: list[Problem] = field(default_factory=list)


def _rows(path: Path, report: FileReport) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, 1):
            report.read = number
            where = f"{path.name}:{number}"
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                report.problems.append(Problem(where, f"not UTF-8 ({exc.reason})"))
                continue
            if not line.strip():
                continue
            try:
                row = _repair(json.loads(line, parse_constant=_null, parse_float=_finite))
            except RecursionError:
                report.problems.append(Problem(where, "not JSON (nested too deeply)"))
                continue
            except ValueError as exc:  # also an integer of more than 4,300 digits
                report.problems.append(Problem(where, f"not JSON ({str(exc).split(':')[0]})"))
                continue
            reason = _bad(row)
            if reason:
                report.problems.append(Problem(where, reason))
                continue
            yield stream.tell(), row


def _null(_: str) -> None:
    return None


def _finite(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _depth(value: object) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in _children(item))
    return deepest


def _children(item: dict[Any, Any] | list[Any]) -> list[Any]:
    return list(item.values()) if isinstance(item, dict) else item


def _repair(value: Any, depth: int = 0) -> Any:
    """Every string encodable as UTF-8 (a lone surrogate becomes U+FFFD)."""
    if depth > MAX_DEPTH:
        return value  # refused by ``_bad``: do not recurse into it
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_repair(k, depth): _repair(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_repair(v, depth + 1) for v in value]
    return value


def _bad(row: object) -> str | None:
    if not isinstance(row, dict):
        return "not a JSON object"
    if _depth(row) > MAX_DEPTH:
        return f"nested more than {MAX_DEPTH} levels deep"
    text = row.get("text")
    if text is None:
        return "no text field"
    if not isinstance(text, str):
        return f"text is a {type(text).__name__}, not a string"
    if not text.strip():
        return "empty text"
    if len(text) > MAX_CHARS:
        return f"text has {len(text):,} characters (limit {MAX_CHARS:,})"
    return None


def output_row(row: dict[str, Any], labels: Labels) -> dict[str, Any]:
    out = dict(row)
    out.update(
        is_complaint=labels.is_complaint,
        complaint_score=labels.complaint_score,
        service=labels.service.value if labels.service else "other",
        sentiment=labels.sentiment.value,
        urgent=[u.value for u in labels.urgent],
        model=labels.model,
    )
    if labels.third_party:
        out["third_party"] = labels.third_party
    if labels.lang and not row.get("lang"):
        out["lang"] = labels.lang
    return out


def _complete_lines(partial: Path) -> int:
    """Keep the whole lines of an interrupted run; cut a torn last line off."""
    data = partial.read_bytes()
    keep = data.rfind(b"\n") + 1
    if keep != len(data):
        with partial.open("r+b") as stream:
            stream.truncate(keep)
    return data[:keep].count(b"\n")


def classify_file(
    classifier: Classifier,
    source: Path,
    out: Path,
    *,
    chunk: int = 512,
    progress: Progress | None = None,
) -> FileReport:
    report = FileReport()
    partial = out.with_name(out.name + ".partial")
    skip = _complete_lines(partial) if partial.exists() else 0
    report.resumed = skip
    total = source.stat().st_size
    pending: list[dict[str, Any]] = []
    with partial.open("a", encoding="utf-8") as sink:

        def flush() -> None:
            labels = classifier.classify([row["text"] for row in pending])
            for row, label in zip(pending, labels, strict=True):
                sink.write(json.dumps(output_row(row, label), ensure_ascii=False) + "\n")
            sink.flush()
            os.fsync(sink.fileno())
            report.labelled += len(pending)
            pending.clear()

        good = 0
        for offset, row in _rows(source, report):
            good += 1
            if good <= skip:
                continue
            pending.append(row)
            if len(pending) >= chunk:
                flush()
                if progress:
                    progress(offset, total)
        if pending:
            flush()
    if progress:
        progress(total, total)
    os.replace(partial, out)
    return report
