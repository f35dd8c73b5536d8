"""Comments from JSONL and CSV exports: demos, imports of old data, replays.

Streams the file page by page, so a multi-gigabyte export never sits in memory. The cursor is
the number of records read so far; a new process resumes from it.
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


class FileSource:
    def __init__(self, path: Path | str, *, page_size: int = 500) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ConfigError(f"no such file: {self.path}")
        read_records(self.path)  # fails now, not at the first fetch, on an unknown suffix
        self.page_size = page_size
        self._records: Iterator[Record] | None = None
        self._position = 0

    @property
    def name(self) -> str:
        return f"file:{self.path.resolve()}"

    def fetch(self, cursor: str | None) -> Page:
        start = _parse_cursor(cursor)
        if self._records is None or start != self._position:
            self._records = islice(read_records(self.path), start, None)
            self._position = start
        items: list[CommentIn] = []
        problems: list[Problem] = []
        taken = 0
        for number, record in self._records:
            taken += 1
            where = f"{self.path.name}:{number}"
            if isinstance(record, Problem):
                problems.append(record)
            elif record.get("type", "comment") != "comment":
                pass  # scenario files also hold posts and operator events: not comments
            else:
                repairs: set[str] = set()
                try:
                    items.append(parse_comment(record, where, repairs=repairs))
                except BadRecord as exc:
                    problems.append(Problem(exc.where, exc.reason))
                else:
                    if repairs:
                        reason = "stored with repairs: " + ", ".join(sorted(repairs))
                        problems.append(Problem(where, reason, kept=True))
            if taken >= self.page_size:
                break
        self._position += taken
        more = taken >= self.page_size
        return Page(items=items, cursor=str(self._position), more=more, problems=problems)


def _parse_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit():
        raise ConfigError(f"file cursor must be a record count, got {cursor!r}")
    return int(cursor)
