"""Keeps the current FAQ matcher; reloads when files change and keeps the last good one."""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.faq.loader import faq_files, load_faq
from bot.faq.matcher import Matcher
from bot.faq.problems import Problem, errors
from bot.faq.semantic.encoder import EncoderStatus
from bot.faq.semantic.fused import FusedModel
from bot.faq.semantic.resources import Semantics
from bot.faq.watching import report_rejected, watch

log = logging.getLogger(__name__)

Signature = tuple[tuple[str, int, int], ...]


@dataclass
class FaqState:
    """What /healthz reports about the FAQ."""

    entries: int = 0
    loaded_from: Signature = ()
    problems: list[Problem] = field(default_factory=list)
    mode: str = "lexical"  # "fused" once the semantic ranker serves this FAQ
    encoder: EncoderStatus | None = None  # None: not loaded yet
    from_snapshot: bool = False  # started on the last good copy: the files on disk are broken

    @property
    def ok(self) -> bool:
        """True while the newest files on disk are the ones being served."""
        return self.entries > 0 and not errors(self.problems)

    def matcher_status(self) -> dict[str, Any]:
        """The ranker in service for /healthz: degraded when the encoder is off or failed."""
        status = self.encoder
        out: dict[str, Any] = {"mode": self.mode, "degraded": self.mode != "fused"}
        if status is None:
            out["encoder"] = "loading"
        else:
            out["encoder"] = status.name
            if not status.ok:
                out["detail"] = status.detail
            elif self.mode != "fused":
                out["detail"] = "encoding the FAQ; answering lexically meanwhile"
        return out


SemanticsLoader = Callable[[], tuple[Semantics | None, EncoderStatus]]


class FaqHolder:
    """The matcher in service; ``reload()`` swaps in a new one only if the files are valid.

    A new FAQ serves lexically at once; ``upgrade()`` then encodes it (slow the first time,
    from the vector cache afterwards) and swaps in the fused matcher.
    """

    def __init__(
        self,
        folder: Path,
        semantics: SemanticsLoader | None = None,
        snapshot: Path | None = None,
    ) -> None:
        self.folder = folder
        self.snapshot = snapshot  # a copy of the last files that loaded, for the next start
        self.state = FaqState()
        self._matcher: Matcher | None = None
        self._seen: Signature | None = None
        self._load_semantics = semantics
        self._semantics: Semantics | None = None
        self._upgrading = threading.Lock()

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
            return self._start_from_snapshot()
        keep_snapshot(self.folder, self.snapshot)
        self.state.from_snapshot = False
        self._matcher = Matcher(faq)
        self.state.entries = len(faq)
        self.state.loaded_from = signature
        self.state.mode = "lexical"
        log.info("faq loaded", extra={"entries": len(faq), "folder": str(self.folder)})
        return True

    def _start_from_snapshot(self) -> bool:
        """With nothing served yet (a start with broken files), serve the last good copy."""
        if self._matcher is not None or self.snapshot is None or not self.snapshot.is_dir():
            return False
        faq, _ = load_faq(self.snapshot)
        if faq is None:
            return False
        self._matcher = Matcher(faq)
        self.state.entries = len(faq)
        self.state.from_snapshot = True
        self.state.mode = "lexical"
        log.error(
            "faq files are broken; serving the last good copy",
            extra={"snapshot": str(self.snapshot), "entries": len(faq)},
        )
        return True

    def upgrade(self) -> bool:
        """Build the fused matcher for the FAQ in service; True when it now serves."""
        with self._upgrading:
            current = self._matcher
            if current is None or current.fused is not None:
                return False
            semantics = self._semantics_once()
            if semantics is None:
                return False
            try:
                fused = FusedModel.build(current.faq, semantics)
            except Exception as exc:  # a failing encoder leaves the lexical matcher serving
                log.exception("semantic ranker not built; answering lexically")
                self.state.encoder = EncoderStatus(semantics.model_id, False, f"failed: {exc!r}")
                self._semantics = None
                return False
            if self._matcher is not current:  # a newer FAQ arrived meanwhile: it goes next
                return False
            self._matcher = current.with_fused(fused)
            self.state.mode = "fused"
            return True

    def _semantics_once(self) -> Semantics | None:
        if self._load_semantics is None:
            self.state.encoder = EncoderStatus("none", False, "no encoder configured")
            return None
        if self.state.encoder is None:
            self._semantics, self.state.encoder = self._load_semantics()
        return self._semantics

    def refresh(self) -> bool:
        """Reload changed files, then bring the semantic ranker up to date."""
        changed = self.reload()
        return self.upgrade() or changed

    async def watch(self, every: float) -> None:
        """Encode, then poll for changes forever; all of it in threads, never on the loop."""
        await asyncio.to_thread(self.upgrade)
        await watch(self.refresh, every, "faq")


def keep_snapshot(folder: Path, snapshot: Path | None) -> None:
    """Copy the content files that just loaded to ``snapshot`` (replaced whole, never half)."""
    if snapshot is None:
        return
    try:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        fresh = snapshot.with_name(f".{snapshot.name}.{uuid.uuid4().hex}")
        fresh.mkdir()
        for path in faq_files(folder):
            shutil.copy2(path, fresh / path.name)
        old = snapshot.with_name(f".{snapshot.name}.old.{uuid.uuid4().hex}")
        if snapshot.exists():
            snapshot.rename(old)
        fresh.rename(snapshot)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:  # no snapshot costs a safety net, never an answer
        log.warning("faq snapshot not written", extra={"error": repr(exc)})
