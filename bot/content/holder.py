"""One hot-reloaded content file or folder: a broken edit is reported and the last good version
keeps serving; a copy of the last good files lets the next start survive broken ones."""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from bot.content.problems import Problem, errors
from bot.content.watching import report_rejected, watch

log = logging.getLogger(__name__)

T = TypeVar("T")

Signature = tuple[tuple[str, int, int], ...]  # (name, mtime in ns, size) per file; () for none


@dataclass
class ContentState:
    """What /healthz reports about one kind of content."""

    items: int = 0  # entries, centres or macros in service
    loaded_from: Signature = ()
    problems: list[Problem] = field(default_factory=list)  # of the newest files, root causes first
    from_snapshot: bool = False  # started on the last good copy: the files on disk are broken

    @property
    def ok(self) -> bool:
        """True while the newest files on disk are the ones being served."""
        return self.items > 0 and not errors(self.problems)


class ContentHolder(Generic[T]):
    """The value loaded from ``path``; ``reload()`` replaces it only when the files are valid.

    ``load`` returns the value, or None when any error was found, with every problem.
    ``files`` lists the content files of a folder; without it ``path`` is a single file.
    """

    def __init__(
        self,
        path: Path,
        load: Callable[[Path], tuple[T | None, list[Problem]]],
        what: str,
        *,
        count: Callable[[T], int],
        files: Callable[[Path], list[Path]] | None = None,
        snapshot: Path | None = None,
        state: ContentState | None = None,
    ) -> None:
        self.path = path
        self.what = what  # "faq", "centres", "macros": the word in log lines
        self.snapshot = snapshot  # a folder with a copy of the last files that loaded
        self.state = ContentState() if state is None else state
        self._load = load
        self._count = count
        self._files = files
        self._value: T | None = None
        self._seen: Signature | None = None

    @property
    def value(self) -> T | None:
        """The value in service; None before the first good load."""
        return self._value

    def get(self) -> T:
        """The value in service (RuntimeError before the first good load)."""
        if self._value is None:
            raise RuntimeError(f"no valid {self.what} loaded from {self.path}")
        return self._value

    def sources(self) -> list[Path]:
        """The content files there are now: the file itself, or the folder's files."""
        if self._files is None:
            return [self.path] if self.path.is_file() else []
        return self._files(self.path) if self.path.is_dir() else []

    def signature(self) -> Signature:
        """Names, modification times and sizes of the files: cheap change detection."""
        try:
            return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in self.sources())
        except OSError:  # a file went away while listing: the next poll sees where it settles
            return ()

    def reload(self) -> bool:
        """Load the files if they changed; True when a new value is now served."""
        signature = self.signature()
        if signature == self._seen:
            return False
        self._seen = signature
        value, problems = self._load(self.path)
        self.state.problems = problems
        if value is None:
            report_rejected(self.what, problems)
            return self._start_from_snapshot()
        keep_snapshot(self.sources(), self.snapshot, self.what)
        self._value = value
        self.state.items = self._count(value)
        self.state.loaded_from = signature
        self.state.from_snapshot = False
        log.info(f"{self.what} loaded", extra={"items": self.state.items, "path": str(self.path)})
        return True

    def _start_from_snapshot(self) -> bool:
        """With nothing served yet (a start with broken files), serve the last good copy."""
        if self._value is not None or self.snapshot is None or not self.snapshot.is_dir():
            return False
        copy = self.snapshot if self._files is not None else self.snapshot / self.path.name
        value, _ = self._load(copy)
        if value is None:
            return False
        self._value = value
        self.state.items = self._count(value)
        self.state.from_snapshot = True
        log.error(
            f"{self.what} files are broken; serving the last good copy",
            extra={"snapshot": str(self.snapshot), "items": self.state.items},
        )
        return True

    async def watch(self, every: float) -> None:
        """Poll for changes forever; loads run in a thread so chats are not blocked."""
        await watch(self.reload, every, self.what)


def keep_snapshot(files: list[Path], snapshot: Path | None, what: str = "content") -> None:
    """Copy the content files that just loaded to ``snapshot`` (replaced whole, never half)."""
    if snapshot is None or not files:
        return
    try:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        fresh = snapshot.with_name(f".{snapshot.name}.{uuid.uuid4().hex}")
        fresh.mkdir()
        for path in files:
            shutil.copy2(path, fresh / path.name)
        old = snapshot.with_name(f".{snapshot.name}.old.{uuid.uuid4().hex}")
        if snapshot.exists():
            snapshot.rename(old)
        fresh.rename(snapshot)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:  # no snapshot costs a safety net, never an answer
        log.warning(f"{what} snapshot not written", extra={"error": repr(exc)})
