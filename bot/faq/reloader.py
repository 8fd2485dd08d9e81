"""Keeps the current FAQ matcher; reloads when files change and keeps the last good one."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from bot.faq.loader import faq_files, load_faq
from bot.faq.matcher import Matcher
from bot.faq.problems import Problem, errors
from bot.faq.watching import report_rejected, watch

log = logging.getLogger(__name__)

Signature = tuple[tuple[str, int, int], ...]


@dataclass
class FaqState:
    """What /healthz reports about the FAQ."""

    entries: int = 0
    loaded_from: Signature = ()
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True while the newest files on disk are the ones being served."""
        return self.entries > 0 and not errors(self.problems)


class FaqHolder:
    """The matcher in service; ``reload()`` swaps in a new one only if the files are valid."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.state = FaqState()
        self._matcher: Matcher | None = None
        self._seen: Signature | None = None

    def matcher(self) -> Matcher:
        """The current matcher (RuntimeError before the first good load)."""
        if self._matcher is None:
            raise RuntimeError(f"no valid FAQ loaded from {self.folder}")
        return self._matcher

    def signature(self) -> Signature:
        """Names, sizes and modification times of the FAQ files: cheap change detection."""
        if not self.folder.is_dir():
            return ()
        return tuple(
            (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in faq_files(self.folder)
        )

    def reload(self) -> bool:
        """Load the folder if it changed; True when a new FAQ is now served."""
        signature = self.signature()
        if signature == self._seen:
            return False
        self._seen = signature
        faq, problems = load_faq(self.folder)
        self.state.problems = problems
        if faq is None:
            report_rejected("faq", problems)
            return False
        self._matcher = Matcher(faq)
        self.state.entries = len(faq)
        self.state.loaded_from = signature
        log.info("faq loaded", extra={"entries": len(faq), "folder": str(self.folder)})
        return True

    async def watch(self, every: float) -> None:
        """Poll for changes forever; builds run in a thread so chats are not blocked."""
        await watch(self.reload, every, "faq")
