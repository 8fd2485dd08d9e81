"""Centres hot reload: a broken edit is reported with file and line; the last good file serves."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest

from bot.centres.gazetteer import PlacesMissing, load
from bot.centres.holder import CentresHolder
from tests.centres.conftest import WriteCentres, centre_yaml


def touch_later(path: Path) -> None:
    st = path.stat()  # make sure the modification time moves even on coarse file systems
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def two_centres() -> str:
    return "centres:\n" + centre_yaml("south") + centre_yaml("north", lat=36.07, lon=120.38)


def test_first_load_serves_and_reports_ok(write_centres: WriteCentres) -> None:
    holder = CentresHolder(write_centres(two_centres()))
    assert holder.reload() is True
    assert holder.state.ok and holder.state.centres == 2
    assert holder.state.as_dict() == {"ok": True, "centres": 2, "problems": []}
    found = holder.finder().from_location(36.0, 120.3)
    assert found.centre.id == "north"
    assert holder.reload() is False  # nothing changed


def test_broken_edit_keeps_last_good_and_reports_file_and_line(
    write_centres: WriteCentres, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_centres(two_centres())
    holder = CentresHolder(path)
    holder.reload()
    good = holder.finder()
    broken = two_centres().replace("lat: 36.07", "lat: 96.07")
    path.write_text(broken, encoding="utf-8")
    touch_later(path)
    with caplog.at_level(logging.ERROR):
        assert holder.reload() is False
    assert holder.finder() is good  # still serving
    assert holder.finder().from_location(36.0, 120.3).centre.id == "north"
    bad_line = next(n for n, line in enumerate(broken.splitlines(), 1) if "96.07" in line)
    assert not holder.state.ok
    assert holder.state.as_dict()["problems"] == [
        f"{path}:{bad_line}: 'location.lat' 96.07 is outside -90..90"
    ]
    assert any("still serving the last good version" in r.message for r in caplog.records)
    path.write_text(two_centres().replace("north", "qingdao"), encoding="utf-8")
    touch_later(path)
    assert holder.reload() is True and holder.state.ok
    assert holder.finder() is not good and "qingdao" in holder.finder().centres


def test_finder_before_any_good_load_raises(tmp_path: Path) -> None:
    holder = CentresHolder(tmp_path / "missing.yaml")
    assert holder.reload() is False
    assert not holder.state.ok
    assert holder.state.as_dict()["problems"] == [
        f"{tmp_path / 'missing.yaml'}:0: centres file not found"
    ]
    with pytest.raises(RuntimeError, match="no valid centres"):
        holder.finder()


def test_watch_picks_up_a_new_centre(write_centres: WriteCentres) -> None:
    path = write_centres("centres:\n" + centre_yaml("south"))
    holder = CentresHolder(path)
    holder.reload()
    holder.warm()

    async def scenario() -> int:
        task = asyncio.create_task(holder.watch(0.01))
        path.write_text(two_centres(), encoding="utf-8")
        touch_later(path)
        for _ in range(300):
            await asyncio.sleep(0.01)
            if holder.state.centres == 2:
                break
        task.cancel()
        return holder.state.centres

    assert asyncio.run(scenario()) == 2


def test_without_the_place_table_the_bot_serves_and_health_says_what_to_build(
    write_centres: WriteCentres, tmp_path: Path
) -> None:
    missing = tmp_path / "gazetteer.tsv.gz"  # never built
    holder = CentresHolder(write_centres(two_centres()), gazetteer=lambda: load(missing))
    assert holder.reload() is True
    holder.warm()  # start-up goes on
    state = holder.state.as_dict()
    assert state["ok"] is False and "build_gazetteer.py" in str(state["places"])
    found = holder.finder().from_location(36.0, 120.3)  # a shared point still finds its centre
    assert found.centre.id == "north" and found.place is None
    with pytest.raises(PlacesMissing, match="is missing"):
        holder.finder().from_place("Qingdao")
