"""Comments from JSONL and CSV exports: demos, imports of old data, replays.

Streams the file page by page, so a multi-gigabyte export never sits in memory. The cursor is
the number of records before the resume point; a new process resumes from it.

The resume point never passes a skipped (bad) line: it stays at the first one this run found,
while reading goes on to the end. So a line fixed in the file is imported by the next run
(the good lines after it are read again and, stored once by id, not stored twice).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from crisis.connectors.records import parse_comment, read_records
from crisis.domain import CommentIn, Page, Problem
from crisis.errors import BadRecord, ConfigError

Record = tuple[int, dict[str, Any] | Problem]
Read = tuple[CommentIn | None, Problem | None]


class FileSource:
    def __init__(self, path: Path | str, *, page_size: int = 500) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ConfigError(f"no such file: {self.path}")
        read_records(self.path)  # fails now, not at the first fetch, on an unknown suffix
        self.page_size = page_size
        self._records: Iterator[Record] | None = None
        self._position = 0  # records read
        self._first_bad: int | None = None  # records before the first bad one this run
        self._cursor: str | None = None  # the cursor the last page handed out

    @property
    def name(self) -> str:
        return f"file:{self.path.resolve()}"

    def fetch(self, cursor: str | None) -> Page:
        if self._records is None or cursor != self._cursor:
            start = _parse_cursor(cursor)
            self._records = islice(read_records(self.path), start, None)
            self._position, self._first_bad = start, None
        items: list[CommentIn] = []
        problems: list[Problem] = []
        taken = 0
        for number, record in self._records:
            taken += 1
            item, problem = self._read_one(number, record)
            if item is not None:
                items.append(item)
            if problem is not None:
                problems.append(problem)
                if not problem.kept and self._first_bad is None:
                    self._first_bad = self._position + taken - 1
            if taken >= self.page_size:
                break
        self._position += taken
        more = taken >= self.page_size
        resume = self._position if self._first_bad is None else self._first_bad
        self._cursor = str(resume)
        return Page(items=items, cursor=self._cursor, more=more, problems=problems)

    def _read_one(self, number: int, record: dict[str, Any] | Problem) -> Read:
        where = f"{self.path.name}:{number}"
        if isinstance(record, Problem):
            return None, record
        if record.get("type", "comment") != "comment":
            return None, None  # scenario files also hold posts and operator events
        repairs: set[str] = set()
        try:
            item = parse_comment(record, where, repairs=repairs)
        except BadRecord as exc:
            return None, Problem(exc.where, exc.reason)
        if not repairs:
            return item, None
        return item, Problem(where, "stored with repairs: " + ", ".join(sorted(repairs)), True)


def _parse_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit():
        raise ConfigError(f"file cursor must be a record count, got {cursor!r}")
    return int(cursor)
