"""Keeps the current centres; reloads when the file changes and keeps the last good version."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.centres.finder import CentreFinder, utc_now
from bot.centres.gazetteer import Gazetteer, default_gazetteer
from bot.centres.loader import load_centres
from bot.faq.problems import Problem, errors
from bot.faq.watching import report_rejected, watch

log = logging.getLogger(__name__)

Signature = tuple[int, int]  # (modification time in ns, size); (0, -1) when there is no file


@dataclass
class CentresState:
    """What /healthz reports about the centres."""

    centres: int = 0
    loaded_from: Signature | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True while the file on disk is the one being served."""
        return self.centres > 0 and not errors(self.problems)

    def as_dict(self) -> dict[str, object]:
        """The state for /healthz."""
        return {
            "ok": self.ok,
            "centres": self.centres,
            "problems": [str(p) for p in errors(self.problems)],
        }


class CentresHolder:
    """The centre finder in service; ``reload()`` swaps in a new one only if the file is valid."""

    def __init__(
        self,
        path: Path,
        gazetteer: Callable[[], Gazetteer] = default_gazetteer,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.path = path
        self.state = CentresState()
        self._gazetteer = gazetteer
        self._clock = clock
        self._finder: CentreFinder | None = None
        self._seen: Signature | None = None

    def finder(self) -> CentreFinder:
        """The current finder (RuntimeError before the first good load)."""
        if self._finder is None:
            raise RuntimeError(f"no valid centres loaded from {self.path}")
        return self._finder

    def signature(self) -> Signature:
        """Modification time and size of the file: cheap change detection."""
        try:
            st = self.path.stat()
        except OSError:
            return (0, -1)
        return (st.st_mtime_ns, st.st_size)

    def reload(self) -> bool:
        """Load the file if it changed; True when new centres are now served."""
        signature = self.signature()
        if signature == self._seen:
            return False
        self._seen = signature
        centres, problems = load_centres(self.path)
        self.state.problems = problems
        if centres is None:
            report_rejected("centres", problems)
            return False
        self._finder = CentreFinder(centres, self._gazetteer, self._clock)
        self.state.centres = len(centres)
        self.state.loaded_from = signature
        log.info("centres loaded", extra={"centres": len(centres), "file": str(self.path)})
        return True

    def warm(self) -> None:
        """Load the gazetteer now (about 0.3 s) rather than on the first merchant's message."""
        self._gazetteer()

    async def watch(self, every: float) -> None:
        """Poll for changes forever; loads run in a thread so chats are not blocked."""
        await watch(self.reload, every, "centres")
