"""centres.yaml: the shipped sample data, and every problem reported with its file and line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.centres.loader import load_centres
from bot.centres.model import Centres
from bot.faq.loader import load_faq
from tests.centres.conftest import CENTRES_FILE, WriteCentres, centre_yaml, load_one


def test_shipped_file_has_eight_sample_centres(shipped_centres: Centres) -> None:
    ids = [c.id for c in shipped_centres]
    assert len(ids) == 8
    assert {"shenzhen", "guangzhou", "foshan"} <= set(ids)
    assert any(c.timezone != "Asia/Shanghai" for c in shipped_centres)
    assert any("ko" in c.languages for c in shipped_centres)
    head = CENTRES_FILE.read_text(encoding="utf-8")[:400]
    assert "SAMPLE DATA" in head
    for c in shipped_centres:
        assert set(c.name) == set(c.address) == {"en", "zh", "ko"}
        assert c.phone is None  # no invented phone numbers
        assert c.team == c.id
        assert c.hours and all(c.hours.values())
        assert not re.search(r"\d+ ?(号|路|Road|Street|번지)", c.address["en"] + c.address["zh"])


def test_shipped_file_is_not_an_faq_file() -> None:
    faq, problems = load_faq(CENTRES_FILE.parent)
    assert faq is not None and not [p for p in problems if "centres.yaml" in p.file]


def test_a_valid_file_with_optional_fields(write_centres: WriteCentres) -> None:
    extra = (
        "    team: pearl-river-delta\n"
        '    phone: "+86 755 0000 0000"\n'
        '    map_url: "https://www.openstreetmap.org/?mlat=22.54&mlon=114.06"'
    )
    path = write_centres(
        "centres:\n" + centre_yaml(holidays='[2026-10-01, "2026-10-02"]', extra=extra)
    )
    c = next(iter(load_one(path)))
    assert c.team == "pearl-river-delta" and c.phone == "+86 755 0000 0000"
    assert c.holidays == frozenset({date(2026, 10, 1), date(2026, 10, 2)})
    assert (c.lat, c.lon, c.timezone) == (22.5431, 114.0579, "Asia/Shanghai")
    assert set(c.hours) == {"mon", "tue", "sat"} and c.source == str(path) and c.line == 2


def problems_of(path: Path) -> list[str]:
    centres, problems = load_centres(path)
    assert centres is None
    return [str(p) for p in problems]


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize(
    ("change", "needle", "message"),
    [
        (("lat: 22.5431", "lat: 122.5"), "location:", "'location.lat' 122.5 is outside -90..90"),
        (("lon: 114.0579", "lon: -181"), "location:", "'location.lon' -181 is outside"),
        (("lat: 22.5431", 'lat: "north"'), "location:", "'location.lat' must be a number"),
        (("Asia/Shanghai", "China/Shenzhen"), "timezone:", "is not an IANA zone"),
        (("Asia/Shanghai", "GMT+8"), "timezone:", "is not an IANA zone"),
        (('mon: "09:00-18:00"', 'mon: "9-18"'), "hours:", "'hours.mon': '9-18' is not HH:MM"),
        (('mon: "09:00-18:00"', 'monday: "09:00-18:00"'), "hours:", "unknown day 'monday'"),
        (('mon: "09:00-18:00"', "mon: 9"), "hours:", "'hours.mon' must be text"),
        ((', ko: "센터 test-centre"', ""), "name:", "'name' has no 'ko'"),
        ((', zh: "福田区"', ""), "address:", "'address' has no 'zh'"),
        (('en: "Centre test-centre"', 'en: ""'), "name:", "'name.en' must be non-empty text"),
        (("languages: [zh, en]", "languages: []"), "languages:", "'languages' must be a non-empty"),
        (("id: test-centre", "id: Test Centre"), "id:", "id must be lowercase letters"),
    ],
)
def test_each_problem_is_reported_with_file_and_line(
    write_centres: WriteCentres, change: tuple[str, str], needle: str, message: str
) -> None:
    text = "centres:\n" + centre_yaml()
    assert change[0] in text
    path = write_centres(text.replace(change[0], change[1], 1))
    found = problems_of(path)
    expected = f"{path}:{line_of(path, needle)}: "
    assert any(p.startswith(expected) and message in p for p in found), found


def test_missing_and_unknown_fields(write_centres: WriteCentres) -> None:
    text = "centres:\n" + centre_yaml(extra="    fax: '0755'").replace(
        "    timezone: Asia/Shanghai\n", ""
    )
    path = write_centres(text)
    found = problems_of(path)
    assert f"{path}:2: missing field 'timezone'" in found
    assert f"{path}:{line_of(path, 'fax')}: unknown field 'fax'" in found


def test_bad_holidays_and_optional_fields(write_centres: WriteCentres) -> None:
    extra = '    phone: "call us"\n    map_url: "http://maps.example"\n    team: Team A'
    path = write_centres(
        "centres:\n" + centre_yaml(holidays='["2026-13-01", "next friday"]', extra=extra)
    )
    found = problems_of(path)
    holidays = line_of(path, "holidays:")
    assert f"{path}:{holidays}: holiday '2026-13-01' is not a date (YYYY-MM-DD)" in found
    assert f"{path}:{holidays}: holiday 'next friday' is not a date (YYYY-MM-DD)" in found
    assert f"{path}:{line_of(path, 'phone:')}: 'phone' is malformed" in found
    assert f"{path}:{line_of(path, 'map_url:')}: 'map_url' is malformed" in found
    assert any("team must be lowercase" in p for p in found)


def test_duplicate_ids_and_keys(write_centres: WriteCentres) -> None:
    text = "centres:\n" + centre_yaml("twin") + centre_yaml("twin", lat=23.0)
    path = write_centres(text)
    found = problems_of(path)
    second = [n for n, line in enumerate(text.splitlines(), 1) if "- id: twin" in line][1]
    assert f"{path}:{second}: duplicate id 'twin' (first at {path}:2)" in found
    dup = write_centres(
        "centres:\n" + centre_yaml().replace("    languages", "    timezone: UTC\n    languages")
    )
    assert any("duplicate key 'timezone'" in p for p in problems_of(dup))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("centres:\n  - id: x\n   bad: [\n", ":3: YAML syntax error"),
        ("", ":1: file is empty"),
        ("- just a list\n", ":1: expected a mapping with 'centres:'"),
        ("entries: []\n", ":1: missing top-level 'centres:' list"),
        ("centres: []\n", ":1: 'centres' must be a non-empty list"),
        ("centres:\n  - just text\n", ":2: each centre must be a mapping"),
    ],
)
def test_broken_files(write_centres: WriteCentres, text: str, message: str) -> None:
    path = write_centres(text)
    assert any(p.startswith(str(path)) and message in p for p in problems_of(path))


def test_missing_file(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope.yaml") == [
        f"{tmp_path / 'nope.yaml'}:0: centres file not found"
    ]


def test_non_utf8_file(write_centres: WriteCentres) -> None:
    path = write_centres("centres:\n")
    path.write_bytes(b"centres:\n  - id: \xff\n")
    assert problems_of(path) == [f"{path}:2: file is not valid UTF-8"]
