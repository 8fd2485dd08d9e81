"""Keeps the current FAQ matcher; the content holder reloads the files and keeps the last good
ones, this module builds the matcher on them and upgrades it to the fused ranker."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.holder import ContentHolder, ContentState
from bot.content.watching import watch
from bot.faq.loader import faq_files, load_faq
from bot.faq.matcher import Matcher
from bot.faq.model import Faq
from bot.faq.semantic.encoder import EncoderStatus
from bot.faq.semantic.fused import FusedModel
from bot.faq.semantic.resources import Semantics

log = logging.getLogger(__name__)


@dataclass
class FaqState(ContentState):
    """What /healthz reports about the FAQ: the content's state, and the ranker in service."""

    mode: str = "lexical"  # "fused" once the semantic ranker serves this FAQ
    encoder: EncoderStatus | None = None  # None: not loaded yet

    @property
    def entries(self) -> int:
        """FAQ entries in service."""
        return self.items

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
        self.content: ContentHolder[Faq] = ContentHolder(
            folder, load_faq, "faq", count=len, files=faq_files, snapshot=snapshot, state=self.state
        )
        self._matcher: Matcher | None = None
        self._load_semantics = semantics
        self._semantics: Semantics | None = None
        self._upgrading = threading.Lock()

    def matcher(self) -> Matcher:
        """The current matcher (RuntimeError before the first good load)."""
        if self._matcher is None:
            raise RuntimeError(f"no valid FAQ loaded from {self.folder}")
        return self._matcher

    def reload(self) -> bool:
        """Load the folder if it changed; True when a new FAQ is now served (lexically)."""
        if not self.content.reload():
            return False
        self._matcher = Matcher(self.content.get())
        self.state.mode = "lexical"
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
