"""Teams from the shipped centres: routing by centre and language, hours in each team's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.centres.loader import load_centres
from bot.core.centre_teams import CentreTeams
from bot.core.teams import route
from bot.core.tickets import DEFAULT_TEAM

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def teams() -> CentreTeams:
    centres, problems = load_centres(ROOT / "faq" / "centres.yaml")
    assert centres is not None, problems
    return CentreTeams(lambda: centres)


def test_one_team_per_centre_and_the_default_queue(teams: CentreTeams) -> None:
    ids = [t.id for t in teams.teams()]
    assert ids[:3] == ["shenzhen", "guangzhou", "foshan"] and ids[-1] == DEFAULT_TEAM
    shenzhen = teams.for_centre("shenzhen")
    assert shenzhen is not None
    assert (shenzhen.name("en"), shenzhen.name("zh"), shenzhen.timezone) == (
        "Shenzhen", "深圳", "Asia/Shanghai"
    )  # fmt: skip
    assert teams.for_centre("atlantis") is None


@pytest.mark.parametrize(
    ("centre", "lang", "team"),
    [
        ("foshan", "ko", "foshan"),  # the nearest centre wins over the language
        (None, "ko", "busan"),  # Korean first, not Qingdao which also speaks it
        (None, "zh", "shenzhen"),
        (None, "en", "shenzhen"),
        ("gone", "zh", "shenzhen"),  # a centre removed from the file: by language
    ],
)
def test_routing(teams: CentreTeams, centre: str | None, lang: str, team: str) -> None:
    assert route(teams, centre, lang).id == team


def test_availability_in_the_teams_own_time_zone(teams: CentreTeams) -> None:
    # Friday 17:30 in Shenzhen is 18:30 in Busan: Shenzhen is open, Busan has closed.
    friday = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    assert teams.availability("shenzhen", friday).open_now
    busan = teams.availability("busan", friday)
    assert not busan.open_now and busan.opens_at is not None
    monday = busan.opens_at.astimezone(ZoneInfo("Asia/Seoul"))
    assert (monday.weekday(), monday.hour, monday.minute) == (0, 9, 0)
    assert teams.availability(DEFAULT_TEAM, friday).open_now  # no hours to promise by
