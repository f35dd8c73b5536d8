"""CSV exports as people make them: Excel's semicolons, cut-off quotes, huge cells.

The ``csv`` module alone stops for good at a cell over its 131,072-character limit, and an
unbalanced quote makes it swallow every later row into one cell. Here a record may be up to
``MAX_RECORD_CHARS`` characters and ``MAX_RECORD_LINES`` lines. A record that grows past
either, is still open at the end of the file, or spans several lines and then breaks or holds
a line that starts a row (a quote closed by another row's quote) is one bad line (its first),
and reading starts again on the line after it: a cut-off quote costs one row. Line numbers are
the file's physical lines (the header is line 1), also after multi-line cells.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from crisis.domain import Problem

MAX_RECORD_CHARS = 10_000_000  # a cell this big is no comment, but is stored (capped) all the same
MAX_RECORD_LINES = 1_000
REQUIRED = ("at", "platform", "id", "author", "text")
DELIMITERS = (",", ";", "\t")

Row = tuple[int, dict[str, Any] | Problem]


class _TooLong(Exception):
    pass


class _Lines:
    """The file's lines for ``csv.reader``, remembering those of the record being read, so that
    a broken record can be given back from its second line on."""

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.pending: deque[tuple[int, str]] = deque()
        self.record: list[tuple[int, str]] = []
        self.chars = 0
        self.number = 0  # of the last line read from the file
        self.ended = False  # the file ended inside the current record

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if len(self.record) >= MAX_RECORD_LINES or self.chars > MAX_RECORD_CHARS:
            raise _TooLong
        if self.pending:
            number, line = self.pending.popleft()
        else:
            line = self.handle.readline()
            if not line:
                self.ended = bool(self.record)
                raise StopIteration
            self.number += 1
            number = self.number
        self.record.append((number, line))
        self.chars += len(line)
        return line

    def start_record(self) -> None:
        self.record, self.chars, self.ended = [], 0, False

    def give_back_all_but_first(self) -> None:
        self.pending.extendleft(reversed(self.record[1:]))


def read_csv(path: Path) -> Iterator[Row]:
    """``(line_number, record)`` per row of a CSV file with a header row, or a ``Problem``."""
    csv.field_size_limit(MAX_RECORD_CHARS)
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        header_line = handle.readline()
        delimiter = max(DELIMITERS, key=header_line.count)
        names = next(csv.reader([header_line], delimiter=delimiter), [])
        header = [name.strip().lower() for name in names]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            absent = ", ".join(repr(name) for name in missing)
            found = ", ".join(header) or "nothing"
            yield 1, Problem(f"{path.name}:1", f"the header has no {absent} (it has: {found})")
            return
        lines = _Lines(handle)
        lines.number = 1
        yield from _rows(path.name, header, lines, delimiter)


def _rows(name: str, header: list[str], lines: _Lines, delimiter: str) -> Iterator[Row]:
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    while True:
        lines.start_record()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (_TooLong, csv.Error) as exc:
            yield _broken(name, lines, exc)
            reader = csv.reader(lines, delimiter=delimiter, strict=True)  # no half-read state
            continue
        if len(lines.record) > 1 and (
            lines.ended
            or len(cells) != len(header)
            or any(_starts_a_row(line, header, delimiter) for _, line in lines.record[1:])
        ):
            # A cell over several lines that ends the file, leaves the row with the wrong number
            # of fields or holds a line that starts a row: a quote that never closed (or closed
            # at another row's quote).
            yield _broken(name, lines, None)
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            continue
        number = lines.record[0][0]
        where = f"{name}:{number}"
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) > len(header):
            yield number, Problem(where, "more fields than the header names")
        elif len(cells) < len(header):
            yield number, Problem(where, "fewer fields than the header names")
        elif any(_has_undecodable(cell) for cell in cells):
            yield number, Problem(where, "not UTF-8")
        else:
            record = dict(zip(header, cells, strict=True))
            yield number, {key: value for key, value in record.items() if value or key == "text"}


def _broken(name: str, lines: _Lines, exc: Exception | None) -> Row:
    number = lines.record[0][0] if lines.record else lines.number
    if isinstance(exc, csv.Error) and len(lines.record) <= 1:
        reason = f"unreadable CSV ({exc})"
    else:
        reason = (
            f"a quote opened here does not close where a cell ends (read {len(lines.record):,} "
            f"lines, {lines.chars:,} characters); reading goes on at the next line"
        )
    lines.give_back_all_but_first()
    return number, Problem(f"{name}:{number}", reason)


def _starts_a_row(line: str, header: list[str], delimiter: str) -> bool:
    """Whether ``line`` begins like a row of its own: its ``at`` cell is a time with offset."""
    cells = next(
        csv.reader([line], delimiter=delimiter), []
    )  # lenient: the line may end in a quote
    at = header.index("at")
    if len(cells) <= at or len(cells) < 3:
        return False
    try:
        return datetime.fromisoformat(cells[at].strip().replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def _has_undecodable(value: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in value)
