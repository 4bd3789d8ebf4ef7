"""Watching the articles folder for files dropped in or changed while the bot runs.

A file is handed over once it has stopped changing (same size and modification
time on two scans in a row), so a file still being copied is not read half
written. Removing a file does not remove its article: what was published stays
answerable.
"""

from __future__ import annotations

from pathlib import Path

from bot.ingest import article_files

Stamp = tuple[int, int]  # (modification time in ns, size)


class FolderWatch:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # What is there at start was loaded by the knowledge base when it opened.
        self._handled: dict[Path, Stamp] = self._scan()
        self._previous: dict[Path, Stamp] = dict(self._handled)

    def _scan(self) -> dict[Path, Stamp]:
        if not self.folder.is_dir():
            return {}
        stamps = {}
        for path in article_files(self.folder):
            try:
                info = path.stat()
            except OSError:  # removed between listing and stat
                continue
            stamps[path] = (info.st_mtime_ns, info.st_size)
        return stamps

    def changed(self) -> list[Path]:
        """Files new or modified since they were last handed over, and now stable."""
        current = self._scan()
        ready = [path for path, stamp in current.items()
                 if self._handled.get(path) != stamp and self._previous.get(path) == stamp]
        self._previous = current
        for path in ready:
            self._handled[path] = current[path]
        return ready
