"""Typed FAQ content: entries as loaded from YAML."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from bot.text.language import Lang


@dataclass(frozen=True)
class FaqEntry:
    """One FAQ entry: phrasings and an answer per language."""

    id: str
    category: str
    escalate: bool
    questions: Mapping[Lang, tuple[str, ...]]
    answer: Mapping[Lang, str]
    related: tuple[str, ...] = ()
    source: str = ""
    line: int = 0


@dataclass(frozen=True)
class Faq:
    """A validated FAQ: entries in file order, addressable by id."""

    entries: tuple[FaqEntry, ...]
    _by_id: Mapping[str, FaqEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[FaqEntry]:
        return iter(self.entries)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._by_id

    def get(self, entry_id: str) -> FaqEntry:
        """The entry with this id (KeyError when unknown)."""
        return self._by_id[entry_id]

    def categories(self) -> list[str]:
        """Categories in first-seen order."""
        return list(dict.fromkeys(e.category for e in self.entries))
