"""Typed centre content: business-expansion centres as loaded from ``centres.yaml``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Literal

from bot.text.language import Lang

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Interval:
    """Opening hours within one day, in the centre's local time.

    ``closes`` at or before ``opens`` means the interval runs past midnight into the next day
    ("22:00-02:00"); "00:00-24:00" is stored as 00:00-00:00, open the whole day.
    """

    opens: time
    closes: time

    @property
    def start_minute(self) -> int:
        """Minutes after the opening day's midnight when it opens."""
        return self.opens.hour * 60 + self.opens.minute

    @property
    def end_minute(self) -> int:
        """Minutes after the opening day's midnight when it closes (over 1440: the next day)."""
        end = self.closes.hour * 60 + self.closes.minute
        return end if end > self.start_minute else end + MINUTES_PER_DAY

    @property
    def overnight(self) -> bool:
        """True when the interval closes after midnight."""
        return self.end_minute > MINUTES_PER_DAY


@dataclass(frozen=True)
class Centre:
    """One business-expansion centre."""

    id: str
    name: Mapping[Lang, str]
    address: Mapping[Lang, str]
    lat: float
    lon: float
    timezone: str  # IANA name; hours are in this zone
    hours: Mapping[Weekday, tuple[Interval, ...]]  # a day that is absent is closed
    languages: tuple[str, ...]  # languages the local team speaks ("zh", "en", "ko")
    holidays: frozenset[date] = frozenset()
    team: str = ""  # the staff team tickets are routed to; the centre id when not given
    phone: str | None = None
    map_url: str | None = None
    email: str | None = None  # the team's address for alerts (new tickets, passed targets)
    source: str = ""
    line: int = 0

    def __post_init__(self) -> None:
        if not self.team:
            object.__setattr__(self, "team", self.id)


@dataclass(frozen=True)
class Centres:
    """A validated list of centres, in file order, addressable by id."""

    centres: tuple[Centre, ...]
    _by_id: Mapping[str, Centre] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.id: c for c in self.centres})

    def __len__(self) -> int:
        return len(self.centres)

    def __iter__(self) -> Iterator[Centre]:
        return iter(self.centres)

    def __contains__(self, centre_id: object) -> bool:
        return centre_id in self._by_id

    def get(self, centre_id: str) -> Centre:
        """The centre with this id (KeyError when unknown)."""
        return self._by_id[centre_id]
