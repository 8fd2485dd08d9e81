"""Shared fixtures: the shipped centres and gazetteer, finders pinned to a moment, YAML files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.centres.finder import CentreFinder
from bot.centres.gazetteer import Gazetteer, default_gazetteer
from bot.centres.loader import load_centres
from bot.centres.model import Centres

ROOT = Path(__file__).resolve().parent.parent.parent
CENTRES_FILE = ROOT / "faq" / "centres.yaml"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SEOUL = ZoneInfo("Asia/Seoul")
# Monday 4 May 2026, 10:30 in China (11:30 in Korea): every sample centre is open.
MONDAY_MORNING = datetime(2026, 5, 4, 10, 30, tzinfo=SHANGHAI)

FinderAt = Callable[[datetime], CentreFinder]
WriteCentres = Callable[[str], Path]


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return default_gazetteer()


@pytest.fixture(scope="session")
def shipped_centres() -> Centres:
    centres, problems = load_centres(CENTRES_FILE)
    assert centres is not None, problems
    return centres


@pytest.fixture
def finder_at(shipped_centres: Centres) -> FinderAt:
    """A finder over the shipped centres whose clock is pinned to one moment."""

    def make(moment: datetime) -> CentreFinder:
        return CentreFinder(shipped_centres, clock=lambda: moment)

    return make


@pytest.fixture
def finder(finder_at: FinderAt) -> CentreFinder:
    return finder_at(MONDAY_MORNING)


def centre_yaml(
    centre_id: str = "test-centre",
    *,
    lat: float = 22.5431,
    lon: float = 114.0579,
    timezone: str = "Asia/Shanghai",
    hours: str = '{mon: "09:00-18:00", tue: "09:00-18:00", sat: "10:00-16:00"}',
    holidays: str = "",
    extra: str = "",
) -> str:
    """One centre in the documented schema, as YAML text (an item of ``centres:``)."""
    lines = [
        f"  - id: {centre_id}",
        f'    name: {{en: "Centre {centre_id}", zh: "中心 {centre_id}", ko: "센터 {centre_id}"}}',
        '    address: {en: "Futian District", zh: "福田区", ko: "푸톈구"}',
        f"    location: {{lat: {lat}, lon: {lon}}}",
        f"    timezone: {timezone}",
        f"    hours: {hours}",
        "    languages: [zh, en]",
    ]
    if holidays:
        lines.append(f"    holidays: {holidays}")
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


@pytest.fixture
def write_centres(tmp_path: Path) -> WriteCentres:
    """Write a centres file: write_centres(text) -> its path."""

    def write(text: str) -> Path:
        path = tmp_path / "centres.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def load_one(path: Path) -> Centres:
    """Load a file that must be valid."""
    centres, problems = load_centres(path)
    assert centres is not None, [str(p) for p in problems]
    return centres
