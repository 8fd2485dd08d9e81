"""Teams that take tickets, when they work, and which one a merchant's ticket goes to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.core.tickets import DEFAULT_TEAM
from bot.text.chinese import to_traditional


@dataclass(frozen=True)
class Team:
    """A local team (one per centre) or the default queue. ``names`` by content language."""

    id: str
    names: Mapping[str, str] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    timezone: str = "UTC"
    email: str = ""  # where the team's alerts go (new tickets, passed targets); "" for none

    def name(self, lang: str) -> str:
        """The team's name in a content language (en/zh/ko), else English, else its id."""
        return self.names.get(lang) or self.names.get("en") or self.id

    def display_name(self, locale: str) -> str:
        """The team's name for a UI locale: Traditional readers get the Chinese name converted
        (names are written once, in Simplified)."""
        if locale.startswith("zh"):
            name = self.name("zh")
            return to_traditional(name) if locale == "zh_Hant" else name
        return self.name(locale)


@dataclass(frozen=True)
class Availability:
    """Whether a team works now, and if not, when it next opens (None: unknown)."""

    open_now: bool
    opens_at: datetime | None = None


class TeamDirectory(Protocol):
    """Where teams come from (the centres file); the core asks, never reads files."""

    def teams(self) -> Sequence[Team]:
        """Every team, the default queue included."""
        ...

    def for_centre(self, centre_id: str) -> Team | None:
        """The team of a centre."""
        ...

    def availability(self, team_id: str, now: datetime) -> Availability:
        """Open now, or when it opens next."""
        ...


DEFAULT = Team(
    DEFAULT_TEAM,
    {"en": "seller-support", "zh": "卖家支持", "ko": "셀러 지원"},
    ("en", "zh", "ko"),
)


class DefaultTeamOnly:
    """A directory with just the default queue, always open (no centres configured)."""

    def teams(self) -> Sequence[Team]:
        """The default queue."""
        return (DEFAULT,)

    def for_centre(self, centre_id: str) -> Team | None:
        """No centre teams."""
        return None

    def availability(self, team_id: str, now: datetime) -> Availability:
        """Always open."""
        return Availability(open_now=True)


def route(directory: TeamDirectory, centre_id: str | None, lang: str) -> Team:
    """The nearest centre's team; else a team speaking ``lang``; else the default queue."""
    if centre_id:
        team = directory.for_centre(centre_id)
        if team is not None:
            return team
    teams = list(directory.teams())
    speaking = [t for t in teams if lang in t.languages and t.id != DEFAULT_TEAM]
    # A team whose first language is the merchant's (Busan for Korean) beats one that also
    # speaks it (Qingdao lists zh, ko, en); then file order.
    native = [t for t in speaking if t.languages[0] == lang]
    if native or speaking:
        return (native or speaking)[0]
    return next((t for t in teams if t.id == DEFAULT_TEAM), DEFAULT)


def team_by_id(directory: TeamDirectory, team_id: str) -> Team:
    """A team by id; the default queue for an unknown id (a centre removed from the file)."""
    return next((t for t in directory.teams() if t.id == team_id), DEFAULT)
