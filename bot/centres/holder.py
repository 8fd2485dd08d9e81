"""Keeps the current centre finder on the content holder (reloads, keeps the last good file)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.centres.finder import CentreFinder, utc_now
from bot.centres.gazetteer import Gazetteer, PlacesMissing, default_gazetteer
from bot.centres.loader import load_centres
from bot.centres.model import Centres
from bot.content.holder import ContentHolder, ContentState
from bot.content.problems import errors
from bot.content.watching import watch

log = logging.getLogger(__name__)


@dataclass
class CentresState(ContentState):
    """What /healthz reports about the centres."""

    places: str = ""  # why place names cannot be looked up (the place table is missing)

    @property
    def centres(self) -> int:
        """Centres in service."""
        return self.items

    def as_dict(self) -> dict[str, object]:
        """The state for /healthz."""
        state: dict[str, object] = {
            "ok": self.ok and not self.places,
            "centres": self.centres,
            "problems": [str(p) for p in errors(self.problems)],
        }
        if self.places:
            state["places"] = self.places
        return state


class CentresHolder:
    """The centre finder in service; ``reload()`` swaps in a new one only if the file is valid."""

    def __init__(
        self,
        path: Path,
        gazetteer: Callable[[], Gazetteer] = default_gazetteer,
        clock: Callable[[], datetime] = utc_now,
        snapshot: Path | None = None,
    ) -> None:
        self.path = path
        self.snapshot = snapshot  # a copy of the last file that loaded, for the next start
        self.state = CentresState()
        self.content: ContentHolder[Centres] = ContentHolder(
            path, load_centres, "centres", count=len, snapshot=snapshot, state=self.state
        )
        self._gazetteer = gazetteer
        self._clock = clock
        self._finder: CentreFinder | None = None

    def finder(self) -> CentreFinder:
        """The current finder (RuntimeError before the first good load)."""
        if self._finder is None:
            raise RuntimeError(f"no valid centres loaded from {self.path}")
        return self._finder

    def reload(self) -> bool:
        """Load the file if it changed; True when new centres are now served."""
        if not self.content.reload():
            return False
        self._finder = CentreFinder(self.content.get(), self._gazetteer, self._clock)
        return True

    def warm(self) -> None:
        """Load the gazetteer now (about 0.3 s) rather than on the first merchant's message.

        Without the place table the bot still serves (centres answer only to a shared location
        or the menu's question); /healthz says what to build."""
        try:
            self._gazetteer()
        except PlacesMissing as exc:
            log.error("centres: %s", exc)
            self.state.places = str(exc)

    async def watch(self, every: float) -> None:
        """Poll for changes forever; loads run in a thread so chats are not blocked."""
        await watch(self.reload, every, "centres")
