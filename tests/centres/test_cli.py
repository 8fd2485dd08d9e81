"""``merchant-bot centre`` and the centres part of ``merchant-bot faq check``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.centres.conftest import ROOT, WriteCentres, centre_yaml
from tests.conftest import FAQ_DIR

MONDAY_MORNING = "2026-05-04T10:30:00+08:00"
SUNDAY = "2026-05-10T12:00:00+08:00"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "centre", "Ningbo", "--json", "--at", MONDAY_MORNING)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"centre_id", "distance_km", "place", "open_now"}
    assert set(data["place"]) == {"name", "lat", "lon", "country"}
    assert data["centre_id"] == "ningbo" and data["open_now"] is True
    assert data["place"]["name"] == "Ningbo" and data["place"]["country"] == "CN"
    assert isinstance(data["distance_km"], float) and 5 < data["distance_km"] < 10
    code, out, _ = run(capsys, "centre", "寧波", "--json", "--at", SUNDAY)
    assert json.loads(out)["open_now"] is False and json.loads(out)["centre_id"] == "ningbo"


@pytest.mark.parametrize(
    ("query", "centre"),
    [("东莞", "guangzhou"), ("부산광역시", "busan"), ("Guangzou", "guangzhou"),
     ("I'm in Ningbo", "ningbo"), ("저는 부산에 있어요", "busan"),
     ("Hong Kong", "shenzhen"), ("22.95,113.70", "guangzhou"), ("36.07, 120.38", "qingdao")],
)  # fmt: skip
def test_places_and_points(capsys: pytest.CaptureFixture[str], query: str, centre: str) -> None:
    code, out, _ = run(capsys, "centre", query, "--json")
    assert code == 0 and json.loads(out)["centre_id"] == centre


def test_a_point_reports_itself_and_the_town_there(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "centre", "22.95,113.70", "--json")
    assert code == 0
    place = json.loads(out)["place"]
    assert (place["lat"], place["lon"], place["name"], place["country"]) == (
        22.95, 113.7, "Dongguan", "CN",
    )  # fmt: skip


def test_text_reply_in_the_querys_language_or_lang(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "centre", "东莞", "--at", MONDAY_MORNING)
    assert code == 0 and out.startswith("离东莞最近的商家发展中心是广州商家发展中心")
    code, out, _ = run(capsys, "centre", "Dongguan", "--lang", "ko", "--at", MONDAY_MORNING)
    assert code == 0 and "광저우 비즈니스 확장 센터" in out and "운영 중" in out
    code, out, _ = run(capsys, "centre", "Dongguan", "--lang", "zh_Hant", "--at", MONDAY_MORNING)
    assert "廣州商家發展中心" in out


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "the place is empty"), ("   ", "the place is empty"), ("95,114", "not a point")],
)
def test_bad_input_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], query: str, message: str
) -> None:
    code, out, err = run(capsys, "centre", query)
    assert code == 2 and out == "" and message in err


def test_unknown_place(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "centre", "Narnia")
    assert code == 1 and "no place found for 'Narnia'" in err
    assert 'couldn\'t find a place called "Narnia"' in out
    code, out, _ = run(capsys, "centre", "Narnia", "--json")
    assert code == 1 and json.loads(out) == {
        "centre_id": None, "distance_km": None, "place": None, "open_now": None,
    }  # fmt: skip


def test_bad_time_is_rejected_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["centre", "Ningbo", "--at", "next tuesday"])
    assert exc.value.code == 2 and "not an ISO 8601 time" in capsys.readouterr().err


def test_broken_centres_file_is_reported_with_file_and_line(
    capsys: pytest.CaptureFixture[str], write_centres: WriteCentres
) -> None:
    path = write_centres("centres:\n" + centre_yaml(timezone="Mars/Olympus"))
    code, out, err = run(capsys, "centre", "Ningbo", "--centres-file", str(path))
    assert code == 1 and out == ""
    assert f"{path}:6: timezone 'Mars/Olympus' is not an IANA zone" in err


def test_centres_file_from_the_environment(
    capsys: pytest.CaptureFixture[str], write_centres: WriteCentres, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_centres("centres:\n" + centre_yaml("only-one"))
    monkeypatch.setenv("CENTRES_FILE", str(path))
    code, out, _ = run(capsys, "centre", "Busan", "--json")
    assert code == 0 and json.loads(out)["centre_id"] == "only-one"


def test_faq_check_validates_the_centres_file(
    capsys: pytest.CaptureFixture[str], write_centres: WriteCentres, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, "faq", "check", "--faq-dir", str(FAQ_DIR))
    assert code == 0 and "centres.yaml: 8 centres OK" in out and "error" not in err.lower()
    broken = write_centres("centres:\n" + centre_yaml().replace("lon: 114.0579", "lon: 214"))
    code, out, err = run(
        capsys, "faq", "check", "--faq-dir", str(FAQ_DIR), "--centres-file", str(broken)
    )
    assert code == 1 and "entries OK" in out
    assert f"{broken}:5: 'location.lon' 214 is outside -180..180" in err
    monkeypatch.setenv("CENTRES_FILE", str(broken))
    code, _, err = run(capsys, "faq", "check", "--faq-dir", str(FAQ_DIR))
    assert code == 1 and f"{broken}:5:" in err
    code, _, err = run(
        capsys,
        "faq",
        "check",
        "--faq-dir",
        str(FAQ_DIR),
        "--centres-file",
        str(broken.parent / "x"),
    )
    assert code == 1 and "centres file not found" in err


def test_console_script_runs_the_command() -> None:
    script = Path(sys.executable).parent / "merchant-bot"
    done = subprocess.run(
        [str(script), "centre", "저는 부산에 있어요", "--json"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    assert json.loads(done.stdout)["centre_id"] == "busan"
