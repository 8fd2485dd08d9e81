"""The ticket teams behind the centres: one per centre (or shared ``team`` ids), plus default."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from bot.centres.hours import openness
from bot.centres.model import Centre, Centres
from bot.core.teams import DEFAULT, Availability, Team


def team_of(centre: Centre) -> Team:
    """A centre's team: named after the centre's city, speaking its languages, in its zone."""
    names: dict[str, str] = {lang: _short(lang, name) for lang, name in centre.name.items()}
    team_id = centre.team or centre.id
    return Team(team_id, names, centre.languages, centre.timezone, centre.email or "")


def _short(lang: str, name: str) -> str:
    """"Shenzhen Business Expansion Centre" -> "Shenzhen"; "深圳商家发展中心" -> "深圳"."""
    for suffix in (" Business Expansion Centre", "商家发展中心", " 비즈니스 확장 센터"):
        if name.endswith(suffix):
            return name[: -len(suffix)].strip()
    return name


class CentreTeams:
    """A ``TeamDirectory`` over the centres currently served (reloads are picked up)."""

    def __init__(self, centres: Callable[[], Centres | None]) -> None:
        self._centres = centres

    def _list(self) -> Sequence[Centre]:
        centres = self._centres()
        return tuple(centres) if centres is not None else ()

    def teams(self) -> Sequence[Team]:
        """One team per distinct team id, in file order, then the default queue; a shared
        team's address is the first one its centres give."""
        seen: dict[str, Team] = {}
        for centre in self._list():
            team = team_of(centre)
            first = seen.setdefault(team.id, team)
            if not first.email and team.email:
                seen[team.id] = replace(first, email=team.email)
        return (*seen.values(), DEFAULT)

    def for_centre(self, centre_id: str) -> Team | None:
        """The team of a centre, if the centre is known."""
        centre = next((c for c in self._list() if c.id == centre_id), None)
        return team_of(centre) if centre is not None else None

    def availability(self, team_id: str, now: datetime) -> Availability:
        """Open when any of the team's centres is open; else the earliest next opening."""
        states = [openness(c, now) for c in self._list() if (c.team or c.id) == team_id]
        if not states:
            return Availability(open_now=True)  # the default queue: no hours to promise by
        if any(s.open_now for s in states):
            return Availability(open_now=True)
        opening = [s.opens_at for s in states if s.opens_at is not None]
        return Availability(open_now=False, opens_at=min(opening) if opening else None)
