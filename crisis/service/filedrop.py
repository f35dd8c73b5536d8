"""A folder watched for exports: each new ``.jsonl`` or ``.csv`` file is ingested once.

A fresh install can take comments in without platform credentials: drop an export (the format
of ``crisis ingest --source file:PATH``) into ``CRISIS_DROP_DIR``. A file is taken once it has
not changed for ``settle`` seconds (copy big files in under another suffix and rename them);
it goes through the files connector page by page, its cursor kept under a name made of its
file name, size and modification time, and is then moved to ``done/``. A stop mid-file resumes
from the cursor; a re-read file stores nothing twice (comments are keyed by platform and id).
A file the connector refuses (no comments in it, unreadable) goes to ``failed/``.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from crisis.connectors.files import FileSource
from crisis.errors import CrisisError

if TYPE_CHECKING:
    from crisis.service.jobs import Context

log = logging.getLogger("crisis.service.filedrop")
SUFFIXES = (".jsonl", ".csv")


class FileDrop:
    def __init__(self, folder: Path | str, *, settle: float = 2.0) -> None:
        self.folder = Path(folder)
        self.settle = settle

    def ready(self) -> list[Path]:
        """Files to ingest now, oldest first."""
        if not self.folder.is_dir():
            raise CrisisError(f"the drop folder {self.folder} does not exist")
        now = time.time()
        found = [
            path
            for path in self.folder.iterdir()
            if path.is_file()
            and path.suffix.lower() in SUFFIXES
            and now - path.stat().st_mtime >= self.settle
        ]
        return sorted(found, key=lambda path: (path.stat().st_mtime, path.name))

    def round(self, ctx: Context, stop: threading.Event) -> int:
        from crisis.service.jobs import poll_round

        new = 0
        for path in self.ready():
            if stop.is_set():
                break
            stat = path.stat()
            try:
                source = FileSource(path)
            except CrisisError as exc:
                log.warning("drop %s: %s; moved to failed/", path.name, exc)
                _move(path, self.folder / "failed")
                continue
            name = f"drop:{path.name}:{stat.st_size}:{stat.st_mtime_ns}"
            new += poll_round(ctx, name, source, stop)
            if not stop.is_set():
                _move(path, self.folder / "done")
                log.info("drop %s ingested; moved to done/", path.name)
        return new


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():  # the same name dropped again: keep both
        target = folder / f"{path.stem}.{time.strftime('%Y%m%dT%H%M%S')}{path.suffix}"
    return path.rename(target)
